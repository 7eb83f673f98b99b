"""Settings: every `FIELD_*` value the app reads, declared once, read from one place.

Deployments on a government intranet are configured by whoever runs the server, often with
nothing but environment variables; Streamlit users expect `secrets.toml`. Both work, and the
environment wins so that CI and tests can override a developer's file.

Each setting is a field of `Settings` declared with `setting(default, help)`: the field's name
gives the variable (`session_hours` -> `FIELD_SESSION_HOURS`), its annotation the type, and the
default is written as it would be typed into the environment, so the README table can be checked
against this file (tests/unit/test_settings_doc.py) the way datasette checks its documented
settings. This module is the only one in `field/` that reads `os.environ`; services are handed
the values they need.

Two settings exist for the test suite only (`FIELD_FAKE_NOW`, `FIELD_PASSWORD_HASH=cheap`). A
pinned clock or a weak password hash in production would be a silent disaster, so they are
refused — start-up stops with `config.test_hook_refused` — unless `FIELD_TEST_MODE=1` says
that this process is a test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from field.domain.errors import FieldError

if TYPE_CHECKING:
    from field.photos.store import S3Options

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "FIELD_"

# Values only the test suite may set, with the value that is harmless outside it.
TEST_HOOKS: dict[str, str] = {"FIELD_FAKE_NOW": "", "FIELD_PASSWORD_HASH": "argon2"}


class SettingsError(FieldError):
    """A setting has a value the app must not start with (the message names the setting)."""


def setting(default: str, help: str, *, parse: Callable[[str], Any] | None = None,
            choices: tuple[str, ...] = (), secret: bool = False) -> Any:
    """Declare one setting. `default` is the text form (what the README shows); `parse`
    overrides the conversion chosen from the field's type; `secret` keeps it out of reprs.
    There is no dataclass default: a `Settings` comes from `load_settings`, complete."""
    meta = {"default": default, "help": help, "parse": parse, "choices": choices, "secret": secret}
    return dataclasses.field(metadata=meta, repr=not secret)


def _resolve_path(value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (Path.cwd() / p)


def _project_path(value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)


def _sqlite_url_absolute(url: str) -> str:
    """Make a relative sqlite path absolute against the working directory, so the CLI and the
    app agree on the same file whichever directory they are started from."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(_resolve_path(url[len(prefix):]))
    return url


def _optional_path(value: str) -> Path | None:
    return _resolve_path(value) if value.strip() else None


def _instant(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    parsed = dt.datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _networks(value: str) -> tuple[str, ...]:
    from field.domain.clientaddr import parse_networks

    return tuple(str(n) for n in parse_networks(value.split(",")))


def _photo_store(value: str) -> str:
    """'' (the default folder), `s3://bucket[/prefix]`, or a folder made absolute."""
    v = value.strip()
    if v.startswith("s3://"):
        from field.photos.s3store import parse_url

        parse_url(v)  # ValueError names the setting in `config.invalid`
        return v.rstrip("/")
    if "://" in v:
        raise ValueError(v)
    return str(_resolve_path(v)) if v else ""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(value: str) -> bool:
    v = value.strip().lower()
    if v not in _TRUE | _FALSE:
        raise ValueError(value)
    return v in _TRUE


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "sqlite:///data/field.db",
        "SQLAlchemy URL; PostgreSQL as `postgresql+psycopg://user:pw@host/db`", parse=_sqlite_url_absolute)
    data_dir: Path = setting("./data", "photos (originals, display copies, thumbnails) and generated files")
    city_adcode: str = setting(
        "130900", "the region: a city (`130900`) or a whole province (`130000`); "
                  "`geodata/build.py --adcode N` builds its boundaries")
    photo_store: str = setting(
        "", "where photos and the checkpoint log are kept: empty = the folder `<data_dir>/photos`; "
        "`s3://bucket/prefix` = an S3-compatible bucket (every replica must use the same); another value = "
        "that folder; `python -m field migrate-photos` moves them", parse=_photo_store)
    s3_endpoint: str = setting(
        "", "the S3 service's URL for `s3://` stores, e.g. `http://127.0.0.1:8333` (empty: AWS's own)")
    s3_region: str = setting("us-east-1", "the S3 region (most S3-compatible servers accept any)")
    s3_access_key: str = setting("", "the S3 access key id (environment or secrets file)", secret=True)
    s3_secret_key: str = setting("", "the S3 secret key (environment or secrets file; never logged)", secret=True)
    s3_path_style: bool = setting(
        "1", "`1`: path-style bucket URLs (SeaweedFS, MinIO, Ceph); `0`: virtual-hosted (AWS)")
    tiles: str = setting("none", "`none`, `osm`, `tianditu`, `custom` (intranet XYZ) or `amap` (GCJ-02)",
                         parse=str.lower)
    tile_url: str = setting("", "XYZ template for `custom`")
    tianditu_key: str = setting("", "天地图 key for `tianditu`")
    tile_attribution: str = setting("", "attribution shown lower-left on the map")
    map_review_number: str = setting("", "审图号 shown lower-left on the map")
    public_notice_days: int = setting(
        "10", "公示 length in working days of the statutory calendar; `0` closes on signing")
    holidays: tuple[str, ...] = setting(
        "", "comma-separated ISO dates that are days off, on top of the statutory calendar (调休 included)")
    workdays: tuple[str, ...] = setting(
        "", "comma-separated ISO dates that are working days although the statutory calendar says otherwise")
    recheck_days: int = setting("90", "days after closing until the re-check (复查) is due")
    feedback_days: int = setting("10", "case feedback due this many days after hand-over")
    inspection: str = setting(
        "", "the inspection (round/team/province) imported cases belong to; a 受理编号 is one case within it "
            "(default: read from each table's title, editable in the preview, `--inspection` on the CLI)")
    default_lang: str = setting("zh", "language of the UI and the command line until a user chooses",
                                choices=("zh", "en"))
    admin_user: str = setting("", "the first admin's username, created on first start when there are no users")
    admin_password: str = setting("", "the first admin's password (with `FIELD_ADMIN_USER`)", secret=True)
    session_hours: int = setting(
        "12", "how long a browser stays logged in across reloads (a cookie; only its hash is stored)")
    trusted_proxies: tuple[str, ...] = setting(
        "", "comma-separated addresses or CIDR networks of reverse proxies whose `X-Forwarded-For` is "
        "believed for the login's client address; empty: the connection's peer is the client",
        parse=_networks)
    session_check_seconds: int = setting(
        "3", "how long a process trusts its last check of a login cookie; a logout, password change or "
        "ended session applies in every tab and on every replica at the next click after this")
    map_refresh_seconds: int = setting(
        "60", "how often the map in presentation mode (the meeting screen) re-reads the findings by "
        "itself; 0 turns it off")
    behind_tls: bool = setting(
        "0", "`1` when a TLS (https) proxy is in front: the login cookie is then marked Secure")
    public_url: str = setting(
        "", "base URL printed in the PDF sheets' QR codes (default: the browser's address)")
    pdf_font: str = setting("", "a CJK TrueType font for the PDF sheets")
    odk_max_request_mb: int = setting(
        "10", "largest OpenRosa request accepted from ODK Collect, in MB (Collect splits bigger submissions)")
    signing_key_file: Path | None = setting(
        "", "the Ed25519 key that signs sign-offs, records and checkpoints (default `<data_dir>/keys/signing.key`, "
        "mode 600; never in a backup); the public keys are kept in `keyring.json` beside it", parse=_optional_path)
    new_password: str = setting("", "`create-user`'s password when `--password` is not given", secret=True)
    demo_password: str = setting(
        "", "`seed-demo`'s one password for all demo users (default: random, written to the data dir)",
        secret=True)
    secrets_file: Path = setting(".streamlit/secrets.toml",
                                 "the secrets file read after the environment; set in the environment only (relative to the project)",
                                 parse=_project_path)
    test_mode: bool = setting("0", "`1` only in the test suite: allows the two test hooks below")
    fake_now: dt.datetime | None = setting(
        "", "test hook: pins the clock to this ISO time (UTC if no zone); refused unless test mode",
        parse=_instant)
    password_hash: str = setting(
        "argon2", "test hook: `cheap` makes password hashing fast; refused unless test mode",
        choices=("argon2", "cheap"))
    sources: dict[str, str] = dataclasses.field(default_factory=dict)  # setting -> env | secrets | default

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    def s3_options(self) -> S3Options:
        from field.photos.store import S3Options

        return S3Options(endpoint=self.s3_endpoint, region=self.s3_region, access_key=self.s3_access_key,
                         secret_key=self.s3_secret_key, path_style=self.s3_path_style)

    @property
    def key_file(self) -> Path:
        """The signing key: `FIELD_SIGNING_KEY_FILE`, or `keys/signing.key` in the data dir."""
        return self.signing_key_file or (self.data_dir / "keys" / "signing.key")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@dataclass(frozen=True)
