"""The slice from finding to sign-off through the services, on SQLite and PostgreSQL:
permissions role by role, four eyes, 公示, the hash chain and tampering, concurrent signing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from field.data.models import AuditEvent, Finding, Photo, SignOff, Verification
from field.domain.errors import ConflictError, FieldError, PermissionDenied, ValidationError
from field.services import audit, findings, signoff
from field.services.findings import FindingInput, Location
from field.services.signoff import VerificationInput
from tests.photo_factory import make_jpeg

YUNHE = (116.84, 38.29)  # 运河区, 沧州 city centre (WGS-84)
HUANGHUA = (117.33, 38.37)  # 黄骅市
BEIJING = (116.397, 39.909)
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in China


def _finding(session, user, where=YUNHE, **kw) -> Finding:
    data = FindingInput(description=kw.pop("description", "露天堆放物料未苫盖"), pollution_types=["air"],
                        location=Location(*where, "typed"), site_name=kw.pop("site_name", "宏达建材厂"), **kw)
    f = findings.create_finding(session, user, data, now=T0)
    session.commit()
    return f


def _photo(session, rt, user, seed=0, where=YUNHE):
    p = findings.store_photo(session, user, make_jpeg(640, 480, gps=where, taken_at=dt.datetime(2026, 6, 1, 10),
                                                      seed=seed), f"p{seed}.jpg", rt.store)
    session.commit()
    return p


def _ready_for_signoff(session, rt, users, where=YUNHE, author="field"):
    f = _finding(session, users[author], where)
    after = _photo(session, rt, users[author], seed=7, where=where)
    rec = signoff.write_verification(session, users[author], f.id, VerificationInput(
        truthfulness="true", facts="属实，已整改", measures="已苫盖", after_photo_ids=[after.id],
        lon=where[0], lat=where[1]), now=T0 + dt.timedelta(hours=2))
    session.commit()
    return f, rec


def test_create_finding_sets_county_status_and_audit(session, users) -> None:
    f = _finding(session, users["field"])
    assert f.status == "pending"
    assert f.site.county_adcode == "130903" and not f.site.outside_city
    assert f.site.location_source == "typed"
    events = audit.history(session, "finding", f.id)
    assert [e.action for e in events] == ["create"] and events[0].actor_name == "field"


def test_point_outside_city_is_kept_and_flagged(session, users) -> None:
    f = _finding(session, users["field"], where=BEIJING)
    assert f.site.county_adcode is None and f.site.outside_city


@pytest.mark.parametrize("lon,lat", [(200.0, 38.0), (116.0, 95.0), (float("nan"), 38.0)])
def test_bad_coordinates_are_a_field_error(session, users, lon, lat) -> None:
    with pytest.raises(ValidationError) as e:
        _finding(session, users["field"], where=(lon, lat))
    assert e.value.field == "location"
    assert session.scalar(select(func.count()).select_from(Finding)) == 0


# An empty site name is not missing: the site is named from the description (test_capture_checks).
@pytest.mark.parametrize("kw,field", [({"description": " "}, "description"),
                                      ({"description": " ", "site_name": ""}, "description")])
def test_missing_required_fields(session, users, kw, field) -> None:
    with pytest.raises(ValidationError) as e:
        _finding(session, users["field"], **kw)
    assert e.value.field == field


def test_double_submit_makes_one_finding(session, users) -> None:
    a = _finding(session, users["field"], client_token="tok-1")
    b = _finding(session, users["field"], client_token="tok-1")
    assert a.id == b.id
    assert session.scalar(select(func.count()).select_from(Finding)) == 1


@pytest.mark.parametrize("role", ["viewer", "supervisor", "officer"])
def test_roles_that_cannot_log_findings(session, users, role) -> None:
    who = users["super" if role == "supervisor" else role]
    with pytest.raises(PermissionDenied):
        _finding(session, who)


def test_county_scope_is_enforced_in_the_service(session, users) -> None:
    _finding(session, users["field_yunhe"], where=YUNHE)
    with pytest.raises(PermissionDenied) as e:
        _finding(session, users["field_yunhe"], where=HUANGHUA)
    assert e.value.key == "perm.county"


def test_same_photo_stored_once(session, rt, users) -> None:
    a = _photo(session, rt, users["field"], seed=3)
    b = _photo(session, rt, users["field"], seed=3)
    assert a.id == b.id
    assert session.scalar(select(func.count()).select_from(Photo)) == 1
    assert (rt.store.root / a.original_path).is_file()


def test_full_slice_to_public_notice_then_closed(session, rt, users) -> None:
    f, rec = _ready_for_signoff(session, rt, users)
    assert f.status == "awaiting_signoff"
    so = signoff.sign(session, users["super"], rec.id, "同意验收", settings=rt.settings, now=T0 + dt.timedelta(days=1))
    session.refresh(f)
    assert f.status == "public_notice"
    # 10 working days from Tuesday 2026-06-02 (China date), weekends skipped
    assert f.notice_ends_on == dt.date(2026, 6, 16)
    assert so.prev_hash == signoff.GENESIS and len(so.chain_hash) == 64
    assert signoff.advance_notices(session, settings=rt.settings, now=T0 + dt.timedelta(days=10)) == 0
    # The last notice day still takes objections: the item closes the day after it (issue #11).
    assert signoff.advance_notices(session, settings=rt.settings, now=T0 + dt.timedelta(days=15)) == 0
    assert signoff.advance_notices(session, settings=rt.settings, now=T0 + dt.timedelta(days=16)) == 1
    session.refresh(f)
    assert f.status == "closed" and f.recheck_due_on is not None
    actions = [e.action for e in audit.history(session, "finding", f.id)]
    assert "status:sign" in actions and "status:end_notice" in actions
    assert signoff.verify_chain(session, rt.store.root) == []


def test_unfounded_needs_no_after_photo(session, rt, users) -> None:
    f = _finding(session, users["field"])
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="false", facts="现场未发现问题"), now=T0)
    session.commit()
    assert f.status == "awaiting_signoff"
    signoff.sign(session, users["super"], rec.id, settings=rt.settings, now=T0 + dt.timedelta(days=1))
    session.refresh(f)
    assert f.status == "unfounded"


def test_true_without_after_photos_stays_rectifying_and_cannot_be_signed(session, rt, users) -> None:
    f = _finding(session, users["field"])
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="true", facts="属实"), now=T0)
    session.commit()
    assert f.status == "rectifying"
    with pytest.raises(ConflictError) as e:
        signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    assert e.value.key == "signoff.not_awaiting"


@pytest.mark.parametrize("who,key", [("field", "perm.role"), ("viewer", "perm.role"), ("admin", "perm.role"),
                                     ("officer", "perm.role")])
def test_only_supervisors_sign(session, rt, users, who, key) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    with pytest.raises(PermissionDenied) as e:
        signoff.sign(session, users[who], rec.id, settings=rt.settings)
    assert e.value.key == key


def test_four_eyes_and_scope(session, rt, users) -> None:
    # a supervisor who wrote the record may not sign it
    f = _finding(session, users["field"])
    after = _photo(session, rt, users["field"], seed=9)
    users["super"].role = "field"  # temporarily a field user to author the record
    rec = signoff.write_verification(session, users["super"], f.id, VerificationInput(
        truthfulness="true", facts="x", after_photo_ids=[after.id]), now=T0)
    users["super"].role = "supervisor"
    session.commit()
    with pytest.raises(ConflictError) as e:
        signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    assert e.value.key == "signoff.own_record"
    # outside the signer's county scope
    _f2, rec2 = _ready_for_signoff(session, rt, users, where=HUANGHUA)
    with pytest.raises(PermissionDenied) as e:
        signoff.sign(session, users["super_yunhe"], rec2.id, settings=rt.settings)
    assert e.value.key == "perm.county"
    assert session.scalar(select(func.count()).select_from(SignOff)) == 0


def test_return_for_rework_needs_a_reason(session, rt, users) -> None:
    f, rec = _ready_for_signoff(session, rt, users)
    with pytest.raises(ValidationError):
        signoff.return_for_rework(session, users["super"], rec.id, "  ")
    session.refresh(f)
    assert f.status == "awaiting_signoff"
    signoff.return_for_rework(session, users["super"], rec.id, "照片不清晰，请补拍")
    session.refresh(f)
    assert f.status == "rectifying"
    assert session.get(Verification, rec.id).state == "returned"


def test_signed_record_cannot_be_signed_again(session, rt, users) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    with pytest.raises(ConflictError) as e:
        signoff.sign(session, users["super2"], rec.id, settings=rt.settings)
    assert e.value.key == "signoff.already_signed"
    assert e.value.params["who"] == "SUPER"


def test_spring_festival_notice_counts_the_statutory_calendar(session, rt, users) -> None:
    """10 working days after 2026-02-10 end on 2026-03-02 (调休 Saturdays count, the holiday week
    does not); weekdays-minus-FIELD_HOLIDAYS said 2026-02-24."""
    f, rec = _ready_for_signoff(session, rt, users)
    signed = dt.datetime(2026, 2, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in China
    signoff.sign(session, users["super"], rec.id, "同意验收", settings=rt.settings, now=signed)
    session.refresh(f)
    assert f.notice_ends_on == dt.date(2026, 3, 2)
    last_day = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 17:00 on the last notice day
    assert signoff.advance_notices(session, settings=rt.settings, now=last_day) == 0
    assert signoff.advance_notices(session, settings=rt.settings, now=last_day + dt.timedelta(hours=8)) == 1


def test_rebound_reopens_and_keeps_history(session, rt, users) -> None:
    f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=dataclasses.replace(rt.settings, public_notice_days=0))
    session.refresh(f)
    assert f.status == "closed"
    signoff.record_recheck(session, users["field"], f.id, rebound=True, facts="复查发现反弹", settings=rt.settings)
    session.commit()
    session.refresh(f)
    assert f.status == "reopened"
    assert session.get(Verification, rec.id).state == "signed"  # closure history kept
    assert session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert signoff.verify_chain(session, rt.store.root) == []


def _signed_chain(session, rt, users, n=3):
    recs = []
    for i in range(n):
        _f, rec = _ready_for_signoff(session, rt, users, where=(YUNHE[0] + i * 0.001, YUNHE[1]))
        signoff.sign(session, users["super"], rec.id, settings=rt.settings, now=T0 + dt.timedelta(days=1, hours=i))
        recs.append(rec)
    assert signoff.verify_chain(session, rt.store.root) == []
    return recs


def test_tamper_sql_edit_is_named(session, rt, users) -> None:
    recs = _signed_chain(session, rt, users)
    session.execute(text("UPDATE verifications SET facts = 'quietly changed' WHERE id = :id"), {"id": recs[1].id})
    session.commit()
    problems = signoff.verify_chain(session, rt.store.root)
    assert [(p.key, p.verification_id) for p in problems] == [("verify.content_changed", recs[1].id)]


def test_tamper_photo_replaced_or_deleted(session, rt, users) -> None:
    recs = _signed_chain(session, rt, users, n=2)
    photo = session.scalars(select(Photo).order_by(Photo.id)).first()
    path = rt.store.root / photo.original_path
    path.write_bytes(make_jpeg(640, 480, seed=99))
    keys = {p.key for p in signoff.verify_chain(session, rt.store.root)}
    assert "verify.photo_altered" in keys
    path.unlink()
    keys = {p.key for p in signoff.verify_chain(session, rt.store.root)}
    assert "verify.photo_missing" in keys
    assert recs


def test_tamper_chain_break(session, rt, users) -> None:
    _signed_chain(session, rt, users)
    first = session.scalars(select(SignOff).order_by(SignOff.id)).first()
    session.execute(text("UPDATE signoffs SET chain_hash = :h WHERE id = :id"), {"h": "f" * 64, "id": first.id})
    session.commit()
    problems = signoff.verify_chain(session, rt.store.root)
    keys = [(p.key, p.signoff_id) for p in problems]
    assert ("verify.hash_changed", first.id) in keys
    assert any(k == "verify.chain_broken" for k, _ in keys)


def test_two_supervisors_sign_at_once_exactly_one_wins(rt, users, session) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(username: str) -> None:
        from field.data.models import User

        try:
            with rt.uow() as s:  # the page's unit of work: the service flushes, this commits
                user = s.scalar(select(User).where(User.username == username))
                record = s.get(Verification, rec.id)  # both read the record before either writes
                assert record.state == "submitted"
                barrier.wait()
                signoff.sign(s, user, rec.id, settings=rt.settings)
            results.append("ok")
        except FieldError as exc:
            results.append(exc.key)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("super", "super2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok", "signoff.already_signed"] or sorted(results) == ["ok", "signoff.busy"]
    assert session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert signoff.verify_chain(session, rt.store.root) == []


def test_the_second_signature_loses_with_the_first_signers_name(rt, users, session) -> None:
    """The race, one step at a time: both units of work read the record, one commits its
    signature, the other's savepoint is undone and it is told who signed first."""
    from field.data.models import User

    _f, rec = _ready_for_signoff(session, rt, users)
    with rt.uow() as late:
        assert late.get(Verification, rec.id).state == "submitted"  # read before the other signs
        with rt.uow() as first:
            signoff.sign(first, first.get(User, users["super"].id), rec.id, settings=rt.settings)
        with pytest.raises(ConflictError) as lost:
            signoff.sign(late, late.get(User, users["super2"].id), rec.id, settings=rt.settings)
    assert lost.value.key == "signoff.already_signed" and lost.value.params["who"] == "SUPER"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SignOff)) == 1
    assert signoff.verify_chain(session, rt.store.root) == []


