"""The review map's site data as columns: built once per (scope, data version, day), served to the
browser by the app's route `GET /map/data` (web/mapdata.py) and filtered there, and filtered by
the page for its counts from the very same columns.

Why: the map document used to carry every site, so each filter change re-sent, re-parsed and
re-clustered the whole map (424 KB and 7 s at 10,000 sites). Now the document is constant
(field/map/datalayer.py), the sites travel once per data version as gzip'd compact JSON
columns (HTTP-cached with an ETag), and a filter change sends only a small filter spec
(`filter_spec`) that the browser applies to the columns it already holds. `SiteData.select`
is the Python twin of the browser's filter; tests check they agree with `findings.map_rows`.

The JSON is `json_for_script`-escaped (no `<`, `>`, `&` anywhere in the body) although it is
served as application/json, and the browser puts names in the DOM with `textContent` only.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from field import geo
from field.domain.scope import Scope, level_of, prefix
from field.domain.vocab import OPEN_STATUSES, POLLUTION_TYPES
from field.map.choropleth import COUNTY_KIND, boundary_features
from field.map.escape import json_for_script
from field.map.layers import COORD_DECIMALS
from field.map.legend import STATUS_INDEX, UNKNOWN_INDEX
from field.map.tiles import Shift, display_shift, setting
from field.map.values import as_text
from field.services.findings import MapFilter

DATA_PATH = "/map/data"  # the route (web/mapdata.py) the map document fetches from
TYPE_BIT: dict[str, int] = {code: 1 << i for i, code in enumerate(POLLUTION_TYPES.codes)}
OPEN_INDEXES = frozenset(STATUS_INDEX[c] for c in OPEN_STATUSES if c in STATUS_INDEX)


@dataclass
class SiteData:
    """One scope's sites at one data version, as columns (index j is one finding), plus the
    gzip'd JSON body the route serves and its ETag."""

    ids: list[int]
    status: list[int]  # STATUS_INDEX, UNKNOWN_INDEX for codes the vocabulary does not know
    county: list[int]  # index into county_codes
    county_codes: list[str]  # "" for a site outside every county
    types: list[int]  # TYPE_BIT mask
    batch: list[int]  # 0: no batch
    key: list[int]
    overdue: list[int]
    day: list[int]  # local creation date, as a date ordinal
    open_counts: dict[str, int]  # open findings per county adcode (the shading), whole scope
    drawn: int  # sites with usable coordinates
    body: bytes = b""  # gzip'd JSON
    etag: str = ""
    county_index: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def select(self, spec: Mapping[str, Any]) -> list[int]:
        """Indexes of the findings a `filter_spec` keeps; the browser runs the same test
        (datalayer.py `keep`)."""
        statuses = set(spec.get("s") or ()) or None
        counties = {self.county_index[c] for c in spec.get("c") or () if c in self.county_index}
        county_on = bool(spec.get("c"))
        mask = int(spec.get("t") or 0)
        batches = set(spec.get("b") or ()) or None
        key_only, overdue_only = bool(spec.get("k")), bool(spec.get("o"))
        d0, d1 = spec.get("d0"), spec.get("d1")
        only = set(spec["q"]) if spec.get("q") is not None else None
        out = []
        ids, st, co, ty, ba, ke, ov, dy = (self.ids, self.status, self.county, self.types, self.batch, self.key,
                                           self.overdue, self.day)
        for j in range(len(ids)):
            if statuses is not None and st[j] not in statuses:
                continue
            if county_on and co[j] not in counties:
                continue
            if mask and not ty[j] & mask:
                continue
            if batches is not None and ba[j] not in batches:
                continue
            if key_only and not ke[j]:
                continue
            if overdue_only and not ov[j]:
                continue
            if d0 is not None and dy[j] < d0:
                continue
            if d1 is not None and dy[j] > d1:
                continue
            if only is not None and ids[j] not in only:
                continue
            out.append(j)
        return out