class Declared:
    """One row of the settings documentation."""

    name: str
    attr: str
    type: Any
    default: str
    help: str
    parse: Callable[[str], Any] | None
    choices: tuple[str, ...]
    secret: bool


def declared() -> list[Declared]:
    """Every setting, in declaration order (the README lists them in the same order)."""
    hints = typing.get_type_hints(Settings)
    return [Declared(PREFIX + f.name.upper(), f.name, hints[f.name], **f.metadata)
            for f in dataclasses.fields(Settings) if f.metadata]


def _read_secrets(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    # accept FIELD_DATABASE_URL = "..." at top level, or [field] database_url = "..."
    out = {k: str(v) for k, v in data.items() if isinstance(k, str) and k.startswith(PREFIX)}
    section = data.get("field")
    if isinstance(section, dict):
        for k, v in section.items():
            out.setdefault(PREFIX + k.upper(), str(v))
    return out


def _convert(d: Declared, raw: str) -> Any:
    if d.choices and raw not in d.choices:
        raise ValueError(raw)
    if d.parse is not None:
        return d.parse(raw)
    if d.type is int:
        return int(raw)
    if d.type is bool:
        return _flag(raw)
    if d.type is Path:
        return _resolve_path(raw)
    if d.type == tuple[str, ...]:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting (environment, then secrets file, then default) and refuse test hooks
    outside test mode. Raises `SettingsError` naming the setting that is wrong."""
    env = os.environ if environ is None else environ
    specs = declared()
    secrets_spec = next(d for d in specs if d.attr == "secrets_file")
    secrets = _read_secrets(_convert(secrets_spec, env.get(secrets_spec.name) or secrets_spec.default))
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for d in specs:
        if env.get(d.name):
            raw, sources[d.name] = env[d.name], "env"
        elif secrets.get(d.name) and d is not secrets_spec:
            raw, sources[d.name] = secrets[d.name], "secrets"
        else:
            raw, sources[d.name] = d.default, "default"
        try:
            values[d.attr] = _convert(d, raw)
        except ValueError:
            raise SettingsError("config.invalid", setting=d.name, value="***" if d.secret else raw) from None
    settings = Settings(**values, sources=sources)
    if not settings.test_mode:
        for name, harmless in TEST_HOOKS.items():
            spec = next(d for d in specs if d.name == name)
            if sources[name] != "default" and str(values[spec.attr] or "") != harmless:
                raise SettingsError("config.test_hook_refused", setting=name)
    return settings
