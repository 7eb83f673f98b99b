"""Forms that start empty again after a success, with the success message and a link to what was made.

Deleting widget values from the session state does not empty a file uploader (its files live in
the browser) and races with the browser's own copy of a text area; giving the form's widgets new
keys does both reliably. So each form has a generation: `key(form, name)` is the widget key,
`reset(form)` starts the next generation (and drops the old keys' state). Generation 0 keeps the
plain name, so a link or a test addressing the first form finds it as before.

A refused action does not reset: the typed text and the chosen photos stay for the correction.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_GEN = "_form_gen_{}"
_DONE = "_form_done_{}"


def key(form: str, name: str) -> str:
    gen = int(st.session_state.get(_GEN.format(form), 0))
    return name if gen == 0 else f"{name}~{gen}"


def reset(form: str, *prefixes: str) -> None:
    """Next generation of `form`; drop the state of keys starting with any of `prefixes`."""
    ss = st.session_state
    ss[_GEN.format(form)] = int(ss.get(_GEN.format(form), 0)) + 1
    for k in [k for k in ss.keys() if prefixes and str(k).startswith(prefixes)]:
        del ss[k]


def done(form: str, message: str, *, page: str | None = None, label: str = "",
         query_params: dict[str, Any] | None = None) -> None:
    """Remember the success for the next run (the form usually reruns right after)."""
    st.session_state[_DONE.format(form)] = {"message": message, "page": page, "label": label,
                                            "query_params": query_params or {}}


def show_done(form: str) -> None:
    """The success message of the last action of `form`, once, with its link."""
    got = st.session_state.pop(_DONE.format(form), None)
    if not got:
        return
    st.success(got["message"], icon="✅")
    if got["page"]:
        st.page_link(got["page"], label=got["label"], icon="🔗", query_params=got["query_params"] or None)
