"""Verification records (核查记录), sign-off (验收销号), 公示, re-inspection and the hash chain.

"不隐瞒、不虚报、不造假": a closure is worth what its evidence is worth. So:
- a verification record is written by field staff on site and signed by a *different* person,
  a supervisor with the county in scope (four eyes);
- a signed record is frozen: no code path edits it; a correction is a new record that points
  at the old one (`supersedes_id`);
- each sign-off stores a SHA-256 over the record's canonical content, the hashes of its photos
  and the previous sign-off's hash, so `verify_chain` can name any row edited behind the app's
  back, any photo file replaced or missing, and any break in the chain;
- hashes alone do not stop someone who can write the database (edit, then recompute them with
  these very functions), so each sign-off and each verification record is also signed with the
  installation key, which lives outside the database (`field.trust`), and each sign-off asks for
  a signed checkpoint of the chain head in the photo store after its commit, so a deleted tail
  or a rewritten chain is found (`field.services.integrity`);
- two supervisors signing at once: the version column lets exactly one win; the chain's
  `prev_hash` is unique, so the chain cannot fork either. The signing writes run inside a
  SAVEPOINT, so the loser's refusal is decided (and explained) without the service committing
  or rolling back the caller's unit of work.

Reads that pages list from (`verifiable`, `correctable`, `queue`, `in_notice`, `due_rechecks`)
filter by the actor's county scope in SQL (`field.data.scoping`), before any LIMIT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from field import geo
from field.config import Settings
from field.data.models import AuditEvent, Finding, FindingPhoto, Photo, SignOff, Site, User, Verification
from field.data.scoping import scope_clause
from field.domain import clock, workflow
from field.domain.calendar import WorkCalendar
from field.domain.clean import text as clean
from field.domain.errors import ConflictError, FieldError, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import TRUTHFULNESS
from field.photos.store import LocalPhotoStore, PhotoStore
from field.services import audit
from field.services.findings import attach_photo
from field.trust import context as trust
from field.trust.keys import Keyring
from field.trust.problem import Problem
from field.trust.statements import sign_verification, signoff_statement, verification_statement

GENESIS = "0" * 64
FAR_FROM_SITE_M = 200
# How many findings a picker offers at most (newest first, after the scope filter).
MAX_CHOICES = 500


@dataclass
class VerificationInput:
    truthfulness: str
    facts: str = ""
    measures: str = ""
    accountability: str = ""
    conclusion: str = ""
    inspectors: list[str] = field(default_factory=list)
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    after_photo_ids: list[int] = field(default_factory=list)
    supersedes_id: int | None = None


def notice_calendar(settings: Settings) -> WorkCalendar:
    """The statutory calendar 公示 is counted in, with the deployment's own corrections."""
    return WorkCalendar(extra_holidays=settings.holidays, extra_workdays=settings.workdays)


def _latest_verification(finding: Finding) -> Verification | None:
    records = [v for v in finding.verifications if v.kind == "verification"]
    return records[-1] if records else None


def _has_after_photos(session: Session, finding_id: int) -> bool:
    n = session.scalar(select(func.count()).select_from(FindingPhoto)
                       .where(FindingPhoto.finding_id == finding_id, FindingPhoto.kind == "after"))
    return bool(n)


def _move(session: Session, actor: User | None, finding: Finding, event: str, ctx: workflow.Context,
          now: dt.datetime, reason: str = "") -> str:
    before = finding.status
    finding.status = workflow.next_status(before, event, ctx)
    finding.updated_at = now
    audit.record(session, actor, "finding", finding.id, f"status:{event}", at=now,
                 before={"status": before}, after={"status": finding.status}, reason=reason)
    return finding.status


def _cleaned(data: VerificationInput) -> VerificationInput:
    return replace(data, facts=clean(data.facts), measures=clean(data.measures),
                   accountability=clean(data.accountability), conclusion=clean(data.conclusion),
                   inspectors=[clean(x) for x in data.inspectors])


