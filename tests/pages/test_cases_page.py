"""pages/cases.py through AppTest: renders for an officer and a viewer, shows flags and ledgers."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from field.data.ledger_models import AccountabilityRecord, CaseResult, Measure
from field.data.models import Case
from field.domain.vocab import REPORT_STAGES
from field.runtime import open_runtime
from field.services import auth
from tests.fixtures_cases import import_batch, published_batch
from tests.pages.signin import page_runtime, sign_in
from tests.plan_factory import plan_spec, plan_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_FAKE_NOW="2024-05-30T02:00:00+00:00")
    with rt.session() as s:
        ids = {}
        for name, role in [("off", "case_officer"), ("view", "viewer")]:
            ids[name] = auth.create_user(s, None, username=name, password="page test password", role=role).id
        s.commit()
        import_batch(s, s.get(auth.User, ids["off"]), published_batch(4, date_title="2024年5月18日"), "a.xlsx",
                      accept_suggested_date=True)
        s.commit()
    yield ids
    st.cache_resource.clear()
    rt.engine.dispose()


def _page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "cases.py"), default_timeout=60)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    return at.run()


def test_officer_sees_cases_with_overdue_flags_and_ledgers(page_env) -> None:
    at = _page(page_env["off"])
    assert not at.exception
    assert [t.label for t in at.tabs] == ["导入交办件", "导入整改方案", "交办件", "整改问题与措施", "台账与清单",
                                          "追责问责"]
    frames = [df.value for df in at.dataframe]
    case_table = next(f for f in frames if "受理编号" in f.columns)
    assert len(case_table) == 4 and set(case_table["时限"]) == {"超期"}  # due 5-28, today 5-30
    assert frames[-1].empty and "整改问题" in frames[-1].columns  # the first kind: no problems yet
    at.selectbox(key="led_kind").set_value("petitions").run()
    ledger = at.dataframe[-1].value
    assert len(ledger) == 4 and list(ledger.columns[:4]) == ["序号", "批次", "交办日期", "受理编号"]
    assert set(ledger["时限提示"]) == {"超期"}


def test_viewer_cannot_import_but_sees_ledgers(page_env) -> None:
    at = _page(page_env["view"])
    assert not at.exception
    assert any("角色无权" in i.value for i in at.info)
    assert any(b.label == "生成 Excel" for b in at.button)


def _frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_plan_import_previews_rows_with_the_deadline_rule_then_writes_on_confirm(page_env) -> None:
    spec = plan_spec(1, 2, 2)
    spec[0]["measures"][0]["deadline"] = "2023年6月底前完成排查、2024年底前全面完成"  # two dates: a warning, no guess
    at = _page(page_env["off"])
    at.file_uploader(key="plan_file").set_value(("方案.xlsx", plan_xlsx(spec), XLSX)).run()
    at.button(key="plan_preview").click().run()
    assert not at.exception, at.exception
    preview = _frame(at, "时限读取规则")
    assert len(preview) == 4 and set(preview["处理"]) == {"新增"}
    rows = {r["整改时限（原文）"]: r for r in preview.to_dict("records")}
    two = rows["2023年6月底前完成排查、2024年底前全面完成"]
    assert two["完成日期"] == "" and "多个日期" in two["提示与原因"]
    assert rows["2025年"]["完成日期"] == "2025-12-31" and "当年12月31日" in rows["2025年"]["时限读取规则"]
    assert rows["立即整改、长期坚持"]["完成日期"] == "长期坚持"
    rt = open_runtime()
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Measure)) == 0  # the preview wrote nothing
    at.button(key="plan_apply").click().run()
    assert not at.exception, at.exception
    assert any("整改方案已导入" in m.value for m in at.success)
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Measure)) == 4
        texts = set(s.scalars(select(Measure.deadline_text)))
    assert "2023年6月底前完成排查、2024年底前全面完成" in texts  # kept verbatim
    rt.engine.dispose()


def test_measure_stage_offers_only_the_reported_stages(page_env) -> None:
    at = _page(page_env["off"])
    at.file_uploader(key="plan_file").set_value(("方案.xlsx", plan_xlsx(plan_spec(1, 1, 2)), XLSX)).run()
    at.button(key="plan_preview").click().run()
    at.button(key="plan_apply").click().run()
    box = next(b for b in at.selectbox if (b.key or "").startswith("mp_val_"))
    assert box.options == [REPORT_STAGES.label(c) for c in REPORT_STAGES.codes]
    assert "序时进度" in _frame(at, "填报阶段").columns


def test_accountability_from_a_case_text_prefilled_then_confirmed(page_env) -> None:
    text = "对沧州某某化工有限公司立案处罚，罚款5万元；约谈运河区生态环境分局副局长张某某。"
    rt = open_runtime()
    with rt.session() as s:
        case = s.scalars(select(Case).order_by(Case.id)).first()
        result = s.get(CaseResult, case.id) or CaseResult(case_id=case.id)
        result.accountability = text
        s.add(result)
        s.commit()
        case_no = case.case_no
    at = _page(page_env["off"])
    assert any("问责 0 人、约谈 0 人、罚款 0 万元" in h.value for h in at.subheader)
    at.text_input(key="acc_case_no").input(case_no)
    at.button(key="acc_lookup").click().run()
    assert not at.exception, at.exception
    cid = case.id
    assert at.text_input(key=f"acc_c{cid}_1_person").value == "沧州某某化工有限公司"
    assert at.text_input(key=f"acc_c{cid}_1_fine").value == "50000"
    assert at.text_input(key=f"acc_c{cid}_2_person").value == "张某某"
    assert at.selectbox(key=f"acc_c{cid}_2_measure").value == "talk"
    at.text_input(key=f"acc_c{cid}_2_doc").input("沧环约〔2024〕3号")
    confirms = [b for b in at.button if b.label == "确认保存"]
    confirms[1].click().run()
    assert not at.exception, at.exception
    confirms = [b for b in at.button if b.label == "确认保存"]
    confirms[0].click().run()
    assert not at.exception, at.exception
    with rt.session() as s:
        recs = s.scalars(select(AccountabilityRecord).order_by(AccountabilityRecord.id)).all()
        assert [(r.measure, r.person, r.post, r.document_no) for r in recs] == [
            ("talk", "张某某", "副局长", "沧环约〔2024〕3号"), ("case_penalty", "沧州某某化工有限公司", "", "")]
        assert all(r.source_text == text and r.case_id == cid for r in recs)
        assert s.get(CaseResult, cid).accountability == text  # the published text stays verbatim
    rt.engine.dispose()
    assert any("问责 1 人、约谈 1 人、罚款 5 万元" in h.value for h in at.subheader)
    assert len(_frame(at, "问责方式")) == 2


def test_import_tab_offers_inspection_batch_wording_date_confirmation_and_clear_blanks(page_env) -> None:
    at = _page(page_env["off"])
    assert not at.exception
    assert at.text_input(key="cases_batch").value == ""  # 第29、30批 accepted, not a number box
    assert at.text_input(key="cases_inspection") is not None
    assert at.checkbox(key="cases_confirm_date").value is False  # a title date is only a suggestion
    assert at.checkbox(key="cases_clear_blanks").value is False  # blanks never erase by default
