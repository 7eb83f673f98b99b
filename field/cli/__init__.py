"""`python -m field …`: the admin command line (init, users, demo data, verification).

Settings (the database, FIELD_NEW_PASSWORD, FIELD_ADMIN_USER, …) come from `field.config`,
loaded once in `main`; a bad setting or a test hook outside test mode stops here with the
catalog's message in both languages, before anything is touched.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from field import i18n
from field.config import Settings, SettingsError, load_settings
from field.data.db import DatabaseUnavailable
from field.domain.vocab import ROLES

if TYPE_CHECKING:  # the commands import the app lazily, so `--help` stays fast
    from field.runtime import Runtime

_settings: Settings | None = None


def _config() -> Settings:
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


_opened: Runtime | None = None


def _runtime() -> Runtime:
    """One runtime per process: `start` runs several commands on one connection and one migration."""
    global _opened
    from field.runtime import open_runtime

    if _opened is None:
        _opened = open_runtime(_config())
    return _opened


def cmd_start(args: argparse.Namespace) -> int:
    """What scripts/run.sh does before the server starts, in one process: the schema (migrated
    once), the first admin, and the demo data on an empty database when asked."""
    for step in (cmd_init_db, cmd_bootstrap_admin):
        rc = step(args)
        if rc:
            return rc
    if not args.demo:
        return 0
    return cmd_seed_demo(argparse.Namespace(password=None, count=300, if_empty=True, append=False))


def cmd_init_db(args: argparse.Namespace) -> int:
    rt = _runtime()
    print(f"database ready: {rt.engine.url.render_as_string(hide_password=True)}")
    print(f"signing key: {rt.settings.key_file} (public keys: {rt.trust.keyring_path})")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from field.services import auth

    password = args.password or _config().new_password
    if not password:
        if not sys.stdin.isatty():
            print("no password: pass --password or FIELD_NEW_PASSWORD", file=sys.stderr)
            return 2
        password = getpass.getpass("password: ")
    rt = _runtime()
    counties = [c.strip() for c in (args.counties or "all").split(",") if c.strip()]
    try:
        with rt.uow() as s:
            user = auth.create_user(s, None, username=args.username, password=password, role=args.role,
                                    counties=["*"] if counties in (["all"], ["*"]) else counties,
                                    display_name=args.name or "")
    except Exception as exc:
        if getattr(exc, "key", None):
            print(i18n.error_text(exc, args.lang), file=sys.stderr)
            return 1
        raise
    print(f"created user {user.username} ({user.role})")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from field.data.models import Finding
    from field.services import demo

    rt = _runtime()
    if args.if_empty:
        with rt.read() as s:
            if s.scalar(select(func.count()).select_from(Finding)):
                print("database already has findings: demo data not added")
                return 0
    try:
        result = demo.seed(rt, password=args.password or _config().demo_password or None, count=args.count,
                           append=args.append)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"demo data: {result.findings} findings")
    if result.passwords:
        cred = rt.settings.data_dir / "demo-users.txt"
        lines = [f"{u}\t{p}" for u, p in result.passwords.items()]
        cred.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cred.chmod(0o600)
        print(f"demo users and passwords written to {cred}")
    return 0


def cmd_bootstrap_admin(args: argparse.Namespace) -> int:
    """First start: make sure an admin exists. Uses FIELD_ADMIN_USER/FIELD_ADMIN_PASSWORD, or
    generates a password, prints it once and stores it in the data dir (mode 600)."""
    import secrets

    from field.services import auth

    rt = _runtime()
    with rt.uow() as s:
        if auth.has_users(s):
            print("users exist: no admin created")
            return 0
        username = rt.settings.admin_user.strip() or "admin"
        password = rt.settings.admin_password or secrets.token_urlsafe(12)
        auth.create_user(s, None, username=username, password=password, role="admin", display_name="管理员")
    if not rt.settings.admin_password:
        cred = rt.settings.data_dir / "first-admin.txt"
        cred.write_text(f"{username}\t{password}\n", encoding="utf-8")
        cred.chmod(0o600)
        print(f"first admin: {username}  password: {password}  (also saved in {cred})")
    else:
        print(f"first admin: {username} (password from FIELD_ADMIN_PASSWORD)")
    return 0


def _where(p: object) -> str:
    parts = [f"{label} #{getattr(p, attr)}" for label, attr in
             (("signoff", "signoff_id"), ("verification", "verification_id"), ("finding", "finding_id"))
             if getattr(p, attr) is not None]
    return ", ".join(parts)


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when everything checks out, 1 naming each problem, 2 when there is no keyring to
    check signatures with (a verifier elsewhere needs only a copy of it: `--keyring`)."""
    from pathlib import Path

    from field.domain.errors import FieldError
    from field.services import integrity, photofiles
    from field.trust import keys

    rt = _runtime()
    try:
        if getattr(args, "keyring", None):
            keyring = keys.load_keyring(Path(args.keyring))
            if not keyring.keys:
                raise FieldError("signing.no_keyring", path=args.keyring)
        else:
            keyring = rt.trust.keyring()
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 2
    with rt.read() as s:
        report = integrity.verify_all(s, rt.store, keyring)
        orphans = photofiles.orphans(s, rt.store)
    problems = report.problems
    if args.json:
        print(json.dumps({"signoffs": report.signoffs, "verifications": report.verifications,
                          "checkpoints": report.checkpoints, "problems": [p.__dict__ for p in problems],
                          "warnings": [w.__dict__ for w in report.warnings],
                          "orphans": photofiles.summary(orphans)}, ensure_ascii=False))
    else:
        for p in problems:
            print(f"TAMPERED {i18n.t(p.key, args.lang)}: {_where(p)} {p.detail}".replace(":  ", ": ").rstrip())
        for w in report.warnings:
            print(f"WARNING {i18n.t(w.key, args.lang)}: {_where(w)} {w.detail}".replace(":  ", ": ").rstrip())
        if orphans:  # a warning, not a failure: nothing recorded is wrong, files are left over
            print(f"WARNING {i18n.t('photos.orphans', args.lang, count=len(orphans))}")
        print(i18n.t("cli.verify_summary", args.lang, signoffs=report.signoffs, records=report.verifications,
                     checkpoints=report.checkpoints, problems=len(problems), warnings=len(report.warnings)))
        print(f"{report.signoffs} sign-offs checked, {len(problems)} problems")
    return 1 if problems else 0


