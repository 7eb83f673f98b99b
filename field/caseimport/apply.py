"""Preview and the idempotent write: compare parsed rows with what is stored, then write them.

A case is found by its identity within the inspection — the normalised 受理编号 (whitespace and
a trailing `*`/`＊` removed), or batch + 序号, or a content hash — never by its batch: a later
table that republishes it (with results, or with the 重点关注 star) updates the stored case and
adds the batch to the ones it was published in ("republished" in the preview). 受理编号 itself
is stored verbatim, star included, as published.

Merge rules, because published tables are partial in known ways (a republishing table may lack
the date column; an older table lacks the results):
- a field whose column is absent from the file is never changed;
- an empty cell never erases a stored value, unless the user chose "clear blanks";
- every changed field is listed old -> new in the preview and audited with file name and row.

The write is bulk statements in the caller's unit of work with one audit event per written
case: importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from field.caseimport.parse import parse_file
from field.caseimport.records import (
    ImportSummary,
    Issue,
    ParsedFile,
    ParsedRow,
    Progress,
    no_progress,
    summarise,
)
from field.data.ledger_models import CaseResult
from field.data.models import AuditEvent, Case, CaseBatch, CaseCounty, User
from field.domain import clock
from field.domain.permissions import require
from field.domain.scope import Scope
from field.services import audit

# Fields compared (and shown as changed) when a case is imported again.
CASE_FIELDS = ("case_no", "handed_over_on", "handed_over_source", "receive_method", "receive_text", "content",
               "region_text", "county_adcode", "pollution_types", "pollution_text", "key_attention", "deadline",
               "lead_unit", "responsible_unit", "responsible_person", "responsible_phone", "extra")
RESULT_FIELDS = ("facts", "truthfulness", "truthfulness_text", "handling", "accountability", "closure_state",
                 "closure_text", "closure_target", "category", "handler", "remarks", "coop_unit", "feedback_due")
LINK_FIELDS = ("counties",)  # stored as CaseCounty rows
_CHUNK = 500  # keys per IN (...) list

_RESULT_DEFAULTS = {f: (None if f in ("truthfulness", "closure_state", "feedback_due") else "") for f in RESULT_FIELDS}


def _existing(session: Session, inspection: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Stored values of the cases with these identities in this inspection, with the batches
    they were published in and every county they name. Plain column rows, not ORM objects: a
    10,000-case round compares in a fraction."""
    keys = sorted(set(keys))
    cols = [Case.id, Case.case_key, Case.batch, *(getattr(Case, f) for f in CASE_FIELDS),
            *(getattr(CaseResult, f) for f in RESULT_FIELDS), CaseResult.case_id]
    names = ["id", "case_key", "batch", *CASE_FIELDS, *RESULT_FIELDS, "has_result"]
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), _CHUNK):
        stmt = (select(*cols).outerjoin(CaseResult, CaseResult.case_id == Case.id)
                .where(Case.inspection == inspection, Case.case_key.in_(keys[i:i + _CHUNK])))
        for row in session.execute(stmt):
            values = dict(zip(names, row, strict=True))
            if values.pop("has_result") is None:  # no CaseResult row yet: compare against its defaults
                values.update(_RESULT_DEFAULTS)
            values["counties"], values["links"] = [], {}
            out[values["case_key"]] = values
    by_id = {v["id"]: v for v in out.values()}
    ids = sorted(by_id)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for cid, batch, seq, section in session.execute(
                select(CaseBatch.case_id, CaseBatch.batch, CaseBatch.seq, CaseBatch.section)
                .where(CaseBatch.case_id.in_(chunk))):
            by_id[cid]["links"][batch] = (seq, section)
        for cid, county in session.execute(select(CaseCounty.case_id, CaseCounty.county_adcode)
                                           .where(CaseCounty.case_id.in_(chunk))):
            by_id[cid]["counties"].append(county)
    for v in by_id.values():  # the first county first, as the row lists them
        first: str | None = v["county_adcode"]
        v["counties"] = sorted(v["counties"], key=lambda c: (c != first, c))  # noqa: B023 (used at once)
    return out


