"""Field capture in real Chromium at 768x1024: device GPS, two photos, a reload half-way that finds
the draft intact, a double-tapped submit that makes one finding, and the finding in 我的任务.

The browser context is given the geolocation permission and a fixed position in 运河区, so the
hand-written geolocation component really calls `navigator.geolocation` (127.0.0.1 is a secure
context) and its fix travels through the Streamlit component protocol into the page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.e2e import harness
from tests.photo_factory import make_jpeg

PORTRAIT = (768, 1024)
YUNHE = (116.84, 38.29)
DESCRIPTION = "E2E 草稿测试：露天堆放<b>未苫盖</b>"
SITE = "E2E草稿建材厂"


def _photo(tmp_path: Path, name: str, width: int) -> Path:
    """Different sizes make different bytes (the same bytes twice would rightly be stored once)."""
    path = tmp_path / name
    path.write_bytes(make_jpeg(width, width * 3 // 4, gps=YUNHE, taken_at=dt.datetime.now()))
    return path


def _fill(page: Page, label: str, value: str, *, area: bool = False) -> None:
    box = page.get_by_label(label, exact=True)
    with harness.expect_rerun(page):
        box.fill(value)
        box.press("Control+Enter" if area else "Enter")


def _login(page: Page, e2e_env: harness.E2EEnv) -> None:
    # Our own field user: the E2E environment is shared by the session, and 我的任务 must show
    # exactly this test's finding.
    cred = e2e_env.credentials.get("capture_field") or e2e_env.create_user("capture_field", "field")
    assert harness.login(page, cred.username, cred.password) == "success"
    expect(page.get_by_role("heading", name="现场记录问题")).to_be_visible()


def _findings_with(e2e_env: harness.E2EEnv, description: str) -> list[int]:
    engine = create_engine(e2e_env.db_url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM findings WHERE description = :d"),
                                               {"d": description})]
    finally:
        engine.dispose()


def test_capture_draft_reload_double_submit(new_page, e2e_env: harness.E2EEnv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(PORTRAIT, open_app=False)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": YUNHE[0], "latitude": YUNHE[1], "accuracy": 12})
    harness.goto_app(page, "/")
    _login(page, e2e_env)

    # Device GPS: acquired on first render, with accuracy in metres and the county at once.
    located = page.get_by_text(re.compile(r"位置：116\.84.*设备定位.*运河区.*精度 12 米"))
    expect(located).to_be_visible()
    harness.wait_for_app(page)

    _fill(page, "点位/企业名称", SITE)
    _fill(page, "问题描述", DESCRIPTION, area=True)
    with harness.expect_rerun(page):
        page.get_by_role("button", name="大气").click()
    with harness.expect_rerun(page):
        page.locator('input[type="file"]').first.set_input_files(
            [str(_photo(tmp_path, "a.jpg", 800)), str(_photo(tmp_path, "b.jpg", 640))])
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(2)
    expect(page.get_by_text("照片（2/20）")).to_be_visible()
    harness.screenshot(page, "capture-1-filled-768x1024")

    # Reload half-way (a crash, a dropped tab): a new session resumed from the login cookie,
    # and the draft is back. (A draft after a fresh login is tested in tests/pages.)
    page.reload(wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_text("已恢复未提交的草稿。")).to_be_visible()
    expect(page.get_by_label("点位/企业名称", exact=True)).to_have_value(SITE)
    expect(page.get_by_label("问题描述", exact=True)).to_have_value(DESCRIPTION)
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(2)
    expect(located).to_be_visible()
    harness.screenshot(page, "capture-2-restored-768x1024")

    # A double tap on submit makes one finding.
    page.get_by_role("button", name="提交问题").dblclick()
    done = page.get_by_text(re.compile(r"已记录问题 #\d+"))
    expect(done).to_be_visible()
    harness.wait_for_app(page)
    finding_id = int(re.search(r"#(\d+)", done.inner_text()).group(1))  # type: ignore[union-attr]
    assert _findings_with(e2e_env, DESCRIPTION) == [finding_id]
    expect(page.get_by_label("问题描述", exact=True)).to_have_value("")
    harness.screenshot(page, "capture-3-submitted-768x1024")

    # 我的任务 shows it today, with both thumbnails; the HTML in the text is shown as text.
    page.get_by_test_id("stMain").get_by_role("link", name="我的任务").click()  # the link under the success note
    harness.wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"#{finding_id} {SITE}")).to_be_visible()
    expect(main.get_by_text("今天 (1)")).to_be_visible()
    expect(main.locator('[data-testid="stImage"] img')).to_have_count(2)  # this user's only finding
    expect(main.get_by_text("<b>未苫盖</b>", exact=False)).to_be_visible()
    harness.screenshot(page, "capture-4-my-work-768x1024")
