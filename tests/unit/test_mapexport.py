"""Exports of the map view: GeoJSON, CSV for Excel (BOM, formula guard), static PNG map."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import struct

import pytest

from field.domain.vocab import STATUS
from field.exports import mapexport

FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x","y")']


def rows() -> list[dict]:
    out = []
    for i, status in enumerate(STATUS.codes):
        out.append({
            "id": i + 1, "status": status, "name": f"站点{i}", "county": "130903", "address": "运河区1号",
            "case_no": "D3HB202405240001*", "batch": 3, "key_attention": i == 0, "types": ["air", "water"],
            "description": "描述，含逗号\n和换行", "unit": "运河区生态环境分局", "deadline": dt.date(2024, 6, 1),
            "overdue": i % 2 == 0, "created_at": dt.datetime(2024, 5, 24, 9, 30, tzinfo=dt.UTC),
            "lon": 116.84 + i / 100, "lat": 38.30 + i / 100,
        })
    return out


def square_fc() -> dict:
    ring = [[116.8, 38.28], [117.0, 38.28], [117.0, 38.4], [116.8, 38.4], [116.8, 38.28]]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": "130903", "name": "运河区", "name_en": "Yunhe"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}


def test_geojson_is_a_valid_feature_collection() -> None:
    data = rows() + [{"id": 99, "status": "pending", "lon": None, "lat": None, "types": []}]
    doc = json.loads(mapexport.to_geojson(data, county_names={"130903": "运河区"}))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == len(data)
    first = doc["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [116.84, 38.3]}  # [lon, lat], RFC 7946
    assert first["properties"]["county_name"] == "运河区"
    assert first["properties"]["deadline"] == "2024-06-01"
    assert first["properties"]["status_label"] == STATUS.label(STATUS.codes[0], "zh")
    assert doc["features"][-1]["geometry"] is None  # kept, not dropped
    from shapely.geometry import shape

    for f in doc["features"][:-1]:
        assert shape(f["geometry"]).is_valid


def test_csv_has_bom_headers_and_one_row_per_finding() -> None:
    raw = mapexport.to_csv(rows(), county_names={"130903": "运河区"})
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == mapexport.csv_headers("zh")
    assert "受理编号" in table[0] and "经度(WGS-84)" in table[0]
    assert len(table) == 1 + len(rows())
    body = dict(zip(table[0], table[1], strict=True))
    assert body["行政区域"] == "运河区"
    assert body["污染类型"] == "大气、水"
    assert body["问题描述"] == "描述，含逗号\n和换行"  # quoted, survives the round trip
    assert body["重点关注"] == "是"
    assert mapexport.to_csv([], lang="en").decode("utf-8-sig").splitlines()[0].startswith("ID,Status")


@pytest.mark.parametrize("payload", FORMULAS)
def test_csv_formula_cells_are_neutralised(payload: str) -> None:
    data = [{**rows()[0], "name": payload, "description": payload, "unit": payload, "case_no": payload,
             "address": payload}]
    table = list(csv.reader(io.StringIO(mapexport.to_csv(data).decode("utf-8-sig"))))
    cells = dict(zip(table[0], table[1], strict=True))
    for col in ("点位/企业名称", "问题描述", "责任单位", "受理编号", "地址"):
        assert cells[col] == "'" + payload, col
        assert not cells[col].startswith(mapexport.FORMULA_PREFIXES)


def test_guard_cell_leaves_ordinary_values_alone() -> None:
    assert mapexport.guard_cell("沧州宏达化工") == "沧州宏达化工"
    assert mapexport.guard_cell(-3) == -3
    assert mapexport.guard_cell("a=b") == "a=b"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_map_has_the_requested_size_and_content() -> None:
    png, used = mapexport.png_map(rows(), square_fc(), lang="zh", size_px=(800, 600))
    assert _png_size(png) == (800, 600)
    assert len(png) > 10_000  # boundaries, points and legend drawn, not a blank canvas
    assert used == ("zh" if mapexport.cjk_font() else "en")


def test_png_falls_back_to_english_without_a_cjk_font() -> None:
    png, used = mapexport.png_map(rows(), square_fc(), lang="zh", size_px=(640, 480), font_path=None)
    assert used == "en"
    assert _png_size(png) == (640, 480)


def test_png_points_change_the_image() -> None:
    empty, _ = mapexport.png_map([], square_fc(), size_px=(640, 480))
    full, _ = mapexport.png_map(rows(), square_fc(), size_px=(640, 480))
    assert empty != full


def test_png_without_boundaries_still_draws_points() -> None:
    png, _ = mapexport.png_map(rows(), None, size_px=(640, 480))
    assert _png_size(png) == (640, 480)
