"""Findings, sites and their photos: the service layer the capture and map pages call.

Every write checks permission and county scope here (not in the page), validates input into
`ValidationError`s that name the form field, and leaves an audit event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from field import geo, i18n, photos
from field.data.models import Case, County, Finding, FindingPhoto, Photo, Site, User
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.clean import text as clean
from field.domain.errors import FieldError, PermissionDenied, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import LOCATION_SOURCES, OPEN_STATUSES, PHOTO_KINDS, POLLUTION_TYPES, SEVERITY, STATUS
from field.i18n.units import distance_words
from field.photos import MAX_PHOTOS_PER_FINDING
from field.services import audit, photofiles

MAX_DESCRIPTION = 5000
ACCURACY_WARN_M = 50.0  # a GPS fix less precise than this is worth a second look (or a map pin)
SITE_NAME_FROM_DESCRIPTION = 30  # characters of the description that name an unnamed site


@dataclass
class Location:
    lon: float
    lat: float
    source: str = "typed"
    accuracy_m: float | None = None


@dataclass
class FindingInput:
    description: str
    pollution_types: list[str]
    location: Location | None = None
    site_id: int | None = None  # an existing site (a repeat at the same place)
    site_name: str = ""
    address: str = ""
    subtype: str = ""
    severity: str = "minor"
    case_id: int | None = None
    repeat_of_id: int | None = None
    observed_at: dt.datetime | None = None
    client_token: str | None = None
    photo_ids: list[int] = field(default_factory=list)  # photos already stored (drafts)


def locate(lon: float, lat: float) -> tuple[str | None, bool]:
    """County adcode for a WGS-84 point and whether it lies outside the configured region."""
    county = geo.county_of(lon, lat)
    return (county.adcode, False) if county else (None, True)


def place_name(adcode: str | None) -> i18n.Named:
    """A county's name in both languages (市外 when there is none), for messages in words."""
    if adcode:
        county = next((c for c in geo.counties() if c.adcode == adcode), None)
        if county is not None:
            return i18n.Named(county.label("zh"), county.label("en"))
    return i18n.Named(i18n.t("common.outside", "zh"), i18n.t("common.outside", "en"))


def _amount(metres: float) -> i18n.Named:
    return i18n.Named(distance_words(metres, "zh"), distance_words(metres, "en"))


@dataclass(frozen=True)
class LocationNote:
    """A warning about a point, in words (county names, m/km), for the user's language."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return i18n.t(self.key, lang, **self.params)


def check_location(actor: User, lon: float, lat: float, accuracy_m: float | None = None) -> list[LocationNote]:
    """What is worth saying about a point the moment it is set, before anything is typed: a
    county outside the actor's scope (which `create_site` will refuse), a point outside the city
    (kept, as 市外), a GPS fix worse than `ACCURACY_WARN_M`. The same rules as the submit, said
    early and next to the point, so nobody fills in a form that cannot be sent."""
    notes: list[LocationNote] = []
    adcode, outside = locate(lon, lat)
    if outside:
        notes.append(LocationNote(geo.outside_key("finding.warn.outside")))
    scope = Scope.of(actor)
    if not scope.contains(adcode):
        names = [place_name(c) for c in sorted(scope.counties or ())]
        notes.append(LocationNote("finding.warn.scope", {
            "county": place_name(adcode),
            "scope": i18n.Named("、".join(names) or "-", ", ".join(n.en for n in names) or "-")}))
    if accuracy_m is not None and round(accuracy_m) > ACCURACY_WARN_M:  # as shown: whole metres
        notes.append(LocationNote("finding.warn.accuracy", {"accuracy": _amount(accuracy_m),
                                                            "limit": _amount(ACCURACY_WARN_M)}))
    return notes


def _require_create_at(actor: User, adcode: str | None, form_field: str) -> None:
    """The county-scope rule, refused in words: the county's name, next to the form field."""
    try:
        require(actor, "finding.create", adcode)
    except PermissionDenied as exc:
        if exc.key != "perm.county":
            raise
        raise PermissionDenied("perm.county", field=form_field, county=place_name(adcode)) from exc


