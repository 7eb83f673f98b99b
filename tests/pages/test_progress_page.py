"""pages/progress.py through AppTest: a unit reports weekly with evidence, history is kept,
a refusal keeps what was typed, and officers see the units that have not reported."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from field import planimport, reports
from field.data.ledger_models import MeasureReport, ReportFile
from field.data.models import AuditEvent, User
from field.data.report_models import DispatchDecision
from field.domain.errors import PermissionDenied
from field.services import auth, decisions, progress
from tests.pages.signin import page_runtime, sign_in
from tests.plan_factory import plan_spec, plan_xlsx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "page test password"


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_FAKE_NOW="2024-05-30T02:00:00+00:00")  # a Thursday
    with rt.session() as s:
        off = auth.create_user(s, None, username="off", password=PASSWORD, role="case_officer")
        env = auth.create_user(s, None, username="env", password=PASSWORD, role="unit", display_name="环境局填报")
        env.unit = "市生态环境局"
        s.commit()
        spec = plan_spec(1, 2, 2)
        for p in spec:
            for m in p["measures"]:
                m["lead"], m["deadline"] = "市生态环境局", "2024年12月底前"
        spec[1]["measures"][1]["lead"] = "市住建局"
        planimport.import_plan(s, off, plan_xlsx(spec), "plan.xlsx")
        s.commit()
        ids = {"off": off.id, "env": env.id}
    yield rt, ids
    st.cache_resource.clear()
    rt.engine.dispose()


def _page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "progress.py"), default_timeout=60)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    return at.run()


def _frame(at: AppTest, column: str):
    """The table that has this column (AppTest does not expose a plain dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _fill(at: AppTest, done: str, percent: int = 30) -> AppTest:
    at.selectbox(key="progress_stage_0").set_value("in_progress")
    at.number_input(key="progress_percent_0").set_value(percent)
    at.text_area(key="progress_done_0").input(done)
    return at


def test_unit_sees_only_its_measures_with_computed_schedule(page_env) -> None:
    _rt, ids = page_env
    at = _page(ids["env"])
    assert not at.exception, at.exception
    table = _frame(at, "序时进度")
    assert len(table) == 3  # 4 measures, one belongs to 市住建局
    assert set(table["序时进度"]) == {"尚未启动"}
    assert not any("未报" in s.value for s in at.subheader)  # no per-unit overview for a unit


def test_unit_reports_with_evidence_and_history_is_kept(page_env) -> None:
    rt, ids = page_env
    at = _page(ids["env"])
    blob = b"%PDF-1.4 fake evidence"
    _fill(at, "完成排查 <b>12</b> 家")
    at.file_uploader(key="progress_files_0").set_value(("检查记录.pdf", blob, "application/pdf"))
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("已提交填报" in s.value for s in at.success)
    with rt.session() as s:
        r = s.scalars(select(MeasureReport)).one()
        assert (r.stage, r.percent, r.done_text, r.late) == ("in_progress", 30, "完成排查 <b>12</b> 家", False)
        f = s.scalars(select(ReportFile)).one()
        assert f.sha256 == hashlib.sha256(blob).hexdigest() and f.filename == "检查记录.pdf"
        assert progress.EvidenceStore(rt.settings.data_dir).verify(f.sha256)
    history = _frame(at, "佐证材料")
    assert len(history) == 1 and "检查记录.pdf" in history["佐证材料"][0]
    assert set(_frame(at, "序时进度")["序时进度"]) >= {"超过序时进度"}
    # a second report on the same measure is added, the first stays
    at.text_area(key="progress_done_1").input("继续推进")
    at.number_input(key="progress_percent_1").set_value(40)
    at.button[0].click().run()
    assert not at.exception, at.exception
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(MeasureReport)) == 2
    assert len(_frame(at, "佐证材料")) == 2


def test_refused_report_says_why_and_keeps_the_text(page_env) -> None:
    rt, ids = page_env
    at = _page(ids["env"])
    at.text_area(key="progress_problems_0").input("资金未到位")
    at.button[0].click().run()  # no "done this week"
    assert not at.exception, at.exception
    assert any("请填写本周完成情况" in e.value for e in at.error)
    assert at.text_area(key="progress_problems_0").value == "资金未到位"
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(MeasureReport)) == 0


