"""What one sheet prints, loaded and permission-checked: the record, its finding, the latest
sign-off, the photos the sign-off covered, whether the content still matches its hash and its
signature, and the newest checkpoint of the chain (printed so that paper records how long the
chain was: a later deletion below that count is provable from the sheet)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import County, Finding, FindingPhoto, SignOff, User, Verification
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.errors import FieldError as _FieldError
from field.domain.permissions import require
from field.exports.sheets.refs import parse_ref
from field.services.signoff import content_hash
from field.trust import checkpoints
from field.trust import context as trust
from field.trust.statements import signoff_statement


@dataclass
class SheetData:
    record: Verification
    finding: Finding
    signoff: SignOff | None
    before: list[FindingPhoto]
    after: list[FindingPhoto]
    county_name: str
    hash_ok: bool | None  # None when unsigned
    checkpoint: str = ""  # short form of the newest chain checkpoint ("" when there is none)


def _resolve(session: Session, ref: int | str | Verification | SignOff) -> tuple[Verification, SignOff | None]:
    if isinstance(ref, SignOff):
        return ref.verification, ref
    record: Verification
    if isinstance(ref, Verification):
        record = ref
    else:
        kind, number = parse_ref(ref)
        if kind == "S":
            so = session.get(SignOff, number)
            if so is None:
                raise FieldError("sheet.not_found", ref=f"S{number}")
            return so.verification, so
        if kind != "V":
            raise FieldError("sheet.bad_ref", ref=str(ref)[:40])
        found = session.get(Verification, number)
        if found is None:
            raise FieldError("sheet.not_found", ref=f"V{number}")
        record = found
    signoff = session.scalar(select(SignOff).where(SignOff.verification_id == record.id)
                             .order_by(SignOff.id.desc()).limit(1))
    return record, signoff


def _photo_links(session: Session, finding: Finding, record: Verification,
                 signoff: SignOff | None) -> tuple[list[FindingPhoto], list[FindingPhoto]]:
    """Before photos of the finding and the photos of this record. For a signed record only
    those the sign-off's hash covered (added before signing) are shown, so the sheet and the
    hash speak about the same evidence."""
    links = list(session.scalars(select(FindingPhoto).where(FindingPhoto.finding_id == finding.id)
                                 .order_by(FindingPhoto.id)))
    if signoff is not None:
        links = [link for link in links if link.added_at <= signoff.signed_at]
    own = [link for link in links if link.verification_id == record.id]
    before = [link for link in links if link.kind == "before" and link.verification_id is None]
    if record.kind == "verification" and not any(link.kind == "after" for link in own):
        # records written before photos were tied to them: fall back to the finding's after photos
        own = own + [link for link in links if link.kind == "after" and link.verification_id is None
                     and link.added_at <= (signoff.signed_at if signoff else clock.now())]
    return before, own


def load_sheet(session: Session, actor: User, ref: int | str | Verification | SignOff) -> SheetData:
    """Everything the sheet prints, after the permission check (finding.view in the county)."""
    record, signoff = _resolve(session, ref)
    finding = session.get(Finding, record.finding_id)
    if finding is None:
        raise FieldError("finding.not_found", id=record.finding_id)
    require(actor, "finding.view", finding.site.county_adcode)
    before, after = _photo_links(session, finding, record, signoff)
    county = session.get(County, finding.site.county_adcode) if finding.site.county_adcode else None
    hash_ok = None
    checkpoint = ""
    if signoff is not None:
        hash_ok = content_hash(session, record, finding, signoff) == signoff.content_hash \
            and _signature_ok(session, signoff, finding)
        checkpoint = _checkpoint(session)
    return SheetData(record=record, finding=finding, signoff=signoff, before=before, after=after,
                     county_name=county.name if county else "", hash_ok=hash_ok, checkpoint=checkpoint)


def _signature_ok(session: Session, signoff: SignOff, finding: Finding) -> bool:
    """A sign-off from before signatures existed has none to check; any other must verify."""
    if signoff.signature is None:
        return True
    try:
        ring = trust.of(session).keyring()
    except _FieldError:
        return False
    return ring.check(signoff_statement(signoff, finding, signoff.key_id or ""), signoff.key_id,
                      signoff.signature) is None


def _checkpoint(session: Session) -> str:
    try:
        return checkpoints.short_form(checkpoints.latest(trust.of(session).store))
    except (_FieldError, OSError, ValueError, KeyError):
        return ""