def default_site_name(description: str) -> str:
    """The name of a site nobody named: the first clause of the description ("露天堆放物料未苫盖"),
    so the quick path needs one sentence, not two, and the map still shows something that says
    what is there. An enterprise name typed in the full path always wins."""
    text = description.strip()
    first = re.split(r"[。；;！!？?，,\n]", text, maxsplit=1)[0].strip()
    return (first or text)[:SITE_NAME_FROM_DESCRIPTION].strip()


@dataclass(frozen=True)
class CaptureDefaults:
    types: list[str]
    severity: str


def last_choices(session: Session, actor: User) -> CaptureDefaults | None:
    """The pollution types and severity of the actor's latest finding. A round of inspections
    logs many alike findings in a row, so the next form starts from the last one (a tap saved
    each time); it is read from the findings themselves, so it is per user, survives logins and
    devices, and needs no state of its own."""
    row = session.execute(select(Finding.pollution_types, Finding.severity)
                          .where(Finding.author_id == actor.id)
                          .order_by(Finding.created_at.desc(), Finding.id.desc()).limit(1)).first()
    if row is None:
        return None
    types = [t for t in row[0] or [] if t in POLLUTION_TYPES]
    return CaptureDefaults(types=types, severity=row[1] if row[1] in SEVERITY else "minor")


def sync_counties(session: Session, adcode: str | None = None) -> int:
    """Load the county table from geodata/ (idempotent): counties are reference data."""
    boundaries = geo.load_counties(adcode)
    existing = {c.adcode: c for c in session.scalars(select(County))}
    for c in boundaries.counties:
        city = boundaries.adcode if boundaries.level == "city" else c.city_adcode  # a province: its city
        row = existing.get(c.adcode)
        if row is None:
            session.add(County(adcode=c.adcode, name=c.name, name_en=c.name_en, city_adcode=city))
        else:
            row.name, row.name_en, row.city_adcode = c.name, c.name_en, city
    session.flush()
    return len(boundaries.counties)


def validate(data: FindingInput) -> None:
    """The form checks, alone: a preview (an offline import) tells what would be refused before saving."""
    if not data.description or not data.description.strip():
        raise ValidationError("finding.need_description", field="description")
    if len(data.description) > MAX_DESCRIPTION:
        raise ValidationError("finding.description_long", field="description", max=MAX_DESCRIPTION)
    if not data.pollution_types:
        raise ValidationError("finding.need_type", field="pollution_types")
    bad = [t for t in data.pollution_types if t not in POLLUTION_TYPES]
    if bad:
        raise ValidationError("finding.bad_type", field="pollution_types", value=",".join(bad))
    if data.severity not in SEVERITY:
        raise ValidationError("finding.bad_severity", field="severity")
    if data.site_id is None:
        if data.location is None:
            raise ValidationError("finding.need_location", field="location")
        if not data.site_name.strip():
            raise ValidationError("finding.need_site_name", field="site_name")
    if data.location is not None:
        try:
            geo.validate_lonlat(data.location.lon, data.location.lat)
        except geo.CoordinateError as exc:
            raise ValidationError(exc.key, field="location", **exc.params) from exc
        if data.location.source not in LOCATION_SOURCES:
            raise ValidationError("finding.bad_source", field="location")


def create_site(session: Session, actor: User, name: str, address: str, loc: Location) -> Site:
    lon, lat = geo.validate_lonlat(loc.lon, loc.lat)
    adcode, outside = locate(lon, lat)
    _require_create_at(actor, adcode, "location")
    site = Site(name=name.strip(), address=address.strip(), lon=lon, lat=lat, accuracy_m=loc.accuracy_m,
                location_source=loc.source, county_adcode=adcode, outside_city=outside)
    session.add(site)
    session.flush()
    audit.record(session, actor, "site", site.id, "create",
                 after={"name": site.name, "lon": lon, "lat": lat, "source": loc.source, "county": adcode})
    return site


