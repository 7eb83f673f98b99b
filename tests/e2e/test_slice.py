"""The Foundation slice in real Chromium at 768×1024, end to end:

field user logs in → logs a finding (description, type, typed coordinates, one photo) → it shows
on the map in the pending colour → writes the on-site verification with an after-photo →
a supervisor signs it off → 公示中 colour → after the notice period (clock injected through
FIELD_FAKE_NOW for the `advance` command) → the site shows in the closed colour.
A viewer cannot log findings; a field user cannot sign off. Zero requests leave localhost.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from field.domain.vocab import STATUS
from tests.e2e import harness
from tests.photo_factory import make_jpeg

PORTRAIT = (768, 1024)
SITE = "E2E切片宏达建材厂"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
NAV_TITLES = {"map": "问题地图", "verify": "现场核查", "signoff": "验收销号", "capture": "现场记录"}


def _photo(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    path.write_bytes(make_jpeg(800, 600, gps=(116.84, 38.29), taken_at=dt.datetime.now(), seed=seed))
    return path


def _fill(page: Page, label: str, value: str, *, area: bool = False) -> None:
    box = page.get_by_label(label, exact=True).first  # hidden tabs repeat some labels; the first tab is open
    with harness.expect_rerun(page):
        box.fill(value)
        box.press("Control+Enter" if area else "Enter")


def _upload(page: Page, index: int, path: Path) -> None:
    with harness.expect_rerun(page):
        page.locator('input[type="file"]').nth(index).set_input_files(str(path))


def _open(page: Page, base: str, path: str) -> None:
    """Go to a page the way a user does, through the sidebar (a reload would start a new
    Streamlit session, i.e. a new login). Query parameters are set in-app afterwards."""
    title = NAV_TITLES[path.split("?")[0].strip("/")]
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=title)
    if link.count() == 0:  # the role has no such page: stay where we are
        return
    with harness.expect_rerun(page):
        link.click()
    harness.wait_for_app(page)
    collapse = page.get_by_test_id("stSidebarCollapseButton").locator("button")
    if expand.count() and collapse.count():  # on a narrow tablet the sidebar covers the page: close it
        collapse.first.click()
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("aria-expanded", "false")


def _open_map_for(page: Page, base: str, text: str) -> None:
    """Open the map filtered to one site by a link (the remembered login survives the reload),
    so other tests' data on the shared server cannot change what this test sees."""
    page.goto(f"{base}/map?q={text}", wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_role("heading", name="问题点位地图")).to_be_visible()


def _marker_colours(page: Page) -> list[str]:
    frame = page.frame_locator(MAP_FRAME)
    pins = frame.locator(".fs-pin svg g")
    expect(pins.first).to_be_attached(timeout=30_000)
    return [pins.nth(i).get_attribute("fill") or "" for i in range(pins.count())]


def _new_session(new_page, e2e_env, username: str) -> Page:  # type: ignore[no-untyped-def]
    page = new_page(PORTRAIT)
    cred = e2e_env.credentials[username]
    assert harness.login(page, cred.username, cred.password) == "success"
    return page