def test_a_signature_is_undone_with_its_unit_of_work(rt, users, session) -> None:
    """sign() only flushes (inside a savepoint): when a later step of the same action fails,
    nothing of the signature stays. On SQLite a savepoint opened before any write would have
    committed on RELEASE; field.data.db opens the transaction first."""
    from field.data.models import User

    f, rec = _ready_for_signoff(session, rt, users)
    with pytest.raises(RuntimeError), rt.uow() as s:
        signoff.sign(s, s.get(User, users["super"].id), rec.id, settings=rt.settings)
        raise RuntimeError("a later step of the same action fails")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SignOff)) == 0
    assert session.get(Verification, rec.id).state == "submitted"
    assert session.get(Finding, f.id).status == "awaiting_signoff"


def test_every_change_leaves_an_audit_event(session, rt, users) -> None:
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    _ready_for_signoff(session, rt, users)
    after = session.scalar(select(func.count()).select_from(AuditEvent))
    # site, finding, 2 photos stored, photo attached, verification, status moves
    assert after - before >= 7


def test_map_rows_respect_scope_and_filters(session, rt, users) -> None:
    _finding(session, users["field"], where=YUNHE)
    _finding(session, users["field"], where=HUANGHUA, description="夜间噪声扰民")
    assert len(findings.map_rows(session, users["viewer"])) == 2
    assert [r["county"] for r in findings.map_rows(session, users["super_yunhe"])] == ["130903"]
    only = findings.map_rows(session, users["viewer"], findings.MapFilter(text="噪声"))
    assert len(only) == 1 and only[0]["county"] != "130903"
    assert findings.status_counts(only)["pending"] == 1


