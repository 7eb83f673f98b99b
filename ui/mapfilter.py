"""The map's filter widgets, shared by the map and the dashboard: one set of widgets, one
`MapFilter`, so "the same filters as the map" is the same code, not a copy.

Each page gives its own key prefix (the map keeps `f_`, which its URL sync writes into); the
dashboard has no dates or free text (its period stands for the dates).
"""

from __future__ import annotations

import streamlit as st

import ui
from field.domain.vocab import POLLUTION_TYPES, STATUS
from field.map.query import filter_from_query, filter_to_query
from field.services.findings import MapFilter


def widgets(prefix: str, county_labels: dict[str, str], batch_options: list[int], lang: str, *,
            dates_and_text: bool = True) -> MapFilter:
    """Status, county (or a province's city), type and batch multiselects, then (the map) text and
    dates, then 重点关注 / overdue checkboxes; the filter in its canonical form (equal views, equal
    cache keys and URLs)."""
    choose = ui.t("queue.choose")
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(ui.t("map.status"), STATUS.codes, format_func=lambda c: STATUS.label(c, lang),
                              key=f"{prefix}status", placeholder=choose)
    counties = c2.multiselect(ui.t("map.county"), list(county_labels), format_func=lambda c: county_labels.get(c, c),
                              key=f"{prefix}county", placeholder=choose)
    types = c3.multiselect(ui.t("map.types"), POLLUTION_TYPES.codes,
                           format_func=lambda c: POLLUTION_TYPES.label(c, lang), key=f"{prefix}type", placeholder=choose)
    batches = c4.multiselect(ui.t("map.batch"), batch_options, format_func=lambda n: ui.t("map.batch_n", n=n),
                             key=f"{prefix}batch", placeholder=choose)
    text, date_from, date_to = "", None, None
    if dates_and_text:
        c5, c6, c7, c8, c9 = st.columns([3, 2, 2, 2, 2])
        text = c5.text_input(ui.t("map.text"), key=f"{prefix}text", max_chars=200)
        date_from = c6.date_input(ui.t("map.date_from"), value=None, key=f"{prefix}from")
        date_to = c7.date_input(ui.t("map.date_to"), value=None, key=f"{prefix}to")
    else:
        c8, c9 = st.columns(2)
    key_only = c8.checkbox(ui.t("map.key_attention"), key=f"{prefix}key")
    overdue = c9.checkbox(ui.t("map.overdue"), key=f"{prefix}overdue")
    return filter_from_query(filter_to_query(MapFilter(
        statuses=tuple(statuses), counties=tuple(counties), types=tuple(types), batches=tuple(batches),
        key_attention=key_only, overdue=overdue, date_from=date_from, date_to=date_to, text=text or "",
    )))