def create_finding(session: Session, actor: User, data: FindingInput, *, now: dt.datetime | None = None) -> Finding:
    """Create a finding (status pending). A repeated client_token returns the first finding."""
    require(actor, "finding.create", check_county=False)
    if data.client_token:
        existing = session.scalar(select(Finding).where(Finding.client_token == data.client_token))
        if existing is not None:
            return existing
    data = dataclasses.replace(data, description=clean(data.description), site_name=clean(data.site_name),
                               address=clean(data.address), subtype=clean(data.subtype))
    if data.site_id is None and not data.site_name.strip():
        data = dataclasses.replace(data, site_name=default_site_name(data.description))
    validate(data)
    now = now or clock.now()
    if data.site_id is not None:
        site = session.get(Site, data.site_id)
        if site is None:
            raise ValidationError("finding.no_site", field="site")
        _require_create_at(actor, site.county_adcode, "site")
    else:
        assert data.location is not None
        site = create_site(session, actor, data.site_name, data.address, data.location)
    if data.case_id is not None and session.get(Case, data.case_id) is None:
        raise ValidationError("finding.no_case", field="case")
    finding = Finding(
        site_id=site.id, case_id=data.case_id, repeat_of_id=data.repeat_of_id, author_id=actor.id,
        observed_at=data.observed_at or now, created_at=now, description=data.description.strip(),
        pollution_types=list(dict.fromkeys(data.pollution_types)), subtype=data.subtype.strip(),
        severity=data.severity, status="pending", client_token=data.client_token,
    )
    session.add(finding)
    session.flush()
    audit.record(session, actor, "finding", finding.id, "create", at=now,
                 after={"site": site.id, "status": "pending", "types": finding.pollution_types,
                        "case": data.case_id, "repeat_of": data.repeat_of_id})
    for photo_id in data.photo_ids:
        photo = session.get(Photo, photo_id)
        if photo is not None:
            attach_photo(session, actor, finding, photo, "before", now=now)
    return finding


def store_photo(session: Session, actor: User, data: bytes, filename: str, store: Any) -> Photo:
    """Ingest and store a photo once by hash; the same bytes twice give the same row.

    A refused file raises ValidationError(field="photos") with the photo pipeline's key, so a
    page handles it like every other refusal (`ui.action`)."""
    require(actor, "photo.add", check_county=False)
    try:
        info = photos.ingest(data, filename, store)
    except photos.PhotoError as exc:
        if isinstance(exc, FieldError):
            raise
        raise ValidationError(exc.key, field="photos", **exc.params) from exc
    if info.created:  # removed again if this action rolls back (`field.services.photofiles`)
        photofiles.track(session, store, info.sha256, (info.original_path, info.display_path, info.thumb_path))
    existing = session.scalar(select(Photo).where(Photo.sha256 == info.sha256))
    if existing is not None:
        return existing
    photo = photo_row(info, filename, actor)
    try:
        # The same bytes may be committed by another session between the look-up and this insert
        # (Collect resending a submission, two tablets sharing a picture): under a savepoint the
        # unique hash loses the race quietly and this action uses the winner's row.
        with session.begin_nested():
            session.add(photo)
    except IntegrityError:
        existing = session.scalar(select(Photo).where(Photo.sha256 == info.sha256))
        if existing is None:
            raise
        return existing
    audit.record(session, actor, "photo", photo.id, "store",
                 after={"sha256": photo.sha256, "name": photo.original_name, "bytes": photo.size_bytes})
    return photo


def photo_row(info: photos.IngestedPhoto, filename: str, actor: User) -> Photo:
    """The row of a freshly ingested photo (also built in bulk by the demo seed)."""
    taken = info.taken_at
    taken_text = taken.isoformat() if taken else ""
    if taken is not None and taken.tzinfo is None:
        # EXIF without an offset is the camera's wall clock; in this field that is China time.
        taken = taken.replace(tzinfo=clock.CHINA_TZ)
    return Photo(
        sha256=info.sha256, original_path=info.original_path, display_path=info.display_path,
        thumb_path=info.thumb_path, mime=info.mime, size_bytes=info.size_bytes, width=info.width,
        height=info.height, taken_at=taken, taken_at_local=taken_text, exif_lon=info.exif_lon,
        exif_lat=info.exif_lat, device=" ".join(x for x in (info.make, info.model) if x)[:120],
        original_name=filename[:255], uploaded_by=actor.id,
    )


def photo_flags(photo: Photo, site: Site, visit: dt.datetime) -> list[dict[str, Any]]:
    flags = photos.evidence_flags(photo.exif_lon, photo.exif_lat, photo.taken_at, site.lon, site.lat, visit)
    return [{"key": f.key, **f.params} for f in flags]


