"""The photo store's contract, run against both implementations: the local folder and an S3
bucket on a real SeaweedFS server (tests/s3server.py, the `seaweedfs` fixture). Then what only
S3 has (its errors, its settings), and the app on S3: verify, gc, backup/restore, migrate-photos.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from field import i18n
from field.cli import main as cli_main
from field.config import SettingsError, load_settings
from field.data.models import AuditEvent, Finding, Photo, SignOff
from field.domain.errors import FieldError
from field.odk.blobs import BlobStore
from field.photos import ingest
from field.photos.s3store import S3PhotoStore
from field.photos.store import LocalPhotoStore, PhotoStore, S3Options
from field.runtime import open_runtime, photo_store
from field.services import backup, findings, integrity, photofiles, photomigrate, signoff
from field.trust import checkpoints
from tests.photo_factory import make_jpeg
from tests.s3server import SeaweedFS, free_ports
from tests.unit.test_services import T0, YUNHE, _ready_for_signoff

BUCKET = "field-photos"


def _s3(server: SeaweedFS, prefix: str | None = None, **overrides: object) -> S3PhotoStore:
    opts = dataclasses.replace(S3Options(endpoint=server.endpoint, region=server.region,
                                         access_key=server.access_key, secret_key=server.secret_key,
                                         timeout_s=3.0), **overrides)  # type: ignore[arg-type]
    return S3PhotoStore(BUCKET, prefix if prefix is not None else "c-" + uuid.uuid4().hex[:12], opts)


# Raw access behind the store's back: what an attacker (or a disk fault) does to an object.
def _tamper(store: PhotoStore, rel: str, data: bytes | None) -> None:
    if isinstance(store, LocalPhotoStore):
        if data is None:
            store.abspath(rel).unlink()
        else:
            store.abspath(rel).write_bytes(data)
    else:
        assert isinstance(store, S3PhotoStore)
        if data is None:
            store.client.delete_object(Bucket=store.bucket, Key=store.key(rel))
        else:
            store.client.put_object(Bucket=store.bucket, Key=store.key(rel), Body=data)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStore:
    if request.param == "local":
        return LocalPhotoStore(tmp_path / "photos")
    return _s3(request.getfixturevalue("seaweedfs"))


# -- the contract ------------------------------------------------------------------------------


def test_put_is_content_addressed_and_reads_back(store: PhotoStore) -> None:
    data = make_jpeg(320, 240)
    got = ingest(data, "a.jpg", store)
    sha = hashlib.sha256(data).hexdigest()
    assert got.original_path == f"originals/{sha[:2]}/{sha[2:4]}/{sha}.jpg" and got.created
    assert store.read_original(sha) == data and store.read(got.original_path) == data
    assert store.has(sha, "jpg") and store.verify(sha)
    assert store.read(got.thumb_path)[:2] == b"\xff\xd8"  # a JPEG thumbnail
    again = ingest(data, "b.jpg", store)
    assert not again.created and again.original_path == got.original_path


def test_written_once_never_overwritten(store: PhotoStore) -> None:
    assert store.write_once("display/ab/x.jpg", b"first") is True
    assert store.write_once("display/ab/x.jpg", b"second") is False
    assert store.read("display/ab/x.jpg") == b"first"


def test_missing_object_is_file_not_found(store: PhotoStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.read("originals/00/00/" + "0" * 64 + ".jpg")
    assert not store.exists("thumbs/00/nothing.jpg")
    assert store.original_key("0" * 64) is None and not store.verify("0" * 64)
    store.delete("thumbs/00/nothing.jpg")  # gone already is fine


def test_verify_detects_a_tampered_and_a_missing_original(store: PhotoStore) -> None:
    data = make_jpeg(200, 150)
    got = ingest(data, "a.jpg", store)
    _tamper(store, got.original_path, b"not the photo that was received")
    assert not store.verify(got.sha256)
    _tamper(store, got.original_path, None)
    assert not store.verify(got.sha256) and not store.has(got.sha256, "jpg")


def test_files_lists_photos_only_and_delete_removes(store: PhotoStore) -> None:
    got = ingest(make_jpeg(200, 150), "a.jpg", store)
    store.append_checkpoint(b'{"body":{"prev":null},"sig":""}')
    BlobStore(store).put(b"an ODK attachment")
    listed = dict(store.files())
    assert sorted(listed) == sorted([got.original_path, got.display_path, got.thumb_path])
    assert all(abs(m - time.time()) < 600 for m in listed.values())  # gc's min_age compares these
    kept = set(store.kept())
    assert {store.CHECKPOINT_HEAD, got.original_path} <= kept
    assert any(k.startswith("submissions/") for k in kept) and not any("/." in k for k in kept)
    store.delete(got.thumb_path)
    assert got.thumb_path not in dict(store.files()) and not store.exists(got.thumb_path)


def test_checkpoint_log_chains_and_detects_alteration(store: PhotoStore) -> None:
    assert store.checkpoint_head() is None
    with store.checkpoint_lock():
        a = store.append_checkpoint(b'{"body":{"prev":null},"sig":""}')
    with store.checkpoint_lock():
        assert store.checkpoint_head() == a
        b = store.append_checkpoint(json.dumps({"body": {"prev": a}, "sig": ""}).encode())
    assert store.checkpoint_head() == b

    def prev_of(raw: bytes) -> str | None:
        return json.loads(raw)["body"]["prev"]

    assert [sha for sha, _ in store.read_checkpoints(prev_of)] == [a, b]
    _tamper(store, store._checkpoint_key(a), b'{"body":{"prev":null},"sig":"forged"}')
    with pytest.raises(ValueError):
        store.read_checkpoints(prev_of)


def test_odk_blobs_live_in_the_store(store: PhotoStore) -> None:
    blobs = BlobStore(store)
    sha = blobs.put(b"exactly as the device sent it")
    assert blobs.has(sha) and blobs.get(sha) == b"exactly as the device sent it"
    assert blobs.put(b"exactly as the device sent it") == sha  # written once


# -- S3 only: the lock, errors, settings --------------------------------------------------------


def test_s3_checkpoint_lock_excludes_another_process_and_breaks_a_stale_one(seaweedfs: SeaweedFS) -> None:
    one = _s3(seaweedfs)
    other = _s3(seaweedfs, prefix=one.prefix)
    other.lock_wait_s = 0.3
    with one.checkpoint_lock():
        with pytest.raises(FieldError) as e, other.checkpoint_lock():
            pass
        assert e.value.key == "store.locked"
    with other.checkpoint_lock():  # released: free again
        pass
    # a process that died holding the lock: broken once it is older than lock_stale_s
    one.client.put_object(Bucket=BUCKET, Key=one.key("checkpoints/.lock"), Body=b"dead")
    other.lock_stale_s = 0.0
    with other.checkpoint_lock():
        assert other.read("checkpoints/.lock") != b"dead"
    assert not other.exists("checkpoints/.lock")


def test_s3_head_is_compare_and_swap_under_the_lock(seaweedfs: SeaweedFS) -> None:
    """Even with the lock broken, two appends cannot both replace the HEAD they read."""
    one = _s3(seaweedfs)
    other = _s3(seaweedfs, prefix=one.prefix)
    first = one.append_checkpoint(b'{"body":{"prev":null},"sig":""}')
    with one.checkpoint_lock():
        assert one.checkpoint_head() == first
        other.replace(other.CHECKPOINT_HEAD, b"f" * 64 + b"\n")  # someone else moved HEAD meanwhile
        with pytest.raises(FieldError) as e:
            one.append_checkpoint(b'{"body":{"prev":"x"},"sig":""}')
    assert e.value.params["code"] == "PreconditionFailed"
    assert one.checkpoint_head() == "f" * 64


def test_s3_threads_share_one_store(seaweedfs: SeaweedFS) -> None:
    s = _s3(seaweedfs)
    datas = [make_jpeg(64 + i, 48) for i in range(4)]
    errors: list[BaseException] = []

    def work(d: bytes) -> None:
        try:
            ingest(d, "p.jpg", s)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in datas for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(list(s.files())) == 12


def _error_of(call: Callable[[], object]) -> FieldError:
    with pytest.raises(FieldError) as e:
        call()
    return e.value


def test_s3_errors_are_clear_and_never_show_the_secret(seaweedfs: SeaweedFS) -> None:
    (dead,) = free_ports(1)
    unreachable = _s3(seaweedfs, endpoint=f"http://127.0.0.1:{dead}", timeout_s=1.0)
    bad_key = _s3(seaweedfs, secret_key="wrong-secret-value")
    no_bucket = S3PhotoStore("no-such-bucket", "", _s3(seaweedfs).options)
    cases = {"store.unreachable": unreachable, "store.denied": bad_key, "store.no_bucket": no_bucket}
    for key, st in cases.items():
        calls: list[Callable[[], object]] = [
            lambda st=st: st.write_once("display/ab/x.jpg", b"x"), lambda st=st: st.read("display/ab/x.jpg"),
            lambda st=st: list(st.files()), st.check]
        for call in calls:
            err = _error_of(call)
            assert err.key == key, (key, call)
            for lang in ("zh", "en"):
                text = i18n.error_text(err, lang)
                assert st.describe() in text and seaweedfs.secret_key not in text and "wrong-secret" not in text
    assert "secret" not in repr(bad_key.options) and "wrong-secret" not in repr(bad_key)
    assert i18n.error_text(_error_of(no_bucket.check), "en").startswith("The photo store's bucket no-such-bucket")


def test_photo_store_setting_selects_the_store(tmp_path: Path, seaweedfs: SeaweedFS) -> None:
    base = {"FIELD_SECRETS_FILE": "/nonexistent", "FIELD_DATA_DIR": str(tmp_path)}
    assert load_settings(base).photo_store == ""
    local = photo_store(load_settings(base))
    assert isinstance(local, LocalPhotoStore) and local.root == tmp_path / "photos"
    folder = photo_store(load_settings({**base, "FIELD_PHOTO_STORE": str(tmp_path / "elsewhere")}))
    assert isinstance(folder, LocalPhotoStore) and folder.root == tmp_path / "elsewhere"
    env = {**base, **seaweedfs.env(BUCKET, "a/b/")}
    settings = load_settings(env)
    s3 = photo_store(settings)
    assert isinstance(s3, S3PhotoStore) and (s3.bucket, s3.prefix) == (BUCKET, "a/b")
    assert s3.options.endpoint == seaweedfs.endpoint and s3.options.secret_key == seaweedfs.secret_key
    assert seaweedfs.secret_key not in repr(settings) and seaweedfs.secret_key not in repr(s3)
    for bad in ("s3://", "s3:///prefix", "ftp://host/x"):
        with pytest.raises(SettingsError) as e:
            load_settings({**base, "FIELD_PHOTO_STORE": bad})
        assert e.value.key == "config.invalid" and e.value.params["setting"] == "FIELD_PHOTO_STORE"
    with pytest.raises(SettingsError) as e:
        load_settings({**base, "FIELD_S3_SECRET_KEY": "x", "FIELD_S3_PATH_STYLE": "maybe"})
    assert e.value.params["setting"] == "FIELD_S3_PATH_STYLE"


# -- the app on S3 (SQLite and PostgreSQL) ------------------------------------------------------


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_runtime_on_s3_signs_checkpoints_and_verifies(s3_rt, users) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(s3_rt.store, S3PhotoStore)
    with s3_rt.session() as session:
        _f, rec = _ready_for_signoff(session, s3_rt, users)
        signoff.sign(session, users["super"], rec.id, "同意", settings=s3_rt.settings, now=T0 + dt.timedelta(days=1))
        session.commit()
    signed = len(checkpoints.read_all(s3_rt.store))  # signing wrote one into the bucket already
    body = checkpoints.append(s3_rt.engine, s3_rt.trust)
    assert signed >= 1 and body["signoffs"]["count"] == 1 and body["seq"] == signed + 1
    with s3_rt.read() as s:
        report = integrity.verify_all(s, s3_rt.store, s3_rt.trust.keyring())
        assert report.ok and report.checkpoints == signed + 1, report.problems
        photo = s.scalars(select(Photo)).first()
        assert photo is not None and photofiles.orphans(s, s3_rt.store) == []
    _tamper(s3_rt.store, photo.original_path, b"swapped")
    with s3_rt.read() as s:
        keys = [p.key for p in integrity.verify_all(s, s3_rt.store, s3_rt.trust.keyring()).problems]
    assert keys == ["verify.photo_altered"]
    _tamper(s3_rt.store, photo.original_path, None)
    with s3_rt.read() as s:
        keys = [p.key for p in integrity.verify_all(s, s3_rt.store, s3_rt.trust.keyring()).problems]
    assert keys == ["verify.photo_missing"]


def test_verify_reads_back_photos_of_unsigned_findings_too(s3_rt, users) -> None:  # type: ignore[no-untyped-def]
    with s3_rt.uow() as s:
        photo = findings.store_photo(s, users["field"], make_jpeg(300, 200), "p.jpg", s3_rt.store)
        rel = photo.original_path
    _tamper(s3_rt.store, rel, b"edited")
    with s3_rt.read() as s:
        problems = integrity.verify_all(s, s3_rt.store, s3_rt.trust.keyring()).problems
    assert [(p.key, p.detail) for p in problems] == [("verify.photo_altered", rel)]


def test_gc_on_s3_removes_only_orphans(s3_rt, users) -> None:  # type: ignore[no-untyped-def]
    with s3_rt.uow() as s:
        findings.store_photo(s, users["field"], make_jpeg(300, 200), "kept.jpg", s3_rt.store)
    with pytest.raises(FieldError), s3_rt.uow() as s:  # rolled back: its objects are removed at once
        findings.store_photo(s, users["field"], make_jpeg(310, 200), "gone.jpg", s3_rt.store)
        raise FieldError("test.refused")
    assert len(list(s3_rt.store.files())) == 3
    s3_rt.store.write_once("display/ab/" + "ab" * 32 + ".jpg", b"left by a killed process")
    with s3_rt.read() as s:
        assert photofiles.orphans(s, s3_rt.store) == ["display/ab/" + "ab" * 32 + ".jpg"]
        assert photofiles.gc(s, s3_rt.store, min_age=dt.timedelta(hours=1)) == []  # too young
        assert photofiles.gc(s, s3_rt.store, min_age=dt.timedelta(0)) == ["display/ab/" + "ab" * 32 + ".jpg"]
        assert photofiles.orphans(s, s3_rt.store) == [] and len(list(s3_rt.store.files())) == 3


def test_failed_upload_leaves_no_finding_and_no_photo_row(s3_settings) -> None:  # type: ignore[no-untyped-def]
    from field.services import auth

    broken = dataclasses.replace(s3_settings, photo_store="s3://no-such-bucket/x")
    rt = open_runtime(broken)  # starts: the bucket is not needed to open
    try:
        with rt.uow() as s:
            user = auth.create_user(s, None, username="fielduser", password="correct horse battery", role="field",
                                    counties=["*"])
        with pytest.raises(FieldError) as e, rt.uow() as s:
            findings.create_finding(s, user, findings.FindingInput(
                description="堆场未苫盖", pollution_types=["air"], location=findings.Location(*YUNHE, "typed"),
                site_name="某堆场"), now=T0)
            findings.store_photo(s, user, make_jpeg(300, 200), "p.jpg", rt.store)
        assert e.value.key == "store.no_bucket"
        with rt.read() as s:
            assert (_count(s, Finding), _count(s, Photo)) == (0, 0)
    finally:
        rt.engine.dispose()


def test_backup_from_s3_restores_into_s3_and_into_a_folder(s3_rt, s3_settings, seaweedfs, users,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    with s3_rt.session() as session:
        _f, rec = _ready_for_signoff(session, s3_rt, users)
        signoff.sign(session, users["super"], rec.id, "同意", settings=s3_rt.settings, now=T0 + dt.timedelta(days=1))
        session.commit()
        before = {m.__name__: _count(session, m) for m in (Finding, Photo, SignOff, AuditEvent)}
    checkpoints.append(s3_rt.engine, s3_rt.trust)
    BlobStore(s3_rt.store).put(b"odk attachment")
    archive = tmp_path / "b.tar.gz"
    manifest = backup.backup(s3_rt.engine, s3_rt.store, archive)
    n_cp = len(checkpoints.read_all(s3_rt.store))
    assert manifest["photos"] == 3 * before["Photo"] + 1 and manifest["checkpoints"] == n_cp + 1  # + HEAD

    for target_spec in ("s3://field-photos/r-" + uuid.uuid4().hex[:10], str(tmp_path / "restored")):
        fresh = dataclasses.replace(s3_settings, database_url=f"sqlite:///{tmp_path / (uuid.uuid4().hex + '.db')}",
                                    photo_store=target_spec)
        rt2 = open_runtime(fresh)
        try:
            backup.restore(rt2.engine, rt2.store, archive)
            assert sorted(rt2.store.kept()) == sorted(s3_rt.store.kept())
            with rt2.read() as s2:
                assert {m.__name__: _count(s2, m) for m in (Finding, Photo, SignOff, AuditEvent)} == before
                report = integrity.verify_all(s2, rt2.store, s3_rt.trust.keyring())
                assert report.ok and report.checkpoints == n_cp, report.problems
        finally:
            rt2.engine.dispose()


def test_restore_into_a_missing_bucket_writes_nothing(s3_rt, s3_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "b.tar.gz"
    backup.backup(s3_rt.engine, s3_rt.store, archive)
    fresh = dataclasses.replace(s3_settings, database_url=f"sqlite:///{tmp_path / 'r.db'}",
                                photo_store="s3://no-such-bucket")
    rt2 = open_runtime(fresh)
    try:
        with pytest.raises(FieldError) as e:
            backup.restore(rt2.engine, rt2.store, archive)
        assert e.value.key == "store.no_bucket" and backup.first_table_with_rows(rt2.engine) is None
    finally:
        rt2.engine.dispose()


# -- migrate-photos ------------------------------------------------------------------------------


@pytest.fixture
def signed_local(rt, users) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A local-store installation with a signed finding, a checkpoint and an ODK attachment."""
    with rt.session() as session:
        _f, rec = _ready_for_signoff(session, rt, users)
        signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings, now=T0 + dt.timedelta(days=1))
        session.commit()
    checkpoints.append(rt.engine, rt.trust)
    BlobStore(rt.store).put(b"odk attachment")
    yield