def write_verification(session: Session, actor: User, finding_id: int, data: VerificationInput, *,
                       now: dt.datetime | None = None) -> Verification:
    """Record what was found on site. From pending it decides 属实/不属实; with after-photos a
    rectified finding goes straight to awaiting sign-off."""
    now = now or clock.now()
    data = _cleaned(data)
    finding = session.get(Finding, finding_id, options=[selectinload(Finding.verifications)])
    if finding is None:
        raise FieldError("finding.not_found", id=finding_id)
    require(actor, "verification.create", finding.site.county_adcode)
    if data.truthfulness not in TRUTHFULNESS:
        raise ValidationError("workflow.need_truthfulness", field="truthfulness")
    if not (data.facts.strip() or data.conclusion.strip()):
        raise ValidationError("verification.need_facts", field="facts")
    if not workflow.can_verify(finding.status):
        raise workflow.IllegalTransition("workflow.illegal", status=finding.status, event="verify")
    distance = None
    if data.lon is not None and data.lat is not None:
        lon, lat = geo.validate_lonlat(data.lon, data.lat)
        distance = round(geo.distance_m(lon, lat, finding.site.lon, finding.site.lat), 1)
    record = Verification(
        finding_id=finding.id, author_id=actor.id, created_at=now, truthfulness=data.truthfulness,
        facts=data.facts.strip(), measures=data.measures.strip(), accountability=data.accountability.strip(),
        conclusion=data.conclusion.strip(), inspectors=[s.strip() for s in data.inspectors if s.strip()]
        or [actor.display_name or actor.username], lon=data.lon, lat=data.lat, accuracy_m=data.accuracy_m,
        distance_m=distance, supersedes_id=data.supersedes_id,
    )
    trust.of(session).signing_key()  # no key, no record: refuse before anything is written
    session.add(record)
    session.flush()
    for pid in data.after_photo_ids:
        photo = session.get(Photo, pid)
        if photo is not None:
            attach_photo(session, actor, finding, photo, "after", verification_id=record.id, now=now)
    sign_verification(session, record, finding)
    audit.record(session, actor, "verification", record.id, "create", at=now,
                 after={"finding": finding.id, "truthfulness": data.truthfulness, "distance_m": distance})
    has_after = _has_after_photos(session, finding.id)
    ctx = workflow.Context(truthfulness=data.truthfulness, has_after_photos=has_after)
    if finding.status in ("pending", "reopened"):
        _move(session, actor, finding, "verify", ctx, now)
    if finding.status == "rectifying" and (has_after or data.truthfulness == "false"):
        _move(session, actor, finding, "submit", ctx, now)
    return record


def _canonical(session: Session, record: Verification, finding: Finding, signoff: SignOff) -> dict[str, Any]:
    links = session.execute(
        select(FindingPhoto.kind, Photo.sha256, FindingPhoto.added_at)
        .join(Photo, FindingPhoto.photo_id == Photo.id)
        .where(FindingPhoto.finding_id == finding.id)
    ).all()
    photos = sorted(f"{kind}:{sha}" for kind, sha, added in links if added <= signoff.signed_at)
    return {
        "record": {
            "id": record.id, "finding": record.finding_id, "author": record.author_id, "kind": record.kind,
            "created_at": record.created_at.isoformat(), "truthfulness": record.truthfulness,
            "facts": record.facts, "measures": record.measures, "accountability": record.accountability,
            "conclusion": record.conclusion, "inspectors": list(record.inspectors or []),
            "lon": record.lon, "lat": record.lat, "supersedes": record.supersedes_id,
            "recheck_result": record.recheck_result,
        },
        "finding": {"id": finding.id, "site": finding.site_id, "case": finding.case_id,
                    "description": finding.description},
        "site": {"lon": finding.site.lon, "lat": finding.site.lat, "name": finding.site.name},
        "photos": photos,
        "signoff": {"signer": signoff.signer_id, "at": signoff.signed_at.isoformat(),
                    "decision": signoff.decision, "opinion": signoff.opinion},
    }