def cmd_gc(args: argparse.Namespace) -> int:
    import datetime as dt

    from field.services import photofiles

    rt = _runtime()
    with rt.read() as s:
        removed = photofiles.gc(s, rt.store, min_age=dt.timedelta(minutes=args.min_age_minutes),
                                dry_run=args.dry_run)
    for rel in removed:
        print(("would remove " if args.dry_run else "removed ") + rel)
    print(i18n.t("photos.gc_done" if not args.dry_run else "photos.gc_dry", args.lang, count=len(removed)))
    return 0


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """A signed checkpoint of the chain head and the audit rows since the last one (cron this:
    audit rows are vouched for once a checkpoint covers them)."""
    from field.domain.errors import FieldError
    from field.trust import checkpoints

    rt = _runtime()
    try:
        body = checkpoints.append(rt.engine, rt.trust)
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    print(i18n.t("cli.checkpoint_written", args.lang, cp=checkpoints.short_form(body)))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    """Create the signing key if absent, or `--rotate` it; `--export` copies the public keyring."""
    import shutil
    from pathlib import Path

    from field.domain.errors import FieldError
    from field.trust import keys

    settings = _config()
    key_file = settings.key_file
    try:
        if args.rotate:
            kid = keys.generate(key_file, rotate=True)
        else:
            kid = keys.ensure(key_file)
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    ring = keys.keyring_path(key_file)
    print(i18n.t("cli.key_created", args.lang, path=key_file, kid=kid, keyring=ring))
    if args.export:
        shutil.copyfile(ring, Path(args.export))
        print(i18n.t("cli.key_exported", args.lang, out=args.export))
    return 0


def cmd_advance(args: argparse.Namespace) -> int:
    from field.services import signoff

    rt = _runtime()
    with rt.uow() as s:
        n = signoff.advance_notices(s, settings=rt.settings)
    print(f"{n} findings closed after their public-notice period")
    return 0


