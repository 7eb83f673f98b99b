"""pages/cases.py through AppTest: renders for an officer and a viewer, shows flags and ledgers."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from field.runtime import open_runtime
from field.services import auth
from tests.fixtures_cases import import_batch, published_batch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELD_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("FIELD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FIELD_FAKE_NOW", "2024-05-30T02:00:00+00:00")
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    rt = open_runtime()
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
    at.session_state["user_id"] = user_id
    at.session_state["lang"] = "zh"
    return at.run()


def test_officer_sees_cases_with_overdue_flags_and_ledgers(page_env) -> None:
    at = _page(page_env["off"])
    assert not at.exception
    assert [t.label for t in at.tabs] == ["导入交办件", "交办件", "整改问题与措施", "台账与清单"]
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


def test_import_tab_offers_inspection_batch_wording_date_confirmation_and_clear_blanks(page_env) -> None:
    at = _page(page_env["off"])
    assert not at.exception
    assert at.text_input(key="cases_batch").value == ""  # 第29、30批 accepted, not a number box
    assert at.text_input(key="cases_inspection") is not None
    assert at.checkbox(key="cases_confirm_date").value is False  # a title date is only a suggestion
    assert at.checkbox(key="cases_clear_blanks").value is False  # blanks never erase by default
