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


def _runtime() -> Runtime:
    from field.runtime import open_runtime

    return open_runtime(_config())


def cmd_init_db(args: argparse.Namespace) -> int:
    rt = _runtime()
    print(f"database ready: {rt.engine.url.render_as_string(hide_password=True)}")
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


def cmd_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from field.data.models import SignOff
    from field.services import signoff

    rt = _runtime()
    with rt.read() as s:
        problems = signoff.verify_chain(s, rt.settings.photo_dir)
        n = s.scalar(select(func.count()).select_from(SignOff))
    if args.json:
        print(json.dumps({"signoffs": n, "problems": [p.__dict__ for p in problems]}, ensure_ascii=False))
    else:
        for p in problems:
            print(f"TAMPERED {i18n.t(p.key, args.lang)}: signoff #{p.signoff_id}, verification "
                  f"#{p.verification_id}, finding #{p.finding_id} {p.detail}".rstrip())
        print(f"{n} sign-offs checked, {len(problems)} problems")
    return 1 if problems else 0


def cmd_advance(args: argparse.Namespace) -> int:
    from field.services import signoff

    rt = _runtime()
    with rt.uow() as s:
        n = signoff.advance_notices(s, settings=rt.settings)
    print(f"{n} findings closed after their public-notice period")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from field.data.models import User

    rt = _runtime()
    with rt.read() as s:
        for u in s.scalars(select(User).order_by(User.id)):
            scope = "all" if u.all_counties else ",".join(u.county_scope)
            print(f"{u.username}\t{u.role}\t{scope}\t{'active' if u.is_active else 'disabled'}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from field.services import backup

    rt = _runtime()
    manifest = backup.backup(rt.engine, rt.settings.photo_dir, Path(args.out))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"backup written to {args.out}: {rows} rows in {len(manifest['tables'])} tables, "
          f"{manifest['photos']} photo files")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from field.domain.errors import FieldError
    from field.services import backup

    rt = _runtime()
    try:
        manifest = backup.restore(rt.engine, rt.settings.photo_dir, Path(args.archive))
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"restored {rows} rows and {manifest['photos']} photo files from {args.archive}")
    return cmd_verify(argparse.Namespace(json=False, lang=args.lang))


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
    cu.add_argument("--counties", default="all", help="all, or comma-separated adcodes such as 130902,130903")
    cu.add_argument("--name", help="display name")
    cu.set_defaults(func=cmd_create_user)

    sd = sub.add_parser("seed-demo", help="fill an empty database with Cangzhou demo data")
    sd.add_argument("--password", help="one password for all demo users (default: random, written to data/)")
    sd.add_argument("--count", type=int, default=300)
    sd.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) if there are findings")
    sd.add_argument("--append", action="store_true", help="add demo findings even if there are findings")
    sd.set_defaults(func=cmd_seed_demo)

    vf = sub.add_parser("verify", help="recompute sign-off hashes and photo files; exit 1 if anything changed")
    vf.add_argument("--json", action="store_true")
    vf.set_defaults(func=cmd_verify)

    sub.add_parser("bootstrap-admin", help="create the first admin if there are no users").set_defaults(
        func=cmd_bootstrap_admin)
    sub.add_parser("advance", help="close findings whose 公示 period has ended").set_defaults(func=cmd_advance)
    sub.add_parser("users", help="list users").set_defaults(func=cmd_users)
    bk = sub.add_parser("backup", help="write every table and photo to a .tar.gz (portable SQLite <-> PostgreSQL)")
    bk.add_argument("out")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="load a backup into an empty database, then verify the chain")
    rs.add_argument("archive")
    rs.set_defaults(func=cmd_restore)
    from field.cli.cases import add_parsers

    add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    global _settings
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