def test_correction_is_a_new_signed_record_and_the_old_stays(session, rt, users) -> None:
    f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=rt.settings, now=T0 + dt.timedelta(days=1))
    with pytest.raises(ConflictError):  # an unsigned record is not corrected, it is returned
        _f2, unsigned = _ready_for_signoff(session, rt, users, where=(YUNHE[0] + 0.01, YUNHE[1]))
        signoff.write_correction(session, users["field"], unsigned.id, VerificationInput(truthfulness="true"),
                                 reason="typo")
    with pytest.raises(ValidationError):
        signoff.write_correction(session, users["field"], rec.id, VerificationInput(truthfulness="true"), reason="")
    fix = signoff.write_correction(session, users["field"], rec.id, VerificationInput(
        truthfulness="true", facts="属实，已整改（更正：苫盖面积 2000 平方米）"), reason="面积笔误")
    session.commit()
    assert fix.supersedes_id == rec.id and fix.kind == "correction"
    queued = [i["record"].id for i in signoff.queue(session, users["super2"])]
    assert fix.id in queued
    status_before = session.get(Finding, f.id).status
    signoff.sign(session, users["super2"], fix.id, "同意更正", settings=rt.settings, now=T0 + dt.timedelta(days=2))
    session.refresh(f)
    assert f.status == status_before  # a correction does not move the status
    assert session.get(Verification, rec.id).facts == "属实，已整改"  # the original is untouched
    assert signoff.verify_chain(session, rt.store.root) == []
    assert session.scalar(select(func.count()).select_from(SignOff)) == 2


