"""The folium element base of every layer and control we draw, and the two small controls.

branca's MacroElement wraps each rendered macro in a new Element, i.e. compiles our output as a
Jinja template again: slow for a 0.7 MB data blob, and a site name holding `{{ ... }}` would be
executed on the server. `RawMacro` emits its macros verbatim; every element of the review map
derives from it.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.template import Template

from field.map.escape import js_string


class RawText(Element):
    """Text emitted verbatim (see the module docstring)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RawMacro(MacroElement):
    """MacroElement whose header/html/script output is not re-templated (see `RawText`)."""

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("render the map's Figure, not a detached element")
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(RawText(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""  # the parts went into the figure; nothing renders in place (as MacroElement)


class HtmlControl(RawMacro):
    """A Leaflet control showing pre-escaped HTML (legend, attribution and 审图号)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .fs-box{background:rgba(255,255,255,.9);padding:4px 8px;border-radius:4px;
          box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.5 sans-serif;color:#222;}
        .fs-legend-row{display:flex;align-items:center;gap:6px;}
        .fs-legend-n{margin-left:auto;padding-left:10px;font-variant-numeric:tabular-nums;}
        .fs-legend-title{font-weight:600;margin-bottom:2px;}
        .fs-attrib{font-size:11px;color:#333;max-width:60vw;}
        .fs-large{font-size:20px;line-height:1.45;padding:8px 12px;}
        .fs-large svg{width:26px;height:26px;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position_js }}});
        {{ this.get_name() }}.onAdd = function () {
            var d = L.DomUtil.create("div", {{ this.class_js }});
            d.innerHTML = {{ this.html_js }};
            L.DomEvent.disableClickPropagation(d);
            return d;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, safe_html: str, position: str, css_class: str):
        super().__init__()
        self._name = "HtmlControl"
        self.html_js = js_string(safe_html)
        self.position_js = js_string(position)
        self.class_js = js_string("fs-box " + css_class)


class MapBackground(RawMacro):
    """Plain light background, so a map without tiles reads as paper, not as a loading error."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>#{{ this._parent.get_name() }}.leaflet-container{background:#f4f3ef;}</style>
        {% endmacro %}
        """
    )


Bounds = list[list[float]]  # [[south, west], [north, east]] in displayed coordinates


def self_bounds(bounds: Bounds | None) -> list[list[float | None]]:
    """What `_get_self_bounds` returns for a layer whose extent is `bounds` (None: unknown), so
    `folium.Map.fit_bounds` and `get_bounds()` see our layers like folium's own."""
    if not bounds:
        return [[None, None], [None, None]]
    return [[bounds[0][0], bounds[0][1]], [bounds[1][0], bounds[1][1]]]