def test_migrate_to_s3_and_back_checks_every_hash_and_is_idempotent(rt, signed_local, seaweedfs,  # type: ignore[no-untyped-def]
                                                                     tmp_path: Path) -> None:
    source = rt.store
    n = len(list(source.kept()))
    target = _s3(seaweedfs)
    first = photomigrate.migrate(source, target)
    assert first.ok and (first.total, first.copied, first.present, first.verified) == (n, n, 0, n)
    again = photomigrate.migrate(source, target)
    assert again.ok and (again.copied, again.present) == (0, n)

    # switch the setting: the same database, photos now in the bucket; verify passes
    switched = open_runtime(dataclasses.replace(rt.settings, photo_store=f"s3://{BUCKET}/{target.prefix}",
                                                s3_endpoint=seaweedfs.endpoint, s3_access_key=seaweedfs.access_key,
                                                s3_secret_key=seaweedfs.secret_key))
    try:
        assert isinstance(switched.store, S3PhotoStore)
        with switched.read() as s:
            report = integrity.verify_all(s, switched.store, rt.trust.keyring())
            assert report.ok and report.signoffs == 1, report.problems
            assert report.checkpoints == len(checkpoints.read_all(source)) >= 1
            assert photofiles.orphans(s, switched.store) == []
    finally:
        switched.engine.dispose()

    back = LocalPhotoStore(tmp_path / "back")
    home = photomigrate.migrate(target, back)
    assert home.ok and home.copied == n
    assert {k: back.read(k) for k in back.kept()} == {k: source.read(k) for k in source.kept()}


