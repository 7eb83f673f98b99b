"""Region text -> county adcode: 沧州市运河区, 运河区 and 运河 are the same county.

The names come from the city's boundary file (`field.geo`), so a deployment for another city
matches its own counties without a word list here. The city itself (沧州市) or an unknown name
gives None; the parser keeps the text and warns, because a case without a county is still a case.
"""

from __future__ import annotations

import re

from field import geo

# (alias, adcode) longest first, and the prefixes to strip before matching.
Aliases = tuple[list[tuple[str, str]], list[str]]


def _short(name: str) -> str:
    return re.sub(r"(回族自治县|自治县|区|县|市)$", "", name)


def _province_aliases(adcode: str) -> Aliases:
    """A province: every county qualified by its city (沧州市新华区, 沧州新华区, 沧州市新华), and
    unqualified only when no other county of the province has the name (新华区 is in 石家庄 and
    in 沧州, so alone it matches nothing and the parser warns)."""
    b = geo.load_counties(adcode)
    forms: dict[str, set[str]] = {}
    for c in b.counties:
        city = b.city_of_county(c.adcode)
        own = {c.name} | ({_short(c.name)} if len(_short(c.name)) >= 2 else set())
        cities = {city.name, re.sub(r"市$", "", city.name)} if city is not None else set()
        for form in own | {q + o for q in cities for o in own}:
            forms.setdefault(form, set()).add(c.adcode)
    aliases = [(form, next(iter(codes))) for form, codes in forms.items() if len(codes) == 1]
    aliases.sort(key=lambda a: (-len(a[0]), a[0]))
    region = b.city
    prefixes = [region.name] if region is not None else []
    return aliases, prefixes


def county_aliases(city_adcode: str) -> Aliases:
    """(alias, adcode) longest first, and the city prefixes to strip ("河北省", "沧州市", "沧州").
    One-character short names (沧县 -> 沧) are not aliases: 沧 alone would match 沧州.
    In a province deployment (`130000`) see `_province_aliases`."""
    if geo.is_province(city_adcode):
        return _province_aliases(city_adcode)
    aliases: list[tuple[str, str]] = []
    for c in geo.counties(city_adcode):
        aliases.append((c.name, c.adcode))
        short = re.sub(r"(回族自治县|自治县|区|县|市)$", "", c.name)
        if len(short) >= 2 and short != c.name:
            aliases.append((short, c.adcode))
    city = geo.city_info(city_adcode)
    prefixes = ["河北省"]
    if city is not None:
        prefixes.append(city.name)
        short_city = re.sub(r"市$", "", city.name)
        if len(short_city) >= 2:
            prefixes.append(short_city)
    aliases.sort(key=lambda a: -len(a[0]))
    return aliases, prefixes


def match(text: str, aliases: Aliases) -> str | None:
    """`match_county` with the aliases built once per file, not once per row."""
    names, prefixes = aliases
    s = re.sub(r"\s+", "", text or "")
    for p in prefixes:
        if s.startswith(p):
            s = s[len(p):]
    if not s:
        return None
    for alias, adcode in names:
        if s.startswith(alias):
            return adcode
    return None


_PART_SPLIT = re.compile(r"[、,，;；/／&＆+＋\s]+")
_NOTE = re.compile(r"[（(][^）)]*[）)]|县市区合办件?|合办件?|联合办理|共同办理")


def _find_in(part: str, names: list[tuple[str, str]]) -> list[str]:
    """Every county named inside a longer string ("渤海新区黄骅市" names 黄骅市), left to right,
    longest name first at each position, without overlaps."""
    found: list[str] = []
    i = 0
    while i < len(part):
        for alias, adcode in names:
            if part.startswith(alias, i):
                if adcode not in found:
                    found.append(adcode)
                i += len(alias) - 1
                break
        i += 1
    return found


def match_all(text: str, aliases: Aliases) -> tuple[list[str], list[str]]:
    """(every county the text names, in order; the parts that name none). A 合办件 names several
    ("河间市、肃宁县"); a part that is only the city ("沧州市") is not counted as unmatched when
    another part names a county."""
    names, prefixes = aliases
    counties: list[str] = []
    unmatched: list[str] = []
    for part in _PART_SPLIT.split(_NOTE.sub("、", text or "")):
        if not part:
            continue
        s = part
        for p in prefixes:
            if s.startswith(p):
                s = s[len(p):]
        first = match(s, aliases) if s else None
        found = [first] if first else (_find_in(s, names) if s else [])
        for c in found:
            if c not in counties:
                counties.append(c)
        if not found:
            unmatched.append(part)
    if counties:
        unmatched = [u for u in unmatched if u not in prefixes]
    return counties, unmatched


def match_county(text: str, city_adcode: str) -> str | None:
    """Adcode for region text such as 沧州市运河区, 运河区 or 运河; None for the city itself
    (沧州市) or anything unknown, which the caller keeps as text with a warning."""
    return match(text, county_aliases(city_adcode))