def attach_photo(session: Session, actor: User, finding: Finding, photo: Photo, kind: str, *,
                 verification_id: int | None = None, now: dt.datetime | None = None) -> FindingPhoto:
    if kind not in PHOTO_KINDS:
        raise ValidationError("photo.bad_kind", field="photos")
    site = finding.site
    require(actor, "photo.add", site.county_adcode)
    existing = session.scalar(select(FindingPhoto).where(
        FindingPhoto.finding_id == finding.id, FindingPhoto.photo_id == photo.id, FindingPhoto.kind == kind))
    if existing is not None:
        if verification_id is not None and existing.verification_id is None:
            existing.verification_id = verification_id
        return existing
    count = session.scalar(select(func.count()).select_from(FindingPhoto)
                           .where(FindingPhoto.finding_id == finding.id)) or 0
    if count >= MAX_PHOTOS_PER_FINDING:
        raise ValidationError("photo.too_many", field="photos", max=MAX_PHOTOS_PER_FINDING)
    now = now or clock.now()
    link = FindingPhoto(finding_id=finding.id, photo_id=photo.id, kind=kind, verification_id=verification_id,
                        flags=photo_flags(photo, site, finding.observed_at if kind == "before" else now),
                        added_by=actor.id, added_at=now)
    session.add(link)
    session.flush()
    audit.record(session, actor, "finding", finding.id, "photo_added", at=now,
                 after={"photo": photo.sha256, "kind": kind, "flags": link.flags})
    return link


def get_finding(session: Session, actor: User, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id, options=[selectinload(Finding.site),
                                                         selectinload(Finding.photos)])
    if finding is None:
        raise FieldError("finding.not_found", id=finding_id)
    require(actor, "finding.view", finding.site.county_adcode)
    return finding


@dataclass
class MapFilter:
    statuses: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    batches: tuple[int, ...] = ()
    key_attention: bool = False
    overdue: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""


# a finding in one of these states is never overdue (the map's and the dashboard's rule)
NOT_OVERDUE = frozenset({"public_notice", "closed", "unfounded"})


def types_clause(column: Any, types: tuple[str, ...]) -> Any:
    """Rows whose JSON list of pollution types holds any of `types`: codes are plain identifiers
    ([a-z_]+, vocab), so '"air"' inside the JSON text is exact, on SQLite and PostgreSQL alike."""
    raw_types = cast(column, String)
    return or_(*(raw_types.contains(f'"{code}"') for code in types))


def _raw(column: Any, as_type: Any = None) -> Any:
    """A column read without its Python-side type processing (JSON decode, SQLite date parsing,
    UTCDateTime): `map_rows` decodes the few distinct values once instead of once per row."""
    return type_coerce(column, as_type if as_type is not None else String())


class _Decoded:
    """Memoised decoders for `map_rows`: 100,000 findings hold a few dozen distinct type lists
    and a few hundred distinct dates, so each raw value is decoded once per call."""

    def __init__(self) -> None:
        self._types: dict[Any, list[str]] = {}
        self._dates: dict[Any, dt.date | None] = {}

    def types(self, raw: Any) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, str):  # a driver that decodes JSON itself (psycopg for json)
            return list(raw)
        got = self._types.get(raw)
        if got is None:
            got = self._types[raw] = list(json.loads(raw) or [])
        return list(got)  # each row its own list: a caller may change one row's list

    def date(self, raw: Any) -> dt.date | None:
        if raw is None or isinstance(raw, dt.date):
            return raw
        if raw not in self._dates:
            self._dates[raw] = dt.date.fromisoformat(str(raw)[:10])
        return self._dates[raw]


