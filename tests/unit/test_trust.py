"""Issue #11, attacks 1–3: someone who can write the database (and run the project's own hash
functions) must not get a clean `verify`. Each test is an attack that passed on the old code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from field import i18n
from field.config import PROJECT_ROOT
from field.data.models import AuditEvent, Finding, SignOff, Verification
from field.domain.errors import FieldError
from field.runtime import open_runtime
from field.services import audit, integrity, signoff
from field.services.signoff import VerificationInput
from field.trust import checkpoints, keys
from tests.unit.test_services import T0, YUNHE, _finding, _ready_for_signoff


def _chain(session, rt, users, n=3):
    recs = []
    for i in range(n):
        _f, rec = _ready_for_signoff(session, rt, users, where=(YUNHE[0] + i * 0.001, YUNHE[1]))
        signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings,
                     now=T0 + dt.timedelta(days=1, hours=i))
        session.commit()  # the entry point commits; the commit writes the checkpoint
        recs.append(rec)
    return recs


def _report(session, rt):
    return integrity.verify_all(session, rt.store, rt.trust.keyring())


def _keys(report):
    return {p.key for p in report.problems}


def test_clean_chain_is_signed_checkpointed_and_verifies(session, rt, users) -> None:
    recs = _chain(session, rt, users)
    report = _report(session, rt)
    assert report.problems == [] and report.warnings == []
    assert report.signoffs == 3 and report.checkpoints == 3 and report.verifications == 3
    so = session.scalars(select(SignOff).order_by(SignOff.id.desc())).first()
    assert so.signature and so.key_id and so.signed_status == "public_notice" and so.signed_county == "130903"
    assert all(session.get(Verification, r.id).signature for r in recs)
    head = report.last_checkpoint
    assert head["signoffs"] == {"count": 3, "last_id": so.id, "head": so.chain_hash}
    assert head["audit"]["upto"] == session.scalar(select(func.max(AuditEvent.id)))
    assert checkpoints.short_form(head).startswith("CP3 · 3 · ")


def test_forged_chain_recomputed_with_the_projects_own_functions_is_found(session, rt, users) -> None:
    recs = _chain(session, rt, users)
    session.execute(text("UPDATE verifications SET facts = '伪造的核查情况' WHERE id = :id"), {"id": recs[1].id})
    session.commit()
    session.expire_all()
    # the attacker recomputes every hash from the edited row on, exactly as the app would
    rows = session.scalars(select(SignOff).order_by(SignOff.id)).all()
    prev = rows[0].chain_hash
    for so in rows[1:]:
        record, finding = session.get(Verification, so.verification_id), session.get(Finding, so.finding_id)
        content = signoff.content_hash(session, record, finding, so)
        chain = signoff.chain_hash(prev, content)
        session.execute(text("UPDATE signoffs SET content_hash = :c, prev_hash = :p, chain_hash = :h WHERE id = :id"),
                        {"c": content, "p": prev, "h": chain, "id": so.id})
        prev = chain
    session.commit()
    assert [p.key for p in signoff.verify_chain(session, rt.store.root, keyring=rt.trust.keyring())
            if p.key.startswith("verify.content") or p.key.endswith("hash_changed")] == []  # hashes agree...
    report = _report(session, rt)
    found = {(p.key, p.signoff_id or p.verification_id) for p in report.problems}
    assert ("verify.signature_invalid", rows[1].id) in found  # ...but the signature does not
    assert ("verify.signature_invalid", recs[1].id) in found  # nor the record's own
    assert ("verify.head_mismatch", rows[2].id) in found  # and the checkpointed head moved


def test_deleting_the_newest_signoffs_is_a_truncated_tail(session, rt, users) -> None:
    _chain(session, rt, users)
    newest = session.scalar(select(func.max(SignOff.id)))
    session.execute(text("DELETE FROM signoffs WHERE id = :id"), {"id": newest})
    session.commit()
    assert signoff.verify_chain(session, rt.store.root) == []  # the remaining chain is intact
    report = _report(session, rt)
    assert "verify.truncated" in _keys(report)


@pytest.mark.parametrize("attack", ["edit", "delete"])
def test_checkpointed_audit_row_edited_or_deleted_is_found(session, rt, users, attack) -> None:
    _chain(session, rt, users, n=2)
    victim = session.scalar(select(AuditEvent.id).where(AuditEvent.action == "sign").order_by(AuditEvent.id))
    if attack == "edit":
        session.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE id = :id"), {"id": victim})
    else:
        session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim})
    session.commit()
    report = _report(session, rt)
    key = "verify.audit_changed" if attack == "edit" else "verify.audit_deleted"
    assert key in _keys(report)
    if attack == "delete":
        assert any(f"#{victim}" in p.detail for p in report.problems if p.key == key)


def test_audit_rows_after_the_last_checkpoint_are_covered_by_the_next(session, rt, users) -> None:
    _chain(session, rt, users, n=1)
    audit.record(session, None, "test", 1, "note", reason="after the checkpoint")
    session.commit()
    assert _report(session, rt).problems == []
    body = checkpoints.append(rt.engine, rt.trust)
    assert body["audit"]["rows"] >= 1 and body["seq"] == 2
    session.execute(text("UPDATE audit_events SET reason = 'rewritten' WHERE action = 'note'"))
    session.commit()
    assert "verify.audit_changed" in _keys(_report(session, rt))


def test_rolled_back_signing_writes_no_checkpoint(session, rt, users) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    session.rollback()
    assert rt.store.checkpoint_head() is None
    assert _report(session, rt).problems == []


@pytest.mark.parametrize("attack", ["status", "county"])
def test_signed_finding_status_or_county_changed_by_sql(session, rt, users, attack) -> None:
    recs = _chain(session, rt, users, n=1)
    finding_id = recs[0].finding_id
    if attack == "status":
        session.execute(text("UPDATE findings SET status = 'closed' WHERE id = :id"), {"id": finding_id})
    else:
        site = session.get(Finding, finding_id).site_id
        session.execute(text("UPDATE sites SET county_adcode = '130902' WHERE id = :id"), {"id": site})
    session.commit()
    report = _report(session, rt)
    expected = "verify.status_unaudited" if attack == "status" else "verify.county_changed"
    assert expected in _keys(report)
    assert any(p.finding_id == finding_id for p in report.problems if p.key == expected)


def test_stripped_signature_is_not_history(session, rt, users) -> None:
    _chain(session, rt, users, n=2)
    session.execute(text("UPDATE signoffs SET signature = NULL, key_id = NULL"))
    session.commit()
    assert "verify.unsigned" in _keys(_report(session, rt))


def test_missing_key_refuses_signing_with_a_clear_message(session, rt, users) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    rt.settings.key_file.unlink()
    rt.trust._key = None  # a fresh process: the key was never read
    with pytest.raises(FieldError) as e:
        signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    assert e.value.key == "signing.no_key"
    for lang in i18n.LANGS:
        assert str(rt.settings.key_file) in i18n.error_text(e.value, lang)
    session.rollback()
    assert session.get(Verification, rec.id).state == "submitted"  # nothing moved
    fresh = _finding(session, users["field"], YUNHE)
    with pytest.raises(FieldError) as e:  # nor is a new record written unsigned
        signoff.write_verification(session, users["field"], fresh.id, VerificationInput(truthfulness="true",
                                                                                          facts="x"))
    assert e.value.key == "signing.no_key"
    # and a restart does not quietly make a second key while the keyring knows the first
    with pytest.raises(FieldError) as e:
        keys.ensure(rt.settings.key_file)
    assert e.value.key == "signing.no_key"


def test_bad_key_file_is_named(session, rt, users) -> None:
    rt.settings.key_file.write_bytes(b"not a key")
    rt.trust._key = None
    with pytest.raises(FieldError) as e:
        rt.trust.signing_key()
    assert e.value.key == "signing.bad_key" and str(rt.settings.key_file) in i18n.error_text(e.value, "en")


def test_another_installations_keyring_does_not_vouch(session, rt, users, tmp_path) -> None:
    _chain(session, rt, users, n=1)
    other = tmp_path / "other" / "signing.key"
    keys.generate(other)
    report = integrity.verify_all(session, rt.store, keys.load_keyring(keys.keyring_path(other)))
    assert "verify.unknown_key" in _keys(report)


def test_key_file_is_private_and_rotation_keeps_old_signatures_valid(session, rt, users) -> None:
    mode = stat.S_IMODE(os.stat(rt.settings.key_file).st_mode)
    assert mode == 0o600
    _chain(session, rt, users, n=1)
    old = rt.trust.signing_key().kid
    with pytest.raises(FieldError) as e:
        keys.generate(rt.settings.key_file)
    assert e.value.key == "signing.key_exists"
    new = keys.generate(rt.settings.key_file, rotate=True)
    rt.trust._key = None
    assert new != old and {old, new} <= set(rt.trust.keyring().keys)
    _chain(session, rt, users, n=1)
    assert session.scalars(select(SignOff.key_id).order_by(SignOff.id)).all() == [old, new]
    assert _report(session, rt).problems == []


def test_migration_upgrades_and_rows_from_before_are_warnings(session, rt, users, settings) -> None:
    """Rows written before signatures existed (NULL) and the first checkpoint after the upgrade."""
    _f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    session.info.pop("field.checkpoint_due")  # as if signed by the old code: no checkpoint...
    session.flush()
    session.execute(text("UPDATE signoffs SET signature = NULL, key_id = NULL"))
    session.execute(text("UPDATE verifications SET signature = NULL, key_id = NULL"))
    session.commit()
    report = _report(session, rt)
    assert "verify.no_checkpoint" in _keys(report)
    checkpoints.append(rt.engine, rt.trust)  # `python -m field checkpoint` once after upgrading
    report = _report(session, rt)
    assert report.problems == [] and {w.key for w in report.warnings} == {"verify.unsigned_legacy"}


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "field", *args], cwd=PROJECT_ROOT, env=env, text=True,
                          capture_output=True, timeout=300)


def test_cli_verify_names_each_problem_and_checkpoint_keygen(session, rt, users, settings, tmp_path) -> None:
    _chain(session, rt, users, n=2)
    env = {**os.environ, "FIELD_DATABASE_URL": settings.database_url, "FIELD_DATA_DIR": str(settings.data_dir),
           "FIELD_SECRETS_FILE": "/nonexistent/secrets.toml"}
    ok = _cli("--lang", "en", "verify", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 sign-offs checked, 0 problems" in ok.stdout
    cp = _cli("--lang", "en", "checkpoint", env=env)
    assert cp.returncode == 0 and "CP3" in cp.stdout
    exported = tmp_path / "public.json"
    kg = _cli("keygen", "--export", str(exported), env=env)
    assert kg.returncode == 0 and exported.is_file() and b"PRIVATE" not in exported.read_bytes()

    newest = session.scalar(select(func.max(SignOff.id)))
    session.execute(text("DELETE FROM signoffs WHERE id = :id"), {"id": newest})
    session.execute(text("UPDATE findings SET status = 'closed'"))
    session.commit()
    bad = _cli("--lang", "en", "verify", "--keyring", str(exported), env=env)
    assert bad.returncode == 1
    assert "TAMPERED sign-offs were deleted from the end of the chain" in bad.stdout
    assert "status was changed without an audited move" in bad.stdout
    zh = _cli("--lang", "zh", "verify", env=env)
    assert zh.returncode == 1 and "签字链末尾被删除" in zh.stdout
    none = _cli("--lang", "en", "verify", "--keyring", str(tmp_path / "nope.json"), env=env)
    assert none.returncode == 2 and "keyring" in none.stderr


def test_checkpoint_log_in_the_store_is_content_addressed(rt) -> None:
    store = rt.store
    a = store.append_checkpoint(b'{"body":{"prev":null},"sig":""}')
    b = store.append_checkpoint(json.dumps({"body": {"prev": a}, "sig": ""}).encode())
    assert store.checkpoint_head() == b
    assert [sha for sha, _ in store.read_checkpoints(checkpoints._prev_of)] == [a, b]
    path = store.root / "checkpoints" / "objects" / a[:2] / f"{a}.json"
    path.write_bytes(b"rewritten")
    with pytest.raises(ValueError):
        store.read_checkpoints(checkpoints._prev_of)


def test_settings_default_key_file_is_in_the_data_dir(settings) -> None:
    assert settings.key_file == settings.data_dir / "keys" / "signing.key"
    moved = dataclasses.replace(settings, signing_key_file=settings.data_dir / "elsewhere.key")
    assert moved.key_file.name == "elsewhere.key"
    rt2 = open_runtime(moved)
    try:
        assert moved.key_file.is_file() and keys.keyring_path(moved.key_file).is_file()
    finally:
        rt2.engine.dispose()


def test_gaps_a_slow_transaction_fills_later_and_an_insertion_below_is_found(session, rt, users, db_url,
                                                                            monkeypatch) -> None:
    """A transaction still open while a checkpoint is taken (PostgreSQL: ids are handed out
    before commit) is covered by the next checkpoint; an id the database skipped for good is
    dropped after GAP_TTL, and a row that appears there afterwards was inserted by hand."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: its ids never commit out of order")
    _chain(session, rt, users, n=1)
    slow = rt.session()
    audit.record(slow, None, "test", 1, "slow")
    slow.flush()  # id taken, not committed
    rolled = rt.session()
    audit.record(rolled, None, "test", 2, "rolled back")
    rolled.flush()
    gone_id = rolled.scalar(select(func.max(AuditEvent.id)))
    rolled.rollback()
    rolled.close()
    audit.record(session, None, "test", 3, "fast")
    session.commit()
    first = checkpoints.append(rt.engine, rt.trust)
    assert [g[:2] for g in first["audit"]["gaps"]] == [[gone_id - 1, gone_id]]  # slow, rolled back
    slow.commit()
    slow.close()
    assert _report(session, rt).problems == []
    second = checkpoints.append(rt.engine, rt.trust)
    assert second["audit"]["filled"] == [gone_id - 1] and [g[:2] for g in second["audit"]["gaps"]] == [[gone_id] * 2]
    monkeypatch.setattr(checkpoints, "GAP_TTL", dt.timedelta(0))  # the rolled-back id is now permanent
    third = checkpoints.append(rt.engine, rt.trust)
    assert third["audit"]["gaps"] == [] and third["audit"]["filled"] == []
    assert _report(session, rt).problems == []
    session.execute(text("INSERT INTO audit_events (id, at, actor_name, entity, entity_id, action, reason) "
                         "VALUES (:id, :at, 'system', 'finding', '1', 'status:sign', 'backdated')"),
                    {"id": gone_id, "at": T0})
    session.commit()
    assert "verify.audit_inserted" in _keys(_report(session, rt))


def test_a_record_edited_while_it_waits_is_not_signed(session, rt, users) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    session.execute(text("UPDATE verifications SET facts = '经核查已整改到位' WHERE id = :id"), {"id": rec.id})
    session.commit()
    session.expire_all()
    with pytest.raises(FieldError) as e:
        signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    assert e.value.key == "signoff.record_tampered"
    assert "verify.signature_invalid" in _keys(_report(session, rt))