def _merge(stored: dict[str, Any], row: ParsedRow, clear_blanks: bool) -> dict[str, tuple[Any, Any]]:
    """field -> (stored, new) for what this row would change under the merge rules."""
    changes: dict[str, tuple[Any, Any]] = {}
    links = stored["links"]
    # A batch date the user confirmed is the hand-over date of that batch's cases, not of a case
    # an earlier batch handed over and this one only republishes.
    republished = bool(links) and not set(links) & set(row.values["batches"])
    batch_dated = row.values.get("handed_over_source") == "confirmed"
    for f in (*CASE_FIELDS, *RESULT_FIELDS, *LINK_FIELDS):
        if f not in row.present:
            continue
        if republished and batch_dated and f in ("handed_over_on", "handed_over_source", "feedback_due"):
            continue
        new = row.values[f]
        old = stored.get(f)
        if f == "extra":
            merged = dict(old or {})
            merged.update(new)
            if clear_blanks:
                for k in row.values.get("extra_blank", []):
                    merged.pop(k, None)
            new = merged
        elif f in row.blank and not clear_blanks:
            continue
        if f == "counties":
            old = sorted(old or [])
            if old == sorted(new):
                continue
        if old != new:
            changes[f] = (old, new)
    for b in row.values["batches"]:
        if b in links:
            seq, section = links[b]
            if row.values["seq"] and seq != row.values["seq"]:
                changes["seq"] = (seq, row.values["seq"])
            if row.values["section"] and section != row.values["section"]:
                changes["section"] = (section, row.values["section"])
    return changes


def preview_import(session: Session, user: User, parsed: ParsedFile, *, clear_blanks: bool | None = None) -> ParsedFile:
    """Mark each row new / update (with each change old -> new) / unchanged / skip, without
    writing; a row stored from another batch is marked republished. Rows in counties outside
    the importer's scope are rejected here, not silently dropped. `clear_blanks` (kept on
    `parsed` for the apply step) lets an empty cell erase a stored value."""
    require(user, "case.import", check_county=False)
    if clear_blanks is not None:
        parsed.clear_blanks = clear_blanks
    scope = Scope.of(user)
    existing = _existing(session, parsed.inspection, (r.key for r in parsed.rows if not r.rejected))
    for row in parsed.rows:
        row.changed, row.changes, row.case_id, row.republished, row.new_batches = [], {}, None, False, []
        counties = row.values.get("counties") or [None]
        if not row.rejected and not scope.is_all and not scope.contains_any(counties):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": row.values.get("region_text") or "-"}))
        if row.rejected:
            row.action = "skip"
            continue
        stored = existing.get(row.key)
        if stored is None:
            row.action = "new"
            row.new_batches = list(row.values["batches"])
            continue
        if not scope.contains_any(stored["counties"] or [stored["county_adcode"]]):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": stored["region_text"] or "-"}))
            row.action = "skip"
            continue
        row.case_id = stored["id"]
        row.changes = _merge(stored, row, parsed.clear_blanks)
        row.new_batches = [b for b in row.values["batches"] if b not in stored["links"]]
        row.republished = bool(row.new_batches) and bool(stored["links"])
        row.changed = [*row.changes, *(["batches"] if row.new_batches else [])]
        row.action = "update" if row.changed else "unchanged"
    return parsed


