"""The map pointed at an intranet XYZ tile server (FIELD_TILES=custom): a tiny local HTTP server
answers every `/{z}/{x}/{y}.png` with one PNG, and the map in Chromium loads its tiles from it,
with the Content-Security-Policy letting them in. The documented way an intranet deployment gets
a base map (README "Without tiles ...").

One app server for this module (its settings differ from the shared one).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e import harness

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 240)).save(buf, "PNG")
    return buf.getvalue()


class TileServer:
    """Answers /z/x/y.png with one PNG and records the paths asked for."""

    def __init__(self) -> None:
        png, seen = _png(), []
        self.seen: list[str] = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                seen.append(self.path)
                if not re.fullmatch(r"/\d+/\d+/\d+\.png", self.path):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def tiles() -> Iterator[TileServer]:
    server = TileServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def tiled_app(tmp_path_factory: pytest.TempPathFactory, tiles: TileServer, chromium_path: str
              ) -> Iterator[tuple[str, harness.E2EEnv]]:
    root: Path = tmp_path_factory.mktemp("e2e_tiles")
    env = harness.build_env(root)
    env.env.update({"FIELD_TILES": "custom", "FIELD_TILE_URL": f"http://127.0.0.1:{tiles.port}/{{z}}/{{x}}/{{y}}.png",
                    "FIELD_TILE_ATTRIBUTION": "本地瓦片"})
    env.seed_demo()
    server = harness.AppServer(env, root / "streamlit.log")
    try:
        url = server.start()
        yield url, env
    finally:
        server.stop()


def test_tiles_load_from_the_configured_intranet_server(browser, tiled_app, tiles) -> None:  # type: ignore[no-untyped-def]
    url, env = tiled_app
    factory = harness.PageFactory(browser=browser, base_url=url)
    try:
        page = factory((1280, 800), open_app=False)
        harness.goto_app(page, url)
        cred = env.credentials["viewer1"]
        harness.login(page, cred.username, cred.password)
        page.wait_for_selector(MAP_IFRAME, state="attached")
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        frame.wait_for_function("() => window.fsSites && window.fsSites.ready")
        origin = f"http://127.0.0.1:{tiles.port}/"
        loaded = frame.locator("img.leaflet-tile-loaded")
        expect(loaded.first).to_be_attached(timeout=30_000)
        srcs = loaded.evaluate_all("(els) => els.map((e) => e.src)")
        assert srcs and all(s.startswith(origin) for s in srcs)
        assert any(re.fullmatch(r"/\d+/\d+/\d+\.png", p) for p in tiles.seen)
        # tiles under the data: the county names and the sites still draw on top
        assert frame.locator(".fs-county-label span").count() > 0
        expect(frame.get_by_text("本地瓦片")).to_be_visible()
        harness.screenshot(page, "map-intranet-tiles-1280x800")
        assert not factory.violations()
    finally:
        factory.close()
