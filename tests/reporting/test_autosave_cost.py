"""The draft save path stays lean (issue 7): an autosave runs the same few statements however
large the questionnaire, however many answers it changes and however many organisations
report; the questionnaire of an open cycle comes from a per-process cache that never serves
a questionnaire other than the one in the database."""
# ruff: noqa: F811  (pytest fixtures imported from builders_filling)

from __future__ import annotations

from sqlalchemy import select

from app.reporting import cycles, filling
from app.reporting.models import Answer, Evidence, Report, ReportEdit
from tests import factories
from tests.conftest import _empty_all_tables, csrf_token, login_as
from tests.querycount import count_queries
from tests.reporting.builders_filling import cycle, raw, world  # noqa: F401  (fixtures)
from tests.reporting.test_querycounts import VALUES, _fill, _questionnaire

AUTOSAVE = "/my/reports/2026/sections/1/autosave"
JSON = {"Accept": "application/json"}
# Each kind of answer changed to another valid value.
CHANGED = {
    "yes_no": "no",
    "single_choice": "B",
    "multiple_choice": ["C"],
    "number": "4",
    "short_text": "y",
    "long_text": "Other *text*",
    "url": "https://example.com",
    "date": "2026-01-03",
}
# user; cycle + report + the draft's answers + which questions have files (filling.find_draft);
# then on SQLite the revision claim, the changed answers (one UPDATE for all of them) and the
# report_edits row; on PostgreSQL those three are one statement
# (filling.statements.SAVE_IN_ONE_STATEMENT).
AUTOSAVE_STATEMENTS = {"sqlite": 5, "postgresql": 3}


def _others(count: int, cycle) -> None:
    """Other organisations with drafts of their own: the save must not notice them."""
    for i in range(count):
        org = factories.make_org(name=f"Other {i:03d}")
        rep = factories.make_user(
            role="representative", organisation=org, email=f"rep{i:03d}@other.example"
        )
        report = filling.get_or_start_report(rep, cycle, org)
        questions = cycles.ordered_questions(cycles.load_questionnaire(cycle))
        filling.save_answers(
            rep, report, {q.id: VALUES[q.type] for q in questions if q.type != "evidence"}, 0
        )


def _autosave_statements(app, db, sections, per_section, others, change_all):
    sec = factories.make_user(role="secretariat", email="sec-cost@example.org")
    org = factories.make_org(name="Alpha Cost")
    rep = factories.make_user(role="representative", organisation=org, email="rep-cost@example.org")
    cycle = _questionnaire(sec, sections, per_section)
    report = _fill(rep, cycle)
    _others(others, cycle)
    db.session.commit()
    section = cycles.load_questionnaire(cycle)[0]
    # Plain (id, type) pairs: the request's commit expires the session's rows.
    editable = [(q.id, q.type) for q in section.questions if q.type != "evidence"]
    client = app.test_client()
    login_as(client, rep)
    token = csrf_token(client, "/my/reports/2026")

    original = {q: VALUES[q[1]] for q in editable}

    def post(changed, base):
        # As the page's script sends it: every field of the section.
        data = {f"q-{qid}": v for (qid, _type), v in {**original, **changed}.items()}
        data.update(csrf_token=token, base_revision=str(base))
        return client.post(AUTOSAVE, data=data, headers=JSON)

    # Warm up (translations, the questionnaire cache), then count one save.
    response = post({editable[0]: CHANGED[editable[0][1]]}, report.revision)
    assert response.status_code == 200, response.get_json()
    revision = response.get_json()["revision"]
    targets = editable[1:] if change_all else editable[1:2]
    values = {q: CHANGED[q[1]] for q in targets}
    values[editable[0]] = CHANGED[editable[0][1]]  # as the warm-up left it
    with count_queries() as counter:
        response = post(values, revision)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == revision + 1
    db.session.expire_all()
    stored = dict(
        db.session.execute(
            select(Answer.question_id, Answer.value).where(Answer.report_id == report.id)
        ).all()
    )
    edit = db.session.scalar(
        select(ReportEdit).where(
            ReportEdit.report_id == report.id, ReportEdit.revision == revision + 1
        )
    )
    assert edit is not None and edit.by_user_id == rep.id
    assert set(edit.changes) == {str(qid) for qid, _type in targets}
    for qid, _type in targets:
        assert stored[qid] == edit.changes[str(qid)]["new"]
    return counter.count


def test_autosave_runs_a_constant_number_of_statements(app, db):
    small = _autosave_statements(app, db, 1, 9, others=0, change_all=False)
    db.session.rollback()
    _empty_all_tables()
    big = _autosave_statements(app, db, 20, 20, others=30, change_all=False)
    db.session.rollback()
    _empty_all_tables()
    big_all = _autosave_statements(app, db, 20, 20, others=30, change_all=True)
    expected = AUTOSAVE_STATEMENTS[db.engine.dialect.name]
    assert small == big == big_all == expected, (small, big, big_all)


