"""The review map in a real Chromium at 1280x800 and 1920x1080.

A link with filters in its query reopens that view (counts and the markers actually drawn match the
database); clicking a county filters to it; clicking a site opens its detail beside the map; XSS
payloads in every user field that reaches the map or the panel run nothing. The network guard
(conftest) fails any test whose page contacted a host other than this machine.

The app's login form is on `/`; a viewer's only page is the map, so opening `/?<query>` and
logging in lands on the map with the query intact - which is how a link shared at the meeting
is opened.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from field import geo
from field.config import load_settings
from field.data.models import Case, Finding, User
from field.runtime import Runtime, open_runtime
from field.services.findings import FindingInput, Location, MapFilter, create_finding, map_rows
from tests.e2e import harness

VIEWPORTS = [(1280, 800), (1920, 1080)]
YUNHE = "130903"
XSS_MARK = "XSSMARK"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "`${alert(1)}`",
    "{{7*7}}",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    '<img src=x onerror="window.top.__xss=1">',
    '"><svg onload="window.top.__xss=2">',
    "${window.top.__xss=3}",
]

# Every frame (the map is in streamlit-folium's iframe) gets a trap: alert/confirm/prompt and any
# payload that sets window.__xss are recorded on the top window.
TRAP = """
(() => {
  const top = window.top;
  const hit = (what) => { try { top.__xss_hits = (top.__xss_hits || []).concat([what]); } catch (e) {} };
  window.alert = () => hit('alert'); window.confirm = () => hit('confirm'); window.prompt = () => hit('prompt');
})();
"""

MAP_READY = """() => {
  const m = window.map; if (!m || !m._layers) return false;
  return Object.values(m._layers).some((l) => l.getLayers && l._featureGroup);
}"""
SITE_IDS = """() => {
  const g = Object.values(window.map._layers).find((l) => l.getLayers && l._featureGroup);
  // features are built lazily on first hover; hover (the layer event) each marker to read its id
  return g.getLayers().map((mk) => { if (!mk.feature) g.fire('mouseover', {layer: mk});
                                     return mk.feature.properties.site_id; });
}"""


@pytest.fixture(scope="module")
def runtime(e2e_seeded: harness.E2EEnv) -> Iterator[Runtime]:
    settings = dataclasses.replace(load_settings(), database_url=e2e_seeded.db_url, data_dir=e2e_seeded.data_dir)
    rt = open_runtime(settings)
    yield rt
    rt.engine.dispose()


def _expected(rt: Runtime, flt: MapFilter) -> list[dict[str, Any]]:
    with rt.session() as s:
        viewer = s.scalar(select(User).where(User.username == "viewer1"))
        return map_rows(s, viewer, flt)


def _open(new_page: harness.PageFactory, env: harness.E2EEnv, viewport: tuple[int, int], query: str,
          user: str = "viewer1") -> Page:
    page = new_page(viewport, open_app=False)
    page.context.add_init_script(TRAP)
    harness.goto_app(page, f"{new_page.base_url}/?{query}")
    cred = env.credentials[user]
    harness.login(page, cred.username, cred.password)
    expect(page.locator("#fs-status-counts")).to_be_visible()
    return page


def _map_frame(page: Page) -> Frame:
    page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', state="attached")
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function(MAP_READY)
    return frame


def _total(page: Page) -> int:
    return int(page.locator("#fs-status-counts").get_attribute("data-total") or "-1")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_link_reopens_the_view_and_county_filter_shows_only_that_county(
        new_page, e2e_seeded, runtime, viewport) -> None:  # type: ignore[no-untyped-def]
    expected = _expected(runtime, MapFilter(counties=(YUNHE,), statuses=("pending", "rectifying")))
    assert expected, "demo data should have open findings in 运河区"
    page = _open(new_page, e2e_seeded, viewport, f"county={YUNHE}&status=pending&status=rectifying")
    assert _total(page) == len(expected)
    frame = _map_frame(page)
    drawn = frame.evaluate(SITE_IDS)
    assert sorted(drawn) == sorted(r["id"] for r in expected)
    assert {r["county"] for r in expected} == {YUNHE}
    # the widgets show the view the link asked for
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("运河区").first).to_be_visible()
    assert "county=130903" in page.url and "status=pending" in page.url
    harness.screenshot(page, f"map-county-{viewport[0]}x{viewport[1]}")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_clicking_a_county_filters_to_it(new_page, e2e_seeded, runtime, viewport) -> None:  # type: ignore[no-untyped-def]
    # start from a view without markers, so the click can only land on the county polygon
    page = _open(new_page, e2e_seeded, viewport, "q=__no_such_site__")
    assert _total(page) == 0
    frame = _map_frame(page)
    # a user scrolls the map into view before tapping it; a point under the viewport edge gets no click
    page.locator('iframe[title="streamlit_folium.st_folium"]').scroll_into_view_if_needed()
    target = next(c for c in geo.counties() if c.adcode == "130983")  # 黄骅市, large and convex enough
    idx = geo.load_counties().counties.index(target)
    pt = geo.load_counties().geometries[idx].representative_point()
    xy = frame.evaluate("([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
                        " const r = window.map.getContainer().getBoundingClientRect();"
                        " return [p.x + r.left, p.y + r.top]; }", [pt.y, pt.x])
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box is not None
    with harness.expect_rerun(page):
        page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_function("() => location.search.includes('county=130983')")
    harness.wait_for_app(page)
    expect(page.get_by_test_id("stMain").get_by_text(target.name).first).to_be_visible()


def _click_visible_site(page: Page, frame: Frame, candidates: set[int]) -> int:
    """Click, like a user, a site marker that is drawn on its own (not inside a cluster or a
    spider) and belongs to the expected rows; returns its id."""
    handle = frame.wait_for_function("""(ids) => {
      const g = Object.values(window.map._layers).find((l) => l.getLayers && l._featureGroup);
      for (const m of g.getLayers()) {
        if (!m._icon) continue;  // clustered: not drawn on its own at this zoom
        if (!m.feature) g.fire('mouseover', {layer: m});
        const id = m.feature.properties.site_id;
        if (ids.includes(id)) { m._icon.setAttribute('data-test-site', String(id)); return id; }
      }
      return null;
    }""", arg=sorted(candidates), timeout=30_000)  # the view settles (fitBounds) before markers stand alone
    site_id = handle.json_value()
    # wait for the outcome (the detail panel), not for one rerun
    marker = frame.locator(f'[data-test-site="{site_id}"]')
    marker.click()
    panel = page.locator(f".st-key-detail_{site_id}")
    try:
        panel.wait_for(state="visible", timeout=10_000)
    except PlaywrightTimeoutError:
        # KNOWN ISSUE (see the closing note of the map issue): on the first map a fresh server
        # renders, the first marker click is sometimes not reported by streamlit-folium at
        # 1280x800; a second click is. A user who clicks again gets the panel; so does the test.
        marker.click()
    return int(site_id)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_clicking_a_site_opens_its_detail(new_page, e2e_seeded, runtime, viewport) -> None:  # type: ignore[no-untyped-def]
    rows = {r["id"]: r for r in _expected(runtime, MapFilter(counties=(YUNHE,)))}
    page = _open(new_page, e2e_seeded, viewport, f"county={YUNHE}")
    frame = _map_frame(page)
    site_id = _click_visible_site(page, frame, set(rows))
    target = rows[site_id]
    panel = page.locator(f".st-key-detail_{site_id}")
    expect(panel).to_be_visible(timeout=30_000)
    expect(panel).to_contain_text(f"#{site_id}")
    expect(panel).to_contain_text(target["name"])
    page.wait_for_function(f"() => location.search.includes('finding={site_id}')")
    harness.screenshot(page, f"map-detail-{viewport[0]}x{viewport[1]}")


@pytest.fixture(scope="module")
def hostile(runtime: Runtime) -> list[int]:
    """Findings whose every user field carries a payload (name, description, address, 受理编号, units)."""
    ids = []
    with runtime.session() as s:
        author = s.scalar(select(User).where(User.username == "field1"))
        for i, payload in enumerate(PAYLOADS):
            case = Case(case_no=payload[:60], batch=90 + i, content=payload, responsible_unit=payload,
                        lead_unit=payload)
            s.add(case)
            s.flush()
            f = create_finding(s, author, FindingInput(
                description=payload, pollution_types=["air"], site_name=f"{XSS_MARK}{payload}", address=payload,
                location=Location(117.30 + i * 0.004, 38.36, "typed"), case_id=case.id))
            f.responsible_unit = payload
            ids.append(f.id)
        s.commit()
        assert len(s.scalars(select(Finding.id).where(Finding.id.in_(ids))).all()) == len(PAYLOADS)
    return ids


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_xss_payloads_run_nothing(new_page, e2e_seeded, runtime, hostile, viewport) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page = _open(new_page, e2e_seeded, viewport, f"q={XSS_MARK}")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert _total(page) == len(PAYLOADS)
    frame = _map_frame(page)
    assert sorted(frame.evaluate(SITE_IDS)) == sorted(hostile)
    # hover every marker so Leaflet builds each tooltip (innerHTML), then open one detail panel
    # (taken out of the cluster group so every marker is on the map and its tooltip can open)
    frame.evaluate("""() => {
      const g = Object.values(window.map._layers).find((l) => l.getLayers && l._featureGroup);
      g.getLayers().forEach((m) => {
        g.fire('mouseover', {layer: m});  // the layer builds tooltips lazily, on first hover
        g.removeLayer(m); m.addTo(window.map); m.openTooltip();
      });
    }""")
    tips = frame.locator(".leaflet-tooltip")
    expect(tips.first).to_be_attached()
    tip_text = " ".join(tips.all_inner_texts())
    assert "<img src=x" in tip_text and "{{7*7}}" in tip_text  # shown as text, not as markup
    pages = [page]
    # the detail panel (opened through a link, as at the meeting) shows every field as plain text
    for i in (0, 4, 7):
        fid = hostile[i]
        detail_page = _open(new_page, e2e_seeded, viewport, f"q={XSS_MARK}&finding={fid}")
        detail_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        panel = detail_page.locator(f".st-key-detail_{fid}")
        expect(panel).to_contain_text(XSS_MARK)
        expect(panel).to_contain_text(PAYLOADS[i])
        _map_frame(detail_page)
        pages.append(detail_page)
    for pg in pages:
        for f in pg.frames:
            assert f.evaluate("() => window.__xss") is None, f.url
            assert f.evaluate("() => document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0, f.url
        assert pg.evaluate("() => window.top.__xss_hits || []") == []
    assert dialogs == []
    assert not re.search(r"\b49\b", frame.locator("body").inner_text())  # {{7*7}} was not evaluated
    harness.screenshot(page, f"map-xss-{viewport[0]}x{viewport[1]}")


def test_presentation_mode_at_1920(new_page, e2e_seeded) -> None:  # type: ignore[no-untyped-def]
    page = _open(new_page, e2e_seeded, (1920, 1080), "present=1")
    _map_frame(page)
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    table = page.locator("#fs-status-counts").bounding_box()
    assert iframe and table
    assert iframe["width"] >= 1200 and iframe["width"] >= 3 * table["width"]  # the map dominates
    assert table["x"] > iframe["x"] + iframe["width"] - 5  # the summary sits beside it
    font = page.locator("#fs-status-counts").evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 24
    harness.screenshot(page, "map-present-1920x1080")
