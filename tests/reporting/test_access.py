"""Who may open each reporting page (issue 5, part A). Engineer B's pages are in
test_access_review.py."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

from app.reporting import cycles
from tests.access import LOGIN, make_world, walk
from tests.reporting.builders_filling import (  # noqa: F401  (fixtures)
    build_cycle,
    cycle,
    fill_and_submit,
)

SECRETARIAT = {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 200}
REPRESENTATIVES = {"anon": LOGIN, "rep_a": 200, "rep_b": 200, "sec": 403}
ORG_A = {"anon": LOGIN, "rep_a": 200, "rep_b": 404, "sec": 200}


def _draft(w):
    return w.draft


ACCESS = {
    "reporting.admin_cycles": (lambda w: "/secretariat/cycles", SECRETARIAT),
    "reporting.admin_cycle_new": (lambda w: "/secretariat/cycles/new", SECRETARIAT),
    "reporting.admin_cycle": (lambda w: "/secretariat/cycles/2026", SECRETARIAT),
    "reporting.admin_cycle_settings": (lambda w: "/secretariat/cycles/2026/settings", SECRETARIAT),
    "reporting.admin_cycle_open_confirm": (lambda w: "/secretariat/cycles/2027/open", SECRETARIAT),
    "reporting.admin_section_new": (lambda w: "/secretariat/cycles/2027/sections/new", SECRETARIAT),
    "reporting.admin_section_edit": (
        lambda w: f"/secretariat/cycles/2027/sections/{w.draft.sections[0].id}",
        SECRETARIAT,
    ),
    "reporting.admin_question_new": (
        lambda w: f"/secretariat/cycles/2027/sections/{w.draft.sections[0].id}/questions/new",
        SECRETARIAT,
    ),
    "reporting.admin_question_edit": (
        lambda w: f"/secretariat/cycles/2027/questions/{w.draft.q['mfa_share'].id}",
        SECRETARIAT,
    ),
    "reporting.admin_preview": (
        lambda w: "/secretariat/cycles/2026/preview?section=2",
        SECRETARIAT,
    ),
    "reporting.admin_questionnaire_translation": (
        lambda w: "/secretariat/cycles/2027/translations/fr",
        SECRETARIAT,
    ),
    "reporting.admin_questionnaire_translation_po": (
        lambda w: "/secretariat/cycles/2027/translations/fr.po",
        SECRETARIAT,
    ),
    "reporting.admin_questionnaire_translation_xliff": (
        lambda w: "/secretariat/cycles/2027/translations/fr.xlf",
        SECRETARIAT,
    ),
    "reporting.admin_questionnaire_translation_import": (
        lambda w: "/secretariat/cycles/2027/translations/fr/import",
        SECRETARIAT,
    ),
    "reporting.admin_report": (
        lambda w: f"/secretariat/cycles/2026/reports/{w.org_a.slug}",
        SECRETARIAT,
    ),
    "reporting.my_reports": (lambda w: "/my/reports", REPRESENTATIVES),
    "reporting.report": (lambda w: "/my/reports/2026", REPRESENTATIVES),
    "reporting.report_section": (lambda w: "/my/reports/2026/sections/2", REPRESENTATIVES),
    "reporting.report_pledges": (lambda w: "/my/reports/2026/pledges", REPRESENTATIVES),
    "reporting.report_preview": (lambda w: "/my/reports/2026/preview", REPRESENTATIVES),
    "reporting.report_submit": (lambda w: "/my/reports/2026/submit", REPRESENTATIVES),
    "reporting.version": (lambda w: f"/reports/2026/{w.org_a.slug}/versions/1", ORG_A),
    "reporting.version_pdf": (lambda w: f"/reports/2026/{w.org_a.slug}/versions/1/pdf", ORG_A),
    "reporting.evidence": (
        lambda w: f"/reports/evidence/{w.evidence_id}",
        {"anon": 404, "rep_a": 200, "rep_b": 404, "sec": 200},
    ),
}


def _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db):
    version = fill_and_submit(rep_a, cycle)
    draft = build_cycle(secretariat, year=2027, open_it=False)
    evidence_id = version.snapshot["sections"][1]["questions"][3]["evidence"][0]["id"]
    db.session.commit()
    return make_world(secretariat, org_a, org_b, rep_a, rep_b, draft=draft, evidence_id=evidence_id)


def test_access(app, db, secretariat, org_a, org_b, rep_a, rep_b, cycle):
    walk(app, _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db), ACCESS)


def test_other_organisations_and_unknown_things(
    app, db, secretariat, org_a, org_b, rep_a, rep_b, cycle
):
    world = _world(secretariat, org_a, org_b, rep_a, rep_b, cycle, db)
    hidden = {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 404}
    walk(
        app,
        world,
        {
            # rep_b guessing org A's version numbers, another year, a draft cycle, a bad section.
            "b's version": (lambda w: f"/reports/2026/{w.org_b.slug}/versions/1", hidden),
            "draft cycle": (
                lambda w: "/my/reports/2027",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 403},
            ),
            "no such year": (
                lambda w: "/my/reports/1999",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 403},
            ),
            "no such section": (
                lambda w: "/my/reports/2026/sections/99",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 403},
            ),
            "no such version": (
                lambda w: f"/reports/2026/{w.org_a.slug}/versions/7",
                {"anon": LOGIN, "rep_a": 404, "rep_b": 404, "sec": 404},
            ),
            "no such evidence": (
                lambda w: "/reports/evidence/424242",
                {"anon": 404, "rep_a": 404, "rep_b": 404, "sec": 404},
            ),
            "frozen builder": (
                lambda w: "/secretariat/cycles/2026/sections/new",
                {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 409},
            ),
            "unknown org": (
                lambda w: "/secretariat/cycles/2026/reports/nobody",
                {"anon": LOGIN, "rep_a": 403, "rep_b": 403, "sec": 404},
            ),
        },
    )
    assert cycles.get_cycle(2027).status == "draft"
