"""A `Scope` as SQL: scoped queries filter in the database, never after a LIMIT in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true

from field.domain.scope import Scope


def scope_clause(scope: Scope, county_column: Any) -> ColumnElement[bool]:
    """`WHERE county IN scope`; the whole city matches every row, an empty scope none."""
    if scope.counties is None:
        return true()
    if not scope.counties:
        return false()
    return county_column.in_(sorted(scope.counties))


def case_scope_clause(scope: Scope) -> ColumnElement[bool]:
    """Cases in scope: a case handed to several counties (合办件) is seen by each of them, so the
    first county on the case row or any of its `CaseCounty` links must be in scope."""
    from sqlalchemy import exists, or_

    from field.data.models import Case, CaseCounty

    if scope.counties is None:
        return true()
    linked = exists().where(CaseCounty.case_id == Case.id, scope_clause(scope, CaseCounty.county_adcode))
    return or_(scope_clause(scope, Case.county_adcode), linked)
