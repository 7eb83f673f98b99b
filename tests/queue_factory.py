"""Bulk rows for queue tests: thousands of findings with verification records, inserted with
one executemany per table (the services would take minutes for 2,000; the queues only read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from field import geo
from field.data.models import Finding, Site, User, Verification

COUNTIES = [c.adcode for c in geo.counties("130900")]


def bulk_queue(session: Session, authors: list[User], n: int = 2000, *, now: dt.datetime,
               status: str = "awaiting_signoff", prefix: str = "") -> list[int]:
    """`n` findings in `status`, spread over the city's counties and the given authors, each with
    one submitted verification record; every 7th is overdue, the site of every 10th is named
    "<prefix>化工厂 <i>" and the others "<prefix>砖厂 <i>". Returns the finding ids in insertion order."""
    sites: list[dict[str, Any]] = [
        {"name": f"{prefix}{'化工厂' if i % 10 == 0 else '砖厂'} {i}", "address": f"地址 {i}", "lon": 116.8, "lat": 38.3,
         "location_source": "typed", "county_adcode": COUNTIES[i % len(COUNTIES)], "created_at": now}
        for i in range(n)]
    site_ids = list(session.scalars(insert(Site).returning(Site.id, sort_by_parameter_order=True), sites))
    today = now.date()
    findings = [
        {"site_id": sid, "author_id": authors[i % len(authors)].id, "description": f"问题描述 {i}",
         "pollution_types": ["air"], "status": status, "observed_at": now - dt.timedelta(minutes=n - i),
         "created_at": now - dt.timedelta(minutes=n - i), "updated_at": now,
         "deadline": today - dt.timedelta(days=3) if i % 7 == 0 else today + dt.timedelta(days=i % 30 + 1)}
        for i, sid in enumerate(site_ids)]
    finding_ids = list(session.scalars(insert(Finding).returning(Finding.id, sort_by_parameter_order=True),
                                       findings))
    session.execute(insert(Verification), [
        {"finding_id": fid, "author_id": authors[i % len(authors)].id, "kind": "verification",
         "created_at": now - dt.timedelta(minutes=n - i), "truthfulness": "true", "facts": f"核查情况 {i}",
         "state": "submitted", "inspectors": []}
        for i, fid in enumerate(finding_ids)])
    session.flush()
    return finding_ids
