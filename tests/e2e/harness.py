"""End-to-end harness: a real server (`streamlit run serve.py`), a real Chromium, and the waits between them.

Kept apart from `conftest.py` so the helpers can be imported by tests (``from tests.e2e.harness
import login``) and reasoned about without pytest's fixture machinery.

Design choices worth knowing:

* The app is started exactly as an operator would start it (CLI first, then `streamlit run
  serve.py`, the st.App entry point scripts/run.sh uses), against a throw-away SQLite database,
  so the E2E suite never touches a developer's data. It counts as started when our own
  `/healthz` says the database answers, not merely when Streamlit is up.
* Waits never sleep. Streamlit 1.67 exposes its state on the root element
  (``[data-testid="stApp"]``): ``data-test-connection-state`` (``CONNECTED``, ``CONNECTING`` ...)
  and ``data-test-script-state`` (``initial`` before the first run, then ``running`` /
  ``rerunRequested`` / ``notRunning``) — verified in ``streamlit/static/static/js/index.*.js``.
  "Idle" alone is ambiguous right after a click (the rerun may not have started yet), so
  :func:`expect_rerun` also watches the websocket for the server's ``script_finished`` message,
  decoded with Streamlit's own protobuf classes.
* A field tool for a government intranet must not call out to the internet. Every browser
  context gets a :class:`NetworkGuard` that records all requests and websockets, aborts those to
  non-local hosts, and lets the test fail if any happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Request, WebSocket
from playwright.sync_api import Error as PlaywrightError

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

# Tablet sizes the field teams actually carry (portrait and landscape).
TABLET_PORTRAIT: tuple[int, int] = (768, 1024)
TABLET_LANDSCAPE: tuple[int, int] = (1280, 800)

ROLES: dict[str, str] = {
    "field1": "field",
    "supervisor1": "supervisor",
    "viewer1": "viewer",
    "admin1": "admin",
    "officer1": "case_officer",
}

CHROMIUM_ARGS: list[str] = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    # Belt and braces for the network guard: the browser cannot even resolve other hosts.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]

APP_SELECTOR = '[data-testid="stApp"]'
IDLE_SELECTOR = (
    f'{APP_SELECTOR}[data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
HARMLESS_SCHEMES = frozenset({"data", "blob", "about", "chrome-error", "devtools"})
DEFAULT_TIMEOUT_MS = 30_000


# --------------------------------------------------------------------------- chromium


def find_chromium() -> str | None:
    """Debian's chromium (Playwright cannot download its own browsers here); `FIELD_CHROMIUM` wins."""
    candidates = [os.environ.get("FIELD_CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or ""]
    for cand in candidates:
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    return None


# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class Credential:
    username: str
    password: str = field(repr=False)
    role: str = ""


@dataclass
class E2EEnv:
    """A throw-away database + data directory, and the environment to run the app against them."""

    root: Path
    app_root: Path
    db_url: str
    data_dir: Path
    env: dict[str, str]
    credentials: dict[str, Credential] = field(default_factory=dict)
    seeded: bool = False

    def run_cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run `python -m field ...` the way an operator would, failing loudly with its output."""
        proc = subprocess.run(
            [sys.executable, "-m", "field", *args],
            cwd=self.app_root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            shown = [a if i == 0 or args[i - 1] != "--password" else "***" for i, a in enumerate(args)]
            raise RuntimeError(
                f"`python -m field {' '.join(shown)}` exited {proc.returncode}\n"
                f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
            )
        return proc

    def create_user(self, username: str, role: str, *, counties: str = "all") -> Credential:
        """Create a user with a strong random password (tests must not pass on a guessable one)."""
        password = "E2e-" + secrets.token_urlsafe(18)
        self.run_cli(
            "create-user", "--username", username, "--password", password, "--role", role,
            "--counties", counties, "--name", f"测试{username}",
        )
        cred = Credential(username, password, role)
        self.credentials[username] = cred
        return cred

    def rows(self, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
        """Read the app's database beside it (what a test checks was stored, not what a page says)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def seed_demo(self) -> None:
        if not self.seeded:
            # other tests on this server may have added findings; a loaded CI machine needs minutes
            self.run_cli("seed-demo", "--append", timeout=600)
            self.seeded = True


def app_root() -> Path:
    """The directory holding `app.py` and the `field` package (overridable to test the harness)."""
    return Path(os.environ.get("FIELD_E2E_APP_ROOT", REPO_ROOT)).resolve()


def build_env(root: Path) -> E2EEnv:
    """Create the temp database and data dir, run migrations and create one user per role."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{root / 'field.db'}"
    env = dict(os.environ)
    # Never inherit a developer's or CI's own settings: the E2E app sees only its temp database.
    for name in list(env):
        if name.startswith("FIELD_") and name not in {"FIELD_CHROMIUM", "FIELD_E2E_REQUIRED"}:
            del env[name]
    env.update(
        {
            "FIELD_DATABASE_URL": db_url,
            "FIELD_DATA_DIR": str(data_dir),
            "FIELD_SECRETS_FILE": str(root / "no-secrets.toml"),
            "FIELD_TILES": "none",
            # The meeting screen (map in presentation mode) re-reads the data this often by itself.
            "FIELD_MAP_REFRESH_SECONDS": "4",
            # A test process: allows the test hooks (test_slice pins the clock with FIELD_FAKE_NOW).
            "FIELD_TEST_MODE": "1",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    e2e = E2EEnv(root=root, app_root=app_root(), db_url=db_url, data_dir=data_dir, env=env)
    e2e.run_cli("init-db")
    for username, role in ROLES.items():
        e2e.create_user(username, role)
    return e2e


# --------------------------------------------------------------------------- server


def free_port() -> int:
    """Ask the kernel for a free port; the tiny reuse race is acceptable for a test server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """`streamlit run serve.py` in its own process group, output captured to a log file."""

    def __init__(self, e2e: E2EEnv, log_path: Path) -> None:
        self.e2e = e2e
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.health: dict[str, object] = {}  # /healthz's answer once started
        self._log_fh = None

    def start(self, deadline_s: float = 90.0, *, expect_status: int = 200) -> str:
        """Start the server and wait until `/healthz` answers `expect_status` (503 to test a
        server whose database is down)."""
        entry = self.e2e.app_root / "serve.py"
        if not entry.is_file():
            raise RuntimeError(f"{entry} does not exist: the app is not there to test")
        self._log_fh = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(entry),
                "--server.port", str(self.port),
                "--server.headless", "true",
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=self.e2e.app_root,
            env=self.e2e.env,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group, so teardown kills children too
        )
        self.health = self._wait_healthy(deadline_s, expect_status)
        return self.url

    def _wait_healthy(self, deadline_s: float, expect_status: int = 200) -> dict[str, object]:
        """Poll our health route (an HTTP poll, not a sleep-and-hope) until it answers
        `expect_status` or the deadline passes; returns its JSON body."""
        assert self.proc is not None
        health = f"{self.url}/healthz"
        deadline = time.monotonic() + deadline_s
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.proc.returncode} before becoming healthy\n{self.log_tail()}"
                )
            try:
                status, body = _get(health)
                if status == expect_status:
                    answer = json.loads(body)
                    if isinstance(answer, dict) and answer.get("ok") is (expect_status == 200):
                        return answer
                last_error = f"HTTP {status}: {body[:200]}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as exc:
                last_error = repr(exc)
            # Bounded back-off between polls; the condition being awaited is the HTTP answer.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.2)
        raise RuntimeError(
            f"no HTTP {expect_status} from {health} within {deadline_s:.0f}s ({last_error})\n{self.log_tail()}"
        )

    def log_size(self) -> int:
        """Where the server log ends now (a test reads what the server wrote after it)."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset: int) -> str:
        """What the server wrote to its log from `offset` on (the server is shared by tests)."""
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(offset)
                return fh.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 200) -> str:
        if self._log_fh is not None:
            self._log_fh.flush()
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- streamlit log ({self.log_path}) ---\n{tail}\n--- end of streamlit log ---"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None


def _get(url: str) -> tuple[int, str]:
    """Status and body of a local GET, error statuses included (urllib raises on those)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - local URL
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


