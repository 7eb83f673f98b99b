"""pages/dashboard.py through AppTest: every figure on the screen is the figures module's (the
one the reports print), for the chosen period and county; a county user sees only its county."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from field.data.models import User
from field.domain.vocab import STATUS
from field.reports import figures
from field.services import auth
from field.services.findings import MapFilter
from tests.pages.signin import page_runtime, sign_in
from tests.report_factory import seed

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2024, 5, 20)  # FIELD_FAKE_NOW below, in China


@pytest.fixture
def dash_env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_FAKE_NOW="2024-05-20T02:00:00+00:00")
    with rt.session() as s:
        ids = {}
        for name, role, scope in [("view", "viewer", ["*"]), ("yunhe", "supervisor", ["130903"]),
                                  ("field", "field", ["*"])]:
            ids[name] = auth.create_user(s, None, username=name, password="page test password", role=role,
                                         counties=scope).id
        s.commit()
        seed(s, ids["view"], cases=60, findings=60, problems=4, records=12)
        s.commit()
    yield rt, ids
    st.cache_resource.clear()
    rt.engine.dispose()


def _page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "dashboard.py"), default_timeout=120)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    return at.run()


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(rt, user_id: int, kind: str, county: str | None, flt: MapFilter | None = None) -> figures.Figures:
    with rt.read() as s:
        return figures.compute(s, s.get(User, user_id), kind, TODAY, county=county, flt=flt)


def _chart_rows(at: AppTest, index: int) -> list[dict]:
    """The rows an Altair chart on the screen draws (its Arrow datasets)."""
    chart = at.get("vega_lite_chart")[index].proto
    rows: list[dict] = []
    for ds in chart.datasets:
        rows.extend(pa.ipc.open_stream(ds.data.data).read_all().to_pylist())
    return rows


def test_figures_are_the_reports_figures(dash_env) -> None:
    rt, ids = dash_env
    at = _page(ids["view"])
    assert not at.exception
    fig = _expected(rt, ids["view"], "weekly", None)
    shown = _shown(at)
    assert shown["累计交办件"] == str(fig.cases_total) and shown["超期未办结"] == str(fig.cases_overdue)
    assert shown["办结率"] == f"{fig.closed_rate:.1f}%" and shown["本时段办结"] == str(fig.cases_closed_in_period)
    assert shown["问题点位"] == str(fig.findings_total) and shown["反弹"] == str(fig.rebound)
    assert shown["问责（人）"] == str(fig.acc_people) and shown["罚款（万元）"] == fig.acc_fines_wan
    assert fig.cases_total > 0
    assert len(at.get("vega_lite_chart")) == 5  # by status, by county, by type, by batch, trend
    assert f"{fig.period_start} 至 {fig.period_end}" in at.caption[0].value

    at.radio(key="dash_kind").set_value("monthly").run()
    at.multiselect(key="dash_f_county").set_value(["130903"]).run()
    assert not at.exception
    month = _expected(rt, ids["view"], "monthly", None, MapFilter(counties=("130903",)))
    shown = _shown(at)
    assert shown["累计交办件"] == str(month.cases_total) and shown["本时段新增"] == str(month.findings_new)
    assert month.cases_total < fig.cases_total  # one county of the city
    overdue = at.dataframe[-1].value
    assert len(overdue) == month.cases_overdue and set(overdue["区县"]) <= {"运河区"}


def test_county_user_and_refused_roles(dash_env) -> None:
    rt, ids = dash_env
    at = _page(ids["yunhe"])
    assert not at.exception
    assert at.multiselect(key="dash_f_county").options == ["运河区"]
    mine = _expected(rt, ids["yunhe"], "weekly", None)
    assert _shown(at)["累计交办件"] == str(mine.cases_total) and mine.counties == ["130903"]
    field = _page(ids["field"])
    assert not field.metric  # field staff have no dashboard: the guard stops the page


def _compare(at: AppTest, fig: figures.Figures) -> None:
    """Every figure on the screen, the by-status and by-batch charts and the overdue list."""
    assert not at.exception
    shown = _shown(at)
    assert shown["累计交办件"] == str(fig.cases_total) and shown["超期未办结"] == str(fig.cases_overdue)
    assert shown["问题点位"] == str(fig.findings_total) and shown["本时段新增"] == str(fig.findings_new)
    assert shown["办结率"] == ("—" if fig.closed_rate is None else f"{fig.closed_rate:.1f}%")
    by_status = {r["status"]: r["n"] for r in _chart_rows(at, 0)}
    assert {k: v for k, v in by_status.items() if v} == \
        {STATUS.label(c, "zh"): n for c, n in fig.findings_by_status.items() if n}
    batches = {(r["batch"], r["what"]): r["n"] for r in _chart_rows(at, 3)}
    assert {b for (b, what), n in batches.items() if what == "问题点位" and n} == \
        {f"第{b}批" for b, n in fig.findings_by_batch.items() if n}
    assert sum(n for (_, what), n in batches.items() if what == "问题点位") == fig.findings_total
    assert sum(n for (_, what), n in batches.items() if what == "交办件") == fig.cases_total
    if fig.overdue_cases:
        assert len(at.dataframe[-1].value) == fig.cases_overdue
    else:
        assert at.info[-1].value == "无。"


def test_map_filters_narrow_the_screen(dash_env) -> None:
    """Status, batch and overdue, then a pollution type, set with the map's widgets: the screen is
    figures.compute's for that filter (the filter is applied in its SQL)."""
    rt, ids = dash_env
    at = _page(ids["view"])
    whole = _expected(rt, ids["view"], "monthly", None)
    at.radio(key="dash_kind").set_value("monthly").run()
    at.multiselect(key="dash_f_status").set_value(["pending", "rectifying", "reopened", "awaiting_signoff"]).run()
    at.multiselect(key="dash_f_batch").set_value([1, 2, 3]).run()
    at.checkbox(key="dash_f_overdue").check().run()
    flt = MapFilter(statuses=("pending", "rectifying", "awaiting_signoff", "reopened"), batches=(1, 2, 3),
                    overdue=True)
    fig = _expected(rt, ids["view"], "monthly", None, flt)
    assert 0 < fig.findings_total < whole.findings_total and 0 < fig.cases_overdue < whole.cases_overdue
    assert set(fig.findings_by_batch) <= {"1", "2", "3"}
    _compare(at, fig)
    at.multiselect(key="dash_f_type").set_value(["air", "water", "noise"]).run()
    typed = _expected(rt, ids["view"], "monthly", None,
                      MapFilter(**{**flt.__dict__, "types": ("air", "water", "noise")}))
    assert typed.findings_total < fig.findings_total
    _compare(at, typed)
