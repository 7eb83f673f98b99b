"""How each status is drawn on the map, and the legend that explains it: one module, so the
markers and the legend cannot disagree.

Colour and shape of a status come from `field.domain.vocab.STATUS`; this module turns them into
SVG (the shape is the cue that does not rely on colour) and into the small style table the site
layer's JS indexes by status number. The JS integer of a status is its position in the
vocabulary; one extra slot takes codes the vocabulary does not know (old data), drawn grey so
they are visible rather than dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from field.domain.vocab import OPEN_STATUSES, STATUS
from field.i18n import t
from field.map.escape import escape_html, json_for_script

STATUS_CODES: tuple[str, ...] = tuple(STATUS.codes)
UNKNOWN_STATUS = "_unknown"
UNKNOWN_COLOUR = "#999999"
STATUS_INDEX: dict[str, int] = {code: i for i, code in enumerate(STATUS_CODES)}
UNKNOWN_INDEX = len(STATUS_CODES)
# A cluster takes the colour of the worst open status it holds, so the city view at a meeting
# shows where the urgent work is: a rebound (反弹) first, then unchecked, then in rectification,
# then waiting for sign-off. Statuses not listed (closed, on notice, unfounded) rank 0: a cluster
# holding only those is drawn neutral.
CLUSTER_RANK: dict[str, int] = {"reopened": 4, "pending": 3, "rectifying": 2, "awaiting_signoff": 1}
CLUSTER_NEUTRAL = "#4a5568"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _star_path() -> str:
    pts = []
    for k in range(10):
        r = 9.2 if k % 2 == 0 else 3.9
        a = -math.pi / 2 + k * math.pi / 5
        pts.append(f"{10 + r * math.cos(a):.1f} {10.8 + r * math.sin(a):.1f}")
    return "M" + " ".join(pts) + "Z"


# 20x20 viewBox; filled with the status colour, white outline for contrast on any background.
SHAPE_PATHS: dict[str, str] = {
    "circle": '<circle cx="10" cy="10" r="7.5"/>',
    "square": '<rect x="3" y="3" width="14" height="14"/>',
    "diamond": '<path d="M10 1 19 10 10 19 1 10Z"/>',
    "triangle": '<path d="M10 1.5 19 17.5H1Z"/>',
    "check": '<path d="M1.5 10.5 5 7 8 10 15.5 2.5 19 6 8 17Z"/>',
    "cross": '<path d="M4.5 1.5 10 7 15.5 1.5 18.5 4.5 13 10 18.5 15.5 15.5 18.5 10 13 4.5 18.5 '
    '1.5 15.5 7 10 1.5 4.5Z"/>',
    "star": f'<path d="{_star_path()}"/>',
}


def shape_svg(shape: str, colour: str, size: int = 18) -> str:
    """Inline SVG for a status marker; the shape is the cue that does not rely on colour."""
    body = SHAPE_PATHS.get(shape, SHAPE_PATHS["circle"])
    return (
        f'<svg width="{int(size)}" height="{int(size)}" viewBox="0 0 20 20" aria-hidden="true">'
        f'<g fill="{escape_html(colour)}" stroke="#fff" stroke-width="1.4" '
        f'stroke-linejoin="round">{body}</g></svg>'
    )


def status_style(index: int, lang: str) -> dict[str, str]:
    """Code, label (unescaped), colour and shape of the status with JS number `index`."""
    if index < len(STATUS_CODES):
        term = STATUS[STATUS_CODES[index]]
        return {"code": term.code, "label": term.label(lang), "colour": term.colour, "shape": term.shape}
    return {"code": UNKNOWN_STATUS, "label": t("mapview.unknown_status", lang), "colour": UNKNOWN_COLOUR,
            "shape": "circle"}


def status_labels(lang: str) -> list[str]:
    """Status labels by JS status number, unescaped (the browser sets them as text, not HTML)."""
    return [status_style(i, lang)["label"] for i in range(len(STATUS_CODES) + 1)]


def styles_js(lang: str, pin: int = 18) -> str:
    """The site layer's style table as script-safe JSON: per status number its code (`c`),
    escaped label (`t`), marker SVG at `pin` px (`h`), cluster rank (`r`, see CLUSTER_RANK) and
    colour (`k`, a checked #rrggbb: it goes into a style attribute)."""
    styles = []
    for i in range(len(STATUS_CODES) + 1):
        st = status_style(i, lang)
        rank = CLUSTER_RANK.get(st["code"], 0)
        colour = st["colour"] if rank and _HEX.match(st["colour"]) else CLUSTER_NEUTRAL
        styles.append({"c": st["code"], "t": escape_html(st["label"]),
                       "h": shape_svg(st["shape"], st["colour"], pin), "r": rank, "k": colour})
    return json_for_script(styles)


def legend_items(counts: Mapping[str, int] | None, lang: str = "zh") -> list[dict[str, Any]]:
    """One entry per vocabulary status (always all, in vocabulary order, zero counts included,
    so the legend does not change shape between filters), plus an "unknown" entry when counts
    hold codes the vocabulary does not know. Labels and SVG are HTML-safe for st.markdown."""
    counts = dict(counts or {})
    items: list[dict[str, Any]] = []
    for i, code in enumerate(STATUS_CODES):
        style = status_style(i, lang)
        items.append({**style, "label": escape_html(style["label"]), "count": int(counts.get(code, 0)),
                      "open": code in OPEN_STATUSES, "svg": shape_svg(style["shape"], style["colour"])})
    unknown = sum(int(v) for k, v in counts.items() if k not in STATUS_INDEX)
    if unknown:
        style = status_style(UNKNOWN_INDEX, lang)
        items.append({**style, "label": escape_html(style["label"]), "count": unknown, "open": False,
                      "svg": shape_svg(style["shape"], style["colour"])})
    return items


def legend_html(items: Sequence[Mapping[str, Any]], lang: str = "zh") -> str:
    """The on-map legend box (all parts already escaped by `legend_items`)."""
    rows = "".join(
        f'<div class="fs-legend-row" data-code="{escape_html(it["code"])}">{it["svg"]}<span>{it["label"]}</span>'
        f'<span class="fs-legend-n">{int(it["count"])}</span></div>'
        for it in items
    )
    return f'<div class="fs-legend-title">{escape_html(t("mapview.legend_title", lang))}</div>{rows}'
