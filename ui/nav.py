"""The navigation: which pages exist, and the one action each needs.

A role sees a page exactly when `permissions.can(user, action)`: the pages a role gets follow
from `field.domain.permissions.ACTIONS`, so giving a role an action gives it the page, and there
is no second role table to keep in step. Each page calls `ui.guard(user, action)` with the same
action (tests/unit/test_nav.py checks both), so a page run on its own refuses the same roles.
The order is the menu's; a user lands on the first page they may open.
"""

from __future__ import annotations

from dataclasses import dataclass

from field.data.models import User
from field.domain.permissions import can


@dataclass(frozen=True)
class NavPage:
    path: str  # relative to the app's root, as st.Page and st.page_link take it
    title_key: str  # i18n key of the menu entry
    icon: str
    action: str  # a key of permissions.ACTIONS

    @property
    def url_path(self) -> str:
        return self.path.split("/")[-1].removesuffix(".py")


PAGES: tuple[NavPage, ...] = (
    NavPage("pages/capture.py", "nav.capture", "📝", "finding.create"),
    NavPage("pages/my_work.py", "nav.my_work", "📋", "finding.create"),
    NavPage("pages/offline.py", "nav.offline", "📤", "finding.create"),
    NavPage("pages/map.py", "nav.map", "🗺️", "finding.view"),
    NavPage("pages/verify.py", "nav.verify", "🔍", "verification.create"),
    NavPage("pages/cases.py", "cases.ui.title", "📂", "case.list"),
    NavPage("pages/odk_review.py", "nav.odk_review", "📥", "odk.review"),
    NavPage("pages/progress.py", "nav.progress", "📈", "measure.report"),
    NavPage("pages/signoff.py", "nav.signoff", "✅", "signoff.sign"),
    NavPage("pages/records.py", "nav.records", "🗂️", "dossier.export"),
    NavPage("pages/dashboard.py", "nav.dashboard", "📺", "report.generate"),
    NavPage("pages/reports.py", "nav.reports", "📊", "report.generate"),
    NavPage("pages/users.py", "nav.users", "👥", "user.manage"),
    NavPage("pages/audit.py", "nav.audit", "🧾", "audit.view"),
)

def pages_for(user: User | None) -> list[NavPage]:
    """The pages this user may open, in menu order."""
    return [p for p in PAGES if can(user, p.action)]


def page(path: str) -> NavPage:
    """The entry of one page file (KeyError for a page that is not in the navigation)."""
    for p in PAGES:
        if p.path == path:
            return p
    raise KeyError(path)
