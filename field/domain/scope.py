"""Where a user may look: the one object every scoped query and check takes.

A scope is the whole region (stored on the user as ["*"]) or a list of adcodes at any level:
a county (`130903`), a city (`130900`: every county `1309xx`) or a province (`130000`: every
`13xxxx`). The level is read from the code itself, the way adcodes are built (GB/T 2260): two
digits of province, two of city, two of county, trailing zeros for a whole unit. So a province
deployment gives a city office one entry, and a county user keeps the list they have today;
`field.data.scoping` turns the same rule into SQL.

Points outside the region (no county) belong only to the whole-region scope ["*"]: a province
entry such as `130000` covers every county of Hebei but not a point in Beijing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

ALL = "*"
LEVELS = ("province", "city", "county")


class HasCountyScope(Protocol):
    county_scope: list[str]


def level_of(adcode: str) -> str:
    """"province" for XX0000, "city" for XXYY00, otherwise "county" (anything that is not six
    digits, too: it can only ever match itself)."""
    if len(adcode) != 6 or not adcode.isdigit():
        return "county"
    if adcode.endswith("0000"):
        return "province"
    return "city" if adcode.endswith("00") else "county"


def prefix(adcode: str) -> str:
    """The part every code inside `adcode` starts with: `13` for 130000, `1309` for 130900, the
    whole code for a county."""
    return {"province": adcode[:2], "city": adcode[:4]}.get(level_of(adcode), adcode)


def covers(entry: str, adcode: str | None) -> bool:
    """Whether the scope entry `entry` (any level) includes `adcode` (any level)."""
    return adcode is not None and adcode.startswith(prefix(entry)) and (
        level_of(entry) != "county" or adcode == entry)


@dataclass(frozen=True)
class Scope:
    # None: the whole region, including points outside any county; otherwise adcodes at any
    # level (the name is historical: the entries were counties only).
    counties: frozenset[str] | None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of_counties(cls, adcodes: Iterable[str]) -> Scope:
        return cls(frozenset(adcodes))

    of_units = of_counties

    @classmethod
    def of(cls, user: HasCountyScope) -> Scope:
        stored = list(user.county_scope or [])
        return cls.everything() if ALL in stored else cls.of_counties(stored)

    @property
    def is_all(self) -> bool:
        return self.counties is None

    @property
    def exact(self) -> frozenset[str]:
        """The county entries, matched by equality."""
        return frozenset(c for c in self.counties or () if level_of(c) == "county")

    @property
    def prefixes(self) -> frozenset[str]:
        """The city and province entries as the code prefixes they cover."""
        return frozenset(prefix(c) for c in self.counties or () if level_of(c) != "county")

    def contains(self, county_adcode: str | None) -> bool:
        """Points outside the region (no county) belong only to a whole-region scope."""
        if self.counties is None:
            return True
        return any(covers(entry, county_adcode) for entry in self.counties)

    def contains_any(self, county_adcodes: Iterable[str | None]) -> bool:
        """A case handed to several counties (合办件) is visible to each of them."""
        return any(self.contains(c) for c in county_adcodes)
