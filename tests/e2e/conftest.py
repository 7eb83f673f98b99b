"""Fixtures for the end-to-end suite: temp database, live `streamlit run serve.py`, Chromium, guarded pages.

Every test in this directory is marked `e2e` automatically, so `pytest -m "not e2e"` gives the
fast loop and CI (`FIELD_E2E_REQUIRED=1`) refuses to silently skip when Chromium is missing.

Fixtures (see `harness.py` for the helpers they use):

* ``e2e_env`` (session) -> :class:`harness.E2EEnv`: ``.credentials["viewer1"].password`` etc.
* ``e2e_seeded`` (session) -> the same env after ``python -m field seed-demo`` (runs once).
* ``app_server`` (session) -> base URL ``"http://127.0.0.1:PORT"`` of the running app.
* ``browser`` (session) -> Playwright ``Browser`` (Debian chromium, headless).
* ``new_page`` (function) -> ``new_page(viewport=(w, h), *, touch=True, locale="zh-CN",
  open_app=True) -> Page``; pages are guarded, screenshotted on failure and closed after the test.
* ``page`` (function, parametrised) -> a page already on the app, once at 768x1024 and once at
  1280x800.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # importable both as a package module and via pytest's rootdir-relative sys.path insert
    from tests.e2e import harness
except ImportError:  # pragma: no cover - depends on whether tests/ is a package
    import harness  # type: ignore[no-redef]

from playwright.sync_api import Browser, Page, sync_playwright

E2E_DIR = Path(__file__).resolve().parent

_server_key = pytest.StashKey[harness.AppServer]()
_factory_key = pytest.StashKey[harness.PageFactory]()
_guard_reported_key = pytest.StashKey[bool]()


def _e2e_required() -> bool:
    return os.environ.get("FIELD_E2E_REQUIRED", "") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything under tests/e2e as `e2e` so it can be selected or deselected as a group."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------- session fixtures


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = harness.find_chromium()
    if path is None:
        msg = (
            "Chromium not found (looked at $FIELD_CHROMIUM, /usr/bin/chromium, PATH); "
            "install it with `apt-get install -y chromium`"
        )
        if _e2e_required():
            pytest.fail(msg + " — FIELD_E2E_REQUIRED=1, so this is an error, not a skip", pytrace=False)
        pytest.skip(msg)
    return path


DEPRECATION = re.compile(r"DeprecationWarning|is deprecated|will be removed", re.I)


@pytest.fixture(scope="session")
def e2e_env(tmp_path_factory: pytest.TempPathFactory) -> harness.E2EEnv:
    """Temp SQLite database and data dir, migrated, with one user per role (random passwords)."""
    root = tmp_path_factory.mktemp("e2e")
    return harness.build_env(root)


@pytest.fixture(scope="session")
def e2e_seeded(e2e_env: harness.E2EEnv) -> harness.E2EEnv:
    """The same environment with the demo data loaded (`seed-demo` runs once per session)."""
    e2e_env.seed_demo()
    return e2e_env


@pytest.fixture(scope="session")
def app_server(
    request: pytest.FixtureRequest, e2e_env: harness.E2EEnv, chromium_path: str
) -> Iterator[str]:
    """`streamlit run serve.py` on a free port, up once `/healthz` says 200; yields its base URL,
    kills its process group after.

    Depends on `chromium_path` so that a machine without a browser skips before paying for the
    server start-up.
    """
    server = harness.AppServer(e2e_env, e2e_env.root / "streamlit.log")
    request.session.stash[_server_key] = server
    try:
        url = server.start()
    except Exception:
        server.stop()
        raise
    try:
        yield url
    finally:
        server.stop()
        _keep_server_log(server)


def _keep_server_log(server: harness.AppServer) -> None:
    """Copy the server log next to the screenshots so CI artifacts have it."""
    try:
        harness.ARTIFACTS_DIR.mkdir(exist_ok=True)
        (harness.ARTIFACTS_DIR / "streamlit-server.log").write_bytes(server.log_path.read_bytes())
    except OSError:
        pass


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Headless Debian chromium; Playwright's `launch` gives it a fresh temporary profile."""
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=harness.CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# --------------------------------------------------------------------------- per-test pages


@pytest.fixture
def new_page(request: pytest.FixtureRequest, browser: Browser, app_server: str) -> Iterator[harness.PageFactory]:
    """Factory for guarded pages; after the test their network guards are checked (see hooks)."""
    factory = harness.PageFactory(browser=browser, base_url=app_server)
    marker = request.node.get_closest_marker("console_errors")
    if marker is not None:
        factory.allowed_console = re.compile(marker.args[0])
    request.node.stash[_factory_key] = factory
    try:
        yield factory
    finally:
        factory.close()
    # The call-phase hook already failed the test on violations; this catches setup-only use.
    if request.node.stash.get(_guard_reported_key, False) is False:
        problems = factory.violations()
        if problems:
            pytest.fail("network guard: " + "\n".join(problems), pytrace=False)


@pytest.fixture(
    params=[harness.TABLET_PORTRAIT, harness.TABLET_LANDSCAPE],
    ids=lambda vp: f"{vp[0]}x{vp[1]}",
)
def page(request: pytest.FixtureRequest, new_page: harness.PageFactory) -> Page:
    """A touch-enabled tablet page already showing the app (first run finished)."""
    return new_page(viewport=request.param)


# --------------------------------------------------------------------------- hooks


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not just its teardown) if any page talked to a non-local host or
    logged a browser error, or the server printed a traceback while it ran."""
    factory = item.stash.get(_factory_key, None)
    server = item.session.stash.get(_server_key, None)
    log_start = server.log_size() if server is not None else 0
    try:
        result = yield
    except BaseException as exc:
        if factory is not None:
            item.stash[_guard_reported_key] = True
            for problem in factory.violations():
                exc.add_note("network guard: " + problem)
        raise
    if factory is not None:
        item.stash[_guard_reported_key] = True
        problems = factory.violations()
        if problems:
            pytest.fail("network guard: " + "\n".join(problems), pytrace=False)
    server = server or item.session.stash.get(_server_key, None)  # started by this test's fixtures
    written = server.log_since(log_start) if server is not None else ""
    if "Traceback (most recent call last)" in written and item.get_closest_marker("server_traceback_expected") is None:
        pytest.fail("the server printed a traceback during this test:\n" + written[-4000:], pytrace=False)
    # #17: no deprecated API in use, so no deprecation warning from any page of the suite.
    warned = [line for line in written.splitlines() if DEPRECATION.search(line)]
    if warned:
        pytest.fail("the server warned of a deprecated API during this test:\n" + "\n".join(warned[:20]),
                    pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """On failure: screenshot every open page into test-artifacts/ and attach the server log."""
    report: pytest.TestReport = yield
    if report.failed and call.when in ("setup", "call"):
        factory = item.stash.get(_factory_key, None)
        saved: list[str] = []
        if factory is not None:
            for i, pg in enumerate(factory.pages):
                if pg.is_closed():
                    continue
                try:
                    path = harness.screenshot(pg, f"FAILED-{item.nodeid}-{i}", settle=False)
                    saved.append(str(path))
                except Exception as exc:  # noqa: BLE001 - a broken page must not hide the real failure
                    saved.append(f"(screenshot {i} failed: {exc})")
        if saved:
            report.sections.append(("e2e screenshots", "\n".join(saved)))
        server = item.session.stash.get(_server_key, None)
        if server is not None:
            report.sections.append(("streamlit server log", server.log_tail(120)))
    return report