def cmd_schedule_run(args: argparse.Namespace) -> int:
    """Exit 0 when the work ran (or another scheduler is already running it: nothing to do, not
    a failure for a timer), 1 when a job failed. Output is one line per outcome; `--json` prints
    the result as JSON for a monitor."""
    from field.services import jobs

    rt = _runtime()
    result = jobs.run(rt, report_user=args.report_user)
    if args.json:
        print(json.dumps({"ran": result.ran, "results": result.results, "errors": result.errors,
                          "audit_id": result.audit_id}, ensure_ascii=False))
    elif not result.ran:
        print(i18n.t("jobs.busy", args.lang))
    else:
        report = result.results.get("weekly_report")
        shown = (i18n.t("jobs.report_filed", args.lang, id=report) if report is not None
                 else i18n.t("jobs.report_none", args.lang))
        if "weekly_report" in result.errors:
            shown = "-"
        print(i18n.t("jobs.done", args.lang, advance=result.results.get("advance", "-"),
                     recheck_reminders=result.results.get("recheck_reminders", "-"), weekly_report=shown))
        for job, error in result.errors.items():
            print(i18n.t("jobs.failed", args.lang, job=job, error=error), file=sys.stderr)
    return 1 if result.errors else 0


def cmd_users(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from field.data.models import User

    rt = _runtime()
    if args.unlock:
        from field.domain.errors import FieldError
        from field.services import auth

        try:
            with rt.uow() as s:
                cleared = auth.unlock(s, None, args.unlock)
        except FieldError as exc:
            print(i18n.error_text(exc, args.lang), file=sys.stderr)
            return 1
        print(f"{args.unlock}: failed-login delays cleared ({cleared} addresses)")
        return 0
    with rt.read() as s:
        for u in s.scalars(select(User).order_by(User.id)):
            scope = "all" if u.all_counties else ",".join(u.county_scope)
            print(f"{u.username}\t{u.role}\t{scope}\t{'active' if u.is_active else 'disabled'}")
    return 0


def cmd_end_sessions(args: argparse.Namespace) -> int:
    from field.domain.errors import FieldError
    from field.services import sessions

    rt = _runtime()
    try:
        with rt.uow() as s:
            ended = sessions.end_sessions_of(s, None, args.username)
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    print(i18n.t("sessions.ended", args.lang, username=args.username, n=ended))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from field.services import backup

    rt = _runtime()
    manifest = backup.backup(rt.engine, rt.store, Path(args.out), files=backup.file_roots(rt.settings.data_dir))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"backup written to {args.out}: {rows} rows in {len(manifest['tables'])} tables, "
          f"{manifest['photos']} photo files, {len(manifest['files'])} report/evidence files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from field.domain.errors import FieldError
    from field.services import backup

    rt = _runtime()
    try:
        manifest = backup.restore(rt.engine, rt.store, Path(args.archive),
                                  files=backup.file_roots(rt.settings.data_dir))
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"restored {rows} rows and {manifest['photos']} photo files from {args.archive}")
    return cmd_verify(argparse.Namespace(json=False, lang=args.lang, keyring=None))


def cmd_migrate_photos(args: argparse.Namespace) -> int:
    """Copy the photo store (`FIELD_PHOTO_STORE`, or `--from`) to `--to`, checking every hash;
    the operator then switches the setting (printed at the end)."""
    from field.domain.errors import FieldError
    from field.runtime import photo_store
    from field.services import audit, photomigrate

    rt = _runtime()
    source = photo_store(rt.settings, args.source) if args.source else rt.store
    try:
        target = photo_store(rt.settings, args.to)
        report = photomigrate.migrate(source, target)
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    for problem in report.problems:
        print(f"PROBLEM {i18n.error_text(problem, args.lang)}", file=sys.stderr)
    with rt.uow() as s:
        audit.record(s, None, "photo_store", report.target, "migrate", after=report.counts(),
                     reason=f"migrate-photos from {report.source}")
    if args.json:
        print(json.dumps(report.counts(), ensure_ascii=False))
    else:
        print(i18n.t("store.migrate_done", args.lang, **report.counts()))
        if report.ok:
            print(i18n.t("store.migrate_switch", args.lang, target=report.target))
    return 0 if report.ok else 1


