"""A user's text is text on the supervisor's screen, in real Chromium (#11 item 5).

A site name and a description carrying a markdown image, an HTML image and **bold** are stored
through the services (as a field user's typing would be). The supervisor opens 验收销号 and the
record. A listener on another localhost port stands for the attacker's server: it must receive
nothing, the page must hold no <img> pointing at it and no <strong>bold</strong>, and the payload
must be visible literally. The CSP alone would also block the fetch, so the DOM is checked too:
the test fails if escaping is lost even while the CSP still saves the day.
"""

from __future__ import annotations

import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e import harness

SEED = r"""
import datetime as dt, sys
from sqlalchemy import select
from field.runtime import open_runtime
from field.data.models import User
from field.services import findings, signoff
from field.services.findings import FindingInput, Location
from field.services.signoff import VerificationInput
from tests.photo_factory import make_jpeg

site, description, author = sys.argv[1], sys.argv[2], sys.argv[3]
rt = open_runtime()
where = (116.84, 38.29)
now = dt.datetime.now(dt.UTC)
with rt.uow() as s:
    user = s.scalar(select(User).where(User.username == author))
    f = findings.create_finding(s, user, FindingInput(description=description, pollution_types=["air"],
                                location=Location(*where, "typed"), site_name=site), now=now)
    fid = f.id
with rt.uow() as s:
    user = s.scalar(select(User).where(User.username == author))
    after = findings.store_photo(s, user, make_jpeg(640, 480, gps=where, taken_at=dt.datetime.now(), seed=5),
                                 "after.jpg", rt.store)
    signoff.write_verification(s, user, fid, VerificationInput(truthfulness="true", facts=description,
                               measures="已苫盖", after_photo_ids=[after.id], lon=where[0], lat=where[1]))
print(fid)
"""


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    _Listener.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Listener.hits
    server.shutdown()
    server.server_close()


def test_markdown_payload_fetches_nothing_and_shows_literally(new_page, e2e_env, app_server, listener) -> None:
    port, hits = listener
    bait = f"http://127.0.0.1:{port}/leak.png"
    site = f"MD厂![x]({bait})"
    description = f"**粗体** <img src=\"{bait}?html\"> ![y]({bait}?desc)"
    field_user = e2e_env.create_user("md_field", "field")
    supervisor = e2e_env.create_user("md_super", "supervisor")
    proc = subprocess.run([sys.executable, "-c", SEED, site, description, field_user.username],
                          cwd=e2e_env.app_root, env=e2e_env.env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    finding_id = int(proc.stdout.strip().splitlines()[-1])

    page = new_page(viewport=(1280, 800), touch=False)
    harness.login(page, supervisor.username, supervisor.password)
    page.goto(f"{app_server}/signoff", wait_until="domcontentloaded")
    harness.wait_for_app(page)
    # The queue is paged, oldest first (the shared server holds the demo's items): find it by number.
    search = page.get_by_label(re.compile(r"^搜索"))
    with harness.expect_rerun(page):
        search.fill(f"#{finding_id}")
        search.press("Enter")
    title = page.get_by_text(f"#{finding_id} ", exact=False).first
    expect(title).to_be_visible()
    title.click()  # an expander opens in the browser, without a rerun
    body = page.locator("section.main, [data-testid='stMain']").first
    expect(body).to_contain_text("**粗体**")
    # The markup shows as typed (a URL inside it may show its escaping backslashes: GFM autolinks
    # keep them), and none of it became an element.
    expect(body).to_contain_text("MD厂![x](http://127")
    harness.wait_for_app(page)
    assert page.locator(f"img[src^='http://127.0.0.1:{port}']").count() == 0
    assert page.locator("strong", has_text="粗体").count() == 0
    # Everything the page asked for has been asked by now (the app is idle, the record is open):
    # the attacker's server saw none of it.
    assert hits == [], hits

