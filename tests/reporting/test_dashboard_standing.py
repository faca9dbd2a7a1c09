"""The representative's dashboard reads the open cycle once for all its panels, and shows the
same facts as before from plain records (issue 20): due date after an extension, the
extension's state, the draft's progress, earlier reports with their version."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app import clock
from app.reporting import cycles
from app.reporting.deadlines import extensions
from tests.querycount import count_queries
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")


def test_dashboard_reads_the_open_cycle_once(client, db, login, secretariat, org_a, rep_a):
    clock.freeze(dt.date(2025, 3, 1))
    earlier = make_cycle(
        secretariat, year=2025, opens_on=dt.date(2025, 1, 10), due_on=dt.date(2025, 3, 31)
    )
    submit(rep_a, earlier, when=dt.date(2025, 3, 2))
    clock.freeze(dt.date(2025, 6, 1))
    cycles.close_cycle(secretariat, earlier)
    clock.freeze(dt.date(2026, 3, 20))
    cycle = make_cycle(secretariat)
    extension = extensions.request_extension(rep_a, cycle, org_a, "Our auditor is ill.")
    extensions.grant(secretariat, extension, dt.date(2026, 4, 24), "Granted.")
    db.session.commit()
    login(client, rep_a)
    with count_queries() as counted:
        page = client.get("/dashboard")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    open_cycle_lookups = [
        s for s in counted.statements if re.search(r"FROM reporting_cycles\b", s) and "status" in s
    ]
    assert len(open_cycle_lookups) == 1, open_cycle_lookups
    assert not [s for s in counted.statements if "FROM extensions" in s][1:]  # read once
    # The yearly-report panel: the extended date, and the earlier report with its version.
    assert "April 24, 2026" in body and "(extended)" in body
    assert "2025 reporting cycle" in body and "version 1" in body
    # The extension panel: the granted request and the date it gave.
    assert "Your report is due on April 24, 2026." in body
    assert "The secretariat extended it from March 31, 2026." in body
    assert "Granted." in body
    # The member panel and the heading.
    assert org_a.name in body and "Your public profile" in body


def test_dashboard_without_an_open_cycle(client, db, login, rep_a):
    db.session.commit()
    login(client, rep_a)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "More time for" not in body and "Yearly report" not in body
    assert "Membership" in body
