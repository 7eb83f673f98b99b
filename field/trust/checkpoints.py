"""Signed checkpoints: the sign-off chain's head and the audit trail, vouched for outside the
database.

A checkpoint says "at this time there were N sign-offs, the last one #L with chain hash H, and
the audit rows newly covered since the previous checkpoint hash to X", signed with the
installation key and appended to the checkpoint log in the photo store (`PhotoStore.
append_checkpoint`), which every replica shares and a database writer cannot rewind. Then:
- deleting the newest sign-offs leaves fewer than N (a truncated tail);
- rewriting the chain from some row on changes the chain hash that a checkpoint recorded;
- editing an audit row below a checkpoint changes its range hash; deleting one leaves an id
  the checkpoint expected; inserting one into a range already covered leaves an id no
  checkpoint covered.

Why not one hash chain through every audit row: that would make every write in the app wait for
the previous one (the chain head is a single row everybody updates). Checkpoints are written
after a commit that asked for one (each sign-off; `python -m field checkpoint`, e.g. from cron)
and read the committed state, so writers never wait. What they cannot vouch for is the audit
rows written since the last checkpoint: run `checkpoint` as often as that window must be short.

Ids the database skipped (a rolled-back transaction on PostgreSQL uses up sequence values, and a
transaction still open when the checkpoint is taken has not committed its rows yet) are kept as
*gaps*: a later checkpoint covers a row that appears in a gap ("filled"), and a gap older than
`GAP_TTL` is dropped as permanent — a row that appears there afterwards was inserted behind the
app's back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from field.data.models import AuditEvent, SignOff, Verification
from field.domain import clock
from field.photos.store import PhotoStore
from field.trust import keys
from field.trust.context import Trust
from field.trust.problem import Problem

GAP_TTL = dt.timedelta(hours=1)
_AUDIT = AuditEvent.__table__


@dataclass(frozen=True)
class Checkpoint:
    sha: str
    body: dict[str, Any]
    sig: str


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def audit_row_hash(row: Any) -> str:
    """The SHA-256 of one audit row's canonical form (every column)."""
    data = {col.name: _jsonable(row._mapping[col.name]) for col in _AUDIT.columns}
    return hashlib.sha256(keys.canonical(data)).hexdigest()


def _range_hash(rows: Iterable[Any]) -> str:
    return hashlib.sha256("\n".join(audit_row_hash(r) for r in rows).encode("ascii")).hexdigest()