def test_due_rechecks_and_objection_during_notice(session, rt, users) -> None:
    f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, settings=rt.settings, now=T0)
    assert [x.id for x in signoff.in_notice(session, users["super"])] == [f.id]
    with pytest.raises(ConflictError):
        signoff.object_during_notice(session, users["super"], f.id, " ")
    signoff.object_during_notice(session, users["super"], f.id, "群众反映仍有扬尘")
    session.commit()
    session.refresh(f)
    assert f.status == "rectifying"
    g, rec2 = _ready_for_signoff(session, rt, users, where=(YUNHE[0] + 0.002, YUNHE[1]))
    signoff.sign(session, users["super"], rec2.id, settings=dataclasses.replace(rt.settings, public_notice_days=0),
                 now=T0)
    session.refresh(g)
    due_on = g.recheck_due_on
    assert due_on == dt.date(2026, 6, 1) + dt.timedelta(days=90)
    assert signoff.due_rechecks(session, users["field"], today=due_on - dt.timedelta(days=30)) == []
    assert [x.id for x in signoff.due_rechecks(session, users["field"], today=due_on)] == [g.id]
    assert g.site.county_adcode == "130903"
    assert [x.id for x in signoff.due_rechecks(session, users["field_yunhe"], today=due_on)] == [g.id]
    h, rec3 = _ready_for_signoff(session, rt, users, where=HUANGHUA)
    signoff.sign(session, users["super"], rec3.id, settings=dataclasses.replace(rt.settings, public_notice_days=0),
                 now=T0)
    assert h.id not in [x.id for x in signoff.due_rechecks(session, users["field_yunhe"], today=due_on)]


