"""Streamlit's own widget texts in the user's language where its API has no parameter for them.

Streamlit 1.67 lets a page set labels, `placeholder` and `help`, but the file uploader's button
("Upload") and its limit line ("200MB per file • JPG, PNG") are fixed English in the frontend,
and an empty date input's segments read "yyyy / mm / dd" whatever the browser's language (its
frontend pins the field's locale to en-US).
For those, CSS hides the English text and shows the catalog's sentence in its place (the
button keeps its role and its click; only its visible text changes). The multiselect and
selectbox placeholders are set by each page (`placeholder=`); an unknown page address gets the
app's own page (`unknown_page`), not Streamlit's English "Page not found" dialog.
"""

from __future__ import annotations

import json
import re
from typing import Any

import streamlit as st

from field import i18n
from ui import md

_URL_PATH = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _css_string(text: str) -> str:
    """A CSS string literal: JSON's escaping is valid CSS for the catalog's plain sentences."""
    return json.dumps(text, ensure_ascii=False)


def widget_texts(lang: str) -> None:
    """Replace the uploader's fixed English, once per run (before any widget)."""
    if lang == "en":
        return
    limit = int(st.get_option("server.maxUploadSize") or 200)
    button = _css_string(i18n.t("zh.upload_button", lang))
    line = _css_string(i18n.t("zh.upload_limit", lang, mb=limit))
    # Only the upload button: once a photo is chosen the dropzone also holds each file chip's
    # delete button (its "×" must stay, without the upload text beside it).
    seg = '[data-testid="stDateInputFieldsScroller"] [role="spinbutton"][data-placeholder="true"][data-type="{}"]'
    dates = "\n".join(
        f"{seg.format(part)} {{ font-size: 0 !important; }}\n"
        f"{seg.format(part)}::after {{ content: {_css_string(i18n.t('zh.date_' + part, lang))}; font-size: 1rem; }}"
        for part in ("year", "month", "day"))
    up = '[data-testid="stFileUploaderDropzone"] button:not([data-testid="stFileChipDeleteBtn"] button)'
    st.html(f"""<style>
{up} {{ font-size: 0 !important; }}
{up} * {{ font-size: 0 !important; }}
{up}::after {{ content: {button}; font-size: 1rem; white-space: nowrap; }}
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none !important; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: {line}; font-size: 0.875rem; opacity: 0.7; }}
{dates}
</style>""")


def page_name(name: str | None) -> str | None:
    """A page name the browser asked for, if Streamlit would accept it as a url_path."""
    name = (name or "").strip("/")
    return name if name and _URL_PATH.match(name) else None


def asked_page() -> str | None:
    """The page the browser's address names on this run (Streamlit keeps it as the "intended"
    page of the run; there is no public API for it in 1.67)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return page_name(getattr(ctx.pages_manager, "intended_page_name", None) if ctx else None)


def unknown_pages(known: set[str], lang: str, home: Any) -> list[Any]:
    """A hidden page for an address that names no page (so Streamlit finds one and shows no
    English dialog): a sentence in the user's language and a link to `home` (a page)."""
    name = asked_page()
    if name is None or name in known:
        return []

    def run() -> None:
        st.title(i18n.t("zh.not_found_title", lang))
        st.error(i18n.t("zh.not_found", lang, page=md(name)))
        if home is not None:
            st.page_link(home, label=i18n.t("zh.go_home", lang), icon="🏠")

    run.__name__ = "unknown_" + name
    return [st.Page(run, title=i18n.t("zh.not_found_title", lang), url_path=name, visibility="hidden")]
