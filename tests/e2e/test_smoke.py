"""Smoke tests in a real browser at tablet sizes: login page, a failed and a good login, no egress.

The `page` fixture runs each test at 768x1024 (portrait) and 1280x800 (landscape) with touch on,
and the network guard fails any test whose page contacted a host other than this machine.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

try:
    from tests.e2e import harness
except ImportError:  # pragma: no cover - depends on whether tests/ is a package
    import harness  # type: ignore[no-redef]

USERNAME_LABEL = re.compile(r"^\s*(用户名|Username)\s*$")
PASSWORD_LABEL = re.compile(r"^\s*(密码|Password)\s*$")
LOGIN_BUTTON = re.compile(r"^\s*(登录|Log in)\s*$")
LOGOUT_BUTTON = re.compile(r"^\s*(退出登录|Log out)\s*$")
NAV = '[data-testid="stSidebarNav"], [data-testid="stTopNav"], [data-testid="stSidebarNavLink"]'
NAV_LINKS = '[data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]'


def _size(page: Page) -> str:
    vp = page.viewport_size
    assert vp is not None
    return f"{vp['width']}x{vp['height']}"


def test_login_page_renders(page: Page) -> None:
    expect(page.get_by_label(USERNAME_LABEL)).to_be_visible()
    password = page.get_by_label(PASSWORD_LABEL)
    expect(password).to_be_visible()
    expect(password).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()
    # Nothing of the app is shown to an anonymous visitor.
    expect(page.locator(NAV)).to_have_count(0)
    # The form must fit the tablet's width: no horizontal scrolling in the field.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= page.viewport_size["width"], f"page is {scroll_width}px wide"  # type: ignore[index]
    harness.screenshot(page, f"login-{_size(page)}")


def test_wrong_password_shows_error(page: Page, e2e_env: harness.E2EEnv) -> None:
    # A throw-away user: failed attempts count towards a lockout, which must not hit viewer1.
    cred = e2e_env.create_user("wrongpw" + _size(page).replace("x", "_"), "viewer")
    outcome = harness.login(page, cred.username, cred.password + "x", expect="any")
    assert outcome == "error", "a wrong password must not log in"
    expect(page.get_by_text(re.compile("错误")).first).to_be_visible()
    expect(page.get_by_label(PASSWORD_LABEL)).to_be_visible()
    expect(page.locator(NAV)).to_have_count(0)
    harness.screenshot(page, f"login-error-{_size(page)}")


def test_unknown_user_shows_error(page: Page) -> None:
    outcome = harness.login(page, "nobody-here", "Whatever-123456", expect="any")
    assert outcome == "error"


def _open_sidebar(page: Page) -> None:
    """A narrow tablet may start with the sidebar collapsed; open it the way a user would."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    expect(page.get_by_test_id("stSidebar")).to_be_visible()


def test_viewer_login_shows_app(page: Page, e2e_env: harness.E2EEnv) -> None:
    cred = e2e_env.credentials["viewer1"]
    assert harness.login(page, cred.username, cred.password, expect="any") == "success"
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_count(0)
    # The landing page must run cleanly for the least privileged role and show real content.
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stMain").get_by_role("heading", level=1).first).to_be_visible()
    harness.screenshot(page, f"after-login-viewer-{_size(page)}")
    _open_sidebar(page)
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=LOGOUT_BUTTON)).to_be_visible()
    harness.screenshot(page, f"after-login-viewer-sidebar-{_size(page)}")


def test_supervisor_login_shows_navigation(page: Page, e2e_env: harness.E2EEnv) -> None:
    """A role with several pages gets a navigation menu (viewer has a single page, hence no menu)."""
    cred = e2e_env.credentials["supervisor1"]
    assert harness.login(page, cred.username, cred.password, expect="any") == "success"
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _open_sidebar(page)
    links = page.locator(NAV_LINKS)
    expect(links.first).to_be_visible()
    assert links.count() >= 2, f"expected several pages for a supervisor, got {links.all_inner_texts()}"
    harness.screenshot(page, f"after-login-supervisor-{_size(page)}")


def test_network_guard_catches_external_request(browser: Browser, app_server: str) -> None:
    """The guard must be able to fail: an external image is recorded, aborted and reported."""
    context = browser.new_context()
    try:
        guard = harness.NetworkGuard(context, label="self-test")
        pg = context.new_page()
        with pg.expect_event("requestfailed", lambda r: "example.invalid" in r.url):
            pg.set_content('<img src="http://example.invalid/x.png">')
        assert guard.violations == ["http://example.invalid/x.png"]
        with pytest.raises(AssertionError, match="example.invalid"):
            guard.assert_clean()

        # Local traffic is recorded but not reported.
        clean = harness.NetworkGuard(context, label="local")
        pg.goto(f"{app_server}/_stcore/health")
        assert f"{app_server}/_stcore/health" in clean.requests
        assert clean.violations == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8501/", True),
        ("ws://localhost:8501/_stcore/stream", True),
        ("data:image/png;base64,AAAA", True),
        ("blob:http://127.0.0.1/abc", True),
        ("about:blank", True),
        ("https://tile.openstreetmap.org/1/1/1.png", False),
        ("http://127.0.0.1.example.com/", False),
        ("https://fonts.googleapis.com/css", False),
    ],
)
def test_is_local_url(url: str, local: bool) -> None:
    assert harness.is_local_url(url) is local