def test_the_autosave_lookup_reads_answers_as_the_save_path_does(app, db):
    """find_draft aggregates the answers in SQL (json_agg / json_group_array): every kind of
    answer must come back with the value and type a plain read gives, or a save would log
    changes that are none."""
    sec = factories.make_user(role="secretariat", email="sec-lookup@example.org")
    org = factories.make_org(name="Alpha Lookup")
    rep = factories.make_user(
        role="representative", organisation=org, email="rep-lookup@example.org"
    )
    cycle = _questionnaire(sec, 2, 9)
    assert filling.find_draft(cycle.year, org.id)[1:] == (None, None, None)
    report = _fill(rep, cycle)
    db.session.commit()
    plain = dict(db.session.execute(filling.statements.DRAFT_VALUES, {"b_report": report.id}).all())
    found_cycle, found_report, stored, with_files = filling.find_draft(cycle.year, org.id)
    assert (found_cycle.id, found_report.id) == (cycle.id, report.id)
    assert len(plain) > 8 and stored == plain
    assert {k: type(v) for k, v in stored.items()} == {k: type(v) for k, v in plain.items()}
    filed = set(
        db.session.scalars(filling.statements.QUESTIONS_WITH_FILES, {"b_report": report.id})
    )
    assert len(filed) == 2 and with_files == filed  # one evidence question per section
    # A removed file no longer counts; the question's other files would.
    removed = db.session.scalars(select(Evidence).where(Evidence.report_id == report.id)).first()
    filling.remove_evidence(rep, report, removed.id)
    db.session.flush()
    assert filling.find_draft(cycle.year, org.id).with_files == filed - {removed.question_id}
    assert filling.find_draft(cycle.year + 1, org.id) == (None, None, None, None)


def test_autosave_that_changes_nothing_writes_nothing(app, world, db):
    c = world.cycle
    db.session.commit()
    client = app.test_client()
    login_as(client, world.rep_a)
    token = csrf_token(client, "/my/reports/2026")
    data = {f"q-{c.q['mfa'].id}": "yes", "csrf_token": token, "base_revision": "0"}
    assert client.post(AUTOSAVE, data=data, headers=JSON).get_json()["revision"] == 1
    data["base_revision"] = "1"
    with count_queries() as counter:
        response = client.post(AUTOSAVE, data=data, headers=JSON)
    assert response.get_json()["revision"] == 1
    assert not [
        s
        for s in counter.statements
        if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def test_saves_keep_the_sessions_answers_current(world, db):
    """Answers are written without the ORM; copies already loaded must not go stale."""
    c = world.cycle
    report = filling.get_or_start_report(world.rep_a, c, world.org_a)
    filling.save_answers(world.rep_a, report, raw(c), 0)
    loaded = {a.question_id: a for a in report.answers}
    contact, approach = c.q["contact"].id, c.q["approach"].id
    filling.save_answers(world.rep_a, report, {contact: "", approach: "Changed."}, 1)
    assert loaded[approach].value == "Changed."
    assert {a.question_id for a in report.answers} == set(loaded) - {contact}
    assert db.session.scalar(select(Answer).where(Answer.question_id == contact)) is None
    assert db.session.scalar(select(Report.revision).where(Report.id == report.id)) == 2


def test_open_questionnaires_are_cached_and_never_stale(app, db, secretariat):
    cycle = _questionnaire(secretariat, 2, 3)
    first = filling.questionnaire_for_saving(cycle)
    assert [len(s) for s in first.sections] == [3, 3]
    with count_queries() as counter:
        again = filling.questionnaire_for_saving(cycle)
    assert again is first and counter.count == 0
    choices = {q.choices for q in first.questions if q.type == "single_choice"}
    assert choices == {("A", "B", "C")}
    # The same ids again, with another questionnaire (what a test database or a reloaded
    # demo does): writing questions empties the cache.
    db.session.rollback()
    _empty_all_tables()
    secretariat = factories.make_user(role="secretariat", email="sec-again@example.org")
    cycle = _questionnaire(secretariat, 1, 2)
    fresh = filling.questionnaire_for_saving(cycle)
    assert [len(s) for s in fresh.sections] == [2]


def test_draft_questionnaires_are_not_cached(db, secretariat):
    import datetime as dt

    cycle = cycles.create_cycle(secretariat, 2027, "", dt.date(2027, 1, 10), dt.date(2027, 3, 31))
    section = cycles.add_section(secretariat, cycle, "Only")
    cycles.add_question(secretariat, section, "First?", "yes_no")
    assert len(filling.questionnaire_for_saving(cycle).questions) == 1
    with count_queries() as counter:
        filling.questionnaire_for_saving(cycle)
    assert counter.count == 1
