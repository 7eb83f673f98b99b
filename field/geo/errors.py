"""The errors `field.geo` raises: keyed `FieldError`s, so the UI shows them like any refusal.

They stay `ValueError`s too: a coordinate that cannot be read is a bad value, and callers outside
the app (geodata/build.py, scripts) catch it as one.
"""

from __future__ import annotations

from field import i18n
from field.domain.errors import FieldError


class GeoError(FieldError, ValueError):
    """Base of the geo errors; the sentence comes from the catalog (field/i18n/geo.py)."""

    def message(self, lang: str = "zh") -> str:
        return i18n.error_text(self, lang)

    def __str__(self) -> str:
        return self.message("zh")  # readable in logs and CLI output, e.g. missing boundary data


class CoordinateError(GeoError):
    """A coordinate that cannot be read or is outside the valid range."""


class BoundaryDataError(GeoError):
    """The committed boundary file is missing or unusable: a deployment problem, not a user's."""