def test_finding_to_signoff_slice(new_page, e2e_env, app_server: str, tmp_path: Path) -> None:
    # --- the field user logs a finding
    page = _new_session(new_page, e2e_env, "field1")
    expect(page.get_by_role("heading", name="现场记录问题")).to_be_visible()
    details = page.locator('[data-testid="stExpander"] details').filter(has_text="更多信息").first
    if details.get_attribute("open") is None:  # the full path holds the site name
        details.locator("summary").click()
    expect(page.get_by_label("点位/企业名称", exact=True).first).to_be_visible()
    _fill(page, "点位/企业名称", SITE)
    expect(page.get_by_label("点位/企业名称", exact=True).first).to_have_value(SITE)
    _fill(page, "问题描述", "露天堆放物料未苫盖，扬尘明显", area=True)
    if page.get_by_role("button", name="大气", exact=True, pressed=True).count() == 0:  # last types are kept
        with harness.expect_rerun(page):
            page.get_by_role("button", name="大气", exact=True).click()
    expect(page.get_by_role("button", name="大气", exact=True, pressed=True)).to_have_count(1)
    with harness.expect_rerun(page):
        page.get_by_text("输入坐标", exact=False).first.click()
    _fill(page, "经度", "116°50′24″E")
    _fill(page, "纬度", "38.29")
    expect(page.get_by_text(re.compile("运河区"))).to_be_visible()
    _upload(page, 0, _photo(tmp_path, "before.jpg", 1))
    expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
    with harness.expect_rerun(page):
        page.get_by_role("button", name="提交问题").click()
    harness.wait_for_app(page)
    expect(page.get_by_text(re.compile(r"已记录问题 #\d+"))).to_be_visible()
    finding_id = re.search(r"#(\d+)", page.get_by_text(re.compile(r"已记录问题 #\d+")).inner_text()).group(1)
    harness.screenshot(page, "slice-1-captured-768x1024")

    # the finding is stored as typed: its site name is what the map search below looks for
    assert e2e_env.rows("SELECT s.name, s.county_adcode, f.status FROM findings f JOIN sites s ON s.id = f.site_id"
                        " WHERE f.id = :id", id=int(finding_id)) == [(SITE, "130903", "pending")]

    # --- it shows on the map in the pending colour
    _open_map_for(page, app_server, SITE)
    expect(page.get_by_text(re.compile(r"共 1 个问题"))).to_be_visible()
    assert _marker_colours(page) == [STATUS["pending"].colour]
    harness.screenshot(page, "slice-2-map-pending-768x1024")

    # --- the field user writes the on-site verification with an after-photo
    _open(page, app_server, "/verify")
    expect(page.get_by_role("heading", name="现场核查记录")).to_be_visible()
    expect(page.get_by_role("combobox", name="选择问题")).to_have_value(re.compile(f"^#{finding_id} {SITE}"))
    _fill(page, "调查核实情况", "经现场核查属实，已责令苫盖", area=True)
    _upload(page, 0, _photo(tmp_path, "after.jpg", 2))
    with harness.expect_rerun(page):
        page.get_by_role("button", name="提交核查记录").click()
    harness.wait_for_app(page)
    expect(page.get_by_text(re.compile("当前状态：待验收"))).to_be_visible()

    # --- a field user has no sign-off page
    expect(page.get_by_test_id("stSidebar").get_by_role("link", name="验收销号")).to_have_count(0)

    # --- the supervisor signs off
    sup = _new_session(new_page, e2e_env, "supervisor1")
    _open(sup, app_server, "/signoff")
    # the queue is paged and the shared server holds other tests' items: find ours by number
    search = sup.get_by_label(re.compile(r"^搜索"))
    with harness.expect_rerun(sup):
        search.fill(f"#{finding_id}")
        search.press("Enter")
    harness.wait_for_app(sup)
    item = sup.get_by_test_id("stExpander").filter(has_text=f"#{finding_id} {SITE}")
    expect(item).to_have_count(1)
    if not item.get_by_label("验收意见").is_visible():  # long queues start collapsed
        item.locator("summary").click()
    item.get_by_label("验收意见").fill("同意验收")
    with harness.expect_rerun(sup):
        item.get_by_role("button", name="签字验收").click()
    harness.wait_for_app(sup)
    expect(sup.get_by_text(re.compile(r"已签字验收问题 #\d+，当前状态：公示中"))).to_be_visible()
    _open_map_for(sup, app_server, SITE)
    assert _marker_colours(sup) == [STATUS["public_notice"].colour]

    # --- after the 公示 period (clock moved forward for the operator's `advance`) it is closed
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    out = subprocess.run([sys.executable, "-m", "field", "advance"], cwd=e2e_env.app_root, text=True,
                         env={**e2e_env.env, "FIELD_FAKE_NOW": later}, capture_output=True, timeout=120)
    # demo items of other tests on this server may close too; ours is checked on the map below
    assert out.returncode == 0 and int(out.stdout.split()[0]) >= 1, out.stdout + out.stderr
    _open_map_for(sup, app_server, SITE)
    assert _marker_colours(sup) == [STATUS["closed"].colour]
    harness.screenshot(sup, "slice-3-map-closed-768x1024")
    verify = e2e_env.run_cli("verify")
    assert "0 problems" in verify.stdout


def test_viewer_cannot_log_findings(new_page, e2e_env, app_server: str) -> None:
    page = _new_session(new_page, e2e_env, "viewer1")
    expect(page.get_by_role("heading", name="问题点位地图")).to_be_visible()
    expect(page.get_by_role("link", name="现场记录")).to_have_count(0)
    expect(page.get_by_role("button", name="提交问题")).to_have_count(0)


def test_reload_keeps_the_login_and_logout_ends_it(new_page, e2e_env) -> None:
    page = _new_session(new_page, e2e_env, "viewer1")
    expect(page.get_by_role("heading", name="问题点位地图")).to_be_visible()
    page.reload(wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_role("heading", name="问题点位地图")).to_be_visible()  # no password asked again
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    harness.logout(page)  # a form posting to /auth/logout
    expect(page.get_by_label("密码")).to_be_visible()
    page.reload(wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_label("密码")).to_be_visible()  # the revoked cookie does not log back in
