"""The controls of a work queue (search, filters, sort, pages), shared by 待我验收 and My work.

The page keeps its filter in the session state under a prefix; changing any filter goes back to
page 1 (page 7 of the old filter means nothing in the new one). The service reads one page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

import ui
from field import geo
from field.data.models import User
from field.domain.scope import Scope
from field.domain.vocab import STATUS
from field.services.queues import PAGE_SIZE, SORTS, QueueFilter, QueuePage

ME = -1  # the author option "me" (My work's default)


def _to_first_page(prefix: str) -> None:
    st.session_state[f"{prefix}_page"] = 1


def _move(prefix: str, by: int) -> None:
    st.session_state[f"{prefix}_page"] = max(1, int(st.session_state.get(f"{prefix}_page", 1)) + by)


def controls(prefix: str, user: User, *, authors: Sequence[tuple[int, str]], statuses: Sequence[str],
             default_sort: str, default_author_me: bool = False,
             since: dict[str, dt.datetime | None] | None = None) -> QueueFilter:
    """Draw the search, filter and sort widgets; return the filter for the current page."""
    ss = st.session_state
    lang = ui.lang()
    scope = Scope.of(user)
    counties = {c.adcode: c.name for c in geo.counties(ui.runtime().settings.city_adcode) if scope.contains(c.adcode)}
    change = {"on_change": _to_first_page, "args": (prefix,)}
    text = st.text_input(ui.t("queue.search"), key=f"{prefix}_q", placeholder=ui.t("queue.search_placeholder"),
                         **change)  # type: ignore[arg-type]
    c1, c2, c3 = st.columns(3)
    chosen_counties = c1.multiselect(ui.t("queue.county"), list(counties), format_func=lambda c: counties[c],
                                     key=f"{prefix}_county", placeholder=ui.t("queue.choose"),
                                     **change)  # type: ignore[arg-type]
    chosen_status = c2.multiselect(ui.t("queue.status"), list(statuses), format_func=lambda c: STATUS.label(c, lang),
                                   key=f"{prefix}_status", placeholder=ui.t("queue.choose"),
                                   **change)  # type: ignore[arg-type]
    author_names = dict(authors)
    options: list[int | None] = [None, *([ME] if default_author_me else []),
                                 *(a for a in author_names if not default_author_me or a != user.id)]
    author = c3.selectbox(ui.t("queue.author"), options, index=1 if default_author_me else 0, key=f"{prefix}_author",
                          format_func=lambda a: ui.t("queue.author_any") if a is None else
                          ui.t("queue.author_me") if a == ME else author_names.get(a, str(a)),
                          **change)  # type: ignore[arg-type]
    c4, c5, c6 = st.columns(3)
    sort = c4.selectbox(ui.t("queue.sort"), list(SORTS), index=SORTS.index(default_sort), key=f"{prefix}_sort",
                        format_func=lambda s: ui.t(f"queue.sort.{s}"), **change)  # type: ignore[arg-type]
    start = None
    if since:
        period = c5.selectbox(ui.t("queue.period"), list(since), key=f"{prefix}_period",
                              format_func=lambda p: ui.t(f"queue.period.{p}"), **change)  # type: ignore[arg-type]
        start = since[period]
    overdue = c6.toggle(ui.t("queue.overdue"), key=f"{prefix}_overdue", **change)  # type: ignore[arg-type]
    return QueueFilter(text=text, counties=tuple(chosen_counties), statuses=tuple(chosen_status), overdue=overdue,
                       author_id=user.id if author == ME else author, since=start, sort=sort,
                       page=int(ss.get(f"{prefix}_page", 1)), page_size=PAGE_SIZE)


def pager(prefix: str, page: QueuePage) -> None:
    """Previous / next and where we are; the service already clamped the page to the last one."""
    st.session_state[f"{prefix}_page"] = page.page
    c1, c2, c3 = st.columns([1, 2, 1])
    c1.button(ui.t("queue.prev"), key=f"{prefix}_prev", disabled=page.page <= 1, width="stretch",
              on_click=_move, args=(prefix, -1))
    c2.markdown(ui.t("queue.total", total=page.total, page=page.page, pages=page.pages))
    c3.button(ui.t("queue.next"), key=f"{prefix}_next", disabled=page.page >= page.pages, width="stretch",
              on_click=_move, args=(prefix, 1))


ALL_STATUSES: tuple[str, ...] = tuple(STATUS.codes)


def unfiltered(flt: QueueFilter) -> QueueFilter:
    """The same view with no search or filter: "nothing awaits you" differs from "nothing matches"."""
    return replace(flt, text="", counties=(), statuses=(), overdue=False, author_id=None)
