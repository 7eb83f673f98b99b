"""Where a user may look: the one object every scoped query and check takes.

Today a scope is the whole city or a list of county adcodes (stored on the user as ["*"] or
["130902", ...]). Keeping it one value object means a province-level scope (several cities) or
a street-level one is added here and in `field.data.scoping`, not in every service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

ALL = "*"


class HasCountyScope(Protocol):
    county_scope: list[str]


@dataclass(frozen=True)
class Scope:
    counties: frozenset[str] | None  # None: the whole city, including points outside any county

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of_counties(cls, adcodes: Iterable[str]) -> Scope:
        return cls(frozenset(adcodes))

    @classmethod
    def of(cls, user: HasCountyScope) -> Scope:
        stored = list(user.county_scope or [])
        return cls.everything() if ALL in stored else cls.of_counties(stored)

    @property
    def is_all(self) -> bool:
        return self.counties is None

    def contains(self, county_adcode: str | None) -> bool:
        """Points outside the city (no county) belong only to a whole-city scope."""
        if self.counties is None:
            return True
        return county_adcode is not None and county_adcode in self.counties

    def contains_any(self, county_adcodes: Iterable[str | None]) -> bool:
        """A case handed to several counties (合办件) is visible to each of them."""
        return any(self.contains(c) for c in county_adcodes)
