"""`GET /map/data`, the review map's site data, served by a real uvicorn like serve.py serves it:
no session → 401; a scoped user never receives another county's sites (the body holds exactly
the rows `map_rows` gives that user); names with HTML and markdown arrive as the same text and
no `<` reaches the body; ETag and caching; and `SiteData.select` (the twin of the browser's
filter) keeps exactly the rows `map_rows` keeps for each kind of filter."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gzip
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from field.data.models import Case, Finding
from field.domain import clock
from field.map import sitedata
from field.services import sessions
from field.services.findings import FindingInput, Location, MapFilter, create_finding, map_rows
from tests.unit.test_health import _free_port
from web import mapdata

YUNHE = (116.84, 38.30)  # 运河区 130903
HUANGHUA = (117.33, 38.37)  # 黄骅市 130983
HOSTILE = ["<script>alert(1)</script>", "**粗体** [链接](javascript:alert(1))", "</script><img src=x onerror=1>",
           "{{7*7}} `${x}` & 尾"]


@contextlib.contextmanager
def _serve(settings: Any, rt: Any, cache: sitedata.SiteDataCache) -> Iterator[str]:
    app = Starlette(routes=mapdata.routes(settings, rt, cache))
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


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - local URL
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture
def sites(session, users) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two findings in 运河区 (one on a key case of batch 2, overdue), two in 黄骅市, and the
    hostile names in 黄骅市."""
    now = clock.now()
    case = Case(case_no="D3HB2024X1", batch=2, key_attention=True, deadline=(now - dt.timedelta(days=3)).date(),
                content="x")
    session.add(case)
    session.flush()
    made: dict[str, Any] = {}
    plan = [("运河甲", YUNHE, case.id, ["air"]), ("运河乙", (YUNHE[0] + 0.01, YUNHE[1]), None, ["water"]),
            ("黄骅丙", HUANGHUA, None, ["noise", "air"]), ("黄骅丁", (HUANGHUA[0] + 0.01, HUANGHUA[1]), None, ["soil"])]
    plan += [(name, (HUANGHUA[0] - 0.01 * (i + 1), HUANGHUA[1]), None, ["air"]) for i, name in enumerate(HOSTILE)]
    for name, (lon, lat), case_id, types in plan:
        made[name] = create_finding(session, users["field"], FindingInput(
            description=f"{name} 描述", pollution_types=types, location=Location(lon, lat, "typed"),
            site_name=name, address=f"{name} 地址", case_id=case_id), now=now)
    made["黄骅丁"].status = "closed"
    session.commit()
    return made


def _token(rt: Any, user: Any) -> str:
    with rt.uow() as s:
        token, _ = sessions.start(s, s.merge(user), hours=1)
    return token