def test_officer_sees_missing_reports_per_unit(page_env) -> None:
    _rt, ids = page_env
    at = _page(ids["off"])
    assert not at.exception, at.exception
    assert len(_frame(at, "序时进度")) == 4
    missing = _frame(at, "未报（项）")  # last week (due 5-24) had no reports
    assert dict(zip(missing["责任单位"], missing["未报（项）"], strict=True)) == {"市住建局": 1, "市生态环境局": 3}


def test_unit_user_lands_on_the_report_page_from_the_app(page_env) -> None:
    _, ids = page_env
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), ids["env"]).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "整改措施每周填报"
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/cases.py")


@pytest.fixture
def with_decisions(page_env):
    """A dispatch pack with three 议定事项: one open and one done for 市生态环境局, one for 市住建局."""
    rt, ids = page_env
    with rt.session() as s:
        off = s.get(User, ids["off"])
        pack = reports.generate(s, off, "dispatch", dt.date(2024, 5, 15), settings=rt.settings).archive
        made = {}
        for name, what, unit in [("env", "月底前完成 <b>清淤</b>", "市生态环境局"), ("done", "已办结事项", "市生态环境局"),
                                 ("zj", "住建局整改工地扬尘", "市住建局")]:
            made[name] = decisions.record(s, off, pack.id, decisions.DecisionInput(
                what, unit, dt.date(2024, 6, 10), person="王五")).id
        decisions.report(s, off, made["done"], "done", "已完成")
        s.commit()
    return rt, ids, made


def test_unit_reports_on_its_decision(with_decisions) -> None:
    rt, ids, made = with_decisions
    at = _page(ids["env"])
    assert not at.exception, at.exception
    listed = _frame(at, "落实情况说明")
    assert list(listed["编号"]) == [made["env"]]  # not the done one, not 市住建局's
    assert listed["议定事项"][0] == "月底前完成 <b>清淤</b>"
    assert at.selectbox(key="unit_dec_pick").options == [f"#{made['env']} 月底前完成 <b>清淤</b>"]
    at.selectbox(key="unit_dec_status").set_value("in_progress")
    at.text_area(key="unit_dec_note").input("已完成 60% 河段")
    at.button(key="FormSubmitter:unit_dec_form-报送落实情况").click().run()
    assert not at.exception, at.exception
    assert any(f"已报送议定事项 #{made['env']} 的落实情况：正在推进" in m.value for m in at.success)
    listed = _frame(at, "落实情况说明")
    assert (listed["落实情况"][0], listed["落实情况说明"][0]) == ("正在推进", "已完成 60% 河段")
    assert at.text_area(key="unit_dec_note~1").value == ""  # a fresh form after the success
    with rt.session() as s:
        d = s.get(DispatchDecision, made["env"])
        assert (d.status, d.progress_text, d.updated_by) == ("in_progress", "已完成 60% 河段", ids["env"])
        ev = s.scalars(select(AuditEvent).where(AuditEvent.entity == "decision", AuditEvent.action == "report",
                                                AuditEvent.actor_id == ids["env"])).one()
        assert ev.before["status"] == "open" and ev.after["status"] == "in_progress"
        env = s.get(User, ids["env"])
        with pytest.raises(PermissionDenied) as refused:
            decisions.report(s, env, made["zj"], "done", "不是本单位的")
        assert refused.value.key == "decision.not_your_unit"
        s.rollback()
        assert s.get(DispatchDecision, made["zj"]).status == "open"


def test_refused_decision_report_keeps_the_choice(with_decisions) -> None:
    rt, ids, made = with_decisions
    at = _page(ids["env"])
    at.button(key="FormSubmitter:unit_dec_form-报送落实情况").click().run()  # no words on how it stands
    assert not at.exception, at.exception
    assert any("请写明落实情况" in e.value for e in at.error)
    with rt.session() as s:
        assert s.get(DispatchDecision, made["env"]).status == "open"


def test_officer_has_no_unit_decision_section(with_decisions) -> None:
    _rt, ids, _made = with_decisions
    at = _page(ids["off"])
    assert not at.exception, at.exception
    assert not any(s.value == "本单位议定事项落实情况" for s in at.subheader)