def _ranges(ids: list[int]) -> list[list[int]]:
    """Sorted ids as inclusive [first, last] ranges."""
    out: list[list[int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _missing(lo: int, hi: int, present: set[int]) -> list[list[int]]:
    """Inclusive ranges of ids in [lo, hi] that are not in `present` (ranges, not lists: the
    first checkpoint of a large table may span many ids)."""
    out: list[list[int]] = []
    start = lo
    for i in sorted(x for x in present if lo <= x <= hi):
        if i > start:
            out.append([start, i - 1])
        start = i + 1
    if start <= hi:
        out.append([start, hi])
    return out


def _in_ranges(i: int, ranges: Iterable[list[Any]]) -> bool:
    return any(g[0] <= i <= g[1] for g in ranges)


def _parse(sha: str, data: bytes) -> Checkpoint:
    obj = json.loads(data)
    return Checkpoint(sha, obj["body"], obj["sig"])


def _prev_of(data: bytes) -> str | None:
    prev = json.loads(data)["body"].get("prev")
    return str(prev) if prev else None


def read_all(store: PhotoStore) -> list[Checkpoint]:
    """The whole log, oldest first. FileNotFoundError / ValueError / KeyError when it is damaged."""
    return [_parse(sha, data) for sha, data in store.read_checkpoints(_prev_of)]


def _legacy(conn: Connection) -> dict[str, int]:
    """Rows from before signatures existed (migration 0006): the first checkpoint records the
    highest unsigned id, so an unsigned row above it is a stripped signature, not history."""
    return {
        "signoffs": int(conn.scalar(select(func.max(SignOff.id)).where(SignOff.signature.is_(None))) or 0),
        "verifications": int(conn.scalar(select(func.max(Verification.id))
                                         .where(Verification.signature.is_(None))) or 0),
    }


def build(conn: Connection, prev: Checkpoint | None, now: dt.datetime, kid: str) -> dict[str, Any]:
    """The next checkpoint's body, from what is committed now."""
    last_id = conn.scalar(select(func.max(SignOff.id)))
    count = conn.scalar(select(func.count()).select_from(SignOff)) or 0
    head = conn.scalar(select(SignOff.chain_hash).where(SignOff.id == last_id)) if last_id else None
    pa: dict[str, Any] = prev.body["audit"] if prev else {"upto": 0, "gaps": []}
    frm = int(pa["upto"])
    upto = max(int(conn.scalar(select(func.max(_AUDIT.c.id))) or 0), frm)
    new_rows = list(conn.execute(select(_AUDIT).where(_AUDIT.c.id > frm, _AUDIT.c.id <= upto)
                                 .order_by(_AUDIT.c.id)))
    filled_rows: list[Any] = []
    gaps: list[list[Any]] = []
    for lo, hi, since in pa["gaps"]:
        if dt.datetime.fromisoformat(since) <= now - GAP_TTL:
            continue  # permanent: a row appearing there later is an insertion, left uncovered
        found = list(conn.execute(select(_AUDIT).where(_AUDIT.c.id >= lo, _AUDIT.c.id <= hi)
                                  .order_by(_AUDIT.c.id)))
        filled_rows += found
        gaps += [[a, b, since] for a, b in _missing(lo, hi, {r.id for r in found})]
    gaps += [[a, b, now.isoformat()] for a, b in _missing(frm + 1, upto, {r.id for r in new_rows})]
    covered = sorted(filled_rows + new_rows, key=lambda r: r.id)
    return {
        "t": "checkpoint/1", "kid": kid, "seq": (int(prev.body["seq"]) + 1) if prev else 1,
        "prev": prev.sha if prev else None, "at": now.isoformat(),
        "signoffs": {"count": int(count), "last_id": int(last_id or 0), "head": head},
        "audit": {"from": frm, "upto": upto, "gaps": gaps, "filled": [r.id for r in filled_rows],
                  "rows": len(covered), "hash": _range_hash(covered)},
        "legacy": prev.body["legacy"] if prev else _legacy(conn),
    }


def append(engine: Engine, trust: Trust, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write the next checkpoint (signed) from the committed state; returns its body."""
    key = trust.signing_key()
    store = trust.store
    with store.checkpoint_lock():
        head = store.checkpoint_head()
        prev = _parse(head, store.read_checkpoint(head)) if head else None
        with engine.connect() as conn:
            body = build(conn, prev, now or clock.now(), key.kid)
        store.append_checkpoint(keys.canonical({"body": body, "sig": key.sign(body)}))
    return body


def short_form(body: dict[str, Any] | None) -> str:
    """What a PDF sheet prints of the checkpoint it was made under: seq, count, head."""
    if not body:
        return ""
    so = body["signoffs"]
    return f"CP{body['seq']} · {so['count']} · {(so['head'] or '')[:12].upper()}"


def latest(store: PhotoStore) -> dict[str, Any] | None:
    head = store.checkpoint_head()
    return _parse(head, store.read_checkpoint(head)).body if head else None


# -- verification ------------------------------------------------------------------------------


def _p(key: str, detail: str = "", signoff_id: int | None = None) -> Problem:
    return Problem(signoff_id, None, None, key, detail)


def _ids(ranges: list[list[Any]]) -> str:
    return ", ".join(f"#{a}" if a == b else f"#{a}–#{b}" for a, b, *_ in ranges[:20]) + \
        (" …" if len(ranges) > 20 else "")


def verify(session: Session, store: PhotoStore, keyring: keys.Keyring,
           ) -> tuple[list[Problem], list[Checkpoint]]:
    """Check the log's signatures, the sign-off head and count against every checkpoint, and
    every audit row a checkpoint covered. Returns the problems and the log (oldest first)."""
    try:
        log = read_all(store)
    except (OSError, ValueError, KeyError) as exc:
        return [_p("verify.checkpoint_log_broken", str(exc))], []
    problems: list[Problem] = []
    for cp in log:
        bad = keyring.check(cp.body, cp.body.get("kid"), cp.sig)
        if bad:
            problems.append(_p("verify.checkpoint_invalid", f"CP{cp.body.get('seq')} ({bad})"))
    count = session.scalar(select(func.count()).select_from(SignOff)) or 0
    if not log:
        if count:
            problems.append(_p("verify.no_checkpoint"))
        return problems, log
    problems += _verify_signoffs(session, log)
    problems += _verify_audit(session, log)
    return problems, log


def _verify_signoffs(session: Session, log: list[Checkpoint]) -> list[Problem]:
    problems: list[Problem] = []
    newest = log[-1].body["signoffs"]
    found = session.scalar(select(func.count()).select_from(SignOff).where(SignOff.id <= newest["last_id"])) or 0
    if found < newest["count"]:
        problems.append(_p("verify.truncated", f"CP{log[-1].body['seq']}: {newest['count']} → {found}"))
    elif found > newest["count"]:
        problems.append(_p("verify.chain_inserted", f"CP{log[-1].body['seq']}: {newest['count']} → {found}"))
    heads = {cp.body["signoffs"]["last_id"]: cp.body["signoffs"]["head"] for cp in log
             if cp.body["signoffs"]["last_id"]}
    stored = dict(session.execute(select(SignOff.id, SignOff.chain_hash).where(SignOff.id.in_(list(heads)))).all())
    for so_id, head in sorted(heads.items()):
        if so_id not in stored:
            if not any(p.key == "verify.truncated" for p in problems):
                problems.append(_p("verify.truncated", f"#{so_id}", so_id))
        elif stored[so_id] != head:
            problems.append(_p("verify.head_mismatch", f"{head[:12]}… → {stored[so_id][:12]}…", so_id))
    return problems


def _verify_audit(session: Session, log: list[Checkpoint]) -> list[Problem]:
    problems: list[Problem] = []
    in_gap: set[int] = set()
    filled_ever: set[int] = set()
    for cp in log:
        a = cp.body["audit"]
        frm, upto, gaps, filled = int(a["from"]), int(a["upto"]), a["gaps"], [int(i) for i in a["filled"]]
        filled_ever.update(filled)
        rows = list(session.execute(select(_AUDIT).where(_AUDIT.c.id > frm, _AUDIT.c.id <= upto)))
        if filled:
            rows += list(session.execute(select(_AUDIT).where(_AUDIT.c.id.in_(filled))))
        by_id = {r.id: r for r in rows}
        expected = {i for i in range(frm + 1, upto + 1) if not _in_ranges(i, gaps)} | set(filled)
        in_gap |= {i for i in by_id if frm < i <= upto and i not in expected}
        gone = sorted(expected - set(by_id))
        if gone:
            problems.append(_p("verify.audit_deleted", f"CP{cp.body['seq']}: {_ids(_ranges(gone))}"))
            continue
        covered = [by_id[i] for i in sorted(expected)]
        if len(covered) != a["rows"] or _range_hash(covered) != a["hash"]:
            problems.append(_p("verify.audit_changed", f"CP{cp.body['seq']}: #{frm + 1}–#{upto}"
                               + (f" + {_ids(_ranges(filled))}" if filled else "")))
    pending = log[-1].body["audit"]["gaps"]
    inserted = sorted(i for i in in_gap - filled_ever if not _in_ranges(i, pending))
    if inserted:
        problems.append(_p("verify.audit_inserted", _ids(_ranges(inserted))))
    return problems
