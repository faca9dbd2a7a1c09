"""The open-data lists' read model (`public_reports`, `public_pledges`, `public_list_counts`)
follows the writes that change what it copies, equals its rebuild, and the lists read from it
page and count as the source tables say."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from app.members.directory.statements import listed_condition
from app.members.models import Organisation, Pledge
from app.reporting.models import Report, ReportVersion
from app.reporting.review import decisions
from app.transparency.opendata import list_rows
from app.transparency.opendata.models import PublicListCount, PublicPledgeRow, PublicReportRow
from tests.transparency.conftest import build_world


def _state(db) -> tuple:
    db.session.expire_all()
    reports = db.session.execute(select(PublicReportRow.__table__).order_by("report_id")).all()
    pledges = db.session.execute(select(PublicPledgeRow.__table__).order_by("pledge_id")).all()
    counts = Counter(
        {(c.kind, c.filter_key, c.year): c.n for c in db.session.scalars(select(PublicListCount))}
    )
    return reports, pledges, +counts  # counts at 0 are the same as no row


def _kept_equals_rebuild(db) -> tuple:
    kept = _state(db)
    list_rows.rebuild(db.session.connection())
    assert _state(db) == kept
    return kept


@pytest.fixture
def built(db):
    """The transparency world, built through the ORM: the listener kept the read model."""
    return build_world(db)


def test_the_writes_keep_what_the_rebuild_computes(db, built):
    reports, pledges, counts = _kept_equals_rebuild(db)
    w = built
    ids = {r.report_id for r in reports}
    assert ids  # accepted reports of listed members, and only those
    states = db.session.execute(
        select(Report.state, ReportVersion.review_state)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .where(Report.id.in_(ids))
    ).all()
    assert set(states) == {("accepted", "accepted")}
    assert w.zeta.id not in {r.organisation_id for r in reports}  # submitted, withdrawn
    public = (
        select(Pledge.id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Pledge.is_public.is_(True), listed_condition())
    )
    assert {p.pledge_id for p in pledges} == set(db.session.scalars(public))
    assert counts[("reports", "", 0)] == len(reports)
    assert counts[("pledges", "", 0)] == len(pledges)


def test_a_member_change_moves_its_rows_and_counts(db, built):
    w = built
    _kept_equals_rebuild(db)
    w.alpha.country = "FR"
    w.alpha.name_key = "aaa alpha"
    db.session.flush()
    reports, pledges, counts = _kept_equals_rebuild(db)
    assert {r.country for r in reports if r.organisation_id == w.alpha.id} == {"FR"}
    assert {p.name_key for p in pledges if p.organisation_id == w.alpha.id} == {"aaa alpha"}
    w.alpha.joined_on = None  # no longer listed: out of both lists
    db.session.flush()
    reports, pledges, counts = _kept_equals_rebuild(db)
    assert w.alpha.id not in {r.organisation_id for r in (*reports, *pledges)}
    assert counts[("reports", "", 0)] == len(reports)


def test_pledge_and_report_writes_move_rows_and_counts(db, built, secretariat):
    w = built
    before = _kept_equals_rebuild(db)
    pledge = db.session.scalars(select(Pledge).where(Pledge.organisation_id == w.beta.id)).first()
    pledge.is_public = not pledge.is_public
    pledge.status = "in_progress"
    db.session.flush()
    _kept_equals_rebuild(db)
    db.session.delete(pledge)
    db.session.flush()
    _reports, pledges, _counts = _kept_equals_rebuild(db)
    assert pledge.id not in {p.pledge_id for p in pledges}
    # A submitted report accepted through the service joins the list.
    zeta = db.session.scalars(select(Report).where(Report.organisation_id == w.zeta.id)).one()
    w.zeta.status = "active"
    db.session.flush()
    decisions.accept(secretariat, zeta.versions[-1])
    reports, _pledges, counts = _kept_equals_rebuild(db)
    assert zeta.id in {r.report_id for r in reports}
    assert counts[("reports", "", 0)] == len(before[0]) + 1
    # A report that stops being accepted leaves it.
    zeta.state = "submitted"
    db.session.flush()
    reports, _pledges, _counts = _kept_equals_rebuild(db)
    assert zeta.id not in {r.report_id for r in reports}


def _direct_total(db, **where) -> int:
    """Accepted reports of listed members, counted from the source tables."""
    statement = (
        select(func.count())
        .select_from(Report)
        .join(ReportVersion, ReportVersion.id == Report.current_version_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .where(Report.state == "accepted", ReportVersion.review_state == "accepted")
        .where(listed_condition())
    )
    for name, value in where.items():
        statement = statement.where(getattr(Organisation, name) == value)
    return db.session.scalar(statement)


@pytest.mark.parametrize("per_page", [1, 2, 3, 100])
def test_report_pages_span_years_in_order(client, db, built, per_page):
    db.session.commit()
    seen, page, total = [], 1, None
    while True:
        body = client.get(f"/api/v1/reports?per_page={per_page}&page={page}").get_json()
        total = body["meta"]["total"]
        seen += [(r["year"], r["member"]["slug"]) for r in body["data"]]
        if page >= body["meta"]["pages"]:
            break
        page += 1
    assert total == len(seen) == _direct_total(db)
    names = {m.slug: m.name_key for m in db.session.scalars(select(Organisation))}
    assert seen == sorted(seen, key=lambda r: (-r[0], names[r[1]]))
    body = client.get(f"/api/v1/reports?country=DE&per_page={per_page}").get_json()
    assert body["meta"]["total"] == _direct_total(db, country="DE")
    body = client.get(f"/api/v1/reports?per_page={per_page}&page=99").get_json()
    assert body["data"] == [] and body["meta"]["total"] == total
