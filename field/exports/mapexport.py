"""Exports of the current map view for reports: GeoJSON, CSV for Excel, and a static PNG map.

Why each format looks the way it does:
- GeoJSON keeps WGS-84 (RFC 7946 requires it) whatever tiles the page shows, so the file lines up
  with GPS data and with any GIS; values are plain JSON (dates as ISO strings).
- CSV is written for Excel on Chinese Windows: UTF-8 *with* a BOM (without it Excel guesses GBK
  and shows mojibake), CRLF line ends, and every text cell that Excel would read as a formula
  (starting with = + - @, or a tab / carriage return that Excel strips before looking) gets a
  leading apostrophe. Site names and descriptions come from the public and from field staff, so
  a cell like `=HYPERLINK("http://evil","click")` must stay text (CSV/formula injection).
- The PNG is drawn with geopandas/matplotlib from the county boundaries and the points alone: no
  tiles, so it works on an intranet and needs no map licence (it is not a base map, only an
  overlay of our points on the administrative outline). It uses matplotlib's object API, never
  pyplot, because Streamlit runs pages in threads and pyplot's global state is not thread-safe.
  Chinese labels need a CJK font; without one the image falls back to English labels rather than
  printing boxes (`png_map` reports which language it used).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from field.domain import clock
from field.domain.vocab import POLLUTION_TYPES, STATUS
from field.i18n import t
from field.map.values import finite

# Column keys in export order; the header of each is the catalog key `mapexport.col.<key>`.
CSV_COLUMNS: tuple[str, ...] = (
    "id", "status", "name", "county", "address", "case_no", "batch", "key_attention", "types",
    "description", "unit", "deadline", "overdue", "created_at", "lon", "lat",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"

# Status shape (field.domain.vocab) -> matplotlib marker: the PNG keeps the second, non-colour cue.
MPL_MARKERS: dict[str, str] = {
    "circle": "o", "square": "s", "diamond": "D", "triangle": "^", "check": "P", "cross": "X", "star": "*",
}
CJK_FONT_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                  "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "Droid Sans Fallback",
                  "AR PL UMing CN", "Noto Sans CJK JP")


def _iso(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v




# --- GeoJSON -----------------------------------------------------------------------------------

GEOJSON_PROPERTIES = ("id", "status", "name", "county", "address", "case_no", "batch", "key_attention",
                      "types", "description", "unit", "deadline", "overdue", "created_at")


def to_geojson(rows: Iterable[Mapping[str, Any]], *, lang: str = "zh",
               county_names: Mapping[str, str] | None = None) -> bytes:
    """A FeatureCollection of Points (WGS-84, [lon, lat]); codes kept, plus a readable status label.

    Rows without usable coordinates keep their properties with `geometry: null` (allowed by
    RFC 7946), so the export never silently drops a finding."""
    names = county_names or {}
    features = []
    for r in rows:
        props = {k: _iso(r.get(k)) for k in GEOJSON_PROPERTIES}
        props["types"] = list(r.get("types") or [])
        props["status_label"] = STATUS.label(str(r.get("status") or ""), lang)
        props["county_name"] = names.get(str(r.get("county") or ""), "")
        lon, lat = finite(r.get("lon")), finite(r.get("lat"))
        geometry = ({"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}
                    if lon is not None and lat is not None else None)
        features.append({"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")


# --- CSV ---------------------------------------------------------------------------------------

def guard_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (numbers and booleans pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_value(key: str, r: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> Any:
    v = r.get(key)
    if key == "status":
        return STATUS.label(str(v or ""), lang)
    if key == "county":
        return names.get(str(v or ""), v or "")
    if key == "types":
        return t("mapexport.list_sep", lang).join(POLLUTION_TYPES.label(c, lang) for c in (v or []))
    if key in ("key_attention", "overdue"):
        return t("mapexport.yes" if v else "mapexport.no", lang)
    if key in ("lon", "lat"):
        f = finite(v)
        return "" if f is None else f"{f:.6f}"
    if v is None:
        return ""
    return _iso(v)


def csv_headers(lang: str = "zh") -> list[str]:
    return [t(f"mapexport.col.{key}", lang) for key in CSV_COLUMNS]


def to_csv(rows: Iterable[Mapping[str, Any]], *, lang: str = "zh",
           county_names: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with BOM, CRLF, headers in `lang`, formula-guarded text cells (see module docstring)."""
    names = county_names or {}
    buf = io.StringIO()
    buf.write(UTF8_BOM)
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_headers(lang))
    for r in rows:
        writer.writerow([guard_cell(_csv_value(key, r, lang, names)) for key in CSV_COLUMNS])
    return buf.getvalue().encode("utf-8")


# --- PNG ---------------------------------------------------------------------------------------

