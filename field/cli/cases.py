"""`python -m field import-cases` and `export-ledger`: the case-supervision commands.

The importing user matters (county scope, audit trail), so both commands act as a named user
(`--user`, default: the first active admin) rather than as an anonymous system.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from field import i18n

if TYPE_CHECKING:  # the commands import the app lazily, so `--help` stays fast
    from field.data.models import User
    from field.runtime import Runtime


def _runtime() -> Runtime:
    from field.cli import _config
    from field.runtime import open_runtime

    return open_runtime(_config())


def _actor(session: Any, username: str | None) -> User | None:
    from sqlalchemy import select

    from field.data.models import User

    stmt = select(User).where(User.is_active.is_(True))
    stmt = stmt.where(User.username == username) if username else stmt.where(User.role == "admin")
    return session.scalars(stmt.order_by(User.id)).first()


def _fail(exc: BaseException, lang: str) -> int:
    print(i18n.error_text(exc, lang), file=sys.stderr)
    return 1


def cmd_import_cases(args: argparse.Namespace) -> int:
    """Exit 0 when written (or previewed with --dry-run), 1 on a refused file, 2 on bad arguments.

    The title's date is never taken as the hand-over date unless confirmed: `--handed-over
    YYYY-MM-DD`, or `--handed-over title` to confirm the date the title suggests."""
    from field import caseimport as cases
    from field.domain.errors import FieldError

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    handed = None
    accept_title = args.handed_over == "title"
    if args.handed_over and not accept_title:
        try:
            handed = dt.date.fromisoformat(args.handed_over)
        except ValueError:
            print(f"--handed-over must be YYYY-MM-DD or 'title', not {args.handed_over!r}", file=sys.stderr)
            return 2
    batch: int | str | None = args.batch
    if isinstance(batch, str) and batch.strip().isdigit():
        batch = int(batch.strip())
    lang = getattr(args, "lang", "zh")
    rt = _runtime()
    # A dry run reads through a session that is never committed; a real import is one unit of work.
    try:
        with rt.read() if args.dry_run else rt.uow() as s:
            user = _actor(s, args.user)
            if user is None:
                print(f"no active user {args.user or '(admin)'}: pass --user USERNAME", file=sys.stderr)
                return 2
            parsed, summary = cases.import_cases(
                s, user, path.read_bytes(), path.name, batch=batch, handed_over=handed,
                accept_suggested_date=accept_title, inspection=args.inspection,
                default_inspection=rt.settings.inspection, clear_blanks=args.clear_blanks, dry_run=args.dry_run,
                feedback_days=rt.settings.feedback_days, city_adcode=rt.settings.city_adcode)
    except FieldError as exc:
        return _fail(exc, lang)
    if args.json:
        print(json.dumps(summary.as_dict()))
        return 0
    print(f"inspection: {parsed.inspection or '-'} ({parsed.inspection_source or 'unknown'}); "
          f"batch: {parsed.batch_text or '-'}; hand-over date: {parsed.handed_over or '-'}"
          + (f" (title suggests {parsed.suggested_date}: confirm with --handed-over title)"
             if parsed.handed_over is None and parsed.suggested_date else ""))
    for w in parsed.warnings:
        print(f"file: {w.text(lang)}")
    for r in parsed.rows:
        for issue in r.rejected:
            print(f"row {r.row_no} REJECTED: {issue.text(lang)}")
        for issue in r.warnings:
            print(f"row {r.row_no} warning: {issue.text(lang)}")
        if r.action == "update":
            label = "republished" if r.republished else "update"
            shown = [f"{f}: {_short(old)} -> {_short(new)}" for f, (old, new) in r.changes.items()]
            if r.new_batches:
                shown.append("batches + " + "、".join(str(b) for b in r.new_batches))
            print(f"row {r.row_no} {label}: " + "; ".join(shown))
    verb = "would import" if args.dry_run else "imported"
    d = summary.as_dict()
    print(f"{verb} {d['imported']}, updated {d['updated']} (republished {d['republished']}), "
          f"unchanged {d['unchanged']}, rejected {d['rejected']}, rows with warnings {d['warnings']}")
    return 0


def _short(value: Any, n: int = 40) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def cmd_export_ledger(args: argparse.Namespace) -> int:
    from field.domain.errors import FieldError
    from field.services import ledgers

    lang = getattr(args, "lang", "zh")
    rt = _runtime()
    try:
        with rt.uow() as s:
            user = _actor(s, args.user)
            if user is None:
                print(f"no active user {args.user or '(admin)'}: pass --user USERNAME", file=sys.stderr)
                return 2
            data = ledgers.export_xlsx(s, user, args.kind, lang=lang, batch=args.batch,
                                       area=getattr(args, "area", None))
    except FieldError as exc:
        return _fail(exc, lang)
    Path(args.out).write_bytes(data)
    print(f"{args.kind} written to {args.out}")
    return 0


def cmd_import_plan(args: argparse.Namespace) -> int:
    """Preview (always printed) and write a 整改方案 annex; exit 1 on a refused file, 2 on bad arguments."""
    from field import planimport
    from field.domain.errors import FieldError

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    lang = getattr(args, "lang", "zh")
    rt = _runtime()
    with rt.session() as s:
        user = _actor(s, args.user)
        if user is None:
            print(f"no active user {args.user or '(admin)'}: pass --user USERNAME", file=sys.stderr)
            return 2
        try:
            plan, summary = planimport.import_plan(s, user, path.read_bytes(), path.name, dry_run=args.dry_run)
            if args.dry_run:
                s.rollback()
            else:
                s.commit()
        except FieldError as exc:
            s.rollback()
            return _fail(exc, lang)
    if args.json:
        print(json.dumps({"dry_run": bool(args.dry_run), **summary.as_dict(), "rows": [
            {"row": r.row_no, "action": r.action, "problem": r.problem_key, "measure": r.measure_code,
             "deadline": r.deadline.date.isoformat() if r.deadline and r.deadline.date else None,
             "standing": bool(r.deadline and r.deadline.standing),
             "rule": i18n.t(r.deadline.rule, lang) if r.deadline else None, "changed": r.changed,
             "warnings": [w.text(lang) for w in r.warnings], "rejected": [w.text(lang) for w in r.rejected]}
            for r in plan.rows]}, ensure_ascii=False))
        return 0
    for w in plan.warnings:
        print(f"file: {w.text(lang)}")
    for r in plan.rows:
        d = r.deadline
        when = ""
        if d is not None and d.text:
            shown = d.date.isoformat() if d.date else ("长期坚持" if d.standing else "—")
            when = f"  整改时限 “{d.text}” -> {shown} ({i18n.t(d.rule, lang)})"
        print(f"row {r.row_no} {i18n.t('plan.action.' + (r.action or 'skip'), lang)}{when}")
        for issue in r.rejected:
            print(f"row {r.row_no} REJECTED: {issue.text(lang)}")
        for issue in r.warnings:
            print(f"row {r.row_no} warning: {issue.text(lang)}")
        if r.action == "update" and r.changed:
            print(f"row {r.row_no} changed: {', '.join(r.changed)}")
    verb = "would import" if args.dry_run else "imported"
    d2 = summary.as_dict()
    print(f"{verb}: problems {d2['problems_new']} new / {d2['problems_updated']} updated, measures "
          f"{d2['measures_new']} new / {d2['measures_updated']} updated, unchanged {d2['unchanged']}, "
          f"rejected {d2['rejected']}, rows with warnings {d2['warnings']}")
    return 0


def add_parsers(sub: Any) -> None:
    """Register the case-supervision and programme commands on `field.cli`'s subparsers."""
    from field.services.ledgers import KINDS

    ip = sub.add_parser("import-plan", help="import a 整改方案 annex (problems and measures; .xlsx or .csv)")
    ip.add_argument("file")
    ip.add_argument("--dry-run", action="store_true", help="show the preview, write nothing")
    ip.add_argument("--json", action="store_true", help="print the preview and counts as one JSON line")
    ip.add_argument("--user", help="act as this user (default: the first admin)")
    ip.set_defaults(func=cmd_import_plan)

    ic = sub.add_parser("import-cases", help="import a 交办件 batch (.xlsx or .csv, UTF-8 or GBK)")
    ic.add_argument("file")
    ic.add_argument("--batch", help="batch as published: 3, 第三批 or 第29、30批; default: from the title")
    ic.add_argument("--handed-over", help="hand-over date YYYY-MM-DD, or 'title' to confirm the title's date; "
                                          "default: the 交办日期 column (a title date is never guessed)")
    ic.add_argument("--inspection", help="inspection (round/team/province) the 受理编号 belong to; "
                                         "default: FIELD_INSPECTION, else the title")
    ic.add_argument("--clear-blanks", action="store_true",
                    help="let empty cells erase stored values (default: a blank never erases)")
    ic.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    ic.add_argument("--json", action="store_true", help="print one JSON line of counts")
    ic.add_argument("--user", help="act as this user (default: the first admin)")
    ic.set_defaults(func=cmd_import_cases)

    el = sub.add_parser("export-ledger", help="write a ledger or list to .xlsx")
    el.add_argument("kind", choices=list(KINDS))
    el.add_argument("out")
    el.add_argument("--batch", type=int, help="only this batch (for the public table and the petition ledger)")
    el.add_argument("--user", help="act as this user; the export holds only their counties")
    el.add_argument("--area", help="only this county, or (a province deployment) this city, e.g. 130900")
    el.set_defaults(func=cmd_export_ledger)
