"""Text lengths: refused in the services with the field and its limit, so backups move between
SQLite and PostgreSQL (attack 7: a 280-character display name broke the restore)."""

from __future__ import annotations

import dataclasses
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import String, create_engine, select, text, update

import field.data.ledger_models  # noqa: F401  (the ledger tables are part of the metadata)
from field import i18n
from field.data import lengths
from field.data.models import Base, Finding, User
from field.domain.errors import FieldError, ValidationError
from field.runtime import open_runtime
from field.services import auth, backup
from tests.conftest import PASSWORD, _pg_url


def test_limits_come_from_the_model() -> None:
    assert lengths.limit(User, "display_name") == User.__table__.c.display_name.type.length == 100
    assert lengths.limit(Finding, "description") is None and lengths.limit(User, "county_scope") is None


def test_a_280_character_display_name_is_refused_with_the_field_and_its_limit(session, users) -> None:
    with pytest.raises(ValidationError) as e:
        auth.create_user(session, None, username="longname", password=PASSWORD, role="field",
                         display_name="张" * 280)
    assert (e.value.key, e.value.field, e.value.params["max"], e.value.params["length"]) == (
        "text.too_long", "display_name", 100, 280)
    assert i18n.error_text(e.value, "zh") == "「显示名称」最多 100 个字符（现在 280 个），请缩短。"
    assert "Display name can have at most 100 characters" in i18n.error_text(e.value, "en")
    with pytest.raises(ValidationError):
        auth.update_user(session, users["admin"], users["field"], display_name="x" * 101)


def test_every_flush_checks_every_string_column(session, users) -> None:
    """Whatever service writes the text, the session refuses it before the database does."""
    users["viewer"].display_name = "长" * 101  # set directly, as a service that forgot would
    with pytest.raises(ValidationError) as e:
        session.flush()
    assert e.value.params["what"] == "column.display_name"
    session.rollback()


def test_user_text_columns_have_a_label() -> None:
    catalog = i18n.catalog()
    labelled = {k.removeprefix("column.") for k in catalog if k.startswith("column.")}
    names = {c.name for t in Base.metadata.sorted_tables for c in t.columns
             if isinstance(c.type, String) and c.type.length}
    assert labelled <= names  # no label for a column that does not exist
    assert {"display_name", "name", "address", "responsible_unit", "subtype", "case_no"} <= labelled


@contextmanager
def _pg_runtime(base, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A migrated PostgreSQL runtime in a schema of its own, next to the SQLite one under test."""
    pg = _pg_url()
    if pg is None:
        pytest.skip("PostgreSQL not configured")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg else "?"
    runtime = open_runtime(dataclasses.replace(
        base, database_url=f"{pg}{sep}options=-csearch_path%3D{schema}", data_dir=tmp_path / "pg"))
    try:
        yield runtime
    finally:
        runtime.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_maximal_lengths_restore_sqlite_to_postgresql_and_back(rt, users, tmp_path: Path) -> None:
    with rt.uow() as s:
        s.scalar(select(User).where(User.username == "viewer")).display_name = "长" * 100
        auth.create_user(s, None, username="m" * 64, password=PASSWORD, role="field", display_name="名" * 100)
    archive = tmp_path / "max.tar.gz"
    backup.backup(rt.engine, rt.store.root, archive)
    with _pg_runtime(rt.settings, tmp_path) as rt_pg:
        backup.restore(rt_pg.engine, rt_pg.store.root, archive)
        with rt_pg.read() as s:
            assert s.scalar(select(User.display_name).where(User.username == "viewer")) == "长" * 100
        back = tmp_path / "back.tar.gz"
        backup.backup(rt_pg.engine, rt_pg.store.root, back)
    rt_sq = open_runtime(dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / 'back.db'}",
                                             data_dir=tmp_path / "back"))
    backup.restore(rt_sq.engine, rt_sq.store.root, back)
    with rt_sq.read() as s:
        assert s.scalar(select(User.display_name).where(User.username == "m" * 64)) == "名" * 100
    rt_sq.engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_old_over_length_backup_is_refused_clearly_and_postgresql_stays_empty(rt, users, tmp_path: Path) -> None:
    """Written before the check existed (straight SQL here): the restore names the value."""
    with rt.engine.begin() as conn:
        conn.execute(update(User).where(User.username == "viewer").values(display_name="长" * 280))
    archive = tmp_path / "old.tar.gz"
    backup.backup(rt.engine, rt.store.root, archive)
    with _pg_runtime(rt.settings, tmp_path) as rt_pg:
        with pytest.raises(FieldError) as e:
            backup.restore(rt_pg.engine, rt_pg.store.root, archive)
        assert e.value.key == "backup.too_long"
        assert (e.value.params["table"], e.value.params["column"], e.value.params["max"]) == (
            "users", "display_name", 100)
        assert backup.first_table_with_rows(rt_pg.engine) is None
