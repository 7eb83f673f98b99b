"""Who may do what, and where. Services call `require`; pages may call `can` to decide what
to show, but hiding a button is never the protection."""

from __future__ import annotations

from field.data.models import User
from field.domain.errors import PermissionDenied
from field.domain.scope import Scope
from field.domain.vocab import ACTION_NAMES, ROLES
from field.i18n import Named

# The roles are vocab.ROLES (codes and labels); this is only their set, for the table below.
# Everyone who works on cases and findings. A responsible unit's reporter (`unit`) is not: it
# sees and reports on its own unit's measures only (field.services.progress).
ALL_ROLES = frozenset(ROLES.codes) - {"unit"}

ACTIONS: dict[str, frozenset[str]] = {
    "finding.view": ALL_ROLES,
    "finding.create": frozenset({"field", "admin"}),
    "finding.update": frozenset({"field", "case_officer", "admin"}),
    "photo.add": frozenset({"field", "admin"}),
    "verification.create": frozenset({"field", "admin"}),
    "recheck.create": frozenset({"field", "admin"}),
    # Signing is a supervisor's alone: an admin who could sign could also create the signer.
    "signoff.sign": frozenset({"supervisor"}),
    "signoff.return": frozenset({"supervisor"}),
    "case.view": ALL_ROLES,
    # The 案件督办 desk (case list, problems, ledgers); field staff find a case from capture (case.view).
    "case.list": frozenset({"case_officer", "supervisor", "viewer", "admin"}),
    "case.edit": frozenset({"case_officer", "admin"}),
    "case.import": frozenset({"case_officer", "admin"}),
    "ledger.export": frozenset({"case_officer", "supervisor", "viewer", "admin"}),
    # 一案一档 zip: the archive roles; field staff print single sheets (finding.view) instead.
    "dossier.export": frozenset({"case_officer", "supervisor", "viewer", "admin"}),
    "user.manage": frozenset({"admin"}),
    # ODK Collect device tokens: whoever may capture gets one for their own tablet (an admin for anyone).
    "odk.device": frozenset({"field", "admin"}),
    # Submissions that could not become a finding: fixed and accepted (or rejected) by a case officer.
    "odk.review": frozenset({"case_officer", "admin"}),
    "audit.view": frozenset({"supervisor", "admin"}),
    # The programme (整改方案): a `unit` user is deliberately outside ALL_ROLES — it sees only
    # the measures of its own unit (field.services.progress), not cases, findings or the map.
    "plan.import": frozenset({"case_officer", "admin"}),
    "measure.report": frozenset({"unit", "case_officer", "admin"}),
    "progress.view": frozenset({"unit", "case_officer", "supervisor", "viewer", "admin"}),
    "accountability.edit": frozenset({"case_officer", "admin"}),
    "accountability.view": frozenset({"case_officer", "supervisor", "viewer", "admin"}),
    # 每周一汇总、半月一调度、每月一报告: the desk roles that read and file them (not field staff or units).
    "report.generate": frozenset({"case_officer", "supervisor", "viewer", "admin"}),
    # 议定事项 of the 调度会: the coordination desk records them; the responsible unit (or the desk
    # for it) reports how they stand.
    "decision.record": frozenset({"case_officer", "admin"}),
    "decision.report": frozenset({"unit", "case_officer", "admin"}),
}


def action_name(action: str) -> Named:
    """The deed an `ACTIONS` code stands for, in both languages, for the "perm.role" refusal."""
    return Named(ACTION_NAMES.label(action, "zh"), ACTION_NAMES.label(action, "en"))


def role_refusal(action: str, role: str | None = None) -> PermissionDenied:
    """The refusal of a deed the role may not do, naming the deed. One builder for the service's
    exception and for a page that says it before a form is filled in, so both read the same."""
    return PermissionDenied("perm.role", action=action_name(action), role=role)


def in_scope(user: User, county_adcode: str | None) -> bool:
    """A user sees a county when their `Scope` contains it (`field.domain.scope`)."""
    return Scope.of(user).contains(county_adcode)


def can(user: User | None, action: str, county_adcode: str | None = None, *, check_county: bool = False) -> bool:
    if user is None or not user.is_active:
        return False
    if user.role not in ACTIONS.get(action, frozenset()):
        return False
    return in_scope(user, county_adcode) if check_county else True


def require(user: User | None, action: str, county_adcode: str | None = None, *, check_county: bool = True) -> None:
    if user is None or not user.is_active:
        raise PermissionDenied("perm.login_required")
    if user.role not in ACTIONS.get(action, frozenset()):
        raise role_refusal(action, user.role)
    if check_county and not in_scope(user, county_adcode):
        raise PermissionDenied("perm.county", county=county_adcode or "-")
