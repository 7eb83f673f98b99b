"""What a signature says: the content of a sign-off or a verification record that matters for
the closure, as one canonical dictionary (signed by `keys.SigningKey.sign`).

A sign-off's statement binds its content hash (which covers the record, the finding, the site's
coordinates and name, and the photo hashes: `signoff.content_hash`) to its place in the chain
(previous and own chain hash), the finding's status right after the decision, the county the
site was in, the signer and the time. So recomputing the hashes after an edit is useless
without the key, and moving a signed site to another county, or rewriting the status the
sign-off decided, breaks the signature. A verification record (and a correction, and a 复查
record) is signed when it is written, over its facts, truthfulness, coordinates, inspectors,
author, time and the hashes of the photos it brought, so a record edited while it waits for
sign-off is found too.

The statement format is versioned (`t`); a new field means a new version, never a silent change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import Finding, FindingPhoto, Photo, SignOff, Verification


def signoff_statement(signoff: SignOff, finding: Finding, kid: str) -> dict[str, Any]:
    return {
        "t": "signoff/1", "kid": kid, "content": signoff.content_hash, "prev": signoff.prev_hash,
        "chain": signoff.chain_hash, "verification": signoff.verification_id, "finding": finding.id,
        "site": finding.site_id, "county": signoff.signed_county, "status": signoff.signed_status,
        "signer": signoff.signer_id, "at": signoff.signed_at.isoformat(), "decision": signoff.decision,
    }


def _record_photos(session: Session, record: Verification) -> list[str]:
    rows = session.execute(select(FindingPhoto.kind, Photo.sha256).join(Photo, FindingPhoto.photo_id == Photo.id)
                           .where(FindingPhoto.verification_id == record.id)).all()
    return sorted(f"{kind}:{sha}" for kind, sha in rows)


def verification_statement(session: Session, record: Verification, finding: Finding, kid: str) -> dict[str, Any]:
    return {
        "t": "verification/1", "kid": kid, "id": record.id, "finding": record.finding_id, "kind": record.kind,
        "author": record.author_id, "created_at": record.created_at.isoformat(),
        "truthfulness": record.truthfulness, "facts": record.facts, "measures": record.measures,
        "accountability": record.accountability, "conclusion": record.conclusion,
        "inspectors": list(record.inspectors or []), "lon": record.lon, "lat": record.lat,
        "accuracy_m": record.accuracy_m, "supersedes": record.supersedes_id,
        "recheck_result": record.recheck_result, "site": finding.site_id,
        "county": finding.site.county_adcode, "photos": _record_photos(session, record),
    }


def sign_verification(session: Session, record: Verification, finding: Finding) -> None:
    """Sign a freshly written record (after its photos are attached) and flush."""
    from field.trust.context import of

    key = of(session).signing_key()
    session.flush()
    record.key_id = key.kid
    record.signature = key.sign(verification_statement(session, record, finding, key.kid))
    session.flush()