def filter_spec(flt: MapFilter, text_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """The small message a filter change sends to the browser (and `SiteData.select` reads).
    Free text is searched on the server (descriptions and addresses are not in the browser's
    columns): `text_ids` are the findings it matched, sent only when a text is set."""
    mask = 0
    for code in flt.types:
        mask |= TYPE_BIT.get(code, 0)
    return {
        "s": sorted(STATUS_INDEX[c] for c in flt.statuses if c in STATUS_INDEX),
        "c": _county_codes(flt.counties),
        "t": mask,
        "b": sorted(int(b) for b in flt.batches),
        "k": 1 if flt.key_attention else 0,
        "o": 1 if flt.overdue else 0,
        "d0": flt.date_from.toordinal() if flt.date_from else None,
        "d1": flt.date_to.toordinal() if flt.date_to else None,
        "q": sorted(text_ids) if flt.text.strip() and text_ids is not None else None,
    }


def _county_codes(codes: Iterable[str]) -> list[str]:
    """The sites carry county codes; a city (or province) chosen in a province deployment's filter
    stands for every county inside it, as `scope_clause` reads it on the server."""
    out: set[str] = set()
    for code in codes:
        if level_of(code) == "county":
            out.add(code)
        else:
            out.update(c.adcode for c in geo.counties() if c.adcode.startswith(prefix(code)))
    return sorted(out)


def data_url(base_url_path: str = "") -> str:
    """The route's URL for a server mounted under `server.baseUrlPath` (as `assets.static_base_url`)."""
    prefix = base_url_path.strip("/")
    return (f"/{prefix}" if prefix else "") + DATA_PATH


def _label_points(boundaries: Any) -> dict[str, tuple[float, float]]:
    """Where each county's name is written: a point inside the polygon (shapely's
    representative point), from a `field.geo.Boundaries`; {} without one."""
    if boundaries is None or not hasattr(boundaries, "geometries"):
        return {}
    out = {}
    for county, geom in zip(boundaries.counties, boundaries.geometries, strict=True):
        p = geom.representative_point()
        out[county.adcode] = (float(p.x), float(p.y))
    return out


def build(cols: Mapping[str, list[Any]], *, shift: Shift | None, boundaries_geojson: Mapping[str, Any] | None,
          boundaries: Any = None, en_names: Mapping[str, str] | None = None) -> SiteData:
    """`cols` from `findings.map_columns`; the county polygons (and the open counts that shade
    them) travel in the same body, so the map document holds no data at all."""
    n = len(cols["id"])
    county_codes: list[str] = [""]
    county_index: dict[str, int] = {"": 0}
    status = [STATUS_INDEX.get(c, UNKNOWN_INDEX) for c in cols["status"]]
    county = []
    for c in cols["county"]:
        c = c or ""
        k = county_index.get(c)
        if k is None:
            k = county_index[c] = len(county_codes)
            county_codes.append(c)
        county.append(k)
    types = []
    for tl in cols["types"]:
        mask = 0
        for code in tl:
            mask |= TYPE_BIT.get(code, 0)
        types.append(mask)
    batch = [int(b) if b else 0 for b in cols["batch"]]
    key = [1 if k else 0 for k in cols["key"]]
    overdue = [1 if o else 0 for o in cols["overdue"]]
    day = list(cols["day"])
    xs: list[float | None] = []
    ys: list[float | None] = []
    drawn = 0
    nd = COORD_DECIMALS
    for lon_v, lat_v in zip(cols["lon"], cols["lat"], strict=True):
        try:
            lon, lat = float(lon_v), float(lat_v)
        except (TypeError, ValueError):
            xs.append(None)
            ys.append(None)
            continue
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            xs.append(None)
            ys.append(None)
            continue
        if shift is not None:
            lon, lat = shift(lon, lat)
        xs.append(round(lon, nd))
        ys.append(round(lat, nd))
        drawn += 1
    labels = [name if isinstance(name, str) and name else (as_text(case_no) or as_text(fid))
              for fid, name, case_no in zip(cols["id"], cols["name"], cols["case_no"], strict=True)]
    open_counts: dict[str, int] = {}
    for s, c in zip(status, county, strict=True):
        if s in OPEN_INDEXES and c:
            code = county_codes[c]
            open_counts[code] = open_counts.get(code, 0) + 1
    features: list[dict[str, Any]] = []
    if boundaries_geojson:
        data, _ = boundary_features(boundaries_geojson, open_counts or {"": 0}, "zh", shift)
        points = _label_points(boundaries)
        en = en_names or {}
        for f in data["features"]:
            p = f["properties"]
            at = points.get(p["adcode"])
            if at is not None and shift is not None:
                at = shift(*at)
            f["properties"] = {"kind": COUNTY_KIND, "adcode": p["adcode"], "zh": p["name"],
                               "en": en.get(p["adcode"]) or p["name"], "n": open_counts.get(p["adcode"], 0),
                               "fo": p["fo"], "lx": None if at is None else round(at[0], 5),
                               "ly": None if at is None else round(at[1], 5)}
            features.append(f)
    payload = {"n": n, "i": cols["id"], "x": xs, "y": ys, "s": status, "c": county, "cc": county_codes,
               "t": types, "b": batch, "k": key, "o": overdue, "d": day, "nm": labels,
               "counties": {"type": "FeatureCollection", "features": features}}
    raw = json_for_script(payload).encode("utf-8")
    body = gzip.compress(raw, compresslevel=6, mtime=0)
    etag = hashlib.sha256(raw).hexdigest()[:24]
    return SiteData(ids=list(cols["id"]), status=status, county=county, county_codes=county_codes, types=types,
                    batch=batch, key=key, overdue=overdue, day=day, open_counts=open_counts, drawn=drawn,
                    body=body, etag=etag, county_index=county_index)


class SiteDataCache:
    """A few `SiteData` per process, shared by every session and the data route (least recently
    used go first). One lock around building: two sessions asking for the same new version
    build it once."""

    def __init__(self, max_entries: int = 8) -> None:
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], SiteData] = OrderedDict()

    def get(self, key: tuple[Any, ...], make: Callable[[], SiteData]) -> SiteData:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            made = make()
            self._entries[key] = made
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
            return made

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = SiteDataCache()


def scope_key(actor: Any) -> tuple[str, ...]:
    scope = Scope.of(actor)
    return ("*",) if scope.counties is None else tuple(sorted(scope.counties))


def site_data(session: Any, actor: Any, *, settings: Any, today: Any = None,
              cache: SiteDataCache | None = None) -> SiteData:
    """The actor's `SiteData` at the current data version (built on the first ask, then cached).
    The key holds the database, the scope, the data version, the day (overdue flags change at
    midnight) and the tile mode (AMap tiles shift the coordinates)."""
    from field import geo
    from field.domain import clock
    from field.services.findings import data_version, map_columns

    today = today or clock.today_local()
    mode = setting(settings, "tiles", "none").strip().lower() or "none"
    key = (setting(settings, "database_url"), scope_key(actor), data_version(session), today.isoformat(), mode)

    def make() -> SiteData:
        b = geo.load_counties()
        return build(map_columns(session, actor, today=today), shift=display_shift(mode),
                     boundaries_geojson=b.geojson(), boundaries=b,
                     en_names={c.adcode: c.label("en") for c in b.counties})

    return (cache or CACHE).get(key, make)