def _utc(raw: Any) -> dt.datetime | None:
    """What `UTCDateTime` returns, from a raw value (SQLite gives text, PostgreSQL an aware datetime)."""
    if raw is None:
        return None
    value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def map_rows(session: Session, actor: User, flt: MapFilter | None = None, *, today: dt.date | None = None,
             ) -> list[dict[str, Any]]:
    """One flat row per finding, scoped to the actor's counties, for the map and its tables.

    The hot read of the map page (10,000-100,000 rows): a Core query of plain columns, no ORM
    objects, the JSON and date columns read raw and decoded once per distinct value (`_Decoded`),
    the type filter in SQL. The rows are the same as a typed ORM read would give
    (tests/unit/test_map_data.py compares them)."""
    require(actor, "finding.view", check_county=False)
    flt = flt or MapFilter()
    today = today or clock.today_local()
    stmt = (
        select(Finding.id, Finding.status, Finding.description, _raw(Finding.pollution_types), Finding.severity,
               _raw(Finding.deadline), _raw(Finding.created_at), Finding.responsible_unit,
               Site.id, Site.name, Site.lon, Site.lat, Site.county_adcode, Site.address,
               Case.case_no, Case.batch, Case.key_attention, _raw(Case.deadline), Case.responsible_unit)
        .join(Site, Finding.site_id == Site.id)
        .outerjoin(Case, Finding.case_id == Case.id)
        .order_by(Finding.id)
    )
    stmt = stmt.where(scope_clause(Scope.of(actor), Site.county_adcode))
    if flt.statuses:
        stmt = stmt.where(Finding.status.in_(flt.statuses))
    if flt.counties:  # counties, or (a province) whole cities: the scope rule, so 130900 is 1309xx
        stmt = stmt.where(scope_clause(Scope.of_units(flt.counties), Site.county_adcode))
    if flt.batches:
        stmt = stmt.where(Case.batch.in_(flt.batches))
    if flt.key_attention:
        stmt = stmt.where(Case.key_attention.is_(True))
    if flt.date_from:
        stmt = stmt.where(Finding.created_at >= dt.datetime.combine(flt.date_from, dt.time(), clock.CHINA_TZ))
    if flt.date_to:
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time(), clock.CHINA_TZ)
        stmt = stmt.where(Finding.created_at < end)
    if flt.types:
        stmt = stmt.where(types_clause(Finding.pollution_types, flt.types))
    text = flt.text.strip().lower()
    wanted_types = set(flt.types)
    decoded = _Decoded()
    closed = NOT_OVERDUE
    rows = []
    for (fid, status, desc, raw_types_v, severity, f_deadline, created, f_unit, site_id, name, lon, lat, county,
         address, case_no, batch, key, c_deadline, c_unit) in session.connection().execute(stmt).all():
        types = decoded.types(raw_types_v)
        if wanted_types and not wanted_types & set(types):
            continue
        deadline = decoded.date(f_deadline) or decoded.date(c_deadline)
        overdue = bool(deadline and deadline < today and status not in closed)
        if flt.overdue and not overdue:
            continue
        if text and not any(text in (s or "").lower() for s in (desc, name, address, case_no, f_unit, c_unit)):
            continue
        rows.append({
            "id": fid, "site_id": site_id, "status": status, "name": name, "description": desc,
            "types": types, "severity": severity, "lon": lon, "lat": lat, "county": county,
            "address": address, "case_no": case_no or "", "batch": batch, "key_attention": bool(key),
            "deadline": deadline, "overdue": overdue, "unit": f_unit or c_unit or "",
            "created_at": _utc(created),
        })
    return rows


