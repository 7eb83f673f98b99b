"""A `Scope` as SQL: scoped queries filter in the database, never after a LIMIT in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from field.domain.scope import Scope


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column LIKE 'prefix%'` written as a range, so an ordinary b-tree index on the column
    serves it on PostgreSQL whatever the collation (LIKE needs text_pattern_ops there, and is
    case-insensitive, so unindexed, on SQLite). Adcodes are digits, so `1309 <= c < 1310` is
    exactly the codes starting with 1309."""
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return and_(column >= prefix, column < upper)


def scope_clause(scope: Scope, county_column: Any) -> ColumnElement[bool]:
    """`WHERE county IN scope`: county entries by equality, city and province entries by code
    prefix (`field.domain.scope`); the whole region matches every row, an empty scope none."""
    if scope.counties is None:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.exact:
        parts.append(county_column.in_(sorted(scope.exact)))
    parts.extend(_prefix_range(county_column, p) for p in sorted(scope.prefixes))
    if not parts:
        return false()
    return parts[0] if len(parts) == 1 else or_(*parts)


def case_scope_clause(scope: Scope) -> ColumnElement[bool]:
    """Cases in scope: a case handed to several counties (合办件) is seen by each of them, so the
    first county on the case row or any of its `CaseCounty` links must be in scope."""
    from sqlalchemy import exists

    from field.data.models import Case, CaseCounty

    if scope.counties is None:
        return true()
    linked = exists().where(CaseCounty.case_id == Case.id, scope_clause(scope, CaseCounty.county_adcode))
    return or_(scope_clause(scope, Case.county_adcode), linked)
