"""Roles are defined once and the navigation follows from permissions (no database, no browser)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from field.cli import build_parser
from field.data.models import User
from field.domain.permissions import ACTIONS, ALL_ROLES, can
from field.domain.vocab import ROLES
from ui import nav

ROOT = Path(__file__).resolve().parents[2]

# What each role saw before navigation came from permissions (app.py's PAGES table), with one
# fix: an admin may log findings (finding.create), and the capture page links to 我的任务 after a
# submit; the admin was not given that page, and st.page_link raises for a page outside the
# navigation (StreamlitPageNotFoundError).
EXPECTED = {
    "field": ["capture", "my_work", "offline", "map", "verify"],
    "case_officer": ["map", "cases", "odk_review", "progress", "records", "dashboard", "reports"],
    "supervisor": ["map", "cases", "signoff", "records", "dashboard", "reports", "audit"],
    "viewer": ["map", "cases", "records", "dashboard", "reports"],
    "admin": ["capture", "my_work", "offline", "map", "verify", "cases", "odk_review", "progress", "records",
              "dashboard", "reports", "users", "audit"],
    # A responsible unit's reporter reports on its own measures only: no case or map page.
    "unit": ["progress"],
}


def _user(role: str) -> User:
    return User(username=role, role=role, county_scope=["*"], is_active=True)


def test_roles_are_the_vocabulary() -> None:
    assert ALL_ROLES == frozenset(ROLES.codes) - {"unit"}
    assert all(roles <= frozenset(ROLES.codes) for roles in ACTIONS.values())
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    role_arg = next(a for a in sub.choices["create-user"]._actions if a.dest == "role")
    assert list(role_arg.choices) == ROLES.codes


@pytest.mark.parametrize("role", ROLES.codes)
def test_a_role_sees_exactly_the_pages_its_actions_allow(role: str) -> None:
    user = _user(role)
    shown = nav.pages_for(user)
    assert shown == [p for p in nav.PAGES if role in ACTIONS[p.action]]
    assert [p.url_path for p in shown] == EXPECTED[role]


def test_no_page_for_nobody() -> None:
    assert nav.pages_for(None) == []
    assert nav.pages_for(User(username="x", role="admin", county_scope=["*"], is_active=False)) == []


def test_every_page_file_is_in_the_navigation_with_a_known_action() -> None:
    assert {p.path for p in nav.PAGES} == {f"pages/{f.name}" for f in (ROOT / "pages").glob("*.py")}
    assert all(p.action in ACTIONS for p in nav.PAGES)


def _guards(path: Path) -> list[str]:
    """The literal actions passed to ui.guard(...) at the top level of a page file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "guard"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "ui" and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)):
            found.append(node.args[1].value)
    return found



@pytest.mark.parametrize("page", [pytest.param(p, id=p.url_path) for p in nav.PAGES])
def test_each_page_guards_with_the_action_the_navigation_names(page: nav.NavPage) -> None:
    assert _guards(ROOT / page.path) == [page.action]


def test_can_agrees_with_the_table() -> None:
    for p in nav.PAGES:
        assert {r for r in ROLES.codes if can(_user(r), p.action)} == set(ACTIONS[p.action])