def test_migrate_resumes_after_an_interruption(rt, signed_local, seaweedfs) -> None:  # type: ignore[no-untyped-def]
    target = _s3(seaweedfs)
    n = len(list(rt.store.kept()))

    def stop_after_three(report: photomigrate.Migration, _rel: str) -> None:
        if report.total == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        photomigrate.migrate(rt.store, target, progress=stop_after_three)
    assert len(list(target.kept())) == 3
    resumed = photomigrate.migrate(rt.store, target)
    assert resumed.ok and (resumed.copied, resumed.present, resumed.verified) == (n - 3, 3, n)


def test_migrate_reports_conflicts_and_altered_sources_without_overwriting(rt, signed_local,  # type: ignore[no-untyped-def]
                                                                           seaweedfs) -> None:
    target = _s3(seaweedfs)
    with rt.read() as s:
        photo = s.scalars(select(Photo)).first()
        assert photo is not None
        thumb, original = photo.thumb_path, photo.original_path
    target.write_once(thumb, b"something else")
    _tamper(rt.store, original, b"altered in the source")
    report = photomigrate.migrate(rt.store, target)
    assert not report.ok
    assert sorted((p.key, p.params["name"]) for p in report.problems) == [
        ("store.migrate_bad_source", original), ("store.migrate_conflict", thumb)]
    assert target.read(thumb) == b"something else" and not target.exists(original)
    with pytest.raises(FieldError) as e:
        photomigrate.migrate(rt.store, LocalPhotoStore(rt.store.root))
    assert e.value.key == "store.same"


