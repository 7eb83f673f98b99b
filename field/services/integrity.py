"""Everything `python -m field verify` checks, in one report.

The database alone cannot vouch for itself: whoever can write it can also recompute its hashes.
So the check combines what the database holds with two things it cannot change — the public
keyring (signatures made with the installation key, `field.trust.keys`) and the signed
checkpoint log in the photo store (`field.trust.checkpoints`):
- each sign-off: content and chain hash, signature, the county it vouches for, the finding's
  status against its audited moves, the photo files (`signoff.verify_chain`);
- each verification, correction and 复查 record: its signature over what it says;
- the chain head and count against every checkpoint (a deleted tail, a rewritten chain);
- every audit row a checkpoint covered (edited, deleted, or inserted below a checkpoint);
- every photo's original, read back from the store (folder or bucket) and hashed.

Rows from before signatures existed (migration 0006) are not failures: the first checkpoint
records the highest unsigned ids, and those rows are reported as warnings. A row above that
without a signature had it stripped, and is a problem.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from field.data.models import Finding, Photo, SignOff, Verification
from field.photos.store import PhotoStore
from field.services import signoff
from field.trust import checkpoints
from field.trust.keys import Keyring
from field.trust.problem import Problem
from field.trust.statements import verification_statement


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    signoffs: int = 0
    verifications: int = 0
    checkpoints: int = 0
    last_checkpoint: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _verifications(session: Session, keyring: Keyring, legacy: int | None, report: Report) -> None:
    stmt = (select(Verification).order_by(Verification.id)
            .options(selectinload(Verification.finding).selectinload(Finding.site)))
    for record in session.scalars(stmt):
        report.verifications += 1
        ids = (None, record.id, record.finding_id)
        if record.signature is None and legacy is not None and record.id <= legacy:
            report.warnings.append(Problem(*ids, "verify.unsigned_legacy"))
            continue
        bad = keyring.check(verification_statement(session, record, record.finding, record.key_id or ""),
                            record.key_id, record.signature)
        if bad:
            report.problems.append(Problem(*ids, bad, f"key {record.key_id}" if bad == "verify.unknown_key" else ""))


def _photos(session: Session, store: PhotoStore, report: Report) -> None:
    """Every photo row's original, read back from the store and hashed (those of signed
    findings were checked with their sign-off, and are not reported twice)."""
    seen = {p.detail for p in report.problems if p.key in ("verify.photo_missing", "verify.photo_altered")}
    for sha, original in session.execute(select(Photo.sha256, Photo.original_path).order_by(Photo.id)):
        if original in seen:
            continue
        try:
            altered = hashlib.sha256(store.read(original)).hexdigest() != sha
        except FileNotFoundError:
            report.problems.append(Problem(None, None, None, "verify.photo_missing", original))
            continue
        if altered:
            report.problems.append(Problem(None, None, None, "verify.photo_altered", original))


def verify_all(session: Session, store: PhotoStore, keyring: Keyring) -> Report:
    """The whole check; `keyring` holds the public keys (`Trust.keyring()` or a verifier's copy)."""
    session.expire_all()
    report = Report()
    cp_problems, log = checkpoints.verify(session, store, keyring)
    legacy = log[0].body.get("legacy", {}) if log else None
    report.checkpoints = len(log)
    report.last_checkpoint = log[-1].body if log else None
    report.problems += signoff.verify_chain(session, store, keyring=keyring,
                                            legacy=legacy.get("signoffs", 0) if legacy is not None else None)
    if legacy is not None:
        n_legacy = session.scalar(select(func.count()).select_from(SignOff).where(
            SignOff.signature.is_(None), SignOff.id <= legacy.get("signoffs", 0))) or 0
        if n_legacy:
            report.warnings.append(Problem(None, None, None, "verify.unsigned_legacy", f"{n_legacy} sign-offs"))
    _photos(session, store, report)
    _verifications(session, keyring, legacy.get("verifications", 0) if legacy is not None else None, report)
    report.problems += cp_problems
    report.signoffs = session.scalar(select(func.count()).select_from(SignOff)) or 0
    return report
