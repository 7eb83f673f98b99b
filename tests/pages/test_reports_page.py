"""pages/reports.py through AppTest: generate a report, download it, see it in the archive."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import streamlit as st
from docx import Document
from streamlit.testing.v1 import AppTest

from field.services import auth
from tests.pages.signin import page_runtime, sign_in
from tests.report_factory import seed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_FAKE_NOW="2024-05-20T02:00:00+00:00")
    with rt.session() as s:
        ids = {}
        for name, role, scope in [("view", "viewer", ["*"]), ("yunhe", "supervisor", ["130903"]),
                                  ("officer", "case_officer", ["*"])]:
            ids[name] = auth.create_user(s, None, username=name, password="page test password", role=role,
                                         counties=scope).id
        s.commit()
        seed(s, ids["view"], cases=40, findings=40, problems=4)
        s.commit()
    yield ids
    st.cache_resource.clear()
    rt.engine.dispose()


def _page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "reports.py"), default_timeout=120)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    return at.run()


def test_viewer_generates_and_finds_it_in_the_archive(page_env) -> None:
    at = _page(page_env["view"])
    assert not at.exception
    assert at.info[0].value == "尚无归档报告。"
    at.selectbox(key="rep_kind").set_value("monthly")
    at.button(key="rep_go").click().run()
    assert not at.exception and at.success
    docx = at.session_state["rep_made"]["docx"]
    assert Document(io.BytesIO(docx)).paragraphs[0].text.endswith("每月一报告")
    archive = at.dataframe[-1].value
    assert len(archive) == 1 and archive["类型"].iloc[0] == "每月一报告"


def test_county_user_sees_only_its_county(page_env) -> None:
    at = _page(page_env["yunhe"])
    assert not at.exception
    options = at.selectbox(key="rep_county").options
    assert len(options) == 2 and options[1] == "运河区"  # the whole scope, or its one county


def test_officer_records_a_decision_on_a_dispatch_pack_and_updates_it(page_env) -> None:
    at = _page(page_env["officer"])
    assert not at.exception
    assert "先生成一份半月一调度材料" in [i.value for i in at.info][-1]
    at.selectbox(key="rep_kind").set_value("dispatch")
    at.button(key="rep_go").click().run()
    assert not at.exception and at.success
    at.text_area(key="dec_content").set_value("月底前完成某河段清淤")
    at.text_input(key="dec_unit").set_value("市水务局")
    at.button(key="FormSubmitter:dec_form-记录议定事项").click().run()
    assert not at.exception
    assert at.error and at.error[0].value == "请填写完成时限（日期）。"  # refused, nothing saved
    at.text_area(key="dec_content").set_value("月底前完成某河段清淤")
    at.text_input(key="dec_unit").set_value("市水务局")
    at.date_input(key="dec_deadline").set_value(dt.date(2024, 5, 31))
    at.button(key="FormSubmitter:dec_form-记录议定事项").click().run()
    assert not at.exception and "已记录。" in [x.value for x in at.success]
    table = at.dataframe[-1].value
    assert list(table["议定事项"]) == ["月底前完成某河段清淤"] and table["落实情况"].iloc[0] == "尚未启动"
    at.selectbox(key="dec_status").set_value("done")
    at.text_input(key="dec_note").set_value("已完成并验收")
    at.button(key="FormSubmitter:dec_update-保存").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["落实情况"].iloc[0] == "已完成" and table["落实情况说明"].iloc[0] == "已完成并验收"


def test_viewer_sees_no_decision_form(page_env) -> None:
    at = _page(page_env["view"])
    assert not at.exception and "议定事项" not in [h.value for h in at.subheader]
