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
    """Exit 0 when written (or previewed with --dry-run), 1 on a refused file, 2 on bad arguments."""
    from field import caseimport as cases
    from field.domain.errors import FieldError

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    handed = None
    if args.handed_over:
        try:
            handed = dt.date.fromisoformat(args.handed_over)
        except ValueError:
            print(f"--handed-over must be YYYY-MM-DD, not {args.handed_over!r}", file=sys.stderr)
            return 2
    lang = getattr(args, "lang", "zh")
    rt = _runtime()
    # A dry run reads through a session that is never committed; a real import is one unit of work.
    try:
        with rt.read() if args.dry_run else rt.uow() as s:
            user = _actor(s, args.user)
            if user is None:
                print(f"no active user {args.user or '(admin)'}: pass --user USERNAME", file=sys.stderr)
                return 2
            parsed, summary = cases.import_cases(s, user, path.read_bytes(), path.name, batch=args.batch,
                                                 handed_over=handed, dry_run=args.dry_run,
                                                 feedback_days=rt.settings.feedback_days,
                                                 city_adcode=rt.settings.city_adcode)
    except FieldError as exc:
        return _fail(exc, lang)
    if args.json:
        print(json.dumps(summary.as_dict()))
        return 0
    for w in parsed.warnings:
        print(f"file: {w.text(lang)}")
    for r in parsed.rows:
        for issue in r.rejected:
            print(f"row {r.row_no} REJECTED: {issue.text(lang)}")
        for issue in r.warnings:
            print(f"row {r.row_no} warning: {issue.text(lang)}")
        if r.action == "update":
            print(f"row {r.row_no} update: {', '.join(r.changed)}")
    verb = "would import" if args.dry_run else "imported"
    d = summary.as_dict()
    print(f"{verb} {d['imported']}, updated {d['updated']}, unchanged {d['unchanged']}, "
          f"rejected {d['rejected']}, rows with warnings {d['warnings']}")
    return 0


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
            data = ledgers.export_xlsx(s, user, args.kind, lang=lang, batch=args.batch)
    except FieldError as exc:
        return _fail(exc, lang)
    Path(args.out).write_bytes(data)
    print(f"{args.kind} written to {args.out}")
    return 0


def add_parsers(sub: Any) -> None:
    """Register the two commands on `field.cli`'s subparsers."""
    from field.services.ledgers import KINDS

    ic = sub.add_parser("import-cases", help="import a 交办件 batch (.xlsx or .csv, UTF-8 or GBK)")
    ic.add_argument("file")
    ic.add_argument("--batch", type=int, help="batch number (第X批); default: from the file")
    ic.add_argument("--handed-over", help="hand-over date YYYY-MM-DD; default: from the file")
    ic.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    ic.add_argument("--json", action="store_true", help="print one JSON line of counts")
    ic.add_argument("--user", help="act as this user (default: the first admin)")
    ic.set_defaults(func=cmd_import_cases)

    el = sub.add_parser("export-ledger", help="write a ledger or list to .xlsx")
    el.add_argument("kind", choices=list(KINDS))
    el.add_argument("out")
    el.add_argument("--batch", type=int, help="only this batch (for the public table and the petition ledger)")
    el.add_argument("--user", help="act as this user; the export holds only their counties")
    el.set_defaults(func=cmd_export_ledger)