def _fetch(base: str, rt: Any, user: Any) -> dict[str, Any]:
    status, headers, raw = _get(base + "/map/data", {"Cookie": f"field_session={_token(rt, user)}",
                                                     "Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    return json.loads(gzip.decompress(raw))


@pytest.fixture
def served(settings, rt, sites) -> Iterator[tuple[str, sitedata.SiteDataCache]]:  # type: ignore[no-untyped-def]
    cache = sitedata.SiteDataCache()
    with _serve(dataclasses.replace(settings, tiles="none"), rt, cache) as base:
        yield base, cache


def test_no_session_is_refused(served, rt, users) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    assert _get(base + "/map/data")[0] == 401
    assert _get(base + "/map/data", {"Cookie": "field_session=made-up-token"})[0] == 401
    token = _token(rt, users["viewer"])
    with rt.uow() as s:
        sessions.end(s, token)
    status, headers, body = _get(base + "/map/data", {"Cookie": f"field_session={token}"})
    assert status == 401 and b'"i"' not in body and headers["cache-control"] == "no-store"


def test_a_scoped_user_never_receives_another_countys_sites(served, rt, users, sites) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    with rt.read() as s:
        expected = {name: [r["id"] for r in map_rows(s, users[name])] for name in ("super_yunhe", "viewer")}
    yunhe = _fetch(base, rt, users["super_yunhe"])
    everyone = _fetch(base, rt, users["viewer"])
    assert yunhe["i"] == expected["super_yunhe"] == [sites["运河甲"].id, sites["运河乙"].id]
    assert set(yunhe["cc"]) <= {"", "130903"} and {yunhe["cc"][c] for c in yunhe["c"]} == {"130903"}
    assert not {"黄骅丙", *HOSTILE} & set(yunhe["nm"])
    # the shading counts only what the user may see
    assert {f["properties"]["adcode"]: f["properties"]["n"] for f in yunhe["counties"]["features"]
            if f["properties"]["n"]} == {"130903": 2}
    assert everyone["i"] == expected["viewer"] and len(everyone["i"]) == len(sites)


def test_names_arrive_as_text_and_nothing_in_the_body_is_markup(served, rt, users, sites) -> None:  # type: ignore[no-untyped-def]
    base, _ = served
    status, headers, raw = _get(base + "/map/data", {"Cookie": f"field_session={_token(rt, users['viewer'])}"})
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert "content-encoding" not in headers  # the client did not ask for gzip
    for ch in (b"<", b">", b"&", b"`", b"\xe2\x80\xa8"):
        assert ch not in raw
    body = json.loads(raw)
    names = dict(zip(body["i"], body["nm"], strict=True))
    for name in HOSTILE:
        assert names[sites[name].id] == name  # the same text, to be set with textContent


def test_etag_and_cache_control_follow_the_version(served, rt, users, sites) -> None:  # type: ignore[no-untyped-def]
    base, cache = served
    cookie = {"Cookie": f"field_session={_token(rt, users['viewer'])}", "Accept-Encoding": "gzip"}
    status, headers, _ = _get(base + "/map/data", cookie)
    etag = headers["etag"].strip('"')
    assert status == 200 and headers["cache-control"] == "private, no-cache" and headers["content-encoding"] == "gzip"
    status, headers, _ = _get(base + f"/map/data?v={etag}", cookie)
    assert status == 200 and headers["cache-control"] == "private, max-age=86400"
    assert _get(base + f"/map/data?v={etag}", {**cookie, "If-None-Match": f'"{etag}"'})[0] == 304
    with rt.uow() as s:  # a write to findings is a new version: a new body and ETag
        s.get(Finding, sites["运河乙"].id).status = "rectifying"
    status, headers, _ = _get(base + f"/map/data?v={etag}", cookie)
    assert status == 200 and headers["etag"].strip('"') != etag and headers["cache-control"] == "private, no-cache"


@pytest.mark.parametrize("flt", [
    MapFilter(),
    MapFilter(statuses=("pending",)),
    MapFilter(statuses=("closed", "pending"), counties=("130983",)),
    MapFilter(counties=("130903",)),
    MapFilter(types=("air",)),
    MapFilter(types=("noise", "soil")),
    MapFilter(batches=(2,)),
    MapFilter(key_attention=True),
    MapFilter(overdue=True),
    MapFilter(date_from=dt.date(2000, 1, 1), date_to=dt.date(2000, 1, 2)),
    MapFilter(date_from=dt.date(2000, 1, 1)),
    MapFilter(date_from=clock.today_local() + dt.timedelta(days=1)),
    MapFilter(text="黄骅"),
], ids=lambda f: ",".join(f"{k}={v}" for k, v in dataclasses.asdict(f).items() if v))
def test_select_keeps_what_map_rows_keeps(rt, settings, users, sites, flt) -> None:  # type: ignore[no-untyped-def]
    with rt.read() as s:
        viewer = users["viewer"]
        expected = [r["id"] for r in map_rows(s, viewer, flt)]
        data = sitedata.site_data(s, viewer, settings=settings, cache=sitedata.SiteDataCache())
        text_ids = expected if flt.text else None
    got = [data.ids[j] for j in data.select(sitedata.filter_spec(flt, text_ids))]
    assert got == expected


def test_the_map_document_holds_no_data_and_loads_only_vendored_files() -> None:
    from field.map.assets import external_urls, local_asset_urls, vendored_path
    from field.map.build import build_shell
    from field.map.datalayer import filter_group

    m = build_shell(data_url="/map/data", settings={"tiles": "none"}, lang="zh",
                    city_bounds=(116.0, 37.5, 117.9, 38.9))
    html = m.get_root().render()
    assert external_urls(html) == []
    urls = local_asset_urls(html)
    assert any(u.endswith("supercluster/supercluster.min.js") for u in urls)
    for u in urls:
        path = vendored_path(u)
        assert path is not None and path.is_file(), u
    assert len(html) < 60_000  # the legend and the layer's code, no site
    message = filter_group({**sitedata.filter_spec(MapFilter(statuses=("pending",), text="x"), [3, 1]), "v": "abc"})
    fm = build_shell(data_url="/map/data", settings={"tiles": "none"})
    fm.add_child(message)
    script = fm.get_root().render()
    assert 'fsApplySpec' in script and '"q":[1,3]' in script and '"v":"abc"' in script
