"""Chinese everywhere: every page, as each role, on a zh session at 768×1024, shows no English
words except user data, codes and units — including Streamlit's own widget texts — and an
unknown page address lands on a Chinese page, not Streamlit's "Page not found" dialog.

What counts as allowed (the allow-list): words of 2+ Latin letters
are collected from the visible text of the page (main area and sidebar; iframes such as the map
are their own documents and not read). Allowed are
- units and file formats: m, km, MB, KB, GB, JPG, JPEG, PNG, HEIC, HEIF, CSV, XLSX, PDF, ZIP, GeoJSON;
- codes and standards the field staff know by these names: GPS, ID, QR, ODK, Collect, OpenRosa,
  EXIF, WGS, GCJ, URL, SHA, CGCS, AMap, OSM, XYZ;
- the language switch's "English" (the name of the other language, written in it);
- product names with no Chinese name: ODK Central, KoboToolbox, QField; DCIM (a camera's
  folder), gpkg (GeoPackage's extension);
- user data: the usernames of the test users (their display names are 测试<username>);
- codes: any token with a digit in it (a verification code 3F2A-BCB1-07EB, V12, a hash).
Anything else fails the test with the page, the role and the words.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.e2e import harness

PORTRAIT = (768, 1024)
ALLOWED = {
    "m", "km", "mb", "kb", "gb", "jpg", "jpeg", "png", "heic", "heif", "csv", "xlsx", "pdf", "zip", "geojson",
    "gps", "id", "qr", "odk", "collect", "openrosa", "exif", "wgs", "gcj", "url", "sha", "cgcs", "amap", "osm",
    "xyz", "english",
    # product and format names that have no Chinese name in the field: the offline clients the
    # ODK page names, a camera's own photo folder, the GeoPackage file extension
    "central", "kobotoolbox", "qfield", "dcim", "gpkg",
}
WORD = re.compile(r"[A-Za-z]{2,}")
TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


# What a person sees: text nodes that are rendered (checkVisibility) at a non-zero font size.
# Material icons are drawn from ligature names ("keyboard_double_arrow_left"): a glyph, not a word.
# The app replaces some fixed English of Streamlit's by CSS (ui/zh.py: the text at font-size 0,
# the catalog's words in ::after); ::after content is read from the computed style.
SEEN_TEXT = """(roots) => {
  const out = [];
  const skip = (el) => el.closest('[data-testid="stIconMaterial"], script, style, noscript');
  const shown = (el) => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
      && parseFloat(getComputedStyle(el).fontSize) > 0;
  for (const sel of roots) {
    for (const root of document.querySelectorAll(sel)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (el && !skip(el) && n.textContent.trim() && shown(el)) out.push(n.textContent);
      }
      for (const el of root.querySelectorAll('*')) {
        const after = getComputedStyle(el, '::after');
        if (after.content && after.content !== 'none' && after.content !== 'normal' && !skip(el)
            && parseFloat(after.fontSize) > 0 && el.checkVisibility({checkVisibilityCSS: true}))
          out.push(after.content);
      }
    }
  }
  return out.join("\\n");
}"""


def _visible_text(page: Page) -> str:
    return str(page.evaluate(SEEN_TEXT, ['[data-testid="stMain"]', '[data-testid="stSidebar"]', '[role="dialog"]']))


def _english(text: str, users: set[str]) -> list[str]:
    allowed = ALLOWED | {u.lower() for u in users} | {re.sub(r"\d+$", "", u).lower() for u in users}
    # a token with a digit in it is a code, not a word: 验证码 3F2A-BCB1-07EB, V12, a hash, an id
    words = [w for token in TOKEN.findall(text) if not re.search(r"\d", token) for w in WORD.findall(token)]
    return sorted({w for w in words if w.lower() not in allowed})


def _sidebar_links(page: Page) -> list[str]:
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    nav = page.get_by_test_id("stSidebarNav")
    return [t.strip().split("\n")[-1].strip() for t in nav.get_by_role("link").all_inner_texts() if t.strip()]


def _user_data_words(db_url: str) -> set[str]:
    """Latin words people typed (site names, addresses, descriptions, case texts, units): other
    tests on the shared server store such data (XSS payloads among it), and it is theirs to show."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            texts = [row[0] or "" for q in (
                "SELECT name FROM sites", "SELECT address FROM sites", "SELECT description FROM findings",
                "SELECT responsible_unit FROM findings", "SELECT case_no FROM cases", "SELECT content FROM cases",
                "SELECT responsible_unit FROM cases", "SELECT lead_unit FROM cases") for row in conn.execute(text(q))]
    finally:
        engine.dispose()
    return {w for t in texts for w in WORD.findall(t)}


def test_every_page_as_every_role_is_chinese(new_page, e2e_seeded) -> None:
    users = set(e2e_seeded.credentials) | _user_data_words(e2e_seeded.db_url)
    found: dict[str, list[str]] = {}
    for username in harness.ROLES:
        cred = e2e_seeded.credentials[username]
        page = new_page(PORTRAIT)
        words = _english(_visible_text(page), users)
        if words:
            found[f"login page ({username})"] = words
        assert harness.login(page, cred.username, cred.password) == "success"
        titles = _sidebar_links(page)
        assert titles, f"{username} has no pages"
        for title in titles:
            expand = page.get_by_test_id("stExpandSidebarButton")
            if expand.count() and expand.is_visible():
                expand.click()
            with harness.expect_rerun(page):
                page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            harness.wait_for_app(page)
            words = _english(_visible_text(page), users)
            if words:
                found[f"{title} ({username})"] = words
    assert not found, "English on zh pages: " + "; ".join(f"{k}: {v}" for k, v in found.items())


# Streamlit's frontend logs, on an address that names no page of the first (login) run, that it
# runs the main page instead; what the person sees is the app's own Chinese page, tested here.
@pytest.mark.console_errors(r"The page that you have requested does not seem to exist")
def test_unknown_page_address_is_a_chinese_page(new_page, e2e_env, app_server) -> None:
    cred = e2e_env.credentials["viewer1"]
    page = new_page(PORTRAIT)
    assert harness.login(page, cred.username, cred.password) == "success"
    harness.goto_app(page, f"{app_server}/no_such_page")
    expect(page.get_by_text("找不到页面").first).to_be_visible()
    expect(page.get_by_text(re.compile("没有名为“no_such_page”的页面"))).to_be_visible()
    assert "Page not found" not in page.locator("body").inner_text()
    assert not _english(_visible_text(page), set(e2e_env.credentials) | {"no", "such", "page"})
