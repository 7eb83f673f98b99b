"""`python -m field odk-url`, `odk-devices`, `odk-revoke`: device tokens for ODK Collect.

`odk-url --user NAME` issues a token for NAME's tablet and prints, each on a line of its own,
the server URL to type into ODK Collect and the settings-QR payload (with `--qr FILE.png` also
the QR image to scan). The token is shown only here; the database keeps its hash. The acting
user (`--as`, default: NAME) must be NAME or an admin, as on the page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from field import i18n


def _runtime() -> Any:
    from field.cli import _config
    from field.runtime import open_runtime

    return open_runtime(_config())


def _user(session: Any, username: str) -> Any:
    from sqlalchemy import select

    from field.data.models import User

    return session.scalar(select(User).where(User.username == username))


def cmd_odk_url(args: argparse.Namespace) -> int:
    from field.domain.errors import FieldError
    from field.odk import devices

    rt = _runtime()
    base = args.base_url or rt.settings.public_url.strip()
    if not base:
        print("no base URL: pass --base-url http://HOST:8501 or set FIELD_PUBLIC_URL", file=sys.stderr)
        return 2
    try:
        with rt.uow() as s:
            owner = _user(s, args.user)
            actor = _user(s, args.acting) if args.acting else owner
            if owner is None or actor is None:
                print(f"no user {args.acting if owner else args.user}", file=sys.stderr)
                return 2
            issued = devices.issue(s, actor, owner, args.label or "")
            device_id = issued.device.id
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    url = issued.server_url(base)
    payload = devices.settings_payload(url, lang=owner.lang or args.lang)
    print(url)
    print(payload)
    if args.qr:
        Path(args.qr).write_bytes(devices.qr_png(payload))
    print(f"device {device_id}: formList {url}/formList, submission {url}/submission", file=sys.stderr)
    return 0


def cmd_odk_devices(args: argparse.Namespace) -> int:
    from field.domain.errors import FieldError
    from field.odk import devices

    rt = _runtime()
    try:
        with rt.read() as s:
            actor = _user(s, args.acting)
            owner = _user(s, args.user) if args.user else None
            if actor is None:
                print(f"no user {args.acting}", file=sys.stderr)
                return 2
            for d in devices.list_devices(s, actor, owner):
                state = f"revoked {d.revoked_at:%Y-%m-%d}" if d.revoked_at else "active"
                seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "-"
                print(f"{d.id}\t{d.user.username}\t{d.label or '-'}\t{state}\tlast seen {seen}")
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    return 0


def cmd_odk_revoke(args: argparse.Namespace) -> int:
    from field.domain.errors import FieldError
    from field.odk import devices

    rt = _runtime()
    try:
        with rt.uow() as s:
            actor = _user(s, args.acting)
            if actor is None:
                print(f"no user {args.acting}", file=sys.stderr)
                return 2
            d = devices.revoke(s, actor, args.device)
            print(f"device {d.id} ({d.user.username}, {d.label or '-'}) revoked")
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    return 0


def add_parsers(sub: Any) -> None:
    u = sub.add_parser("odk-url", help="issue a device token: print the ODK Collect server URL and settings QR")
    u.add_argument("--user", required=True, help="whose tablet (the findings' author)")
    u.add_argument("--as", dest="acting", help="who issues it (default: --user; an admin for others)")
    u.add_argument("--label", help="which tablet, e.g. 'Tablet 3'")
    u.add_argument("--base-url", help="the app's address as the tablet reaches it (default FIELD_PUBLIC_URL)")
    u.add_argument("--qr", help="also write the settings QR code as a PNG")
    u.set_defaults(func=cmd_odk_url)
    d = sub.add_parser("odk-devices", help="list device tokens (yours, or as an admin anyone's)")
    d.add_argument("--as", dest="acting", required=True)
    d.add_argument("--user")
    d.set_defaults(func=cmd_odk_devices)
    r = sub.add_parser("odk-revoke", help="revoke a device token (a lost tablet)")
    r.add_argument("device", type=int)
    r.add_argument("--as", dest="acting", required=True)
    r.set_defaults(func=cmd_odk_revoke)
    add_import_parser(sub)


def cmd_import_offline(args: argparse.Namespace) -> int:
    """Preview (always printed) and, unless --preview, import; one line per row."""
    from field.domain.errors import FieldError
    from field.odk import offline, submissions

    rt = _runtime()
    path = Path(args.file)
    if not path.is_file():
        print(f"no file {path}", file=sys.stderr)
        return 2
    attachments = Path(args.attachments).read_bytes() if args.attachments else None
    try:
        parsed = offline.read(path.read_bytes(), path.name, attachments=attachments, base_dir=path.parent)
        for warning in parsed.warnings:
            print(i18n.error_text(warning, args.lang), file=sys.stderr)
        with rt.uow() as s:
            actor = _user(s, args.acting)
            author = _user(s, args.author) if args.author else None
            if actor is None or (args.author and author is None):
                print(f"no user {args.author if actor else args.acting}", file=sys.stderr)
                return 2
            if args.preview:
                reports = offline.preview(s, actor, parsed, author=author)
            else:
                reports = offline.run(s, actor, parsed, submissions.Stores.under(rt.store), author=author)
    except FieldError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return 1
    for line in offline.table(reports, args.lang):
        print("\t".join(str(v) for v in line.values()))
    print(offline.summary(parsed, reports, args.lang))
    return 0


def add_import_parser(sub: Any) -> None:
    i = sub.add_parser("import-offline", help="import an ODK Central CSV zip, a KoboToolbox XLSX/CSV or a QField "
                                              "GeoPackage (re-importing the same file records nothing twice)")
    i.add_argument("file", help="the export: .zip (ODK Central, or a QField project), .xlsx/.csv (Kobo), .gpkg")
    i.add_argument("--attachments", help="KoboToolbox's media attachments zip (or a zip of QField's DCIM folder)")
    i.add_argument("--as", dest="acting", required=True, help="who imports (the findings' author)")
    i.add_argument("--author", help="an admin imports a capturing user's export: that user")
    i.add_argument("--preview", action="store_true", help="only say what importing would do")
    i.set_defaults(func=cmd_import_offline)
