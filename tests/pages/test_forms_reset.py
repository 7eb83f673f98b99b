"""Forms start empty after a success, with the message and a link to what was made; a refusal
keeps what was typed (AppTest: the verification form and the sign-off)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from field.data.models import Finding, User
from field.services import auth
from field.services.findings import FindingInput, Location, create_finding
from tests.pages.signin import page_runtime, sign_in

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "page test password"


@pytest.fixture
def env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_PUBLIC_NOTICE_DAYS="0")
    with rt.session() as s:
        ids = {name: auth.create_user(s, None, username=name, password=PASSWORD, role=role).id
               for name, role in [("field1", "field"), ("super1", "supervisor")]}
        s.flush()
        author = s.get_one(User, ids["field1"])
        found = [create_finding(s, author, FindingInput(
            description=f"露天堆放 {i}", pollution_types=["air"], location=Location(116.84, 38.29, "typed"),
            site_name=f"宏达建材厂{i}")).id for i in range(2)]
        s.commit()
    yield rt, ids, found
    st.cache_resource.clear()
    rt.engine.dispose()


def _links(at: AppTest) -> list[tuple[str, str]]:
    return [(el.proto.label, el.proto.page) for el in at.get("page_link")]


def _verify_page(user_id: int, finding_id: int) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user_id)
    at.query_params["finding"] = str(finding_id)
    at.run()
    at.switch_page("pages/verify.py").run()
    assert not at.exception, at.exception
    return at


def test_verification_form_resets_after_success_and_keeps_text_after_a_refusal(env) -> None:
    rt, ids, (first, second) = env
    at = _verify_page(ids["field1"], second)
    assert at.selectbox(key="ver_pick").value == second  # the link's finding is preselected
    at.radio(key="ver_truth").set_value("false")
    at.text_area(key="ver_measures").input("已责令整改").run()
    at.button(key="ver_submit").click().run()  # no facts: refused, what was typed stays
    assert not at.exception, at.exception
    assert at.text_area(key="ver_measures").value == "已责令整改" and at.radio(key="ver_truth").value == "false"
    assert at.error and not at.success
    at.text_area(key="ver_facts").input("现场未发现问题").run()
    at.button(key="ver_submit").click().run()
    assert not at.exception, at.exception
    assert any(f"已提交问题 #{second} 的核查记录" in s.value for s in at.success)
    assert any(label == f"查看问题 #{second}" and page == "map" for label, page in _links(at)), _links(at)
    assert at.text_area(key="ver_facts~1").value == "" and at.text_area(key="ver_measures~1").value == ""
    assert at.selectbox(key="ver_pick~1").value == first  # the submitted finding is no longer offered
    assert "finding" not in at.query_params
    with rt.read() as s:
        assert s.get_one(Finding, second).status == "awaiting_signoff"


def test_signoff_says_what_was_signed_with_a_link(env) -> None:
    rt, ids, (first, _second) = env
    at = _verify_page(ids["field1"], first)
    at.radio(key="ver_truth").set_value("false")
    at.text_area(key="ver_facts").input("现场未发现问题").run()
    at.button(key="ver_submit").click().run()
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), ids["super1"]).run()
    at.switch_page("pages/signoff.py").run()
    [sign] = [b for b in at.button if b.label == "签字验收"]
    sign.click().run()
    assert not at.exception, at.exception
    assert any(f"已签字验收问题 #{first}" in s.value for s in at.success)
    assert any(f"#{first}" in label and page == "records" for label, page in _links(at))
    assert any("暂无待验收记录" in i.value for i in at.info)
