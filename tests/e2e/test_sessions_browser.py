"""Sessions that really end, an HttpOnly login, security headers, deep links — in Chromium
against the real `streamlit run serve.py` (issue #11, attacks 4, 5 and 12).

* A second tab of the same browser stays logged in, and is logged out at its next interaction
  after a logout in the first tab (the token is checked on every rerun).
* `document.cookie` never shows the session cookie: the server sets it HttpOnly.
* Every response carries the CSP, frame-ancestors, nosniff and referrer policy, and the app, the
  map (st_folium's frame) and the capture page (folium + the GPS component) run under it with no
  CSP violation reported in the console.
* `/<page>` opened before logging in lands on that page after the login; a page the role lacks
  says so in Chinese, never Streamlit's English "Page not found".
"""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e import harness

EN_RADIO = re.compile(r"^\s*English\s*$")
ZH_RADIO = re.compile(r"^\s*中文\s*$")


def _open_sidebar(page: Page) -> None:
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    expect(page.get_by_test_id("stSidebar")).to_be_visible()


def _switch_language(page: Page, label: re.Pattern[str]) -> None:
    """An ordinary interaction: one rerun of this tab's Streamlit session."""
    _open_sidebar(page)
    with harness.expect_rerun(page):
        page.get_by_test_id("stSidebar").get_by_text(label).click()


def _csp_watch(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    return problems


def test_second_tab_is_logged_out_after_logout_in_the_first(new_page, e2e_env) -> None:
    cred = e2e_env.credentials["viewer1"]
    first = new_page()
    assert harness.login(first, cred.username, cred.password) == "success"
    second = first.context.new_page()  # same browser, same cookie
    harness.goto_app(second, new_page.base_url)
    expect(second.get_by_role("heading", name="问题点位地图")).to_be_visible()
    _switch_language(second, EN_RADIO)  # interacting before the logout: still logged in
    expect(second.get_by_role("heading", name="Problem sites map")).to_be_visible()

    harness.logout(first)

    _switch_language(second, ZH_RADIO)  # the next interaction in the second tab
    expect(second.get_by_label("密码")).to_be_visible()
    expect(second.get_by_text("登录已结束")).to_be_visible()
    expect(second.get_by_role("heading", name="问题点位地图")).to_have_count(0)


def test_session_cookie_is_httponly(new_page, e2e_env) -> None:
    cred = e2e_env.credentials["field1"]
    page = new_page()
    assert harness.login(page, cred.username, cred.password) == "success"
    assert "field_session" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "field_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http here; FIELD_BEHIND_TLS=1 marks it Secure


def test_security_headers_and_no_csp_violation(new_page, e2e_seeded) -> None:
    page = new_page(open_app=False)
    problems = _csp_watch(page)
    response = page.goto(new_page.base_url, wait_until="domcontentloaded")
    assert response is not None
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
    harness.wait_for_app(page)
    cred = e2e_seeded.credentials["field1"]
    assert harness.login(page, cred.username, cred.password) == "success"
    # capture: the GPS component (st.components.v2, its module loaded from a blob: URL) and the
    # folium pin map (st_folium frame)
    expect(page.get_by_role("heading", name="现场记录问题")).to_be_visible()
    gps = page.locator('[data-testid="fieldGpsButton"]')
    expect(gps).to_have_text(re.compile(r"\S"))  # its script ran: the button got its label
    with harness.expect_rerun(page):
        page.get_by_text("地图选点").first.click()
    pin_map = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    expect(pin_map.locator(".leaflet-container")).to_be_attached()
    # the review map
    page.goto(new_page.base_url + "/map", wait_until="domcontentloaded")
    harness.wait_for_app(page)
    expect(page.get_by_role("heading", name="问题点位地图")).to_be_visible()
    review = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    expect(review.locator(".leaflet-interactive").first).to_be_attached()
    assert problems == [], "\n".join(problems)


def test_deep_link_lands_on_the_page_after_login(new_page, e2e_env) -> None:
    page = new_page(open_app=False)
    harness.goto_app(page, new_page.base_url + "/signoff")
    expect(page.get_by_label("密码")).to_be_visible()
    cred = e2e_env.credentials["supervisor1"]
    assert harness.login(page, cred.username, cred.password) == "success"
    assert page.url.rstrip("/").endswith("/signoff")
    expect(page.get_by_role("heading", name="验收销号")).to_be_visible()
    # opened again by its address while logged in: the same page
    harness.goto_app(page, new_page.base_url + "/signoff")
    expect(page.get_by_role("heading", name="验收销号")).to_be_visible()


def test_deep_link_to_a_page_the_role_lacks(new_page, e2e_env) -> None:
    page = new_page(open_app=False)
    harness.goto_app(page, new_page.base_url + "/users")
    cred = e2e_env.credentials["field1"]
    assert harness.login(page, cred.username, cred.password) == "success"
    expect(page.get_by_text(re.compile("不能打开“用户管理”页面"))).to_be_visible()
    expect(page.get_by_text(re.compile("Page not found", re.I))).to_have_count(0)
    expect(page.get_by_role("heading", name="用户管理")).to_have_count(0)
    page.get_by_role("link", name=re.compile("前往")).click()
    harness.wait_for_app(page)
    expect(page.get_by_role("heading", name="现场记录问题")).to_be_visible()