def test_migrate_photos_cli(rt, signed_local, seaweedfs, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_SECRETS_FILE", "/nonexistent/secrets.toml")
    for k, v in seaweedfs.env(BUCKET).items():
        if k != "FIELD_PHOTO_STORE":
            monkeypatch.setenv(k, v)
    to = f"s3://{BUCKET}/cli-{uuid.uuid4().hex[:10]}"
    assert cli_main(["--lang", "en", "migrate-photos", "--to", to, "--json"]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    n = len(list(rt.store.kept()))
    assert (counts["total"], counts["copied"], counts["verified"], counts["problems"]) == (n, n, n, 0)
    assert cli_main(["--lang", "en", "migrate-photos", "--to", to]) == 0
    out = capsys.readouterr().out
    assert f"{n} objects, 0 copied, {n} already there" in out and f"FIELD_PHOTO_STORE={to}" in out
    with rt.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "photo_store")).first()
        assert event is not None and event.action == "migrate" and event.after["copied"] == n
    # switched: verify and backup run on the bucket
    monkeypatch.setenv("FIELD_PHOTO_STORE", to)
    assert cli_main(["--lang", "en", "verify"]) == 0
    assert "0 problems" in capsys.readouterr().out
    assert cli_main(["--lang", "en", "migrate-photos", "--to", "s3://no-such-bucket/x"]) == 1
    assert "no-such-bucket does not exist" in capsys.readouterr().err
