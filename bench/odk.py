"""Benchmark: a tablet's queue of ODK Collect submissions through the real OpenRosa route,
against the same findings made through the web form's service path, and against a bare
Starlette echo of the same multipart uploads (the transport floor), in one run.

A tablet back from a dead zone sends its queue one submission after another (ODK Collect
uploads sequentially), each a multipart POST of the instance XML and its photos. What the
route adds over the capture page's own services is the multipart transport, the instance
parsing, keeping every attachment by hash, the duplicate suggestions and the submission row;
the echo shows how much of that is HTTP and multipart alone.

    python bench/odk.py [--n 500] [--photos 3] [--side 1600] [--database-url URL]

Prints one JSON line per path and one with the ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from field.config import load_settings  # noqa: E402
from field.runtime import Runtime, open_runtime  # noqa: E402
from tests import odk_collect  # noqa: E402
from tests.odk_collect import YUNHE, instance_xml  # noqa: E402
from tests.photo_factory import make_jpeg  # noqa: E402


def _photos(n: int, side: int) -> list[bytes]:
    taken = dt.datetime(2026, 6, 1, 10, 3)
    return [make_jpeg(side, side * 3 // 4, gps=YUNHE, taken_at=taken, seed=i, detailed=True, quality=85)
            for i in range(n)]


@contextmanager
def _runtime(database_url: str | None) -> Iterator[Runtime]:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = dataclasses.replace(load_settings(), database_url=url, data_dir=Path(tmp) / "data",
                                       odk_max_request_mb=100)
        rt = open_runtime(settings)
        try:
            yield rt
        finally:
            rt.engine.dispose()


def _field_user(rt: Runtime) -> int:
    from field.services import auth

    with rt.uow() as s:
        return auth.create_user(s, None, username=f"bench_{uuid.uuid4().hex[:6]}", password="bench password long",
                                role="field", counties=["*"]).id


def _line(path: str, n: int, photos: int, seconds: float, cpu: float, **extra: Any) -> dict[str, Any]:
    """Wall time, and this process's CPU time (client and server threads alike): on a shared
    machine the CPU time is the steadier of the two."""
    out = {"bench": "odk", "path": path, "submissions": n, "photos_each": photos, "seconds": round(seconds, 3),
           "per_second": round(n / seconds, 2), "cpu_seconds": round(cpu, 3), **extra}
    print(json.dumps(out), flush=True)
    return out


def _unique(jpeg: bytes, i: int) -> bytes:
    """The same picture with a JPEG comment of its own: a new file (new hash) that costs the same
    to decode, so no path is helped by photos it has already stored."""
    text = f"bench {i}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def _submissions(n: int, photos: list[bytes], per: int) -> list[tuple[bytes, dict[str, bytes]]]:
    out = []
    for i in range(n):
        names = {f"{1717209605000 + i * 10 + k}.jpg": _unique(photos[(i * per + k) % len(photos)], i * per + k)
                 for k in range(per)}
        # a slightly different point per finding, as a day's sites are
        where = (YUNHE[0] + (i % 50) * 0.0005, YUNHE[1] + (i // 50) * 0.0005)
        out.append((instance_xml(where=where, images=tuple(names), site_name=f"点位 {i}"), names))
    return out


def bench_openrosa(rt: Runtime, subs: list[tuple[bytes, dict[str, bytes]]], per: int) -> dict[str, Any]:
    from field.odk import devices

    user_id = _field_user(rt)
    with rt.uow() as s:
        from field.data.models import User

        owner = s.get(User, user_id)
        assert owner is not None
        token = devices.issue(s, owner, owner, "bench").token
    with odk_collect.serve(rt.settings, rt) as base:
        url = devices.server_url(base, token)
        session = requests.Session()
        start, cpu = time.perf_counter(), time.process_time()
        for xml, files in subs:
            resp = _post(session, url, xml, files)
            assert resp.status_code == 201, resp.text
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return _line("openrosa_route", len(subs), per, seconds, cpu)


def _post(session: requests.Session, url: str, xml: bytes, files: dict[str, bytes]) -> requests.Response:
    parts: list[tuple[str, tuple[str, bytes, str]]] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    parts += [(name, (name, data, "image/jpeg")) for name, data in files.items()]
    return session.post(f"{url}/submission", files=parts, timeout=120, headers={"X-OpenRosa-Version": "1.0"})


def bench_service(rt: Runtime, subs: list[tuple[bytes, dict[str, bytes]]], per: int) -> dict[str, Any]:
    """What the capture page does for each finding: create it, then store and attach each photo."""
    from field.data.models import User
    from field.odk import instance
    from field.services import findings

    user_id = _field_user(rt)
    start, cpu = time.perf_counter(), time.process_time()
    for xml, files in subs:
        inst = instance.parse(xml)
        point = inst.geopoint()
        with rt.uow() as s:
            user = s.get(User, user_id)
            assert user is not None
            data = findings.FindingInput(
                description=inst.description, pollution_types=inst.pollution_types, site_name=inst.site_name,
                address=inst.address, severity=inst.severity,
                location=findings.Location(lon=point.lon, lat=point.lat, source="gps", accuracy_m=point.accuracy_m),
                client_token=inst.instance_id)
            finding = findings.create_finding(s, user, data)
            for name, blob in files.items():
                photo = findings.store_photo(s, user, blob, name, rt.store)
                findings.attach_photo(s, user, finding, photo, "before")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return _line("web_form_service", len(subs), per, seconds, cpu)


def bench_echo(subs: list[tuple[bytes, dict[str, bytes]]], per: int) -> dict[str, Any]:
    """Starlette parsing the same multipart bodies and answering 201: HTTP + multipart alone."""
    async def submission(request: Request) -> Response:
        form = await request.form(max_files=100, max_part_size=100 * 2**20)
        size = 0
        for _key, value in form.multi_items():
            if hasattr(value, "read"):
                size += len(await value.read())
        await form.close()
        return Response(f"<OpenRosaResponse>{size}</OpenRosaResponse>", status_code=201, media_type="text/xml")

    app = Starlette(routes=[Route("/echo/submission", submission, methods=["POST"])])
    with _serve_app(app) as base:
        session = requests.Session()
        start, cpu = time.perf_counter(), time.process_time()
        for xml, files in subs:
            resp = _post(session, f"{base}/echo", xml, files)
            assert resp.status_code == 201
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return _line("starlette_echo", len(subs), per, seconds, cpu)


@contextmanager
def _serve_app(app: Starlette) -> Iterator[str]:
    import threading

    import uvicorn

    port = odk_collect._free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):
        if server.started or not thread.is_alive():
            break
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=500, help="submissions in the tablet's queue")
    parser.add_argument("--photos", type=int, default=3, help="photos per submission")
    parser.add_argument("--side", type=int, default=1600, help="photo width in pixels (4:3)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file per path")
    args = parser.parse_args()
    pool = _photos(max(args.photos * 4, 1), args.side)
    subs = _submissions(args.n, pool, args.photos)
    echo = bench_echo(subs, args.photos)
    with _runtime(args.database_url) as rt:
        service = bench_service(rt, subs, args.photos)
    with _runtime(args.database_url) as rt:
        route = bench_openrosa(rt, subs, args.photos)
    print(json.dumps({"bench": "odk", "ratio_route_over_service": round(route["seconds"] / service["seconds"], 3),
                      "cpu_ratio_route_over_service": round(route["cpu_seconds"] / service["cpu_seconds"], 3),
                      "ratio_route_over_echo": round(route["seconds"] / echo["seconds"], 2),
                      "route_overhead_ms_per_submission": round((route["seconds"] - service["seconds"])
                                                                / args.n * 1000, 1),
                      "photo_bytes_each": round(sum(map(len, pool)) / len(pool))}), flush=True)


if __name__ == "__main__":
    main()
