"""Audit trail: every change leaves an event (who, when, what, why) in the same transaction
as the change, so there is never a change without its record or a record without its change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.models import AuditEvent, User
from field.domain import clock
from field.domain.permissions import require


def jsonable(value: Any) -> Any:
    """Dates as ISO text, tuples as lists, keys as text: what a JSON column or file can hold. The
    audit trail, the case import's bulk audit rows and the dossier's records.json all use it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def record(
    session: Session,
    actor: User | None,
    entity: str,
    entity_id: Any,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=at or clock.now(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
    )
    session.add(event)
    return event


def history(session: Session, entity: str, entity_id: Any) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))


def recent(session: Session, actor: User, *, limit: int = 500) -> list[AuditEvent]:
    """The newest events first, for the audit page. Checked here, not by hiding the page: a role
    without "audit.view" is refused however it asks. Events carry no county, so the trail is
    city-wide for every role that may read it."""
    require(actor, "audit.view", check_county=False)
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
