"""Field capture in real Chromium on a touch tablet (768x1024 portrait and 1280x800 landscape).

* The quick path, counted as a person makes it (a tap is one action, typing a value is one,
  choosing photos in the system picker is two): GPS granted, one type, a photo, a sentence, at
  most 8 actions, the submit on screen without scrolling (and nothing hidden behind its bar), and the finding stored with its GPS
  point and its photo; the next form starts with the type just used.
* The early scope warning: a user of 运河区 standing in 新华区 is told so, in words, next to the
  point, before typing anything; the submit is still refused by the service, at the location.
* A reload half-way finds the draft intact, and a double-tapped submit makes one finding.
* No deprecation warning and no traceback in the server log, no error in the browser console.

The browser context is given the geolocation permission and a fixed position, so the GPS
component (st.components.v2) really calls `navigator.geolocation` (127.0.0.1 is a secure
context) and its fix travels through Streamlit's component API into the page. One server serves
the whole module (the session's `app_server`); each test has its own user.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e import harness
from tests.photo_factory import make_jpeg

PORTRAIT = harness.TABLET_PORTRAIT
LANDSCAPE = harness.TABLET_LANDSCAPE
YUNHE = (116.84, 38.29)  # 运河区
XINHUA = (116.86, 38.31)  # 新华区, next door
DESCRIPTION = "E2E 草稿测试：露天堆放<b>未苫盖</b>"
SITE = "E2E草稿建材厂"
MAX_ACTIONS = 8
WAIT = harness.DEFAULT_TIMEOUT_MS  # for what takes a server run (or two) on a busy 2-core machine


# --------------------------------------------------------------------------- helpers


class Person:
    """Acts on the page as a person with a tablet does, and counts what it costs them."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions: list[str] = []

    def tap(self, target: Locator, what: str) -> None:
        target.tap()
        self.actions.append(f"tap {what}")

    def type(self, value: str) -> None:
        """Typing a value into the focused field: one action, however long the sentence."""
        self.page.keyboard.insert_text(value)
        self.actions.append("type")

    def pick_photos(self, button: Locator, files: list[Path]) -> None:
        """One tap opens the system picker (camera or gallery); choosing and confirming are two."""
        with self.page.expect_file_chooser() as chooser:
            self.tap(button, "photos")
        chooser.value.set_files([str(f) for f in files])
        self.actions += ["picker: choose", "picker: confirm"]


