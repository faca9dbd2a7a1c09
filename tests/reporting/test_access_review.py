"""Who may open the review, extension and export pages (issue 5, part B).

Merged into the route-coverage check with the reporting table (`tests/reporting/test_access.py`).
"""

import datetime as dt

import pytest

from app import clock
from app.reporting.deadlines import extensions
from tests.access import LOGIN, make_world, walk
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    in_request,
    make_cycle,
    submit,
)

SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}
REPRESENTATIVES = {"anon": LOGIN, "rep_a": 200, "rep_b": 200, "sec": 403}

ACCESS = {
    "review.queue": (lambda w: "/secretariat/review", SECRETARIAT),
    "review.version": (lambda w: f"/secretariat/review/versions/{w.version.id}", SECRETARIAT),
    "review.changes": (
        lambda w: f"/secretariat/review/reports/{w.version.report_id}/changes",
        SECRETARIAT,
    ),
    "review.export_csv": (lambda w: f"/secretariat/review/{w.cycle.year}/answers.csv", SECRETARIAT),
    "review.extensions_list": (lambda w: "/secretariat/extensions", SECRETARIAT),
    "review.extension": (lambda w: f"/secretariat/extensions/{w.extension.id}", SECRETARIAT),
    "review.request_extension": (lambda w: f"/my/extensions/{w.cycle.year}", REPRESENTATIVES),
}


@pytest.mark.usefixtures("fast_receipts", "in_request")
def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b):
    cycle = make_cycle(secretariat)
    clock.freeze(dt.date(2026, 3, 1))
    version = submit(rep_a, cycle)
    extension = extensions.request_extension(rep_b, cycle, org_b, "We need two more weeks.")
    db.session.commit()
    world = make_world(
        secretariat, org_a, org_b, rep_a, rep_b, cycle=cycle, version=version, extension=extension
    )
    walk(app, world, ACCESS)
