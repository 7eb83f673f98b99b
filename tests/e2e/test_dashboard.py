"""The dashboard (看板) in a real Chromium at 1920x1080 (the meeting screen) and 768x1024 (a
tablet): the headline figures are the figures module's, nothing spills sideways, no egress.

Opening `/dashboard` and logging in lands on the dashboard (the login keeps the path)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from field.config import load_settings
from field.data.models import User
from field.domain import clock
from field.reports import figures
from field.runtime import Runtime, open_runtime
from tests.e2e import harness


@pytest.fixture(scope="module")
def runtime(e2e_seeded: harness.E2EEnv) -> Iterator[Runtime]:
    settings = dataclasses.replace(load_settings(), database_url=e2e_seeded.db_url, data_dir=e2e_seeded.data_dir)
    rt = open_runtime(settings)
    yield rt
    rt.engine.dispose()


@pytest.mark.parametrize("viewport", [(1920, 1080), (768, 1024)], ids=lambda v: f"{v[0]}x{v[1]}")
def test_dashboard_at_meeting_screen_and_tablet(new_page, e2e_seeded, runtime, viewport) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport, open_app=False)
    harness.goto_app(page, f"{new_page.base_url}/dashboard")
    cred = e2e_seeded.credentials["viewer1"]
    harness.login(page, cred.username, cred.password)
    expect(page.get_by_role("heading", name="督察整改工作看板")).to_be_visible()
    with runtime.session() as s:
        viewer = s.scalar(select(User).where(User.username == "viewer1"))
        fig = figures.compute(s, viewer, "weekly", clock.today_local())
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=re.compile("^累计交办件"))
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(fig.cases_total))
    findings = page.locator('[data-testid="stMetric"]').filter(has_text=re.compile("^问题点位"))
    expect(findings.locator('[data-testid="stMetricValue"]')).to_have_text(str(fig.findings_total))
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    assert fig.findings_total > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0], f"the dashboard is {width}px wide in a {viewport[0]}px window"
    box = metric.bounding_box()
    assert box is not None and box["width"] >= 180  # three across, still a readable figure on a tablet
    harness.screenshot(page, f"dashboard-{viewport[0]}x{viewport[1]}")
