"""Escaping user text for the map page: the one place that decides what may reach HTML and JS.

Folium does not escape popup/tooltip text, Leaflet inserts tooltip strings as HTML, and branca
compiles every element's output as a Jinja template. So every user string that reaches the page
goes through `escape_html` (it is displayed as HTML) and then through `escape_js_text` /
`json_for_script` (it sits inside a <script>): no payload can close the script tag, break a JS
string or template literal, inject markup, or run `{{ … }}` on the server.
"""

from __future__ import annotations

import html as _html
import json
from typing import Any

_HTML_EXTRA = (("`", "&#96;"), ("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;"))
_JS_TEXT_TABLE: dict[int, str] = {c: f"\\u{c:04x}" for c in range(0x20)}
_JS_TEXT_TABLE.update(
    {
        ord("\\"): "\\\\",
        ord('"'): '\\"',
        ord("'"): "\\'",
        ord("`"): "\\u0060",
        ord("$"): "\\u0024",
        ord("<"): "\\u003c",
        ord(">"): "\\u003e",
        ord("&"): "\\u0026",
        ord("{"): "\\u007b",
        ord("}"): "\\u007d",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        0x2028: "\\u2028",
        0x2029: "\\u2029",
    }
)
_JSON_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("`", "\\u0060"),
    ("$", "\\u0024"),
    ("'", "\\u0027"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_JINJA_OPENERS = (("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023"))


def escape_html(s: Any) -> str:
    """HTML-escape, plus backtick and `$`, for text that Leaflet/folium will insert as HTML.

    Backtick and `$` are escaped as well because folium pastes some HTML into JS template
    literals, where `` ` `` ends the literal and `${` starts code; braces because branca
    re-compiles every folium element's output as a Jinja template, where `{{ … }}` would run
    on the server."""
    text = _html.escape("" if s is None else str(s), quote=True)
    for ch, rep in _HTML_EXTRA:  # str.replace is several times faster than translate here
        if ch in text:
            text = text.replace(ch, rep)
    return text


def escape_js_text(s: Any) -> str:
    """Text safe between the quotes of any JS string literal ('…', "…" or `…`) inside <script>.

    Escapes quotes, backslashes, newlines, backtick and `$` (no `${` interpolation),
    `< > &` as \\u escapes so `</script>` or `<!--` can never appear in the page, and braces so
    no Jinja delimiter survives (see `escape_html`)."""
    text = "" if s is None else str(s)
    return text.translate(_JS_TEXT_TABLE)


def js_string(s: Any) -> str:
    """A complete double-quoted JS string literal for `s` (see `escape_js_text`)."""
    return '"' + escape_js_text(s) + '"'


def json_for_script(obj: Any) -> str:
    """Compact JSON that is also safe to paste inside <script> and template literals.

    The characters escaped can only occur inside JSON strings, so escaping them in the whole
    document never touches the structure. Likewise `{{`, `{%` and `{#` (Jinja openers) cannot
    occur structurally (an object's `{` is followed by `"` or `}`), so breaking them is safe."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, rep in _JSON_SCRIPT_ESCAPES:
        if ch in text:
            text = text.replace(ch, rep)
    if "{" in text:
        for opener, safe in _JINJA_OPENERS:
            text = text.replace(opener, safe)
    return text