class Watch:
    """What must stay empty during a test: browser console errors and, in the server log,
    deprecation warnings and tracebacks (the server is shared, so only this test's part)."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.start = log.stat().st_size if log.exists() else 0
        self.console: list[str] = []

    def page(self, page: Page) -> Page:
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))
        return page

    def assert_clean(self) -> None:
        with self.log.open("rb") as fh:
            fh.seek(self.start)
            lines = fh.read().decode("utf-8", "replace").splitlines()
        bad = [line for line in lines if re.search(r"deprecat|Traceback", line, re.I)]
        assert bad == [], "server log:\n" + "\n".join(bad)
        assert self.console == [], "browser console:\n" + "\n".join(self.console)


@pytest.fixture
def watch(e2e_env: harness.E2EEnv, app_server: str) -> Iterator[Watch]:
    yield Watch(e2e_env.root / "streamlit.log")  # the file `app_server` writes the server's output to


def _photo(tmp_path: Path, name: str, width: int, where: tuple[float, float] = YUNHE) -> Path:
    """Different sizes make different bytes (the same bytes twice would rightly be stored once)."""
    path = tmp_path / name
    path.write_bytes(make_jpeg(width, width * 3 // 4, gps=where, taken_at=dt.datetime.now()))
    return path


def _fill(page: Page, label: str, value: str, *, area: bool = False) -> None:
    box = page.get_by_label(label, exact=True)
    with harness.expect_rerun(page):
        box.fill(value)
        box.press("Control+Enter" if area else "Enter")


def _open(new_page: harness.PageFactory, watch: Watch, viewport: tuple[int, int],
          where: tuple[float, float], accuracy: float = 12) -> Page:
    page = watch.page(new_page(viewport, open_app=False))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": where[0], "latitude": where[1], "accuracy": accuracy})
    harness.goto_app(page, "/")
    return page


def _login(page: Page, e2e_env: harness.E2EEnv, username: str, counties: str = "all") -> None:
    # Our own field user: the E2E environment is shared by the session, and 我的任务 must show
    # exactly this test's finding.
    cred = e2e_env.credentials.get(username) or e2e_env.create_user(username, "field", counties=counties)
    assert harness.login(page, cred.username, cred.password) == "success"
    expect(page.get_by_role("heading", name="现场记录问题")).to_be_visible(timeout=WAIT)


def _in_view(page: Page, target: Locator) -> bool:
    """Entirely on screen at the current scroll position (no scrolling needed to tap it)."""
    return bool(target.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; }"))


def _live(scope: Page | Locator) -> Locator:
    """Elements of the current run only. While a run is under way Streamlit keeps the previous
    run's elements on screen, marked stale; after a submit the new form's widgets (new keys, one
    row lower under the success note) stand beside the old ones until the run that follows ends
    (the new form's GPS fix starts one more), so a plain label would find both."""
    return scope.locator('[data-testid="stElementContainer"][data-stale="false"]')


def _hidden_under_bar(page: Page) -> float:
    """Scrolled to the end, how far the form's last element reaches under the action bar (<= 0:
    nothing is hidden behind the bar, the last field can still be reached)."""
    return float(page.evaluate(
        """() => {
          const block = document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
          for (let el = block; el; el = el.parentElement) el.scrollTop = el.scrollHeight;
          const items = [...block.children].filter(el => el.getBoundingClientRect().height > 0);
          const last = items[items.length - 1].getBoundingClientRect();
          return last.bottom - document.querySelector('.st-key-cap_actions').getBoundingClientRect().top;
        }"""))


def _findings_with(e2e_env: harness.E2EEnv, description: str) -> list[int]:
    return [r[0] for r in e2e_env.rows("SELECT id FROM findings WHERE description = :d", d=description)]


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=lambda vp: f"{vp[0]}x{vp[1]}")
def test_quick_capture_in_at_most_8_actions(new_page, e2e_env: harness.E2EEnv, watch: Watch, tmp_path: Path,
                                            viewport: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    page = _open(new_page, watch, viewport, YUNHE)
    _login(page, e2e_env, f"quick_{viewport[0]}")
    main = page.get_by_test_id("stMain")
    # GPS was asked for on open: the point, its county and accuracy are there before any tap,
    # with the other ways to locate in view beside it.
    expect(main.get_by_text(re.compile(r"位置：116\.84.*设备定位.*运河区.*精度 12 米"))).to_be_visible(timeout=WAIT)
    for fallback in ("地图选点", "输入坐标"):
        expect(main.get_by_role("radio", name=re.compile(fallback))).to_be_visible(timeout=WAIT)
    harness.wait_for_app(page)
    submit = page.get_by_role("button", name="提交问题")
    assert _in_view(page, submit), "提交问题 must be on screen without scrolling"
    harness.screenshot(page, f"capture-quick-1-open-{viewport[0]}x{viewport[1]}")

    person = Person(page)
    # The site is named after the first clause (findings.default_site_name); the tag that keeps
    # the two viewports' findings apart comes last, as a person's remark would.
    sentence = f"工地裸土未苫盖，扬尘明显（E2E 快速记录 {viewport[0]}）"
    with harness.expect_rerun(page):
        person.tap(main.get_by_role("button", name="大气", exact=True), "type 大气")
    person.tap(page.get_by_label("问题描述", exact=True), "description")
    person.type(sentence)
    # The dropzone's visible button (its hidden <input type=file> also has the button role).
    person.pick_photos(main.get_by_test_id("stFileUploaderDropzone").locator("button"),
                       [_photo(tmp_path, "IMG_20260601_quick_capture_portrait.jpg", 720)])
    expect(main.locator('[data-testid="stImage"] img')).to_have_count(1, timeout=WAIT)
    expect(page.get_by_label("问题描述", exact=True)).to_have_value(sentence, timeout=WAIT)
    harness.wait_for_app(page)
    # The uploader's Chinese button text (ui/zh.py) is on the upload button only, on one line,
    # not beside the chosen photo's delete "×".
    texts = main.get_by_test_id("stFileUploaderDropzone").evaluate(
        """zone => [...zone.querySelectorAll('button')].map(b => [
             !!b.closest('[data-testid="stFileChipDeleteBtn"]'), getComputedStyle(b, '::after').content,
             getComputedStyle(b, '::after').whiteSpace])""")
    assert sorted(texts) == [[False, '"选择文件"', "nowrap"], [True, "none", "normal"]], texts
    assert _in_view(page, submit), "the pinned action bar keeps 提交问题 on screen"
    harness.screenshot(page, f"capture-quick-2-filled-{viewport[0]}x{viewport[1]}")
    assert _hidden_under_bar(page) <= 0, "the end of the form must scroll clear of the action bar"
    assert _in_view(page, submit)
    person.tap(submit, "submit")
    done = page.get_by_text(re.compile(r"已记录问题 #\d+"))
    expect(done).to_be_visible(timeout=WAIT)
    harness.wait_for_app(page)

    assert len(person.actions) <= MAX_ACTIONS, person.actions
    finding_id = int(re.search(r"#(\d+)", done.inner_text()).group(1))  # type: ignore[union-attr]
    rows = e2e_env.rows("SELECT f.id, f.pollution_types, s.lon, s.lat, s.location_source, s.accuracy_m, s.name, "
                        "(SELECT count(*) FROM finding_photos p WHERE p.finding_id = f.id) "
                        "FROM findings f JOIN sites s ON s.id = f.site_id WHERE f.description = :d", d=sentence)
    assert len(rows) == 1, rows
    fid, types, lon, lat, source, accuracy, site_name, photos = rows[0]
    assert fid == finding_id and "air" in str(types)
    assert (round(lon, 5), round(lat, 5), source, accuracy) == (YUNHE[0], YUNHE[1], "gps", 12.0)
    assert site_name == "工地裸土未苫盖" and photos == 1
    # A fresh form, starting from the type just used (one tap fewer next time).
    expect(_live(main).get_by_label("问题描述", exact=True)).to_have_value("", timeout=WAIT)
    expect(_live(main).get_by_test_id("stButtonGroup").get_by_role("button", pressed=True)).to_have_text(
        ["大气"], timeout=WAIT)
    harness.screenshot(page, f"capture-quick-3-done-{viewport[0]}x{viewport[1]}")
    watch.assert_clean()


def test_scope_warning_when_the_point_is_set(new_page, e2e_env: harness.E2EEnv, watch: Watch) -> None:  # type: ignore[no-untyped-def]
    page = _open(new_page, watch, PORTRAIT, XINHUA)
    _login(page, e2e_env, "capture_yunhe", counties="130903")
    main = page.get_by_test_id("stMain")
    located = main.get_by_text(re.compile(r"位置：116\.86.*新华区"))
    warning = main.get_by_text("该点位在新华区，不在您的管辖范围内（运河区），提交时会被拒绝。请核对位置。")
    expect(located).to_be_visible(timeout=WAIT)
    expect(warning).to_be_visible(timeout=WAIT)  # before anything is typed
    expect(main.get_by_text("130902")).to_have_count(0, timeout=WAIT)
    # Next to the point: right under the location line, above the pollution types.
    types_label = main.get_by_text("污染类型", exact=True)
    y = [el.bounding_box()["y"] for el in (located, warning, types_label)]  # type: ignore[index]
    assert y[0] < y[1] < y[2], y
    harness.wait_for_app(page)
    harness.screenshot(page, "capture-scope-warning-768x1024")

    # The submit is still refused by the service, in words, next to the location.
    with harness.expect_rerun(page):
        main.get_by_role("button", name="水", exact=True).tap()
    page.get_by_label("问题描述", exact=True).tap()
    page.keyboard.insert_text("E2E 越界：排污口黑水")
    page.get_by_role("button", name="提交问题").tap()
    refusal = main.get_by_text("该区县（新华区）不在您的管辖范围内。")
    expect(refusal).to_be_visible(timeout=WAIT)
    assert refusal.bounding_box()["y"] < types_label.bounding_box()["y"]  # type: ignore[index]
    assert _findings_with(e2e_env, "E2E 越界：排污口黑水") == []
    watch.assert_clean()


def test_capture_draft_reload_double_submit(new_page, e2e_env: harness.E2EEnv, watch: Watch,
                                            tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _open(new_page, watch, PORTRAIT, YUNHE)
    _login(page, e2e_env, "capture_field")

    # Device GPS: acquired on first render, with accuracy in metres and the county at once.
    located = page.get_by_text(re.compile(r"位置：116\.84.*设备定位.*运河区.*精度 12 米"))
    expect(located).to_be_visible(timeout=WAIT)
    harness.wait_for_app(page)

    page.get_by_text("更多信息", exact=False).first.click()  # the full path: site name, address, ...
    _fill(page, "点位/企业名称", SITE)
    _fill(page, "问题描述", DESCRIPTION, area=True)
    with harness.expect_rerun(page):
        page.get_by_role("button", name="大气").click()
    with harness.expect_rerun(page):
        page.locator('input[type="file"]').first.set_input_files(
            [str(_photo(tmp_path, "a.jpg", 800)), str(_photo(tmp_path, "b.jpg", 640))])
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(2, timeout=WAIT)
    expect(page.get_by_text("照片（2/20）")).to_be_visible(timeout=WAIT)
    harness.screenshot(page, "capture-1-filled-768x1024")

    # Reload half-way (a crash, a dropped tab): a new session resumed from the login cookie,
    # and the draft is back. (A draft after a fresh login is tested in tests/pages.)
    page.reload(wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_text("已恢复未提交的草稿。")).to_be_visible(timeout=WAIT)
    expect(page.get_by_label("点位/企业名称", exact=True)).to_have_value(SITE, timeout=WAIT)
    expect(page.get_by_label("问题描述", exact=True)).to_have_value(DESCRIPTION, timeout=WAIT)
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(2, timeout=WAIT)
    expect(located).to_be_visible(timeout=WAIT)
    harness.screenshot(page, "capture-2-restored-768x1024")

    # A double tap on submit makes one finding.
    page.get_by_role("button", name="提交问题").dblclick()
    done = page.get_by_text(re.compile(r"已记录问题 #\d+"))
    expect(done).to_be_visible(timeout=WAIT)
    harness.wait_for_app(page)
    finding_id = int(re.search(r"#(\d+)", done.inner_text()).group(1))  # type: ignore[union-attr]
    assert _findings_with(e2e_env, DESCRIPTION) == [finding_id]
    expect(_live(page).get_by_label("问题描述", exact=True)).to_have_value("", timeout=WAIT)
    harness.screenshot(page, "capture-3-submitted-768x1024")

    # 我的任务 lists it (this user's only finding, in the default period, this week), with both
    # thumbnails; the HTML in the text is shown as text.
    page.get_by_test_id("stMain").get_by_role("link", name="我的任务").click()  # the link under the success note
    harness.wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"#{finding_id} {SITE}")).to_be_visible(timeout=WAIT)
    expect(main.get_by_text("共 1 条，第 1/1 页")).to_be_visible(timeout=WAIT)
    expect(main.locator('[data-testid="stImage"] img')).to_have_count(2, timeout=WAIT)  # this user's only finding
    expect(main.get_by_text("<b>未苫盖</b>", exact=False)).to_be_visible(timeout=WAIT)
    harness.screenshot(page, "capture-4-my-work-768x1024")
    watch.assert_clean()


