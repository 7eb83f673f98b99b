"""`python -m field report weekly|dispatch|monthly --date YYYY-MM-DD [--county ADCODE] --out FILE.docx`.

Writes the .docx and, beside it, the .xlsx annex (same name); files both in the archive in the
same unit of work. Acts as a named user (`--user`, default: the first admin), whose scope
decides what the report may cover. Made for cron / systemd timers (see README).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from field.cli.cases import _actor, _fail, _runtime

KINDS = ("weekly", "dispatch", "monthly")


def cmd_report(args: argparse.Namespace) -> int:
    """Exit 0 when written, 1 on a refusal (scope, font), 2 on bad arguments."""
    from field import reports
    from field.domain import clock
    from field.domain.errors import FieldError

    lang = getattr(args, "lang", "zh")
    try:
        day = dt.date.fromisoformat(args.date) if args.date else clock.today_local()
    except ValueError:
        print(f"--date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        print(f"--out must end in .docx, not {out.name!r}", file=sys.stderr)
        return 2
    rt = _runtime()
    try:
        with rt.uow() as s:
            user = _actor(s, args.user)
            if user is None:
                print(f"no active user {args.user or '(admin)'}: pass --user USERNAME", file=sys.stderr)
                return 2
            made = reports.generate(s, user, args.kind, day, settings=rt.settings, county=args.county or None,
                                    lang=lang)
    except FieldError as exc:
        return _fail(exc, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(made.docx)
    out.with_suffix(".xlsx").write_bytes(made.xlsx)
    f = made.figures
    print(f"{args.kind} {f.period_start}..{f.period_end} written to {out} and {out.with_suffix('.xlsx')} "
          f"(archive #{made.archive.id}, sha256 {made.archive.sha256[:12]})")
    return 0


def add_parsers(sub: Any) -> None:
    rp = sub.add_parser("report", help="write a weekly / dispatch / monthly report (.docx + .xlsx annex)")
    rp.add_argument("kind", choices=KINDS)
    rp.add_argument("--date", help="the period ends on / contains this day, YYYY-MM-DD (default: today)")
    rp.add_argument("--county", help="one county's adcode (default: the user's whole scope)")
    rp.add_argument("--out", required=True, help="the .docx to write; the .xlsx annex goes beside it")
    rp.add_argument("--user", help="act as this user (default: the first admin)")
    rp.set_defaults(func=cmd_report)
