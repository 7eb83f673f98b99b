"""The one message catalog: every user-visible sentence, in zh-CN (default) and English.

Each capability has its own file here (`auth.py`, `signoff.py`, `ui.py`, …) holding the
sentences for the keys it raises or shows; `catalog()` merges them. The files are imported
statically, so a broken one fails at import instead of silently dropping its strings, and a key
defined twice, or missing a language, is caught by `tests/unit/test_i18n.py`, not by a user.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any

from field.domain.vocab import Vocabulary
from field.i18n import (
    auth,
    backup,
    capture,
    caseimport,
    casework,
    config,
    db,
    decisions,
    dossier,
    drafts,
    findings,
    forms,
    geo,
    jobs,
    ledgers,
    lengths,
    odk,
    offline,
    passwords,
    permissions,
    photos,
    programme,
    programme_ui,
    queues,
    reports,
    sessions,
    sheets,
    signoff,
    store,
    trust,
    ui,
    units,
    workflow,
    zh_widgets,
)
from field.i18n import map as map_

LANGS = ("zh", "en")

# Every catalog file, one per line so that adding one never conflicts with another addition
# (tests/unit/test_i18n.py fails when a file under field/i18n/ is left out).
SOURCES: tuple[ModuleType, ...] = (
    auth,
    backup,
    capture,
    caseimport,
    casework,
    config,
    db,
    decisions,
    dossier,
    drafts,
    findings,
    forms,
    geo,
    jobs,
    ledgers,
    lengths,
    map_,
    odk,
    offline,
    passwords,
    permissions,
    photos,
    programme,
    programme_ui,
    queues,
    reports,
    sessions,
    sheets,
    signoff,
    store,
    trust,
    ui,
    units,
    workflow,
    zh_widgets,
)


def duplicate_keys() -> dict[str, list[str]]:
    """Keys defined in more than one catalog file (each file name listed): a test keeps this empty."""
    seen: dict[str, list[str]] = {}
    for module in SOURCES:
        for key in module.MESSAGES:
            seen.setdefault(key, []).append(module.__name__)
    return {k: v for k, v in seen.items() if len(v) > 1}


@cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for module in SOURCES:
        merged.update(module.MESSAGES)
    return merged


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class CatalogKey(str):
    """A parameter that is itself a catalog key (e.g. `CatalogKey("coord.axis.lon")`), put into the
    sentence in the sentence's own language — so zh and en templates take the same parameters
    instead of a `word_zh` / `word_en` pair."""

    __slots__ = ()


class Named(str):
    """A parameter that is a proper name with its own spelling per language (a county: 新华区 /
    Xinhua District), put into the sentence in the sentence's language. A str (the zh name), so
    code that keeps only plain parameters (the ODK review queue) still keeps it."""

    en: str

    def __new__(cls, zh: str, en: str = "") -> Named:
        obj = super().__new__(cls, zh)
        obj.en = en or zh
        return obj

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else str(self)


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, CatalogKey):
        return t(value, lang)
    if isinstance(value, Named):
        return value.in_lang(lang)
    return value


def t(key: str, lang: str = "zh", **params: Any) -> str:
    """The sentence for `key` in `lang`; an unknown key shows itself rather than crashing."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("zh") or key
    if params:
        params = {k: _param(v, lang) for k, v in params.items()}
        try:
            return text.format_map(_SafeDict(params))
        except (ValueError, IndexError, KeyError):
            return text
    return text


def error_text(exc: BaseException, lang: str = "zh") -> str:
    """A user-facing sentence for any exception carrying `.key` and `.params`."""
    key = getattr(exc, "key", None)
    if key:
        params = dict(getattr(exc, "params", {}) or {})
        if key == "db.unavailable":
            params.setdefault("url", getattr(exc, "url", ""))
            params.setdefault("detail", getattr(exc, "detail", ""))
        return t(key, lang, **params)
    return t("common.error", lang, detail=str(exc))


def label(vocab: Vocabulary, code: str, lang: str = "zh") -> str:
    return vocab.label(code, lang)
