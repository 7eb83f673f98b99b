"""待我验收 and My work as pages (AppTest) with 2,000 records: the page count, next page, search,
county and overdue filters; closed findings leave My work and lose its actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from field.data.models import Finding
from field.services import auth
from tests.pages.signin import page_runtime, sign_in
from tests.queue_factory import COUNTIES, bulk_queue

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "page test password"
N = 2000


@pytest.fixture
def env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch)
    with rt.session() as s:
        ids = {name: auth.create_user(s, None, username=name, password=PASSWORD, role=role,
                                      display_name=name.upper()).id
               for name, role in [("field1", "field"), ("field2", "field"), ("super1", "supervisor")]}
        s.commit()
        from field.data.models import User
        findings = bulk_queue(s, [s.get_one(User, ids["field1"]), s.get_one(User, ids["field2"])], N,
                              now=dt.datetime.now(dt.UTC))
        s.commit()
    yield rt, ids, findings
    st.cache_resource.clear()
    rt.engine.dispose()


def _page(user_id: int, path: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user_id)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_signoff_queue_pages_search_and_filters(env) -> None:
    _rt, ids, findings = env
    at = _page(ids["super1"], "pages/signoff.py")
    assert "共 2000 条，第 1/100 页" in _markdown(at)
    assert len(at.expander) == 20 and at.expander[0].label.startswith(f"#{findings[0]} ")
    at.button(key="sq_next").click().run()
    assert "第 2/100 页" in _markdown(at) and at.expander[0].label.startswith(f"#{findings[20]} ")
    at.text_input(key="sq_q").input(f"#{findings[1500]}").run()  # a new search goes back to page 1
    assert "共 1 条，第 1/1 页" in _markdown(at) and len(at.expander) == 1
    at.text_input(key="sq_q").input("").run()
    at.multiselect(key="sq_county").set_value(["130903"]).run()
    in_yunhe = sum(1 for i in range(N) if COUNTIES[i % len(COUNTIES)] == "130903")
    assert f"共 {in_yunhe} 条" in _markdown(at)
    at.toggle(key="sq_overdue").set_value(True).run()
    overdue = sum(1 for i in range(N) if COUNTIES[i % len(COUNTIES)] == "130903" and i % 7 == 0)
    assert f"共 {overdue} 条" in _markdown(at) and all("超期" in e.label for e in at.expander)
    at.text_input(key="sq_q").input("没有这样的点位").run()
    assert any("没有符合条件的事项" in i.value for i in at.info)


def test_my_work_hides_closed_findings_and_their_actions(env) -> None:
    rt, ids, findings = env
    mine = findings[0::2]
    with rt.uow() as s:
        s.execute(update(Finding).where(Finding.id.in_(mine[:10])).values(status="closed"))
    at = _page(ids["field1"], "pages/my_work.py")
    at.selectbox(key="mw_period").set_value("all").run()
    text = _markdown(at)
    assert f"共 {N // 2 - 10} 条" in text
    assert not any(f"#{fid} " in text for fid in mine[:10])
    assert any(e.label.startswith("📷") for e in at.expander)  # open ones take photos
    at.multiselect(key="mw_status").set_value(["closed"]).run()
    text = _markdown(at)
    assert "共 10 条" in text and "已销号" in text
    assert not any(e.label.startswith("📷") for e in at.expander)  # no 补充照片 / 跟进 on closed ones
