"""Preview and the idempotent write: compare parsed rows with what is stored, then write them.

Matching uses a normalised key (whitespace and trailing `*`/`＊` removed) plus the batch, so a
re-published table that adds or drops the 重点关注 star updates the same case instead of creating a
twin; 受理编号 itself is stored verbatim, star included, as published. The write is bulk
statements in the caller's unit of work with one audit event per written case: importing the
same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from field.caseimport.cells import normalise_case_no
from field.caseimport.parse import parse_file
from field.caseimport.records import ImportSummary, Issue, ParsedFile, Progress, no_progress, summarise
from field.data.ledger_models import CaseResult
from field.data.models import AuditEvent, Case, User
from field.domain import clock
from field.domain.permissions import in_scope, require
from field.services import audit

# Fields compared (and shown as changed) when a case is imported again.
CASE_FIELDS = ("case_no", "handed_over_on", "receive_method", "content", "region_text", "county_adcode",
               "pollution_types", "pollution_text", "key_attention", "deadline", "lead_unit",
               "responsible_unit", "responsible_person", "responsible_phone", "extra")
RESULT_FIELDS = ("facts", "truthfulness", "truthfulness_text", "handling", "accountability", "closure_state",
                 "closure_target", "category", "handler", "remarks", "coop_unit", "feedback_due")

_RESULT_DEFAULTS = {f: (None if f in ("truthfulness", "closure_state", "feedback_due") else "") for f in RESULT_FIELDS}


def _existing(session: Session, batches: Iterable[int | None]) -> dict[tuple[str, int | None], dict[str, Any]]:
    """Stored values of the cases in these batches, keyed like the rows (normalised 受理编号,
    batch). Plain column rows, not ORM objects: a 10,000-case round compares in a fraction."""
    batches = set(batches)
    known = [b for b in batches if b is not None]
    conds = []
    if known:
        conds.append(Case.batch.in_(known))
    if None in batches:
        conds.append(Case.batch.is_(None))
    if not conds:
        return {}
    cols = [Case.id, Case.batch, *(getattr(Case, f) for f in CASE_FIELDS),
            *(getattr(CaseResult, f) for f in RESULT_FIELDS)]
    stmt = select(*cols).outerjoin(CaseResult, CaseResult.case_id == Case.id).where(or_(*conds))
    names = ["id", "batch", *CASE_FIELDS, *RESULT_FIELDS]
    out: dict[tuple[str, int | None], dict[str, Any]] = {}
    has_result = CaseResult.case_id
    for row in session.execute(stmt.add_columns(has_result)):
        values = dict(zip(names, row, strict=False))
        if row[-1] is None:  # no CaseResult row yet: compare against its defaults
            values.update(_RESULT_DEFAULTS)
        out[(normalise_case_no(values["case_no"]), values["batch"])] = values
    return out


def preview_import(session: Session, user: User, parsed: ParsedFile) -> ParsedFile:
    """Mark each row new / update (with changed fields) / unchanged / skip, without writing.
    Rows in counties outside the importer's scope are rejected here, not silently dropped."""
    require(user, "case.import", check_county=False)
    existing = _existing(session, (r.values.get("batch") for r in parsed.rows if not r.rejected))
    for row in parsed.rows:
        row.changed, row.case_id = [], None
        if not row.rejected and not user.all_counties and not in_scope(user, row.values.get("county_adcode")):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": row.values.get("region_text") or "-"}))
        if row.rejected:
            row.action = "skip"
            continue
        stored = existing.get((row.key, row.values["batch"]))
        if stored is None:
            row.action = "new"
            continue
        if not in_scope(user, stored["county_adcode"]):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": stored["region_text"] or "-"}))
            row.action = "skip"
            continue
        row.case_id = stored["id"]
        row.changed = [f for f in (*CASE_FIELDS, *RESULT_FIELDS) if stored.get(f) != row.values.get(f)]
        row.action = "update" if row.changed else "unchanged"
    return parsed


def apply_import(session: Session, user: User, parsed: ParsedFile, *, now: dt.datetime | None = None,
                 progress: Progress | None = None) -> ImportSummary:
    """Write the previewed rows in the caller's transaction (the caller commits or rolls back, so
    a failure leaves nothing half-imported). Compares with the database again first, so a
    preview that went stale while someone read it cannot overwrite a newer change blindly."""
    progress = progress or no_progress
    require(user, "case.import", check_county=False)
    now = now or clock.now()
    preview_import(session, user, parsed)
    progress(0.65, "write")
    new_rows = [r for r in parsed.rows if r.action == "new"]
    case_rows = [{**{f: r.values[f] for f in (*CASE_FIELDS, "batch")}, "created_at": now, "updated_at": now}
                 for r in new_rows]
    events: list[dict[str, Any]] = []
    if case_rows:
        ids = list(session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), case_rows))
        progress(0.8, "write")
        result_rows = []
        for r, cid in zip(new_rows, ids, strict=True):
            r.case_id = cid
            result_rows.append({"case_id": cid, "updated_at": now, **{f: r.values[f] for f in RESULT_FIELDS}})
            events.append(_event(user, cid, "import", None, {"case_no": r.values["case_no"],
                                                             "batch": r.values["batch"],
                                                             "file": parsed.filename, "row": r.row_no}, now))
        session.execute(insert(CaseResult), result_rows)
    for r in parsed.rows:
        if r.action != "update" or r.case_id is None:
            continue
        case = session.get_one(Case, r.case_id)  # preview_import just read it in this session
        result = session.get(CaseResult, r.case_id)
        if result is None:
            result = CaseResult(case_id=r.case_id)
            session.add(result)
        before = {f: getattr(case if f in CASE_FIELDS else result, f) for f in r.changed}
        for f in r.changed:
            setattr(case if f in CASE_FIELDS else result, f, r.values[f])
        case.updated_at = now
        events.append(_event(user, r.case_id, "import_update", before,
                             {**{f: r.values[f] for f in r.changed}, "file": parsed.filename, "row": r.row_no}, now))
    if events:
        session.execute(insert(AuditEvent), events)
    session.flush()
    progress(1.0, "done")
    return summarise(parsed)


def _event(user: User, case_id: int, action: str, before: dict[str, Any] | None, after: dict[str, Any],
           at: dt.datetime) -> dict[str, Any]:
    """The row `audit.record` would write, as a dict for one bulk INSERT (10,000 ORM objects
    would cost more than the import itself)."""
    return {"at": at, "actor_id": user.id, "actor_name": user.username, "entity": "case", "entity_id": str(case_id),
            "action": action, "before": audit._jsonable(before) if before is not None else None,
            "after": audit._jsonable(after), "reason": ""}


def import_cases(session: Session, user: User, data: bytes, filename: str, *, feedback_days: int,
                 city_adcode: str, batch: int | None = None, handed_over: dt.date | None = None,
                 dry_run: bool = False, progress: Progress | None = None,
                 now: dt.datetime | None = None) -> tuple[ParsedFile, ImportSummary]:
    """Parse, preview and (unless dry_run) write; the caller commits. Used by the CLI and bench,
    which pass `feedback_days` and `city_adcode` from their Settings."""
    require(user, "case.import", check_county=False)
    parsed = parse_file(data, filename, feedback_days=feedback_days, city_adcode=city_adcode, batch=batch,
                        handed_over=handed_over, progress=progress)
    if dry_run:  # apply_import previews itself, so only the dry run needs it here
        preview_import(session, user, parsed)
        return parsed, summarise(parsed)
    return parsed, apply_import(session, user, parsed, now=now, progress=progress)
