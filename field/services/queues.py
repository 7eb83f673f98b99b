"""Work queues that scale: 待我验收 (records awaiting my sign-off) and 我的任务 (my work).

A queue is searched, filtered and sorted in SQL and read one page at a time, so 2,000 items
cost what 20 do and nothing is silently cut off at some row limit: the page gets the total and
pages through it. The county scope is a WHERE clause applied before LIMIT/OFFSET
(`field.data.scoping`), as in every scoped read.

"Overdue" is one SQL expression (the finding's own deadline, else its case's, before today) used
both for the filter and for the badge, so a filtered list and its badges never disagree.

Closed items leave task lists: My work lists open findings unless a status filter asks for
others, and `is_task()` says whether an item still takes photos or follow-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from field.data.models import Case, Finding, FindingPhoto, Site, User, Verification
from field.data.scoping import scope_clause
from field.domain import clock, workflow
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import OPEN_STATUSES, STATUS

PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
MAX_TEXT = 200
# Sort orders a queue offers; the first is the default of the sign-off queue (oldest waits
# longest), "newest" the default of My work.
SORTS: tuple[str, ...] = ("oldest", "newest", "deadline", "county")


@dataclass(frozen=True)
class QueueFilter:
    """What a person asked the list for. Empty tuples mean "any"; `author_id` None means anyone."""

    text: str = ""
    counties: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    overdue: bool = False
    author_id: int | None = None
    since: dt.datetime | None = None  # created at or after (My work's "today" / "this week")
    sort: str = "oldest"
    page: int = 1
    page_size: int = PAGE_SIZE  # 0: every item (the CLI, tests); pages use a page


@dataclass
class QueuePage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        if not self.page_size:
            return 1
        return max(1, -(-self.total // self.page_size))


def _check(flt: QueueFilter) -> QueueFilter:
    if flt.sort not in SORTS:
        raise ValidationError("queue.bad_sort", field="sort", sort=flt.sort)
    if flt.page_size < 0 or flt.page_size > MAX_PAGE_SIZE:
        raise ValidationError("queue.bad_page_size", field="page_size", max=MAX_PAGE_SIZE)
    bad = [s for s in flt.statuses if s not in STATUS]
    if bad:
        raise ValidationError("queue.bad_status", field="status", status=bad[0])
    return flt


def _deadline() -> Any:
    return func.coalesce(Finding.deadline, Case.deadline)


def _overdue(today: dt.date) -> Any:
    deadline = _deadline()
    return and_(deadline.is_not(None), deadline < today)


def _text_clause(text: str, *extra: Any) -> Any:
    """`#12` or `12` finds finding 12 (and 受理编号 containing 12); other text is looked for in
    the site's name and address, the description and the 受理编号, case-insensitively."""
    text = text.strip()[:MAX_TEXT]
    if not text:
        return None
    bare = text.lstrip("#Ff")
    if bare.isdigit():
        return or_(Finding.id == int(bare), Case.case_no.contains(bare, autoescape=True))
    cols = (Site.name, Site.address, Finding.description, Case.case_no, *extra)
    return or_(*(c.icontains(text, autoescape=True) for c in cols))


def _order(stmt: Select[Any], flt: QueueFilter, created: Any) -> Select[Any]:
    deadline = _deadline()
    if flt.sort == "newest":
        return stmt.order_by(created.desc(), Finding.id.desc())
    if flt.sort == "deadline":
        return stmt.order_by(deadline.is_(None), deadline, created, Finding.id)
    if flt.sort == "county":
        return stmt.order_by(Site.county_adcode, created, Finding.id)
    return stmt.order_by(created, Finding.id)