def map_columns(session: Session, actor: User, *, today: dt.date | None = None) -> dict[str, list[Any]]:
    """Every finding in the actor's scope as columns (one list per field), for the map's data
    route: what the browser needs to draw and filter the sites without asking the server again.

    Scoped in SQL like `map_rows`, but only the columns a filter or a marker needs, and the
    derived values (`overdue`, the local creation `day` as a date ordinal) computed here so the
    browser and `field.map.sitedata` filter exactly as `map_rows` does."""
    require(actor, "finding.view", check_county=False)
    today = today or clock.today_local()
    stmt = (
        select(Finding.id, Finding.status, _raw(Finding.pollution_types), _raw(Finding.deadline),
               _raw(Finding.created_at), Site.name, Site.lon, Site.lat, Site.county_adcode,
               Case.case_no, Case.batch, Case.key_attention, _raw(Case.deadline))
        .join(Site, Finding.site_id == Site.id)
        .outerjoin(Case, Finding.case_id == Case.id)
        .where(scope_clause(Scope.of(actor), Site.county_adcode))
        .order_by(Finding.id)
    )
    ids: list[int] = []
    statuses: list[str] = []
    types: list[list[str]] = []
    names: list[str] = []
    lons: list[float] = []
    lats: list[float] = []
    counties: list[str | None] = []
    case_nos: list[str] = []
    batches: list[int | None] = []
    keys: list[bool] = []
    overdue: list[bool] = []
    days_out: list[int] = []
    decoded = _Decoded()
    closed = NOT_OVERDUE
    days: dict[Any, int] = {}
    tz = clock.CHINA_TZ
    for (fid, status, raw_types_v, f_deadline, created, name, lon, lat, county, case_no, batch, key,
         c_deadline) in session.connection().execute(stmt).all():
        deadline = decoded.date(f_deadline) or decoded.date(c_deadline)
        day = days.get(created)
        if day is None:
            at = _utc(created)
            day = days[created] = at.astimezone(tz).toordinal() if at is not None else 0
        ids.append(fid)
        statuses.append(status)
        types.append(decoded.types(raw_types_v))
        names.append(name)
        lons.append(lon)
        lats.append(lat)
        counties.append(county)
        case_nos.append(case_no or "")
        batches.append(batch)
        keys.append(bool(key))
        overdue.append(bool(deadline and deadline < today and status not in closed))
        days_out.append(day)
    return {"id": ids, "status": statuses, "types": types, "name": names, "lon": lons, "lat": lats,
            "county": counties, "case_no": case_nos, "batch": batches, "key": keys, "overdue": overdue,
            "day": days_out}


def data_version(session: Session) -> tuple[Any, ...]:
    """A value that changes whenever a finding, a site or a case changes: the map's cache key.

    Only those tables are asked (a login, a draft or an audit event elsewhere must not throw the
    map's cache away); each answer comes from an index (count, max id, newest `updated_at`), so it
    stays cheap at 100,000 findings. The count catches a deletion, the newest `updated_at` every
    edit (the models set it on update), the max id an insert; sites are never edited, only added.

    Each part is its own scalar subquery, in one round trip: `count(id), max(id), max(updated_at)`
    in one SELECT made SQLite scan every row for all three (50 ms per map rerun at 100,000
    findings); alone, a max is an index lookup and `count(*)` a scan of the smallest index (3 ms)."""
    def one(expr: Any, model: Any) -> Any:
        return select(expr).select_from(model).scalar_subquery()

    row = session.execute(select(
        one(func.count(), Finding), one(func.max(Finding.id), Finding), one(func.max(Finding.updated_at), Finding),
        one(func.count(), Site), one(func.max(Site.id), Site),
        one(func.count(), Case), one(func.max(Case.updated_at), Case),
    )).one()
    return tuple(row)


def open_by_county(session: Session, actor: User, *, level: str = "county") -> dict[str, int]:
    """Open findings per county adcode in the actor's whole scope, whatever the map's filter:
    the county shading says where the open work is, also when the view shows only one status.
    `level="city"` (a province deployment) counts them per city adcode instead."""
    require(actor, "finding.view", check_county=False)
    if level != "county":
        per_city: dict[str, int] = {}
        for county, n in open_by_county(session, actor).items():
            unit = geo.unit_code_of(county, level)
            per_city[unit] = per_city.get(unit, 0) + n
        return per_city
    stmt = (select(Site.county_adcode, func.count(Finding.id))
            .join(Site, Finding.site_id == Site.id)
            .where(Finding.status.in_(OPEN_STATUSES), Site.county_adcode.is_not(None),
                   scope_clause(Scope.of(actor), Site.county_adcode))
            .group_by(Site.county_adcode))
    return {str(county): int(n) for county, n in session.execute(stmt)}


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = {code: 0 for code in STATUS.codes}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def my_findings(session: Session, actor: User, since: dt.datetime) -> list[Finding]:
    """The actor's own findings since a time, newest first, still within their county scope."""
    stmt = (select(Finding).join(Site, Finding.site_id == Site.id)
            .where(Finding.author_id == actor.id, Finding.created_at >= since,
                   scope_clause(Scope.of(actor), Site.county_adcode))
            .options(selectinload(Finding.site), selectinload(Finding.photos).selectinload(FindingPhoto.photo))
            .order_by(Finding.created_at.desc()))
    return list(session.scalars(stmt))