def build_parser(default_lang: str = "zh") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m field", description="督察整改 field tool: administration")
    p.add_argument("--lang", choices=["zh", "en"], default=default_lang)
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("init-db", help="create or upgrade the database schema, load counties").set_defaults(
        func=cmd_init_db)

    cu = sub.add_parser("create-user", help="create a user (the first admin, for example)")
    cu.add_argument("--username", required=True)
    cu.add_argument("--password", help="or FIELD_NEW_PASSWORD, or asked for on a terminal")
    cu.add_argument("--role", required=True, choices=ROLES.codes)
    cu.add_argument("--counties", default="all",
                    help="all, or comma-separated adcodes: counties (130902,130903), a city (130900) or a "
                         "province (130000) in a province deployment")
    cu.add_argument("--name", help="display name")
    cu.set_defaults(func=cmd_create_user)

    st = sub.add_parser("start", help="init-db, bootstrap-admin and (with --demo) seed-demo --if-empty in one process")
    st.add_argument("--demo", action="store_true", help="add the demo data if the database has no findings")
    st.set_defaults(func=cmd_start)

    sd = sub.add_parser("seed-demo", help="fill an empty database with Cangzhou demo data")
    sd.add_argument("--password", help="one password for all demo users (default: random, written to data/)")
    sd.add_argument("--count", type=int, default=300)
    sd.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) if there are findings")
    sd.add_argument("--append", action="store_true", help="add demo findings even if there are findings")
    sd.set_defaults(func=cmd_seed_demo)

    vf = sub.add_parser("verify", help="recompute sign-off hashes and photo files; exit 1 if anything changed")
    vf.add_argument("--json", action="store_true")
    vf.add_argument("--keyring", help="a copy of keyring.json (default: the one beside FIELD_SIGNING_KEY_FILE)")
    vf.set_defaults(func=cmd_verify)
    sub.add_parser("checkpoint", help="write a signed checkpoint of the sign-off chain and the audit trail").set_defaults(
        func=cmd_checkpoint)
    kg = sub.add_parser("keygen", help="create the signing key if absent (init-db does too), or rotate it")
    kg.add_argument("--rotate", action="store_true", help="new key; the old public key stays in keyring.json")
    kg.add_argument("--export", help="also copy the public keyring to this file (for a verifier)")
    kg.set_defaults(func=cmd_keygen)

    gc = sub.add_parser("gc", help="remove photo files no record refers to (left by a crash)")
    gc.add_argument("--min-age-minutes", type=float, default=60,
                    help="spare files younger than this: an upload may be about to commit (default 60)")
    gc.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    gc.set_defaults(func=cmd_gc)

    sub.add_parser("bootstrap-admin", help="create the first admin if there are no users").set_defaults(
        func=cmd_bootstrap_admin)
    sub.add_parser("advance", help="close findings whose 公示 period has ended").set_defaults(func=cmd_advance)
    sc = sub.add_parser("schedule", help="scheduled work (advance, re-check reminders, weekly report), once")
    sc_sub = sc.add_subparsers(dest="schedule_command", required=True)
    sr = sc_sub.add_parser("run", help="run every due job once, unless another scheduler is running (lock)")
    sr.add_argument("--report-user", help="make the weekly report as this user (default: the first admin)")
    sr.add_argument("--json", action="store_true")
    sr.set_defaults(func=cmd_schedule_run)
    us = sub.add_parser("users", help="list users, or clear one user's failed-login delays")
    us.add_argument("--unlock", metavar="USERNAME", help="forget USERNAME's failed logins from every address")
    us.set_defaults(func=cmd_users)
    es = sub.add_parser("end-sessions", help="log a user out on every device (each tab and replica, within "
                                             "FIELD_SESSION_CHECK_SECONDS)")
    es.add_argument("--username", required=True)
    es.set_defaults(func=cmd_end_sessions)
    bk = sub.add_parser("backup", help="write every table and photo to a .tar.gz (portable SQLite <-> PostgreSQL)")
    bk.add_argument("out")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="load a backup into an empty database, then verify the chain")
    rs.add_argument("archive")
    rs.set_defaults(func=cmd_restore)
    mp = sub.add_parser("migrate-photos", help="copy every photo (and the checkpoint log, ODK attachments) to "
                        "another store, s3://bucket/prefix or a folder, checking every hash; resumable")
    mp.add_argument("--to", required=True, help="s3://bucket/prefix or a folder")
    mp.add_argument("--from", dest="source", default="", help="default: FIELD_PHOTO_STORE")
    mp.add_argument("--json", action="store_true", help="print the counts as one JSON line")
    mp.set_defaults(func=cmd_migrate_photos)
    from field.cli import cases, odk, reports

    cases.add_parsers(sub)
    odk.add_parsers(sub)
    reports.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    global _settings, _opened
    _opened = None
    try:
        _settings = load_settings()
    except SettingsError as exc:
        for lang in i18n.LANGS:
            print(i18n.error_text(exc, lang), file=sys.stderr)
        return 2
    args = build_parser(_settings.default_lang).parse_args(argv)
    try:
        return int(args.func(args))
    except DatabaseUnavailable as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 3
