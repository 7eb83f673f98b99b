"""At 768×1024 with touch, on the real server: 待我验收 with 2,000 records (seeded in bulk) is
searched, filtered and paged; the verification form is empty again after a success, says what
was made and links to it. The bulk rows are removed afterwards (the server is shared)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from field import geo
from field.data import db
from field.data.models import Finding, FindingPhoto, Site, User, Verification
from tests.e2e import harness
from tests.queue_factory import COUNTIES, bulk_queue

PORTRAIT = (768, 1024)
PREFIX = "E2E队列"
N = 2000


@pytest.fixture
def bulk_rows(e2e_env: harness.E2EEnv) -> Iterator[dict[str, list[int]]]:
    engine = db.make_engine(e2e_env.db_url)
    sessions = db.session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    with sessions() as s:
        author = s.scalars(select(User).where(User.username == "field1")).one()
        queued = bulk_queue(s, [author], N, now=now, prefix=PREFIX)
        # two pending ones with no record yet: one is verified through the form, the other keeps
        # the form on the page afterwards (with nothing left to verify it gives way to a sentence)
        pending = bulk_queue(s, [author], 2, now=now + dt.timedelta(minutes=5), status="pending", prefix="E2E表单")
        s.execute(delete(Verification).where(Verification.finding_id.in_(pending)))
        s.commit()
    yield {"queued": queued, "pending": pending}
    with sessions() as s:
        ids = queued + pending
        site_ids = list(s.scalars(select(Finding.site_id).where(Finding.id.in_(ids))))
        for model in (FindingPhoto, Verification):
            s.execute(delete(model).where(model.finding_id.in_(ids)))
        from field.data.models import SignOff
        s.execute(delete(SignOff).where(SignOff.finding_id.in_(ids)))
        s.execute(delete(Finding).where(Finding.id.in_(ids)))
        s.execute(delete(Site).where(Site.id.in_(site_ids)))
        s.commit()
    engine.dispose()


def _session(new_page, e2e_env: harness.E2EEnv, username: str) -> Page:
    page = new_page(PORTRAIT)
    cred = e2e_env.credentials[username]
    assert harness.login(page, cred.username, cred.password) == "success"
    return page


def _open(page: Page, title: str) -> None:
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    with harness.expect_rerun(page):
        page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    harness.wait_for_app(page)
    close = page.get_by_test_id("stSidebarCollapseButton")
    if close.count() and close.first.is_visible():
        close.first.click()


def _type(page: Page, label: str, value: str, *, area: bool = False) -> None:
    box = page.get_by_label(label, exact=True).first
    with harness.expect_rerun(page):
        box.fill(value)
        box.press("Control+Enter" if area else "Enter")


def _expanders(page: Page):  # type: ignore[no-untyped-def]
    """The queue tab's items (the 公示 tab holds expanders too)."""
    return page.get_by_role("tabpanel").first.get_by_test_id("stExpander")


def _total(page: Page) -> str:
    return page.get_by_text(re.compile(r"共 \d+ 条，第 \d+/\d+ 页")).first.inner_text()


def test_signoff_queue_search_filter_pages(new_page, e2e_env, bulk_rows) -> None:
    page = _session(new_page, e2e_env, "supervisor1")
    _open(page, "验收销号")
    _type(page, "搜索（编号、点位名称、地址、描述、受理编号）", PREFIX)
    assert _total(page) == "共 2000 条，第 1/100 页"
    expect(_expanders(page)).to_have_count(20)
    first = bulk_rows["queued"][0]
    expect(_expanders(page).first).to_contain_text(f"#{first} {PREFIX}")
    with harness.expect_rerun(page):
        page.get_by_role("button", name="下一页 ▶").click()
    assert _total(page) == "共 2000 条，第 2/100 页"
    expect(_expanders(page).first).to_contain_text(f"#{bulk_rows['queued'][20]} ")
    _type(page, "搜索（编号、点位名称、地址、描述、受理编号）", PREFIX + "化工厂")  # back to page 1
    assert _total(page) == "共 200 条，第 1/10 页"
    with harness.expect_rerun(page):
        page.get_by_text("只看超期").click()
    overdue = sum(1 for i in range(0, N, 10) if i % 7 == 0)
    expect(page.get_by_text(re.compile(f"^共 {overdue} 条"))).to_be_visible()
    expect(page.get_by_text("超期").nth(1)).to_be_visible()
    # the county filter: a multiselect with a Chinese placeholder
    # (the placeholder is the empty input's placeholder attribute, not text in the element)
    county = page.get_by_test_id("stMultiSelect").filter(has_text="区县")
    expect(county.locator("input")).to_have_attribute("placeholder", "不限")
    page.get_by_role("combobox", name="区县").click()
    target = geo.counties("130900")[0]
    with harness.expect_rerun(page):
        page.get_by_role("option", name=target.name).click()
    page.keyboard.press("Escape")
    harness.wait_for_app(page)
    in_yunhe = sum(1 for i in range(0, N, 10) if i % 7 == 0 and COUNTIES[i % len(COUNTIES)] == target.adcode)
    assert in_yunhe > 0
    expect(page.get_by_text(re.compile(f"^共 {in_yunhe} 条，第 1/1 页$"))).to_be_visible()
    expect(_expanders(page)).to_have_count(in_yunhe)


def test_verification_form_is_empty_after_success_with_a_link(new_page, e2e_env, bulk_rows) -> None:
    fid = bulk_rows["pending"][-1]  # the newest: the picker offers it first
    page = _session(new_page, e2e_env, "field1")
    _open(page, "现场核查")
    pick = page.get_by_role("combobox", name="选择问题")  # its value is the input's, not text
    if not pick.input_value().startswith(f"#{fid} "):
        pick.click()
        with harness.expect_rerun(page):
            page.get_by_role("option", name=re.compile(f"^#{fid} ")).click()
    with harness.expect_rerun(page):
        # the main area's first radio (the sidebar's language switch is a radio too)
        page.get_by_test_id("stMain").get_by_test_id("stRadio").first.get_by_text("不属实", exact=True).click()
    _type(page, "调查核实情况", "现场未发现问题", area=True)
    _type(page, "处理和整改情况", "无需整改", area=True)
    with harness.expect_rerun(page):
        page.get_by_role("button", name="提交核查记录").click()
    harness.wait_for_app(page)
    expect(page.get_by_text(f"已提交问题 #{fid} 的核查记录，当前状态：待验收")).to_be_visible()
    expect(page.get_by_label("调查核实情况", exact=True).first).to_have_value("")
    expect(page.get_by_label("处理和整改情况", exact=True).first).to_have_value("")
    expect(page.get_by_role("combobox", name="选择问题")).not_to_have_value(re.compile(f"^#{fid} "))
    link = page.get_by_role("link", name=f"查看问题 #{fid}")
    expect(link).to_be_visible()
    with harness.expect_rerun(page):
        link.click()
    harness.wait_for_app(page)
    expect(page.get_by_text(re.compile(f"#{fid}")).first).to_be_visible()