def content_hash(session: Session, record: Verification, finding: Finding, signoff: SignOff) -> str:
    payload = json.dumps(_canonical(session, record, finding, signoff), sort_keys=True, ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{content}".encode()).hexdigest()


def _head(session: Session) -> str:
    last = session.scalar(select(SignOff.chain_hash).order_by(SignOff.id.desc()).limit(1))
    return last or GENESIS


def chain_head(session: Session) -> str:
    """The chain hash the next sign-off hangs off (bulk writers such as the demo seed chain on it)."""
    return _head(session)


def _signable(session: Session, actor: User, verification_id: int) -> tuple[Verification, Finding]:
    record = session.get(Verification, verification_id)
    if record is None:
        raise FieldError("signoff.no_record")
    finding = session.get(Finding, record.finding_id, options=[selectinload(Finding.verifications)])
    assert finding is not None
    require(actor, "signoff.sign", finding.site.county_adcode)
    if record.state == "signed":
        _raise_already_signed(session, record)
    if record.kind == "correction":
        if record.state != "submitted":
            raise ConflictError("signoff.not_awaiting")
    elif record.state != "submitted" or finding.status != "awaiting_signoff" or \
            _latest_verification(finding) is not record:
        raise ConflictError("signoff.not_awaiting")
    if is_own_record(actor, record):
        raise ConflictError("signoff.own_record")
    return record, finding


def _refuse_tampered(session: Session, record: Verification, finding: Finding) -> None:
    """Nobody signs a record that was changed after it was written (its own signature fails):
    the supervisor would be vouching for words the field team never wrote."""
    if record.signature is None:
        return  # written before signatures existed
    ring = trust.of(session).keyring()
    if ring.check(verification_statement(session, record, finding, record.key_id or ""), record.key_id,
                  record.signature) is not None:
        raise ConflictError("signoff.record_tampered")


def is_own_record(actor: User, record: Verification) -> bool:
    """Four eyes: nobody signs a record they wrote or were named on as an inspector. The one
    definition behind the sign refusal and the queue's "your own record" warning."""
    return record.author_id == actor.id or bool(
        actor.display_name and actor.display_name in (record.inspectors or []))


def _raise_already_signed(session: Session, record: Verification) -> NoReturn:
    prior = session.scalar(select(SignOff).where(SignOff.verification_id == record.id)
                           .order_by(SignOff.id.desc()).limit(1))
    who = prior.signer.display_name if prior else "?"
    when = clock.local(prior.signed_at).strftime("%Y-%m-%d %H:%M") if prior else "?"
    raise ConflictError("signoff.already_signed", who=who, when=when)


def _append_signoff(session: Session, actor: User, record: Verification, finding: Finding, decision: str,
                    opinion: str, now: dt.datetime, status: str) -> SignOff:
    """Hash, chain and sign; `status` is the finding's status once the decision is applied. The
    commit that carries it writes a checkpoint of the new head (`field.trust.context`)."""
    key = trust.of(session).signing_key()
    signoff = SignOff(verification_id=record.id, finding_id=finding.id, signer_id=actor.id, signed_at=now,
                      decision=decision, opinion=opinion.strip(), content_hash="", prev_hash=_head(session),
                      chain_hash="", signed_status=status, signed_county=finding.site.county_adcode,
                      key_id=key.kid)
    signoff.content_hash = content_hash(session, record, finding, signoff)
    signoff.chain_hash = chain_hash(signoff.prev_hash, signoff.content_hash)
    signoff.signature = key.sign(signoff_statement(signoff, finding, key.kid))
    session.add(signoff)
    trust.checkpoint_due(session)
    return signoff


def sign(session: Session, actor: User, verification_id: int, opinion: str = "", *,
         settings: Settings, now: dt.datetime | None = None) -> SignOff:
    """Approve a verification record. Flushes inside a savepoint: when another supervisor signed
    first, the savepoint is undone and signoff.already_signed (or signoff.busy) is raised; the
    caller's unit of work commits or rolls back as usual."""
    now = now or clock.now()
    opinion = clean(opinion)
    record, finding = _signable(session, actor, verification_id)
    trust.of(session).signing_key()  # a missing key is said before anything moves
    _refuse_tampered(session, record, finding)  # returning it for rework stays possible
    try:
        with session.begin_nested():
            if record.kind == "correction":
                return _sign_correction(session, actor, record, finding, opinion, now)
            ctx = workflow.Context(truthfulness=record.truthfulness,
                                   has_after_photos=_has_after_photos(session, finding.id),
                                   notice_days=settings.public_notice_days)
            new_status = workflow.next_status(finding.status, "sign", ctx)
            record.state = "signed"
            signoff = _append_signoff(session, actor, record, finding, "approve", opinion, now, new_status)
            _move(session, actor, finding, "sign", ctx, now, reason=opinion)
            if new_status == "public_notice":
                finding.notice_ends_on = notice_calendar(settings).add_working_days(
                    clock.today_local(now), settings.public_notice_days)
            elif new_status in ("closed", "unfounded"):
                finding.recheck_due_on = clock.today_local(now) + dt.timedelta(days=settings.recheck_days)
            session.flush()
            audit.record(session, actor, "signoff", signoff.id, "sign", at=now,
                         after={"verification": record.id, "status": new_status, "hash": signoff.chain_hash})
            session.flush()
            return signoff
    except (StaleDataError, IntegrityError, OperationalError):
        _raise_lost_race(session, verification_id)


def _raise_lost_race(session: Session, verification_id: int) -> NoReturn:
    """After the savepoint was undone: say who signed first, or that the database was busy."""
    try:
        record = session.get(Verification, verification_id)
        if record is not None:
            session.refresh(record)
    except (OperationalError, IntegrityError):
        record = None
    if record is not None and record.state == "signed":
        _raise_already_signed(session, record)
    raise ConflictError("signoff.busy") from None


def _sign_correction(session: Session, actor: User, record: Verification, finding: Finding, opinion: str,
                     now: dt.datetime) -> SignOff:
    """A signed correction joins the chain; the finding's status does not move."""
    record.state = "signed"
    signoff = _append_signoff(session, actor, record, finding, "approve", opinion, now, finding.status)
    session.flush()
    audit.record(session, actor, "signoff", signoff.id, "sign_correction", at=now,
                 after={"verification": record.id, "supersedes": record.supersedes_id, "hash": signoff.chain_hash})
    session.flush()
    return signoff


def write_correction(session: Session, actor: User, verification_id: int, data: VerificationInput, *,
                     reason: str, now: dt.datetime | None = None) -> Verification:
    """A signed record is frozen; a mistake in it is corrected by a new record that points at
    it and needs its own sign-off. The old record and its sign-off stay untouched."""
    now = now or clock.now()
    data, reason = _cleaned(data), clean(reason)
    old = session.get(Verification, verification_id)
    if old is None:
        raise FieldError("signoff.no_record")
    finding = session.get(Finding, old.finding_id)
    assert finding is not None
    require(actor, "verification.create", finding.site.county_adcode)
    if old.state != "signed":
        raise ConflictError("verification.correct_only_signed")
    if not reason.strip():
        raise ValidationError("workflow.need_reason", field="reason")
    if data.truthfulness not in TRUTHFULNESS:
        raise ValidationError("workflow.need_truthfulness", field="truthfulness")
    record = Verification(
        finding_id=finding.id, author_id=actor.id, kind="correction", created_at=now,
        truthfulness=data.truthfulness, facts=data.facts.strip(), measures=data.measures.strip(),
        accountability=data.accountability.strip(), conclusion=data.conclusion.strip(),
        inspectors=[x.strip() for x in data.inspectors if x.strip()] or [actor.display_name or actor.username],
        lon=data.lon, lat=data.lat, accuracy_m=data.accuracy_m, supersedes_id=old.id, state="submitted",
    )
    trust.of(session).signing_key()
    session.add(record)
    session.flush()
    sign_verification(session, record, finding)
    audit.record(session, actor, "verification", record.id, "correction", at=now, reason=reason,
                 after={"supersedes": old.id})
    return record


def return_for_rework(session: Session, actor: User, verification_id: int, reason: str, *,
                      now: dt.datetime | None = None) -> SignOff:
    now = now or clock.now()
    reason = clean(reason)
    if not reason.strip():
        raise ValidationError("workflow.need_reason", field="reason")
    record, finding = _signable(session, actor, verification_id)
    trust.of(session).signing_key()
    try:
        with session.begin_nested():
            ctx = workflow.Context(truthfulness=record.truthfulness, reason=reason)
            record.state = "returned"
            signoff = _append_signoff(session, actor, record, finding, "return", reason, now,
                                      workflow.next_status(finding.status, "return", ctx))
            _move(session, actor, finding, "return", ctx, now, reason=reason)
            session.flush()
            return signoff
    except (StaleDataError, IntegrityError, OperationalError):
        raise ConflictError("signoff.busy") from None


def advance_notices(session: Session, *, settings: Settings, now: dt.datetime | None = None) -> int:
    """Close findings whose 公示 period is over: the day after its last notice day, since
    objections may come in until that day's end. Idempotent. Run by the CLI `python -m field
    advance` (a write, so never from a page render); flushes, the caller's unit of work commits."""
    now = now or clock.now()
    today = clock.today_local(now)
    due = session.scalars(select(Finding).where(Finding.status == "public_notice",
                                                Finding.notice_ends_on < today)).all()
    for finding in due:
        _move(session, None, finding, "end_notice", workflow.Context(notice_over=True), now,
              reason="公示期满 / notice period over")
        finding.recheck_due_on = today + dt.timedelta(days=settings.recheck_days)
    session.flush()
    return len(due)


def object_during_notice(session: Session, actor: User, finding_id: int, reason: str, *,
                         now: dt.datetime | None = None) -> None:
    now = now or clock.now()
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise FieldError("finding.not_found", id=finding_id)
    require(actor, "signoff.return", finding.site.county_adcode)
    _move(session, actor, finding, "object", workflow.Context(reason=reason), now, reason=reason)
    finding.notice_ends_on = None


def record_recheck(session: Session, actor: User, finding_id: int, *, rebound: bool, facts: str,
                   lon: float | None = None, lat: float | None = None, photo_ids: list[int] | None = None,
                   settings: Settings, now: dt.datetime | None = None) -> Verification:
    """复查: 未反弹 keeps the item closed and schedules the next check; 反弹 reopens it. The earlier
    verification and sign-off rows stay as they were: the closure history is never lost."""
    now = now or clock.now()
    facts = clean(facts)
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise FieldError("finding.not_found", id=finding_id)
    require(actor, "recheck.create", finding.site.county_adcode)
    if not facts.strip():
        raise ValidationError("verification.need_facts", field="facts")
    ctx = workflow.Context(rebound=rebound, reason=facts)
    workflow.next_status(finding.status, "recheck", ctx)  # refuse before writing anything
    distance = None
    if lon is not None and lat is not None:
        distance = round(geo.distance_m(lon, lat, finding.site.lon, finding.site.lat), 1)
    record = Verification(finding_id=finding.id, author_id=actor.id, kind="recheck", created_at=now,
                          truthfulness="true" if rebound else "false", facts=facts.strip(),
                          inspectors=[actor.display_name or actor.username], lon=lon, lat=lat,
                          distance_m=distance, recheck_result="rebound" if rebound else "no_rebound",
                          state="submitted")
    trust.of(session).signing_key()
    session.add(record)
    session.flush()
    for pid in photo_ids or []:
        photo = session.get(Photo, pid)
        if photo is not None:
            attach_photo(session, actor, finding, photo, "before" if rebound else "after",
                         verification_id=record.id, now=now)
    sign_verification(session, record, finding)
    _move(session, actor, finding, "recheck", ctx, now, reason=facts)
    if not rebound:
        finding.recheck_due_on = clock.today_local(now) + dt.timedelta(days=settings.recheck_days)
    else:
        finding.recheck_due_on = None
    audit.record(session, actor, "verification", record.id, "recheck", at=now,
                 after={"finding": finding.id, "result": record.recheck_result})
    return record


def _in_scope(actor: User) -> Any:
    """The actor's county scope as a WHERE clause on `Site` (the query must join it)."""
    return scope_clause(Scope.of(actor), Site.county_adcode)


def due_rechecks(session: Session, actor: User, *, within_days: int = 14, today: dt.date | None = None,
                 ) -> list[Finding]:
    """Closed items whose 复查 is due (or due soon), oldest due first, in the actor's scope."""
    today = today or clock.today_local()
    stmt = (select(Finding).join(Site, Finding.site_id == Site.id)
            .where(Finding.status.in_(workflow.FROM["recheck"]),
                   Finding.recheck_due_on <= today + dt.timedelta(days=within_days), _in_scope(actor))
            .options(selectinload(Finding.site)).order_by(Finding.recheck_due_on))
    return list(session.scalars(stmt))


def in_notice(session: Session, actor: User) -> list[Finding]:
    stmt = (select(Finding).join(Site, Finding.site_id == Site.id)
            .where(Finding.status == "public_notice", _in_scope(actor))
            .options(selectinload(Finding.site)).order_by(Finding.notice_ends_on))
    return list(session.scalars(stmt))


def verifiable(session: Session, actor: User, *, limit: int = MAX_CHOICES) -> list[Finding]:
    """Findings the actor may write a verification record for (`workflow.VERIFIABLE`), newest
    first. The scope is applied before the limit, so a one-county user sees all of theirs however
    many other counties' findings are newer."""
    require(actor, "verification.create", check_county=False)
    stmt = (select(Finding).join(Site, Finding.site_id == Site.id)
            .where(Finding.status.in_(workflow.VERIFIABLE), _in_scope(actor))
            .options(selectinload(Finding.site)).order_by(Finding.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def correctable(session: Session, actor: User, *, limit: int = MAX_CHOICES) -> list[Verification]:
    """Signed records in the actor's scope, newest first: what `write_correction` accepts."""
    require(actor, "verification.create", check_county=False)
    stmt = (select(Verification).join(Finding, Verification.finding_id == Finding.id)
            .join(Site, Finding.site_id == Site.id)
            .where(Verification.state == "signed", _in_scope(actor))
            .order_by(Verification.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def latest_signoffs(session: Session, actor: User, finding: Finding) -> dict[int, SignOff]:
    """The newest sign-off (approval or return) of each of a finding's records, by record id."""
    require(actor, "finding.view", finding.site.county_adcode)
    rows = session.scalars(select(SignOff).where(SignOff.finding_id == finding.id)
                           .options(selectinload(SignOff.signer)).order_by(SignOff.id))
    return {so.verification_id: so for so in rows}


def queue(session: Session, actor: User) -> list[dict[str, Any]]:
    """'Awaiting my sign-off', all of it, oldest first: `field.services.queues.signoff_queue`
    (which pages use, with search, filters and pages) with no page limit."""
    from field.services import queues

    return queues.signoff_queue(session, actor, queues.QueueFilter(page_size=0)).items


__all__ = ["Problem"]  # re-exported: callers have always found it here


def _audited_status(session: Session, finding_id: int) -> str | None:
    """The status the newest status move in the audit trail left the finding in."""
    after = session.scalar(select(AuditEvent.after).where(
        AuditEvent.entity == "finding", AuditEvent.entity_id == str(finding_id),
        AuditEvent.action.like("status:%")).order_by(AuditEvent.id.desc()).limit(1))
    return after.get("status") if isinstance(after, dict) else None


def _check_signed(session: Session, signoff: SignOff, finding: Finding, keyring: Keyring,
                  legacy: int | None) -> list[Problem]:
    """The signature, and the county it vouches for. Unsigned rows pass only as history: rows
    from before signatures existed (ids up to `legacy`, from the first checkpoint)."""
    ids = (signoff.id, signoff.verification_id, finding.id)
    if signoff.signature is None and legacy is not None and signoff.id <= legacy:
        return []
    bad = keyring.check(signoff_statement(signoff, finding, signoff.key_id or ""), signoff.key_id,
                        signoff.signature)
    out = [Problem(*ids, bad, f"key {signoff.key_id}" if bad == "verify.unknown_key" else "")] if bad else []
    if signoff.signature is not None and finding.site.county_adcode != signoff.signed_county:
        out.append(Problem(*ids, "verify.county_changed",
                           f"{signoff.signed_county} → {finding.site.county_adcode}"))
    return out


def verify_chain(session: Session, photo_root: PhotoStore | Path, *, keyring: Keyring | None = None,
                 legacy: int | None = None) -> list[Problem]:
    """Recompute every sign-off's content and chain hash and every signed photo's file hash; check
    each sign-off's signature with `keyring` (default: the session's trust context), the county
    it vouches for, and that each signed finding's status is the one its audited moves left.
    Checkpoints and verification records: `field.services.integrity.verify_all`."""
    session.expire_all()  # read what is in the database now, not what this session remembers
    store = photo_root if isinstance(photo_root, PhotoStore) else LocalPhotoStore(photo_root)
    keyring = keyring or trust.of(session).keyring()
    problems: list[Problem] = []
    statuses_checked: set[int] = set()
    prev = GENESIS
    checked_photos: dict[str, bool] = {}
    for signoff in session.scalars(select(SignOff).order_by(SignOff.id)):
        record = session.get(Verification, signoff.verification_id)
        finding = session.get(Finding, signoff.finding_id)
        if record is None or finding is None:
            problems.append(Problem(signoff.id, signoff.verification_id, signoff.finding_id, "verify.missing_row"))
            prev = signoff.chain_hash
            continue
        if signoff.prev_hash != prev:
            problems.append(Problem(signoff.id, record.id, finding.id, "verify.chain_broken",
                                    f"expected prev {prev[:12]}…, found {signoff.prev_hash[:12]}…"))
        if content_hash(session, record, finding, signoff) != signoff.content_hash:
            problems.append(Problem(signoff.id, record.id, finding.id, "verify.content_changed"))
        if chain_hash(signoff.prev_hash, signoff.content_hash) != signoff.chain_hash:
            problems.append(Problem(signoff.id, record.id, finding.id, "verify.hash_changed"))
        problems += _check_signed(session, signoff, finding, keyring, legacy)
        if finding.id not in statuses_checked:
            statuses_checked.add(finding.id)
            audited = _audited_status(session, finding.id)
            if audited is not None and audited != finding.status:
                problems.append(Problem(signoff.id, record.id, finding.id, "verify.status_unaudited",
                                        f"{audited} → {finding.status}"))
        links = session.execute(select(Photo).join(FindingPhoto, FindingPhoto.photo_id == Photo.id)
                                .where(FindingPhoto.finding_id == finding.id,
                                       FindingPhoto.added_at <= signoff.signed_at)).scalars().all()
        for photo in links:
            if photo.sha256 not in checked_photos:
                try:  # read back from the store now, whichever it is (a folder or a bucket)
                    data = store.read(photo.original_path)
                except FileNotFoundError:
                    checked_photos[photo.sha256] = False
                    problems.append(Problem(signoff.id, record.id, finding.id, "verify.photo_missing",
                                            photo.original_path))
                    continue
                digest = hashlib.sha256(data).hexdigest()
                checked_photos[photo.sha256] = digest == photo.sha256
                if digest != photo.sha256:
                    problems.append(Problem(signoff.id, record.id, finding.id, "verify.photo_altered",
                                            photo.original_path))
        prev = signoff.chain_hash
    return problems