# --------------------------------------------------------------------------- network guard


def is_local_url(url: str) -> bool:
    """True for URLs that stay on this machine (or never leave the browser: data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in HARMLESS_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


# Browser errors every run shows today, tolerated by name (each is a known, open defect):
# - Streamlit's frontend, opened on a page address (/map), first probes /map/_stcore/health and
#   /map/_stcore/host-config (404) before the app's base path; answering them would make it take
#   /map as the base and open its websocket there.
# - /media/<hash>.jpg 404: an image of the previous run that Streamlit's media store has already
#   dropped when the browser asks for it (photos on a page that reruns quickly); Streamlit's
#   image list logs the same as "Client Error: Image source error - …/media/<hash>.jpg".
# - "The page that you have requested does not seem to exist": a page address (/map) opened
#   before login, where the first run registers the login page and hidden stand-ins but not that
#   address; the app then shows its own page (tests/e2e/test_zh_only.py checks what people see).
KNOWN_BROWSER_NOISE = re.compile(
    r"The page that you have requested does not seem to exist\. Running the app's main page\."
    r"|status of 404 \(Not Found\) \(https?://[^/]+/[A-Za-z0-9_-]+/_stcore/(health|host-config)\)"
    r"|status of 404 \(Not Found\) \(https?://[^/]+/media/[0-9a-f]+\.(jpg|jpeg|png|webp)\)"
    r"|Client Error: Image source error - https?://[^/]+/media/[0-9a-f]+\.(jpg|jpeg|png|webp)\b")


class NetworkGuard:
    """Records every request and websocket of a browser context; blocks and reports non-local ones."""

    def __init__(self, context: BrowserContext, label: str = "") -> None:
        self.label = label
        self.requests: list[str] = []
        self.violations: list[str] = []
        # uncaught page errors and console errors of every page and frame (the map's iframe too)
        self.console_errors: list[str] = []
        self._reported = False
        context.on("request", self._on_request)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        context.route("**/*", self._route)

    def _record(self, url: str) -> None:
        self.requests.append(url)
        if not is_local_url(url):
            self.violations.append(url)

    def _on_request(self, request: Request) -> None:
        self._record(request.url)

    def _watch_page(self, page: Page) -> None:
        page.on("websocket", lambda ws: self._record(ws.url))
        page.on("pageerror", lambda err: self.console_errors.append(f"uncaught: {err}"))
        page.on("console", lambda msg: self.console_errors.append(
            f"console.error: {msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None)

    def console_report(self, allowed: re.Pattern[str] | None = None) -> str | None:
        """A failure message for browser errors a test did not declare as expected, else None."""
        bad = [e for e in self.console_errors
               if not KNOWN_BROWSER_NOISE.search(e) and not (allowed and allowed.search(e))]
        if not bad:
            return None
        listed = "\n  ".join(dict.fromkeys(bad))
        return f"{len(bad)} browser error(s){f' ({self.label})' if self.label else ''}:\n  {listed}"

    def _route(self, route, request: Request) -> None:  # type: ignore[no-untyped-def]
        if is_local_url(request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def report(self) -> str | None:
        """A failure message if anything tried to leave the machine, else None."""
        if not self.violations:
            return None
        listed = "\n  ".join(dict.fromkeys(self.violations))
        return f"{len(self.violations)} request(s) to non-local hosts{f' ({self.label})' if self.label else ''}:\n  {listed}"

    def assert_clean(self) -> None:
        msg = self.report()
        if msg:
            raise AssertionError(msg)


# --------------------------------------------------------------------------- streamlit waits


def _is_script_finished_ok(payload: str | bytes) -> bool:
    """Is this websocket frame the server's `script_finished` for a run that was not interrupted?"""
    if not isinstance(payload, bytes | bytearray):
        return False
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(bytes(payload))
    except Exception:  # noqa: BLE001 - not a ForwardMsg; ignore the frame
        return False
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
        ForwardMsg.FINISHED_SUCCESSFULLY,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    )


