"""Who may open the workbook pages (issue 19). Here rather than in tests/reporting/workbook/:
the route-coverage test reads the tables of tests/<domain>/test_access*.py."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

from tests.access import LOGIN, make_world, walk
from tests.reporting.builders_filling import build_cycle, cycle, fill_and_submit  # noqa: F401

SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}
REPRESENTATIVES = {"anon": LOGIN, "rep_a": 200, "rep_b": 200, "sec": 403}

ACCESS = {
    "reporting.report_workbook_download": (
        lambda w: "/my/reports/2026/workbook.xlsx",
        REPRESENTATIVES,
    ),
    "reporting.report_workbook": (lambda w: "/my/reports/2026/workbook", REPRESENTATIVES),
    "reporting.admin_cycle_workbook": (
        lambda w: "/secretariat/cycles/2027/workbook.xlsx",
        SECRETARIAT,
    ),
    "reporting.admin_cycle_answers_workbook": (
        lambda w: "/secretariat/cycles/2026/answers.xlsx",
        SECRETARIAT,
    ),
}


def _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db):
    fill_and_submit(rep_a, cycle)
    build_cycle(secretariat, year=2027, open_it=False)
    db.session.commit()
    return make_world(secretariat, org_a, org_b, rep_a, rep_b)


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b, cycle):
    walk(app, _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db), ACCESS)


def test_unknown_and_closed_cycles(app, db, secretariat, org_a, org_b, rep_a, rep_b, cycle):
    world = _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db)
    walk(
        app,
        world,
        {
            "a cycle being prepared": (
                lambda w: "/my/reports/2027/workbook.xlsx",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 403},
            ),
            "no such year": (
                lambda w: "/my/reports/1999/workbook",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 403},
            ),
            "no such cycle": (
                lambda w: "/secretariat/cycles/1999/workbook.xlsx",
                {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 404},
            ),
        },
    )
