"""Settings, database start-up and the message catalogs."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from field import i18n
from field.config import PROJECT_ROOT, load_settings
from field.data import db
from field.runtime import open_runtime


def test_defaults_and_env_override(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FIELD_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.delenv("FIELD_DATABASE_URL", raising=False)
    monkeypatch.delenv("FIELD_DATA_DIR", raising=False)
    s = load_settings()
    assert s.database_url.startswith("sqlite:////") and s.database_url.endswith("data/field.db")
    assert s.sources["FIELD_DATABASE_URL"] == "default"
    monkeypatch.setenv("FIELD_DATABASE_URL", "sqlite:////tmp/x.db")
    assert load_settings().database_url == "sqlite:////tmp/x.db"


def test_secrets_toml_is_read_and_env_wins(monkeypatch, tmp_path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('FIELD_DATA_DIR = "/srv/field"\n[field]\ntiles = "osm"\npublic_notice_days = 5\n',
                       encoding="utf-8")
    monkeypatch.setenv("FIELD_SECRETS_FILE", str(secrets))
    monkeypatch.delenv("FIELD_DATA_DIR", raising=False)
    monkeypatch.delenv("FIELD_TILES", raising=False)
    s = load_settings()
    assert s.data_dir == Path("/srv/field") and s.tiles == "osm" and s.public_notice_days == 5
    assert s.sources["FIELD_TILES"] == "secrets"
    monkeypatch.setenv("FIELD_TILES", "none")
    assert load_settings().tiles == "none"


def test_unreachable_database_names_the_setting(tmp_path) -> None:
    bad = dataclasses.replace(load_settings(), database_url="postgresql+psycopg://u:secret@127.0.0.1:1/nope",
                              data_dir=tmp_path)
    with pytest.raises(db.DatabaseUnavailable) as e:
        open_runtime(bad)
    msg = i18n.error_text(e.value, "zh")
    assert "FIELD_DATABASE_URL" in msg and "secret" not in msg  # the password is not shown
    assert "FIELD_DATABASE_URL" in str(e.value)


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_are_idempotent_and_current(rt) -> None:
    db.migrate(rt.engine)
    assert db.schema_is_current(rt.engine)
    assert {"users", "findings", "signoffs", "audit_events", "photos"} <= set(db.table_names(rt.engine))


def test_every_message_has_both_languages() -> None:
    cat = i18n.catalog()
    assert len(cat) > 100
    missing = [k for k, v in cat.items() if not v.get("zh") or not v.get("en")]
    assert missing == []


def test_t_formats_and_falls_back() -> None:
    assert i18n.t("auth.locked", "en", minutes=15).endswith("15 minutes.")
    assert "15" in i18n.t("auth.locked", "zh", minutes=15)
    assert i18n.t("no.such.key") == "no.such.key"
    assert "{minutes}" in i18n.t("auth.locked", "zh")  # a missing parameter never crashes


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "field", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=180)


def test_cli_help_init_create_user_and_verify(tmp_path) -> None:
    import os

    env = {**os.environ, "FIELD_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "FIELD_DATA_DIR": str(tmp_path)}
    out = _cli("--help", env=env)
    assert out.returncode == 0
    for command in ("init-db", "create-user", "seed-demo", "verify", "bootstrap-admin"):
        assert command in out.stdout
    assert _cli("init-db", env=env).returncode == 0
    made = _cli("create-user", "--username", "chief", "--password", "long enough pw", "--role", "admin", env=env)
    assert made.returncode == 0, made.stderr
    dup = _cli("create-user", "--username", "chief", "--password", "long enough pw", "--role", "admin", env=env)
    assert dup.returncode == 1 and "已存在" in dup.stderr
    assert _cli("verify", env=env).returncode == 0


def test_cli_reports_unreachable_database(tmp_path) -> None:
    import os

    env = {**os.environ, "FIELD_DATABASE_URL": "postgresql+psycopg://u:p@127.0.0.1:1/x", "FIELD_DATA_DIR": str(tmp_path)}
    out = _cli("init-db", env=env)
    assert out.returncode == 3 and "FIELD_DATABASE_URL" in out.stderr
