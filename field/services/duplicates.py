"""Is this already known? Nearby open findings, similar cases, and search for sites and cases.

About 30% of complaints repeat an earlier one (重复件). Retyping them creates a second site a few
metres from the first and splits the dossier, so the capture screen asks, once the location is
known: is there an open finding within 100 m, or a case with a similar 受理编号 or text? One tap
then links the new finding to the existing site as a repeat instead.

Everything here is scoped to the user's counties, like every other read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from field import geo
from field.data.models import Case, Finding, Site, User
from field.data.scoping import scope_clause
from field.domain.permissions import in_scope, require
from field.domain.scope import Scope
from field.domain.vocab import OPEN_STATUSES

NEARBY_RADIUS_M = 100.0
_M_PER_DEG_LAT = 111_320.0  # close enough for a prefilter; the exact test is geo.distance_m
MAX_CASES_SCANNED = 5000  # one inspection round hands over a few hundred; this bounds a pathological table


@dataclass(frozen=True)
class NearbyFinding:
    finding_id: int
    site_id: int
    site_name: str
    address: str
    status: str
    description: str
    distance_m: float
    case_id: int | None
    case_no: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SimilarCase:
    case_id: int
    case_no: str
    content: str
    region_text: str
    score: float  # 0..1
    reason: str  # "case_no" or "text"


@dataclass(frozen=True)
class SiteHit:
    site_id: int
    name: str
    address: str
    county_adcode: str | None
    lon: float
    lat: float


def bbox(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) enclosing a circle; generous by 10% so the exact
    distance test, not the box, decides borderline points."""
    dlat = radius_m * 1.1 / _M_PER_DEG_LAT
    dlon = radius_m * 1.1 / (_M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 0.01))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def nearby_open_findings(session: Session, user: User, lon: float, lat: float, *,
                         radius_m: float = NEARBY_RADIUS_M, limit: int = 20) -> list[NearbyFinding]:
    """Open findings whose site lies within `radius_m` of (lon, lat), nearest first."""
    require(user, "finding.view", check_county=False)
    min_lon, min_lat, max_lon, max_lat = bbox(lon, lat, radius_m)
    stmt = (
        select(Finding.id, Finding.status, Finding.description, Finding.case_id, Finding.created_at,
               Site.id, Site.name, Site.address, Site.lon, Site.lat, Site.county_adcode, Case.case_no)
        .join(Site, Finding.site_id == Site.id)
        .outerjoin(Case, Finding.case_id == Case.id)
        .where(Finding.status.in_(OPEN_STATUSES),
               Site.lon.between(min_lon, max_lon), Site.lat.between(min_lat, max_lat))
    )
    stmt = stmt.where(scope_clause(Scope.of(user), Site.county_adcode))
    out = []
    for fid, status, desc, case_id, created, sid, name, address, slon, slat, county, case_no in session.execute(stmt):
        if not in_scope(user, county):
            continue
        d = geo.distance_m(lon, lat, slon, slat)
        if d <= radius_m:
            out.append(NearbyFinding(fid, sid, name, address or "", status, desc or "", round(d, 1), case_id,
                                     case_no or "", created))
    out.sort(key=lambda n: (n.distance_m, -n.finding_id))
    return out[:limit]


_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_SPACE_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def case_no_letters(text: str) -> str:
    """D3JX202405240023* and ' d3jx-2024 0524 0023 ' compare equal: case, spaces, dashes and the
    重点关注 star are presentation, the letters and digits are the number.

    Looser than the case identity (`field.domain.caseid.normalise_case_no`) on purpose: a
    duplicate warning may match what someone typed by hand, while an import must never merge two
    published numbers that differ in more than spacing."""
    return _NON_ALNUM.sub("", (text or "").upper())


def case_no_similarity(a: str, b: str) -> float:
    """1.0 for the same number; a typed fragment of a number (the last digits, say) scores by how
    much of the number it pins down; otherwise difflib's ratio."""
    na, nb = case_no_letters(a), case_no_letters(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= 4 and short in long_:
        return 0.75 + 0.2 * len(short) / len(long_)
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


def _bigrams(text: str) -> set[str]:
    """Character bigrams: Chinese has no spaces, and bigrams match 皮革厂 in 某皮革厂排放异味."""
    s = _SPACE_PUNCT.sub("", (text or "").lower())
    if len(s) < 2:
        return {s} if s else set()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def text_similarity(query: str, text: str) -> float:
    """How much of the query's wording appears in the text (bigram containment, 0..1), blended
    with the symmetric Dice score so that one shared common word does not look like a match."""
    q, t = _bigrams(query), _bigrams(text)
    if not q or not t:
        return 0.0
    common = len(q & t)
    containment = common / len(q)
    dice = 2 * common / (len(q) + len(t))
    return round(0.8 * containment + 0.2 * dice, 4)


def similar_cases(session: Session, user: User, *, case_no: str = "", text: str = "", limit: int = 10,
                  case_no_threshold: float = 0.7, text_threshold: float = 0.35) -> list[SimilarCase]:
    """Cases in scope whose 受理编号 resembles `case_no` or whose content/region resembles `text`."""
    require(user, "case.view", check_county=False)
    if not case_no_letters(case_no) and len(_bigrams(text)) < 2:
        return []
    stmt = select(Case.id, Case.case_no, Case.content, Case.region_text, Case.county_adcode).order_by(
        Case.id.desc()).limit(MAX_CASES_SCANNED)
    out: list[SimilarCase] = []
    for cid, no, content, region, county in session.execute(stmt):
        if not in_scope(user, county):
            continue
        best: tuple[float, str] = (0.0, "")
        if case_no:
            s = case_no_similarity(case_no, no)
            if s >= case_no_threshold:
                best = (s, "case_no")
        if text:
            s = text_similarity(text, f"{content or ''} {region or ''}")
            if s >= text_threshold and s > best[0]:
                best = (s, "text")
        if best[1]:
            out.append(SimilarCase(cid, no, content or "", region or "", round(best[0], 3), best[1]))
    out.sort(key=lambda c: (-c.score, -c.case_id))
    return out[:limit]


def search_sites(session: Session, user: User, query: str, *, limit: int = 10) -> list[SiteHit]:
    """Existing sites by name or address (substring), in scope, newest first."""
    require(user, "finding.view", check_county=False)
    q = (query or "").strip()
    if not q:
        return []
    like = f"%{q}%"
    stmt = select(Site).where(or_(Site.name.ilike(like), Site.address.ilike(like))).order_by(Site.id.desc())
    stmt = stmt.where(scope_clause(Scope.of(user), Site.county_adcode))
    hits = []
    for site in session.scalars(stmt.limit(limit * 3)):
        if in_scope(user, site.county_adcode):
            hits.append(SiteHit(site.id, site.name, site.address or "", site.county_adcode, site.lon, site.lat))
    return hits[:limit]


def search_cases(session: Session, user: User, query: str, *, limit: int = 10) -> list[SimilarCase]:
    """Cases by 受理编号 (exact or fragment) or by wording, best first."""
    q = (query or "").strip()
    if not q:
        return []
    has_digits = sum(ch.isdigit() for ch in q) >= 3
    return similar_cases(session, user, case_no=q if has_digits else "", text=q, limit=limit,
                         text_threshold=0.5)
