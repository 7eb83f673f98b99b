"""Pages through streamlit.testing.v1.AppTest: login gate, role navigation, the slice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import ui
from field.data.models import Finding, LoginFailure, SignOff
from field.domain.errors import FieldError
from field.services import auth, sessions
from tests.pages.signin import page_runtime, sign_in

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "page test password"


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    rt = page_runtime(tmp_path, monkeypatch, FIELD_PUBLIC_NOTICE_DAYS="0")
    with rt.session() as s:
        for name, role in [("field1", "field"), ("super1", "supervisor"), ("viewer1", "viewer"),
                           ("admin1", "admin")]:
            auth.create_user(s, None, username=name, password=PASSWORD, role=role, display_name=name.upper())
        s.commit()
    yield rt
    st.cache_resource.clear()
    rt.engine.dispose()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def login(username: str, password: str = PASSWORD) -> AppTest:
    """What the browser's POST to /auth/login does (tested in tests/unit/test_web_auth.py and
    the E2E suite), then the app run with the session token it set."""
    with ui.runtime().uow() as s:
        uid = auth.authenticate(s, username, password).id
    return sign_in(_app(), uid).run()


def _form_html(at: AppTest) -> str:
    return "".join(el.proto.body for el in at.get("html"))


def test_login_page_renders(app_env) -> None:
    at = _app().run()
    assert not at.exception
    form = _form_html(at)
    assert 'action="/auth/login"' in form and 'method="post"' in form
    assert ">用户名" in form and ">密码" in form and ">登录</button>" in form
    assert 'name="password" type="password"' in form


def test_english_switch(app_env) -> None:
    at = _app().run()
    at.radio(key="lang_switch").set_value("en").run()
    form = _form_html(at)
    assert ">Username" in form and ">Password" in form and 'name="lang" value="en"' in form


def test_wrong_password_message_and_counter(app_env) -> None:
    """One message whether or not the user exists (no "attempts left"), and the failure is kept
    for the back-off; /auth/login redirects back with the key alone (never the password)."""
    for name in ("field1", "nobody"):
        with pytest.raises(FieldError) as refused, ui.runtime().uow() as s:
            auth.authenticate(s, name, "wrong password", client="127.0.0.1")
        assert (refused.value.key, refused.value.params) == ("auth.bad_credentials", {})
    at = _app()
    at.query_params["login_error"] = "auth.bad_credentials"
    at.run()
    assert "user_id" not in at.session_state
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    with app_env.read() as s:
        assert s.scalar(select(LoginFailure.failures).where(LoginFailure.username_key == "field1")) == 1


def test_a_made_up_error_key_shows_nothing(app_env) -> None:
    at = _app()
    at.query_params["login_error"] = "perm.role"
    at.run()
    assert not at.error and not at.exception


def test_logged_out_elsewhere_is_logged_out_here(app_env) -> None:
    at = login("viewer1")
    assert at.title[0].value == "问题点位地图"
    with ui.runtime().uow() as s:
        sessions.end(s, at.session_state["session_token"])
    at.run()  # the next interaction in this tab
    assert "user_id" not in at.session_state
    assert not [t for t in at.title if t.value == "问题点位地图"]
    # (AppTest reruns the page it was on, which asks for a login; a browser gets the login form,
    # tests/e2e/test_sessions_browser.py)
    assert any("登录" in m.value for m in [*at.info, *at.warning])


@pytest.mark.parametrize("user,title", [("field1", "现场记录问题"), ("viewer1", "问题点位地图"),
                                        ("super1", "问题点位地图"), ("admin1", "现场记录问题")])
def test_each_role_lands_on_its_first_page(app_env, user, title) -> None:
    at = login(user)
    assert not at.exception, at.exception
    assert at.title[0].value == title


def test_navigation_offers_only_the_pages_of_the_role(app_env) -> None:
    # The navigation refuses pages outside the role; the services refuse the actions too
    # (tests/unit/test_services.py), so a hand-made request gets nowhere either.
    at = login("viewer1")
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/capture.py")
    at = login("field1")
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("pages/signoff.py")
    at.switch_page("pages/verify.py").run()
    assert not at.exception


def test_capture_missing_description_shows_message_at_field(app_env) -> None:
    at = login("field1")
    at.text_input(key="cap_site_name").input("宏达建材厂")
    at.button(key="cap_submit").click().run()
    assert any("请填写问题描述" in e.value for e in at.error)
    with app_env.session() as s:
        assert s.scalar(select(func.count()).select_from(Finding)) == 0


def test_slice_capture_verify_sign(app_env) -> None:
    # field user logs a finding with typed DMS coordinates
    at = login("field1")
    at.text_input(key="cap_site_name").input("<b>宏达</b>建材厂")
    at.text_area(key="cap_description").input("露天堆放物料未苫盖 <script>alert(1)</script>")
    at.button_group(key="cap_types").set_value(["air"])
    at.button_group(key="cap_method").set_value("typed").run()
    at.text_input(key="cap_lon").input("116°50′24″E")
    at.text_input(key="cap_lat").input("38.29").run()
    assert any("运河区" in i.value for i in at.info)
    at.button(key="cap_submit").click().run()
    assert not at.exception, at.exception
    assert any("已记录问题" in s.value for s in at.success)
    with app_env.session() as s:
        f = s.scalars(select(Finding)).one()
        assert f.status == "pending" and f.site.name == "<b>宏达</b>建材厂"  # stored verbatim
        assert f.site.location_source == "typed" and f.site.county_adcode == "130903"
        fid = f.id
    # verification written on site by the field user (unfounded: no after-photo needed)
    at.switch_page("pages/verify.py").run()
    at.radio(key="ver_truth").set_value("false")
    at.text_area(key="ver_facts").input("现场未发现堆放物料").run()
    at.button(key="ver_submit").click().run()
    assert not at.exception, at.exception
    with app_env.session() as s:
        assert s.get(Finding, fid).status == "awaiting_signoff"
    # the supervisor signs it off
    at = login("super1")
    at.switch_page("pages/signoff.py").run()
    assert not at.exception, at.exception
    signs = [b for b in at.button if b.label == "签字验收"]
    assert len(signs) == 1
    signs[0].click().run()
    assert not at.exception, at.exception
    with app_env.session() as s:
        assert s.get(Finding, fid).status == "unfounded"
        assert s.scalar(select(func.count()).select_from(SignOff)) == 1


def test_map_page_renders_with_findings(app_env) -> None:
    from field.services.findings import FindingInput, Location, create_finding

    with app_env.session() as s:
        user = s.scalar(select(auth.User).where(auth.User.username == "field1"))
        create_finding(s, user, FindingInput(description="噪声", pollution_types=["noise"], site_name="A",
                                             location=Location(116.84, 38.29)))
        s.commit()
    at = login("viewer1")
    assert not at.exception
    assert any("共 1 个问题" in c.value for c in at.caption)


def test_env_is_isolated() -> None:
    # guard against tests leaking the app's database settings into the rest of the suite
    assert "app.db" not in os.environ.get("FIELD_DATABASE_URL", "")
