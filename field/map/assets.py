"""Point folium maps at the vendored Leaflet copies under `static/vendor/`.

Government deployments run on intranets without internet; folium's defaults fetch Leaflet,
jQuery, Bootstrap and Font Awesome from four CDNs, so a page built from them shows a grey box
there. `localize` rewrites every resource link of a map (and of every plugin element in it) to
the copies served by Streamlit's static file serving, and drops the ones our maps never use.
`external_urls` is the check the tests run on rendered HTML so a regression is caught before a
deployment is.

streamlit-folium does not read the rendered `<script>` tags: it walks the element tree and
sends every element's `default_js`/`default_css` to its iframe, which injects them. That is why
the rewrite happens on the elements themselves (instance attributes), not on the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink
from folium.elements import JSCSSMixin

from field.config import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
DEFAULT_BASE_URL = "/app/static/vendor"

# folium resource name -> path under static/vendor (same names folium 0.20 uses, so the header
# de-duplication by name keeps working when several elements ask for the same library).
VENDORED: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "jquery": "jquery/jquery.min.js",
    "supercluster": "supercluster/supercluster.min.js",
}

# Loaded by folium.Map by default but needed only by folium.Icon (awesome markers) and
# Bootstrap-styled popups; none of our maps use them, so they are removed, not vendored.
DROPPED: frozenset[str] = frozenset(
    {
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)

_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


class UnvendoredAssetError(RuntimeError):
    """A map element needs a remote library we have no local copy of.

    Raised instead of silently leaving a CDN link in place, because on an intranet that link
    fails without any visible error and the map just stays blank."""


def static_base_url(base_url_path: str = "") -> str:
    """Vendor URL for a Streamlit server mounted under `server.baseUrlPath`.

    Static files are served at `/<baseUrlPath>/app/static/`, so the prefix must follow the
    server option; pass `st.get_option("server.baseUrlPath")` from the page."""
    prefix = base_url_path.strip("/")
    return f"/{prefix}{DEFAULT_BASE_URL}" if prefix else DEFAULT_BASE_URL


def is_remote(url: str) -> bool:
    """True for URLs that leave the app's host (http:, https:, protocol-relative `//`)."""
    return bool(_REMOTE.match(url.strip()))


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def _needs_jquery(m: folium.Map) -> bool:
    # folium's Popup template and Map(keep_in_front) call $(); nothing else in folium core does.
    if getattr(m, "objects_to_stay_in_front", None):
        return True
    return any(isinstance(el, folium.Popup) for el in _walk(m))