# The GPS answer held back until the test lets it go (then: permission refused), so the test can
# act in the moment a user does, between opening the page and the browser's answer.
HELD_GPS_JS = """(() => {
  const held = [];
  window.__releaseGps = () => { const n = held.length; held.splice(0).forEach((f) => f()); return n; };
  const refuse = (err) => err && err({code: 1, message: "denied", PERMISSION_DENIED: 1,
                                      POSITION_UNAVAILABLE: 2, TIMEOUT: 3});
  navigator.geolocation.getCurrentPosition = (ok, err) => { held.push(() => refuse(err)); };
  navigator.geolocation.watchPosition = (ok, err) => { held.push(() => refuse(err)); return 1; };
})();"""


def test_more_info_stays_open_when_the_gps_answer_comes(new_page, e2e_env: harness.E2EEnv,  # type: ignore[no-untyped-def]
                                                        watch: Watch) -> None:
    """A field user opens 更多信息 before the GPS has answered; the refusal's warning then appears
    above it. The open section must not fold up under their fingers (it did: the slice test in CI
    found the site-name box hidden again after opening it)."""
    page = watch.page(new_page(PORTRAIT, open_app=False))
    page.add_init_script(HELD_GPS_JS)
    harness.goto_app(page, "/")
    _login(page, e2e_env, "capture_more")
    harness.wait_for_app(page)
    main = page.get_by_test_id("stMain")
    refused = main.get_by_text(re.compile("定位权限被拒绝")).first
    expect(refused).to_have_count(0)
    more = page.locator('[data-testid="stExpander"] details').filter(has_text="更多信息").first
    more.locator("summary").click()
    expect(more).to_have_attribute("open", "")
    page.wait_for_function("() => window.__releaseGps && window.__releaseGps() > 0", timeout=WAIT)
    expect(refused).to_be_visible(timeout=WAIT)
    harness.wait_for_app(page)
    expect(more).to_have_attribute("open", "")
    expect(page.get_by_label("点位/企业名称", exact=True)).to_be_visible()
    # and switching how the point is given does not fold it either
    for method, shows in (("输入坐标", "经度"), ("地图选点", None), ("设备定位", None)):
        with harness.expect_rerun(page):
            main.get_by_text(method, exact=False).first.click()
        if shows:
            expect(page.get_by_label(shows, exact=True)).to_be_visible(timeout=WAIT)
        expect(more).to_have_attribute("open", "")
    watch.assert_clean()
