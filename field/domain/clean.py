"""Typed text as it may be stored: verbatim, except characters no database keeps.

PostgreSQL refuses NUL in text, and other C0 control characters (pasted from PDFs or sent by a
misbehaving client) only ever cause trouble in exports. Everything else, HTML and script
included, is stored exactly as typed and escaped where it is shown.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: str | None) -> str:
    return _CONTROL.sub("", value or "")