def _rewrite(
    links: list[tuple[str, str]], base: str, keep_jquery: bool, owner: str
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in VENDORED:
            if name == "jquery" and not keep_jquery:
                continue
            out.append((name, f"{base}/{VENDORED[name]}"))
        elif name in DROPPED:
            continue
        elif is_remote(url):
            raise UnvendoredAssetError(
                f"{owner} needs {name!r} from {url}; vendor it under static/vendor/ "
                "and add it to field.map.assets.VENDORED"
            )
        else:
            out.append((name, url))  # already local
    return out


def localize(m: folium.Map, base_url: str = DEFAULT_BASE_URL) -> folium.Map:
    """Rewrite the map's and every child element's JS/CSS links to the vendored copies.

    Call it after the last element has been added: elements added later keep their class
    defaults (CDN URLs). Works on maps that were already rendered once (header links left by
    that render are rewritten too). Returns the same map for chaining."""
    base = base_url.rstrip("/")
    for el in _walk(m):
        if isinstance(el, folium.Icon):
            raise UnvendoredAssetError(
                "folium.Icon needs Font Awesome and Leaflet.awesome-markers, which are not "
                "vendored; use an L.divIcon (see field.map.layers) instead"
            )
    keep_jquery = _needs_jquery(m)
    for el in _walk(m):
        # JSCSSMixin is what gives an element links (folium.Map and every plugin), and what
        # streamlit-folium reads them from.
        if not isinstance(el, JSCSSMixin):
            continue
        owner = type(el).__name__
        if el.default_js:
            el.default_js = _rewrite(list(el.default_js), base, keep_jquery, owner)
        if el.default_css:
            el.default_css = _rewrite(list(el.default_css), base, keep_jquery, owner)

    # A previous render put JavascriptLink/CssLink children in the figure header by name.
    root = m.get_root()
    header = getattr(root, "header", None)
    if header is not None:
        for key, child in list(header._children.items()):
            if not isinstance(child, (JavascriptLink, CssLink)) or not is_remote(child.url):
                continue
            if key in VENDORED and (key != "jquery" or keep_jquery):
                child.url = f"{base}/{VENDORED[key]}"
            else:
                del header._children[key]
    return m


def vendored_path(url: str, base_url: str = DEFAULT_BASE_URL) -> Path | None:
    """Local file behind a vendored URL, or None if the URL is not under `base_url`."""
    base = base_url.rstrip("/") + "/"
    if not url.startswith(base):
        return None
    return VENDOR_DIR / url[len(base):]


# --- finding remote references in rendered HTML ------------------------------------------------

_TAG_SRC = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed|input|track)\b[^>]*?\bsrc\s*=\s*(['\"]?)([^'\"\s>]+)\1",
    re.IGNORECASE,
)
_TAG_SRCSET = re.compile(r"\bsrcset\s*=\s*(['\"])([^'\"]+)\1", re.IGNORECASE)
_LINK_HREF = re.compile(r"<link\b[^>]*?\bhref\s*=\s*(['\"]?)([^'\"\s>]+)\1", re.IGNORECASE)
_OBJECT_DATA = re.compile(r"<object\b[^>]*?\bdata\s*=\s*(['\"]?)([^'\"\s>]+)\1", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTR = re.compile(r"\bstyle\s*=\s*(['\"])(.*?)\1", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(['\"])([^'\"]+)\1", re.IGNORECASE)
# Tile templates and images requested by Leaflet at runtime from inside scripts.
_JS_LOADERS = re.compile(
    r"L\.(?:tileLayer(?:\.wms)?|imageOverlay|videoOverlay)\(\s*(['\"`])([^'\"`]+)\1", re.IGNORECASE
)


def external_urls(html: str) -> list[str]:
    """Every reference in `html` that makes the browser fetch from another host.

    Covers script/img/iframe/... `src`, `srcset`, `<link href>`, `<object data>`, CSS `url()` and
    `@import` in `<style>` blocks and `style` attributes, and Leaflet tile/image layer URL
    templates. Plain `<a href>` links are not requests and are ignored. Returns unique URLs in
    order of appearance."""
    found: list[str] = []

    def add(url: str) -> None:
        url = url.strip()
        if is_remote(url) and url not in found:
            found.append(url)

    for rx in (_TAG_SRC, _LINK_HREF, _OBJECT_DATA, _JS_LOADERS):
        for match in rx.finditer(html):
            add(match.group(2))
    for match in _TAG_SRCSET.finditer(html):
        for part in match.group(2).split(","):
            if part.strip():
                add(part.split()[0])
    css_chunks = [m.group(1) for m in _STYLE_BLOCK.finditer(html)]
    css_chunks += [m.group(2) for m in _STYLE_ATTR.finditer(html)]
    for css in css_chunks:
        for rx in (_CSS_URL, _CSS_IMPORT):
            for match in rx.finditer(css):
                add(match.group(2))
    return found


def local_asset_urls(html: str, base_url: str = DEFAULT_BASE_URL) -> list[str]:
    """Script and stylesheet URLs in `html` that point into the vendor directory."""
    urls = [m.group(2) for rx in (_TAG_SRC, _LINK_HREF) for m in rx.finditer(html)]
    base = base_url.rstrip("/") + "/"
    return [u for u in dict.fromkeys(urls) if u.startswith(base)]
