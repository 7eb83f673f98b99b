"""The work queues with 2,000 records, on SQLite and PostgreSQL: paging (no cut-off), scope in
SQL before the page, search, the filters, the sort orders, and closed items leaving My work."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from field.data.models import Finding
from field.domain.errors import ValidationError
from field.services import findings, queues, signoff
from field.services.findings import FindingInput, Location
from field.services.queues import QueueFilter
from field.services.signoff import VerificationInput
from tests.queue_factory import COUNTIES, bulk_queue

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 1)
N = 2000


@pytest.fixture
def bulk(session, users) -> list[int]:
    ids = bulk_queue(session, [users["field"], users["field_yunhe"]], N, now=NOW)
    session.commit()
    return ids


def _all_ids(session, user, flt: QueueFilter, fn=queues.signoff_queue) -> list[int]:
    out: list[int] = []
    page = 1
    while True:
        got = fn(session, user, QueueFilter(**{**flt.__dict__, "page": page}), today=TODAY)
        out += [it["finding"].id for it in got.items]
        if page >= got.pages:
            return out
        page += 1


def test_every_record_is_reachable_page_by_page(session, users, bulk) -> None:
    first = queues.signoff_queue(session, users["super"], QueueFilter(), today=TODAY)
    assert first.total == N and first.pages == N // queues.PAGE_SIZE and len(first.items) == queues.PAGE_SIZE
    assert [it["finding"].id for it in first.items] == bulk[:queues.PAGE_SIZE]  # oldest first
    ids = _all_ids(session, users["super"], QueueFilter(page_size=200))
    assert ids == bulk  # all 2,000 in order, none twice: no 500-row cut-off
    last = queues.signoff_queue(session, users["super"], QueueFilter(page=10_000), today=TODAY)
    assert last.page == last.pages and [it["finding"].id for it in last.items] == bulk[-queues.PAGE_SIZE:]


def test_scope_is_applied_before_the_page(session, users, bulk) -> None:
    mine = [fid for i, fid in enumerate(bulk) if COUNTIES[i % len(COUNTIES)] == "130903"]
    got = queues.signoff_queue(session, users["super_yunhe"], QueueFilter(page_size=200), today=TODAY)
    assert got.total == len(mine) > 100
    assert [it["finding"].id for it in got.items] == mine[:200]
    assert {it["finding"].site.county_adcode for it in got.items} == {"130903"}
    # a county filter cannot widen the scope
    other = queues.signoff_queue(session, users["super_yunhe"], QueueFilter(counties=("130902",)), today=TODAY)
    assert other.total == 0


def test_search_filters_and_authors(session, users, bulk) -> None:
    sup = users["super"]
    assert queues.signoff_queue(session, sup, QueueFilter(text="化工厂"), today=TODAY).total == N // 10
    one = queues.signoff_queue(session, sup, QueueFilter(text=f"#{bulk[1234]}"), today=TODAY)
    assert [it["finding"].id for it in one.items] == [bulk[1234]]
    assert queues.signoff_queue(session, sup, QueueFilter(text="核查情况 1999"), today=TODAY).total == 1
    overdue = queues.signoff_queue(session, sup, QueueFilter(overdue=True, page_size=200), today=TODAY)
    assert overdue.total == len(range(0, N, 7)) and all(it["overdue"] for it in overdue.items)
    by_author = queues.signoff_queue(session, sup, QueueFilter(author_id=users["field_yunhe"].id), today=TODAY)
    assert by_author.total == N // 2
    assert {uid for uid, _ in queues.authors(session, sup, "signoff")} == {users["field"].id, users["field_yunhe"].id}
    assert [uid for uid, _ in queues.authors(session, users["super_yunhe"], "my_work")] == [users["field_yunhe"].id]
    both = queues.signoff_queue(session, sup, QueueFilter(counties=("130903",), text="化工厂", overdue=True),
                                today=TODAY)
    expected = [i for i in range(N) if COUNTIES[i % len(COUNTIES)] == "130903" and i % 10 == 0 and i % 7 == 0]
    assert both.total == len(expected)
    assert queues.signoff_queue(session, sup, QueueFilter(statuses=("closed",)), today=TODAY).total == 0


def test_sort_orders(session, users, bulk) -> None:
    sup = users["super"]
    newest = queues.signoff_queue(session, sup, QueueFilter(sort="newest"), today=TODAY)
    assert [it["finding"].id for it in newest.items] == bulk[::-1][:queues.PAGE_SIZE]
    by_deadline = queues.signoff_queue(session, sup, QueueFilter(sort="deadline", page_size=200), today=TODAY)
    deadlines = [it["deadline"] for it in by_deadline.items]
    assert deadlines == sorted(deadlines) and deadlines[0] < TODAY
    by_county = queues.signoff_queue(session, sup, QueueFilter(sort="county", page_size=200), today=TODAY)
    counties = [it["finding"].site.county_adcode for it in by_county.items]
    assert counties == sorted(counties) and counties[0] == min(COUNTIES) and len(set(counties)) == 2
    with pytest.raises(ValidationError) as err:
        queues.signoff_queue(session, sup, QueueFilter(sort="random"))
    assert err.value.key == "queue.bad_sort"


def test_a_signed_record_leaves_the_queue(session, rt, users, bulk) -> None:
    f = findings.create_finding(session, users["field"], FindingInput(
        description="露天堆放", pollution_types=["air"], location=Location(116.84, 38.29, "typed"),
        site_name="宏达建材厂"), now=NOW)
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="false", facts="现场未发现"), now=NOW)
    session.commit()
    got = queues.signoff_queue(session, users["super"], QueueFilter(text="宏达"), today=TODAY)
    assert [it["record"].id for it in got.items] == [rec.id] and not got.items[0]["own"]
    signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings, now=NOW)
    session.commit()
    assert queues.signoff_queue(session, users["super"], QueueFilter(text="宏达"), today=TODAY).total == 0
    assert len(signoff.queue(session, users["super"])) == N  # the unpaged read agrees


def test_my_work_lists_open_findings_and_closed_ones_only_when_asked(session, users, bulk) -> None:
    field = users["field"]
    closed = bulk[0:N:2][:50]  # field's own (every other finding is theirs)
    session.execute(update(Finding).where(Finding.id.in_(closed)).values(status="closed"))
    session.commit()
    mine = queues.my_work(session, field, QueueFilter(author_id=field.id, sort="newest", page_size=200),
                          today=TODAY)
    assert mine.total == N // 2 - 50
    assert not set(closed) & {it["finding"].id for it in mine.items}
    assert all(it["task"] for it in mine.items)
    done = queues.my_work(session, field, QueueFilter(author_id=field.id, statuses=("closed",), page_size=200),
                          today=TODAY)
    assert sorted(it["finding"].id for it in done.items) == sorted(closed)
    assert not any(it["task"] or it["overdue"] for it in done.items)
    # the 运河区 field user sees only 运河区, also with "anyone" as the author
    yunhe = queues.my_work(session, users["field_yunhe"], QueueFilter(page_size=200), today=TODAY)
    assert {it["finding"].site.county_adcode for it in yunhe.items} == {"130903"}
    since = queues.my_work(session, field, QueueFilter(author_id=field.id, since=NOW - dt.timedelta(minutes=100)),
                           today=TODAY)
    assert since.total == 50