@cache
def cjk_font() -> str | None:
    """Path of an installed font that covers Chinese, or None (then the PNG uses English)."""
    from matplotlib import font_manager

    by_name: dict[str, str] = {}
    # regular weights first, so labels are not all bold when a family ships both
    for f in sorted(font_manager.fontManager.ttflist, key=lambda f: f.weight not in (400, "normal", "regular")):
        by_name.setdefault(f.name, f.fname)
    for name in CJK_FONT_NAMES:
        if name in by_name:
            return by_name[name]
    for name, path in by_name.items():  # any other CJK family, e.g. a distribution's own
        if "CJK" in name or "Hei" in name or "Song" in name:
            return path
    return None


def png_map(rows: Sequence[Mapping[str, Any]], boundaries: Mapping[str, Any] | None, *, lang: str = "zh",
            title: str = "", size_px: tuple[int, int] = (1600, 1200), dpi: int = 100,
            font_path: str | None = "auto") -> tuple[bytes, str]:
    """Static map of the view: county outlines (labelled), points coloured and shaped by status,
    a legend with counts. Returns (PNG bytes, language actually used for labels).

    `font_path="auto"` looks for a CJK font; None forces the no-CJK path (English labels)."""
    import geopandas
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D

    font = cjk_font() if font_path == "auto" else font_path
    used_lang = "en" if lang == "en" or not font else "zh"
    fp = FontProperties(fname=font) if font and used_lang == "zh" else FontProperties(family="DejaVu Sans")

    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.06, 0.74, 0.86))
    ax.set_axis_off()

    if boundaries and boundaries.get("features"):
        gdf = geopandas.GeoDataFrame.from_features(boundaries["features"], crs="EPSG:4326")
        gdf.plot(ax=ax, facecolor="#f4f3ef", edgecolor="#4a4a4a", linewidth=0.9)
        for _, row in gdf.iterrows():
            label = row.get("name_en") if used_lang == "en" and row.get("name_en") else row.get("name")
            if not label or row.geometry is None or row.geometry.is_empty:
                continue
            pt = row.geometry.representative_point()
            ax.annotate(str(label), (pt.x, pt.y), ha="center", va="center", fontproperties=fp,
                        fontsize=11, color="#555555", alpha=0.9)

    counts: Counter[str] = Counter()
    by_status: dict[str, tuple[list[float], list[float]]] = {}
    for r in rows:
        lon, lat = finite(r.get("lon")), finite(r.get("lat"))
        status = str(r.get("status") or "")
        counts[status] += 1
        if lon is None or lat is None:
            continue
        xs, ys = by_status.setdefault(status, ([], []))
        xs.append(lon)
        ys.append(lat)
    handles = []
    for term in STATUS:
        xs, ys = by_status.get(term.code, ([], []))
        marker = MPL_MARKERS.get(term.shape, "o")
        if xs:
            ax.scatter(xs, ys, s=46 if marker != "*" else 90, c=term.colour, marker=marker,
                       edgecolors="white", linewidths=0.7, zorder=3)
        handles.append(Line2D([], [], linestyle="", marker=marker, markersize=11, markerfacecolor=term.colour,
                              markeredgecolor="white", label=f"{term.label(used_lang)}  {counts.get(term.code, 0)}"))
    unknown = sum(n for code, n in counts.items() if code not in STATUS)
    if unknown:
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=11, markerfacecolor="#999999",
                              label=f"{t('mapexport.unknown_status', used_lang)}  {unknown}"))
        for code, (xs, ys) in by_status.items():
            if code not in STATUS:
                ax.scatter(xs, ys, s=40, c="#999999", edgecolors="white", linewidths=0.7, zorder=3)
    if not (boundaries and boundaries.get("features")):
        # what geopandas does for EPSG:4326: one degree of longitude is shorter than one of latitude
        lats = [y for _, ys in by_status.values() for y in ys]
        mid = (min(lats) + max(lats)) / 2 if lats else 38.3
        ax.set_aspect(1 / max(math.cos(math.radians(mid)), 0.1))

    item_fp, title_fp = fp.copy(), fp.copy()
    item_fp.set_size(14)
    title_fp.set_size(15)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.77, 0.92), frameon=True, prop=item_fp,
               title=t("mapexport.total", used_lang, n=len(rows)), title_fontproperties=title_fp)
    fig.suptitle(title or t("mapexport.title", used_lang), fontproperties=fp, fontsize=20, x=0.02, ha="left", y=0.97)
    fig.text(0.02, 0.02, f"{t('mapexport.datum_note', used_lang)} · {clock.today_local():%Y-%m-%d}", fontproperties=fp,
             fontsize=10, color="#555555")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue(), used_lang
