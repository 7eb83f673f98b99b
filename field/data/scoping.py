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
