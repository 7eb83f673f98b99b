"""The offline-capture pages in AppTest, on SQLite and PostgreSQL: the ODK Collect settings QR on
My work (a real device token whose payload is the odk-url one, revocable), the review queue
(fix and accept, reject with a reason, roles), and the offline import page (preview, import)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import ui
from field.data.models import AuditEvent, Finding
from field.data.odk_models import OdkDevice, OdkSubmission
from field.odk import devices, submissions
from tests.odk_collect import instance_xml
from tests.offline_exports import Sub, central_zip, jpeg
from tests.pages.signin import sign_in

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(rt, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_PUBLIC_URL", "http://10.0.0.5:8501")
    monkeypatch.setenv("FIELD_TILES", "none")
    ui._runtime.clear()
    yield rt
    ui._runtime.clear()


def _app(user_id: int, page: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    sign_in(at, user_id)
    at.session_state["lang"] = lang
    at.switch_page(page)
    return at.run()


def _button(at: AppTest, key: str) -> Any:
    return next(b for b in at.button if b.key == key)


def test_my_work_shows_the_device_qr_and_revokes_it(app_env, session, users) -> None:
    at = _app(users["field"].id, "pages/my_work.py")
    assert not at.exception, at.exception
    assert any(e.label.startswith("📱 ODK Collect") for e in at.expander)
    at.text_input(key="my_odk_label").input("平板 3")
    at = _button(at, "my_odk_issue").click().run()
    assert not at.exception, at.exception
    shown = at.session_state["my_odk_qr"]
    assert shown["url"].startswith("http://10.0.0.5:8501/odk/")
    assert devices.decode_payload(shown["payload"])["general"]["server_url"] == shown["url"]  # odk-url's payload
    assert any(c.value == shown["url"] for c in at.code)
    assert len(at.get("image")) >= 1  # the QR image
    session.expire_all()
    device = devices.resolve(session, shown["url"].rsplit("/", 1)[1])
    assert device is not None and device.user_id == users["field"].id and device.label == "平板 3"
    at = _button(at, f"my_odk_revoke_{device.id}").click().run()
    assert not at.exception, at.exception
    assert any("已吊销" in s.value for s in at.success)
    session.expire_all()
    assert session.get(OdkDevice, device.id).revoked_at is not None  # type: ignore[union-attr]
    assert not any(b.key == f"my_odk_revoke_{device.id}" for b in at.button)


def _in_review(rt, session, users, files: dict[str, bytes] | None = None,  # type: ignore[no-untyped-def]
               **kw: Any) -> OdkSubmission:
    device = devices.issue(session, users["field"], users["field"], "平板 1").device
    got = submissions.receive(session, device, instance_xml(images=tuple(files or ()), **kw), files or {},
                              complete=True, stores=submissions.Stores.under(rt.store))
    session.commit()
    assert got.submission.state == "review"
    return got.submission


def test_review_page_fixes_the_type_and_accepts(app_env, session, users) -> None:
    row = _in_review(app_env, session, users, {"a.jpg": jpeg(1)}, types="dust")
    at = _app(users["officer"].id, "pages/odk_review.py")
    assert not at.exception, at.exception
    assert any("dust" in e.value for e in at.error)  # why it waits
    assert len(at.get("image")) == 1  # the kept photo
    at.multiselect(key=f"rv_{row.id}_types").set_value(["air", "water"])
    at.text_input(key=f"rv_{row.id}_site").input("宏达建材厂（东厂区）")
    at = at.button[[b.label for b in at.button].index("修正并登记")].click().run()
    assert not at.exception, at.exception
    assert any("已登记为问题" in s.value for s in at.success)
    session.expire_all()
    kept = session.get(OdkSubmission, row.id)
    assert kept is not None and kept.state == "accepted"
    f = session.get(Finding, kept.finding_id)
    assert f is not None and f.pollution_types == ["air", "water"] and f.author_id == users["field"].id
    assert f.site.name == "宏达建材厂（东厂区）" and len(f.photos) == 1
    ev = session.scalar(select(AuditEvent).where(AuditEvent.entity == "odk_submission", AuditEvent.action == "accept"))
    assert ev is not None and ev.actor_id == users["officer"].id and "pollution_types" in ev.after["fixes"]
    assert any("没有待审核" in i.value for i in at.info)


def test_review_page_rejects_only_with_a_reason(app_env, session, users) -> None:
    row = _in_review(app_env, session, users, {"bad.jpg": b"\xff\xd8\xff\xe0 truncated"}, where="95 116.8 0 5")
    at = _app(users["officer"].id, "pages/odk_review.py", lang="en")
    assert not at.exception, at.exception
    assert not at.get("image") and any(ui.md("bad.jpg") in c.value for c in at.caption)  # listed, not shown
    assert any("Latitude" in e.value or "latitude" in e.value for e in at.error)
    reject = [b for b in at.button if b.label == "Reject"][0]
    at = reject.click().run()
    assert any("reason" in e.value for e in at.error)  # refused by the service: no reason
    at.text_input(key=f"rv_{row.id}_why").input("重复提交")
    at = [b for b in at.button if b.label == "Reject"][0].click().run()
    assert not at.exception, at.exception
    session.expire_all()
    assert session.get(OdkSubmission, row.id).state == "rejected"  # type: ignore[union-attr]
    assert session.scalar(select(func.count()).select_from(Finding)) == 0
    ev = session.scalar(select(AuditEvent).where(AuditEvent.action == "reject"))
    assert ev is not None and ev.reason == "重复提交"


def test_review_page_is_for_reviewers(app_env, session, users) -> None:
    _in_review(app_env, session, users, types="dust")
    at = _app(users["field"].id, "pages/odk_review.py")
    assert not at.exception and not at.selectbox  # the guard stops before the queue is read


def test_offline_page_previews_then_imports(app_env, session, users) -> None:
    data = central_zip([Sub(photos={"a.jpg": jpeg(1)}), Sub(site_name="第二家")])
    at = _app(users["field"].id, "pages/offline.py")
    assert not at.exception, at.exception
    at.file_uploader(key="off_file").set_value(("field_finding.zip", data, "application/zip")).run()
    at = _button(at, "off_preview").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["处理"]) == ["新登记", "新登记"] and list(table["照片数"]) == [1, 0]
    assert session.scalar(select(func.count()).select_from(Finding)) == 0  # the preview stored nothing
    at = _button(at, "off_import").click().run()
    assert not at.exception, at.exception
    assert any("导入完成" in s.value for s in at.success)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Finding)) == 2
    at = _button(at, "off_preview").click().run()
    assert list(at.dataframe[0].value["处理"]) == ["已导入过", "已导入过"]


def test_offline_page_names_a_wrong_file(app_env, session, users) -> None:
    at = _app(users["field"].id, "pages/offline.py", lang="en")
    at.file_uploader(key="off_file").set_value(("notes.csv", b"just,some\n1,2\n", "text/csv")).run()
    at = _button(at, "off_preview").click().run()
    assert any("not recognised" in e.value for e in at.error)
    assert not any(b.key == "off_import" for b in at.button)