def _link_rows(parsed: ParsedFile, row: ParsedRow, case_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    return [{"case_id": case_id, "batch": b, "batch_text": parsed.batch_text, "seq": row.values["seq"],
             "section": row.values["section"], "published_on": parsed.published_on,
             "reception_window": parsed.reception_window, "filename": parsed.filename[:255],
             "row_no": row.row_no, "imported_at": now} for b in row.new_batches]


def apply_import(session: Session, user: User, parsed: ParsedFile, *, clear_blanks: bool | None = None,
                 now: dt.datetime | None = None, progress: Progress | None = None) -> ImportSummary:
    """Write the previewed rows in the caller's transaction (the caller commits or rolls back, so
    a failure leaves nothing half-imported). Compares with the database again first, so a
    preview that went stale while someone read it cannot overwrite a newer change blindly."""
    progress = progress or no_progress
    require(user, "case.import", check_county=False)
    now = now or clock.now()
    preview_import(session, user, parsed, clear_blanks=clear_blanks)
    progress(0.65, "write")
    new_rows = [r for r in parsed.rows if r.action == "new"]
    case_rows = [{**{f: r.values[f] for f in (*CASE_FIELDS, "batch")}, "inspection": parsed.inspection,
                  "case_key": r.key, "identity": r.identity, "created_at": now, "updated_at": now}
                 for r in new_rows]
    events: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    county_rows: list[dict[str, Any]] = []
    if case_rows:
        ids = list(session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), case_rows))
        progress(0.8, "write")
        result_rows = []
        for r, cid in zip(new_rows, ids, strict=True):
            r.case_id = cid
            result_rows.append({"case_id": cid, "updated_at": now, **{f: r.values[f] for f in RESULT_FIELDS}})
            links += _link_rows(parsed, r, cid, now)
            county_rows += [{"case_id": cid, "county_adcode": c} for c in r.values["counties"]]
            events.append(_event(user, cid, "import", None, {
                "case_no": r.values["case_no"], "batch": r.values["batch"], "batches": r.values["batches"],
                "inspection": parsed.inspection, "identity": r.identity, "file": parsed.filename,
                "row": r.row_no}, now))
        session.execute(insert(CaseResult), result_rows)
    for r in parsed.rows:
        if r.action != "update" or r.case_id is None:
            continue
        case = session.get_one(Case, r.case_id)
        result = session.get(CaseResult, r.case_id)
        if result is None:
            result = CaseResult(case_id=r.case_id)
            session.add(result)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for f, (old, new) in r.changes.items():
            before[f], after[f] = old, new
            if f in CASE_FIELDS:
                setattr(case, f, new)
            elif f in RESULT_FIELDS:
                setattr(result, f, new)
            elif f == "counties":
                session.execute(delete(CaseCounty).where(CaseCounty.case_id == r.case_id))
                county_rows += [{"case_id": r.case_id, "county_adcode": c} for c in new]
        if "seq" in r.changes or "section" in r.changes:
            for link in session.scalars(select(CaseBatch).where(CaseBatch.case_id == r.case_id,
                                                                CaseBatch.batch.in_(r.values["batches"]))):
                link.seq = r.values["seq"] or link.seq
                link.section = r.values["section"] or link.section
        if r.new_batches:
            links += _link_rows(parsed, r, r.case_id, now)
            firsts = [b for b in (case.batch, *r.new_batches) if b is not None]
            case.batch = min(firsts) if firsts else None
            after["batches"] = r.new_batches
        case.updated_at = now
        events.append(_event(user, r.case_id, "import_republished" if r.republished else "import_update", before,
                             {**after, "file": parsed.filename, "row": r.row_no}, now))
    if links:
        session.execute(insert(CaseBatch), links)
    if county_rows:
        session.execute(insert(CaseCounty), county_rows)
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
            "action": action, "before": audit.jsonable(before) if before is not None else None,
            "after": audit.jsonable(after), "reason": ""}


def import_cases(session: Session, user: User, data: bytes, filename: str, *, feedback_days: int,
                 city_adcode: str, batch: int | str | list[int] | None = None, handed_over: dt.date | None = None,
                 accept_suggested_date: bool = False, inspection: str | None = None, default_inspection: str = "",
                 clear_blanks: bool = False, dry_run: bool = False, progress: Progress | None = None,
                 now: dt.datetime | None = None) -> tuple[ParsedFile, ImportSummary]:
    """Parse, preview and (unless dry_run) write; the caller commits. Used by the CLI and bench,
    which pass `feedback_days`, `city_adcode` and `default_inspection` from their Settings."""
    require(user, "case.import", check_county=False)
    parsed = parse_file(data, filename, feedback_days=feedback_days, city_adcode=city_adcode, batch=batch,
                        handed_over=handed_over, accept_suggested_date=accept_suggested_date,
                        inspection=inspection, default_inspection=default_inspection, progress=progress)
    if dry_run:  # apply_import previews itself, so only the dry run needs it here
        preview_import(session, user, parsed, clear_blanks=clear_blanks)
        return parsed, summarise(parsed)
    return parsed, apply_import(session, user, parsed, clear_blanks=clear_blanks, now=now, progress=progress)