def test_control_characters_are_dropped_html_is_kept(session, rt, users) -> None:
    f = _finding(session, users["field"], description="排污\x00口<script>alert(1)</script>\n第二行")
    assert f.description == "排污口<script>alert(1)</script>\n第二行"
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="false", facts="无\x00异常"), now=T0)
    session.commit()
    assert rec.facts == "无异常"


def test_verifiable_applies_the_scope_before_the_limit(session, users) -> None:
    """pages/verify.py used to take the newest 500 findings and then drop other counties in
    Python: a 运河区 user saw nothing once 500 newer findings elsewhere were waiting."""
    from field.data.models import Site

    mine = [_finding(session, users["field"], site_name=f"运河{i}") for i in range(3)]
    elsewhere, _outside = findings.locate(*HUANGHUA)
    site = Site(name="黄骅某厂", lon=HUANGHUA[0], lat=HUANGHUA[1], location_source="typed",
                county_adcode=elsewhere)
    session.add(site)
    session.flush()
    session.add_all([Finding(site_id=site.id, author_id=users["field"].id, description="newer, elsewhere",
                             status="pending", created_at=T0) for _ in range(signoff.MAX_CHOICES + 1)])
    session.commit()
    got = signoff.verifiable(session, users["field_yunhe"])
    assert sorted(f.id for f in got) == sorted(f.id for f in mine)
    everything = signoff.verifiable(session, users["field"])
    assert len(everything) == signoff.MAX_CHOICES and not {f.id for f in mine} & {f.id for f in everything}


def test_verifiable_follows_the_workflow(session, rt, users) -> None:
    from field.domain import workflow

    f, _rec = _ready_for_signoff(session, rt, users)  # awaiting sign-off: no new record now
    g = _finding(session, users["field"], site_name="另一处")
    assert [x.id for x in signoff.verifiable(session, users["field"])] == [g.id]
    assert all(workflow.can_verify(x.status) for x in signoff.verifiable(session, users["field"]))
    with pytest.raises(PermissionDenied):
        signoff.verifiable(session, users["viewer"])
    assert f.status == "awaiting_signoff"


def test_correctable_lists_signed_records_in_scope_only(session, rt, users) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    _g, far = _ready_for_signoff(session, rt, users, where=HUANGHUA)
    assert signoff.correctable(session, users["field"]) == []
    signoff.sign(session, users["super"], rec.id, settings=rt.settings, now=T0 + dt.timedelta(days=1))
    signoff.sign(session, users["super"], far.id, settings=rt.settings, now=T0 + dt.timedelta(days=1))
    session.commit()
    assert [v.id for v in signoff.correctable(session, users["field"])] == [far.id, rec.id]
    assert [v.id for v in signoff.correctable(session, users["field_yunhe"])] == [rec.id]
    assert set(signoff.latest_signoffs(session, users["viewer"], _f)) == {rec.id}


def test_four_eyes_counts_the_inspectors_in_the_queue_and_at_signing(session, rt, users) -> None:
    """One definition (signoff.is_own_record): a supervisor named as an inspector is warned in
    the queue and refused at signing, like the record's author."""
    f = _finding(session, users["field"])
    after = _photo(session, rt, users["field"], seed=11)
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="true", facts="x", inspectors=["FIELD", "SUPER"], after_photo_ids=[after.id]), now=T0)
    session.commit()
    own = {i["record"].id: i["own"] for i in signoff.queue(session, users["super"])}
    assert own == {rec.id: True}
    assert {i["record"].id: i["own"] for i in signoff.queue(session, users["super2"])} == {rec.id: False}
    with pytest.raises(ConflictError) as e:
        signoff.sign(session, users["super"], rec.id, settings=rt.settings)
    assert e.value.key == "signoff.own_record"
    assert signoff.queue(session, users["super_yunhe"])  # 运河区 is in its scope