class StreamTracker:
    """Remembers the page's Streamlit websocket (`/_stcore/stream`) so waits can listen to it."""

    def __init__(self, page: Page) -> None:
        self.ws: WebSocket | None = None
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws: WebSocket) -> None:
        if ws.url.rstrip("/").endswith("/_stcore/stream"):
            self.ws = ws


def track(page: Page) -> StreamTracker:
    """Attach (once) a tracker to a page; call before `goto` so the websocket is seen."""
    tracker = getattr(page, "_field_stream_tracker", None)
    if tracker is None:
        tracker = StreamTracker(page)
        page._field_stream_tracker = tracker  # type: ignore[attr-defined]
    return tracker


def wait_for_app(page: Page, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script run is in progress (after the first run)."""
    page.wait_for_selector(IDLE_SELECTOR, state="attached", timeout=timeout)


def goto_app(page: Page, url: str, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
    """Open the app and wait for its first run to finish."""
    track(page)
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    wait_for_app(page, timeout)


@contextlib.contextmanager
def expect_rerun(page: Page, timeout: float = DEFAULT_TIMEOUT_MS) -> Iterator[None]:
    """Run the body (a click, a key press) and wait for the rerun it causes to finish.

    Waits for the server's successful `script_finished` frame *after* the body started, then for
    the DOM to be idle. Use it for actions that trigger exactly one rerun; for actions that may
    trigger several (a text input losing focus *and* a button click), wait for the outcome instead.
    """
    ws = track(page).ws
    if ws is None or ws.is_closed():
        raise RuntimeError("no open Streamlit websocket on this page: open it with goto_app() first")
    with ws.expect_event("framereceived", predicate=_is_script_finished_ok, timeout=timeout):
        yield
    wait_for_app(page, timeout)


_OUTCOME_JS = """
([mode, errorPattern]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
      || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const pw = [...document.querySelectorAll('input[type="password"]')].some(visible);
  const re = new RegExp(errorPattern, 'i');
  const err = [...document.querySelectorAll(
      '[data-testid="stAlert"], [data-testid="stAlertContainer"], [data-testid="stException"]')]
    .some((el) => visible(el) && re.test(el.innerText));
  // Positive evidence only: a fresh page is idle for a moment before its first run draws anything,
  // so "no password field" alone would read as a login. The logged-in app draws the logout form.
  const loggedIn = !!document.querySelector('form.field-logout');
  if (loggedIn && !pw && (mode === 'success' || mode === 'any')) return 'success';
  if (err && (mode === 'error' || mode === 'any')) return 'error';
  return null;
}
"""

LOGIN_ERROR_PATTERN = "错误|incorrect|invalid|wrong"


def login(
    page: Page,
    username: str,
    password: str,
    *,
    expect: Literal["success", "error", "any"] = "success",
    timeout: float = DEFAULT_TIMEOUT_MS,
) -> str:
    """Fill 用户名/密码 by label, click 登录, and wait for the outcome; returns 'success' or 'error'.

    The login form is a plain HTML form posting to `/auth/login` (the server sets the HttpOnly
    cookie and redirects back), so the click is a page navigation: wait for it, then for the new
    page's first Streamlit run. Success means the app is idle and no password field is visible any
    more; error means an alert matching :data:`LOGIN_ERROR_PATTERN` is visible. The page must
    already show the login form.
    """
    wait_for_app(page, timeout)
    page.get_by_label(re.compile(r"^\s*(用户名|Username)\s*$")).fill(username)
    page.get_by_label(re.compile(r"^\s*(密码|Password)\s*$")).fill(password)
    button = page.get_by_role("button", name=re.compile(r"^\s*(登录|Log in)\s*$"))
    with page.expect_navigation(wait_until="domcontentloaded", timeout=timeout):
        button.click()
    wait_for_app(page, timeout)
    try:
        handle = page.wait_for_function(_OUTCOME_JS, arg=[expect, LOGIN_ERROR_PATTERN], timeout=timeout)
    except Exception as exc:
        body = page.locator("body").inner_text(timeout=5_000)[:2000]
        raise AssertionError(f"login as {username!r}: expected {expect}, page shows:\n{body}") from exc
    outcome = str(handle.json_value())
    return outcome


def logout(page: Page, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
    """Click 退出登录 (a form posting to `/auth/logout`) and wait for the login page."""
    button = page.get_by_role("button", name=re.compile(r"^\s*(退出登录|Log out)\s*$"))
    with page.expect_navigation(wait_until="domcontentloaded", timeout=timeout):
        button.click()
    wait_for_app(page, timeout)
    page.wait_for_selector('input[type="password"]', state="visible", timeout=timeout)


# --------------------------------------------------------------------------- pages


@dataclass
class PageFactory:
    """Makes guarded pages; `conftest.py` closes them and checks their guards after the test."""

    browser: Browser
    base_url: str
    guards: list[NetworkGuard] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def __call__(
        self,
        viewport: tuple[int, int] = TABLET_LANDSCAPE,
        *,
        touch: bool = True,
        locale: str = "zh-CN",
        open_app: bool = True,
    ) -> Page:
        width, height = viewport
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            has_touch=touch,
            is_mobile=False,  # Chromium's mobile emulation changes layout rules; tablets run desktop Chrome
            device_scale_factor=1,
            locale=locale,
            timezone_id="Asia/Shanghai",
            base_url=self.base_url,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.guards.append(NetworkGuard(context, label=f"{width}x{height}"))
        self.contexts.append(context)
        page = context.new_page()
        track(page)
        self.pages.append(page)
        if open_app:
            goto_app(page, self.base_url)
        return page

    # a test that provokes browser errors on purpose (a refused request, a logged-out tab) names
    # them with @pytest.mark.console_errors(r"pattern"); conftest sets this from the marker
    allowed_console: re.Pattern[str] | None = None

    def violations(self) -> list[str]:
        network = [msg for g in self.guards if (msg := g.report())]
        console = [msg for g in self.guards if (msg := g.console_report(self.allowed_console))]
        return network + console

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


def wait_for_frames(page: Page, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait for every child frame (components such as the folium map) to finish loading.

    Streamlit reports "not running" as soon as the script is done; component iframes load after
    that, so a screenshot taken at that moment can show an empty map box.
    """
    for frame in page.frames:
        if frame is not page.main_frame and not frame.is_detached():
            frame.wait_for_load_state("load", timeout=timeout)
    # Components size their iframe (Streamlit.setFrameHeight) only after their own JS has run.
    # A function, not a bare expression: Playwright evals an expression in the page, which the
    # app's CSP (no 'unsafe-eval') refuses once the first check fails and polling starts.
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].every(f => f.getBoundingClientRect().height > 0)",
        timeout=timeout,
    )


def screenshot(page: Page, name: str, *, settle: bool = True) -> Path:
    """Save a full-page screenshot under `test-artifacts/` (kept by CI, ignored by git).

    With `settle`, first waits for the app to be idle and its iframes loaded, so the picture
    shows what a user would see; the failure hook passes False to capture the state as it is.
    """
    if settle:
        wait_for_app(page)
        try:
            wait_for_frames(page, timeout=10_000)
        except PlaywrightError as exc:  # a diagnostic picture is still better than none
            print(f"screenshot {name}: frames did not settle: {exc}", file=sys.stderr)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150]
    path = ARTIFACTS_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