def _paged(session: Session, stmt: Select[Any], flt: QueueFilter) -> tuple[list[Any], int, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if not flt.page_size:
        return list(session.scalars(stmt)), total, 1
    pages = max(1, -(-total // flt.page_size))
    page = min(max(1, flt.page), pages)  # a page past the end (items just left) shows the last one
    return list(session.scalars(stmt.limit(flt.page_size).offset((page - 1) * flt.page_size))), total, page


def _common(stmt: Select[Any], actor: User, flt: QueueFilter, *extra_text: Any) -> Select[Any]:
    stmt = stmt.where(scope_clause(Scope.of(actor), Site.county_adcode))
    if flt.counties:
        stmt = stmt.where(Site.county_adcode.in_(sorted(set(flt.counties))))
    if flt.statuses:
        stmt = stmt.where(Finding.status.in_(sorted(set(flt.statuses))))
    if flt.since is not None:
        stmt = stmt.where(Finding.created_at >= flt.since)
    text = _text_clause(flt.text, *extra_text)
    if text is not None:
        stmt = stmt.where(text)
    return stmt


def _signoff_base() -> Select[Any]:
    latest = (select(func.max(Verification.id)).where(Verification.kind == "verification")
              .group_by(Verification.finding_id))
    return (select(Verification).join(Finding, Verification.finding_id == Finding.id)
            .join(Site, Finding.site_id == Site.id).outerjoin(Case, Finding.case_id == Case.id)
            .where(Verification.state == "submitted",
                   or_(Verification.kind == "correction",
                       and_(Verification.kind == "verification", Finding.status.in_(workflow.FROM["sign"]),
                            Verification.id.in_(latest)))))


def _my_work_base() -> Select[Any]:
    return select(Finding).join(Site, Finding.site_id == Site.id).outerjoin(Case, Finding.case_id == Case.id)


def authors(session: Session, actor: User, queue: str) -> list[tuple[int, str]]:
    """Who wrote the items of a queue (`signoff` or `my_work`, any status) in the actor's
    counties, by name: the choices of the author filter."""
    if queue == "signoff":
        require(actor, "signoff.sign", check_county=False)
        stmt = _signoff_base().with_only_columns(Verification.author_id)
    else:
        require(actor, "finding.view", check_county=False)
        stmt = _my_work_base().with_only_columns(Finding.author_id)
    ids = stmt.where(scope_clause(Scope.of(actor), Site.county_adcode)).distinct()
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return sorted(((uid, name or username) for uid, name, username in rows), key=lambda r: r[1])


def signoff_queue(session: Session, actor: User, flt: QueueFilter = QueueFilter(), *,
                  today: dt.date | None = None) -> QueuePage:
    """待我验收: each finding's newest verification record still awaiting a decision while the
    finding awaits sign-off, and every submitted correction of a signed record, in the actor's
    counties. The author filter is the record's author (who wrote it on site)."""
    from field.services.signoff import is_own_record

    require(actor, "signoff.sign", check_county=False)
    flt = _check(flt)
    today = today or clock.today_local()
    base = _common(_signoff_base(), actor, flt, Verification.facts)
    stmt = base
    if flt.author_id is not None:
        stmt = stmt.where(Verification.author_id == flt.author_id)
    if flt.overdue:
        stmt = stmt.where(Verification.kind != "correction", _overdue(today))
    stmt = _order(stmt.options(selectinload(Verification.finding).selectinload(Finding.site),
                               selectinload(Verification.finding).selectinload(Finding.case),
                               selectinload(Verification.finding).selectinload(Finding.photos)
                               .selectinload(FindingPhoto.photo)),
                  flt, Verification.created_at)
    records, total, page = _paged(session, stmt, flt)
    items = []
    for record in records:
        finding = record.finding
        deadline = finding.deadline or (finding.case.deadline if finding.case else None)
        items.append({"finding": finding, "record": record, "own": is_own_record(actor, record),
                      "overdue": record.kind != "correction" and bool(deadline and deadline < today),
                      "deadline": deadline, "since": record.created_at})
    return QueuePage(items=items, total=total, page=page, page_size=flt.page_size)


def my_work(session: Session, actor: User, flt: QueueFilter = QueueFilter(sort="newest"), *,
            today: dt.date | None = None) -> QueuePage:
    """我的任务: findings in the actor's counties — by default their own (`author_id`), open ones
    (a closed finding is no task), newest first. `statuses` asks for others, closed included."""
    require(actor, "finding.view", check_county=False)
    flt = _check(flt)
    today = today or clock.today_local()
    stmt = _common(_my_work_base(), actor, flt)
    if not flt.statuses:
        stmt = stmt.where(Finding.status.in_(OPEN_STATUSES))
    if flt.author_id is not None:
        stmt = stmt.where(Finding.author_id == flt.author_id)
    if flt.overdue:
        stmt = stmt.where(Finding.status.in_(OPEN_STATUSES), _overdue(today))
    stmt = _order(stmt.options(selectinload(Finding.site), selectinload(Finding.case),
                               selectinload(Finding.photos).selectinload(FindingPhoto.photo)),
                  flt, Finding.created_at)
    rows, total, page = _paged(session, stmt, flt)
    items = []
    for f in rows:
        deadline = f.deadline or (f.case.deadline if f.case else None)
        items.append({"finding": f, "task": is_task(f.status), "deadline": deadline,
                      "overdue": is_task(f.status) and bool(deadline and deadline < today)})
    return QueuePage(items=items, total=total, page=page, page_size=flt.page_size)


def is_task(status: str) -> bool:
    """Whether a finding still takes work (photos, a follow-up): closed and unfounded ones do not."""
    return status in OPEN_STATUSES


__all__ = ["PAGE_SIZE", "SORTS", "QueueFilter", "QueuePage", "authors", "is_task", "my_work", "signoff_queue"]
