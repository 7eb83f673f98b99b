"""What ODK Collect sends, built for tests: instance XML and multipart submissions.

The shapes follow the OpenRosa Form Submission API and ODK Collect's uploader: one multipart
POST with the part `xml_submission_file` (the instance, `text/xml`) and one part per attachment
named by its file name; when a submission is split, every POST but the last adds the field
`*isIncomplete*` = `yes`. The instance is what Collect writes for the `field_finding` form:
the root `<data id=… version=…>`, one element per question, `<photo><image>NAME</image></photo>`
per repeat, and `meta/instanceID` (or `orx:meta/orx:instanceID`, as older clients write it).
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape

import requests
import uvicorn
from starlette.applications import Starlette

import web

YUNHE = (116.84, 38.29)  # 运河区 (lon, lat)
HUANGHUA = (117.33, 38.37)  # 黄骅市


def instance_xml(*, instance_id: str | None = None, form_id: str = "field_finding", version: str = "",
                 where: tuple[float, float] | str = YUNHE, accuracy: float = 4.5, images: tuple[str, ...] = (),
                 site_name: str = "宏达建材厂", types: str = "air solid_waste", severity: str = "serious",
                 description: str = "露天堆放物料未苫盖", case_no: str = "", orx_meta: bool = False) -> bytes:
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    loc = where if isinstance(where, str) else f"{where[1]} {where[0]} 12.0 {accuracy}"
    photos = "".join(f"<photo><image>{escape(n)}</image></photo>" for n in images)
    if orx_meta:
        meta = f"<orx:meta><orx:instanceID>{iid}</orx:instanceID></orx:meta>"
    else:
        meta = f"<meta><instanceID>{iid}</instanceID><instanceName>{escape(site_name)}</instanceName></meta>"
    return (
        f"<?xml version='1.0' ?><data id=\"{form_id}\" version=\"{version}\" "
        'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        'xmlns:odk="http://www.opendatakit.org/xforms">'
        "<start>2026-06-01T10:00:05.123+08:00</start><end>2026-06-01T10:07:41.002+08:00</end>"
        "<deviceid>collect:Xq2ZpL0aTn5s</deviceid>"
        f"<site_name>{escape(site_name)}</site_name><address>沧州市运河区解放路</address>"
        f"<pollution_types>{types}</pollution_types><severity>{severity}</severity>"
        f"<description>{escape(description)}</description><case_no>{escape(case_no)}</case_no>"
        f"<location>{loc}</location>{photos}{meta}</data>"
    ).encode()


def post(url: str, xml: bytes, files: dict[str, bytes] | None = None, *, incomplete: bool = False,
         mime: str = "image/jpeg") -> requests.Response:
    parts: list[tuple[str, tuple[str, bytes, str]]] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    for name, data in (files or {}).items():
        parts.append((name, (name, data, mime)))
    data = {"*isIncomplete*": "yes"} if incomplete else None
    return requests.post(f"{url}/submission", files=parts, data=data, timeout=60,
                         headers={"X-OpenRosa-Version": "1.0"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(settings, runtime=None) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app's routes on a real uvicorn (as serve.py mounts them in the st.App) on a free port."""
    app = Starlette(routes=web.routes(settings, runtime), middleware=web.middleware(settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):
        if server.started or not thread.is_alive():
            break
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
