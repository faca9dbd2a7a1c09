"""Filling in a report: drafts, optimistic locking, pledges, prefill, evidence, submission.

A `Report` is one organisation's report in one cycle. Its draft lives in `Answer`,
`Evidence` and `ReportPledge` rows plus the attestation fields; every change names the
revision it started from (`Report.revision`) and is logged in `ReportEdit`, so a stale save
is refused with the list of what changed, and by whom. Submitting freezes the draft into an
immutable `ReportVersion` (snapshot format in docs/architecture.md) with `SubmittedAnswer`
rows, and emails a receipt with a PDF copy to the organisation's representatives.

Every function takes the acting user, checks it, flushes and never commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.accounts.models import Role, User
from app.core import signals
from app.core.services import record
from app.db import db
from app.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from app.members.models import Organisation, Pledge, PledgeStatus, PledgeUpdate
from app.reporting import answers, cycles
from app.reporting import evidence as evidence_files
from app.reporting.models import (
    Answer,
    CycleStatus,
    Evidence,
    Question,
    QuestionType,
    Report,
    ReportEdit,
    ReportingCycle,
    ReportPledge,
    ReportState,
    ReportVersion,
    ReviewComment,
    Section,
    SubmittedAnswer,
)
from app.security import is_secretariat, represents

SNAPSHOT_SCHEMA = 1
OFFICER_MAX = 200
STATEMENT_MAX = 5000
PLEDGE_NOTE_MAX = 5000
OPEN_PLEDGE_STATUSES = (PledgeStatus.PLANNED, PledgeStatus.IN_PROGRESS)


# Errors ------------------------------------------------------------------------------------


class StaleDraft(Conflict):
    """Someone saved the report since the editor loaded it. Nothing was stored.

    `changes`: one dict per newer saved revision (who, when, which answers and parts);
    `base_values`: the value each of those answers had at the editor's revision, so a page
    can tell the answers the editor changed from those they merely had on screen;
    `revision`: the report's current revision.
    """

    def __init__(
        self, message: str, changes: list[dict], base_values: dict[int, object], revision: int
    ):
        super().__init__(message)
        self.changes = changes
        self.base_values = base_values
        self.revision = revision


class ForeignAnswers(DomainError):
    """Answers posted for questions that are not part of this questionnaire (400)."""


class AnswersInvalid(ValidationFailed):
    """Some posted answers cannot be stored; `errors` maps question id -> [message]."""


@dataclass
class Issue:
    """One thing that stops a submission, with where to fix it."""

    message: str
    page: str  # "section", "pledges", "attestation" or "submit"
    section_index: int | None = None
    question_id: int | None = None
    number: str = ""
    text: str = ""
    anchor: str = ""


class SubmissionIncomplete(ValidationFailed):
    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


# Access -------------------------------------------------------------------------------------


def ensure_can_view(actor, report: Report) -> None:
    """The secretariat and the organisation's representatives; others learn nothing (404)."""
    if not (is_secretariat(actor) or represents(actor, report.organisation_id)):
        raise NotFound(_("There is no such report."))


def ensure_can_edit(actor, report: Report) -> None:
    """Only the organisation's representatives edit, and only while the cycle is open."""
    if not represents(actor, report.organisation_id):
        raise PermissionDenied(
            _("Only your organisation's representatives can change this report.")
        )
    ensure_cycle_accepts_reports(report.cycle)


def ensure_cycle_accepts_reports(cycle: ReportingCycle) -> None:
    if cycle.status == CycleStatus.DRAFT:
        raise Conflict(_("The %(year)d reporting cycle is not open yet.", year=cycle.year))
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(
            _(
                "The %(year)d reporting cycle is closed: reports can no longer be "
                "changed or submitted.",
                year=cycle.year,
            )
        )


def find_report(cycle: ReportingCycle, organisation_id: int) -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.cycle_id == cycle.id, Report.organisation_id == organisation_id)
    )


def find_draft(
    year: int, organisation_id: int | None
) -> tuple[ReportingCycle | None, Report | None, dict[int, object] | None]:
    """The cycle of `year`, the organisation's report in it and the report's answers as
    `{question id: value}` (None, None when it has not started one), in one query: the
    autosave's lookup (one round trip to the database fewer than reading the answers apart)."""
    statement = _cycle_report_and_answers(db.session.connection().dialect.name)
    row = db.session.execute(statement, {"b_year": year, "b_org": organisation_id}).first()
    if row is None:
        return None, None, None
    if row[1] is None:
        return row[0], None, None
    return row[0], row[1], {int(qid): value for qid, value in row[2] or ()}


@functools.lru_cache(maxsize=4)
def _cycle_report_and_answers(dialect: str):
    """Built once per kind of database: the answers come as one JSON array of [question id,
    value] pairs, aggregated by PostgreSQL's json_agg or SQLite's json_group_array."""
    a = _ANSWERS.c
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(a.question_id, a.value))
    else:
        pairs = func.json_group_array(func.json_array(a.question_id, func.json(a.value)))
    answers_of_report = type_coerce(
        select(pairs).where(a.report_id == Report.id).scalar_subquery(), JSON
    )
    return (
        select(ReportingCycle, Report, answers_of_report)
        .outerjoin(
            Report,
            and_(
                Report.cycle_id == ReportingCycle.id, Report.organisation_id == bindparam("b_org")
            ),
        )
        .where(ReportingCycle.year == bindparam("b_year"))
    )


def get_or_start_report(actor, cycle: ReportingCycle, organisation: Organisation) -> Report:
    """The organisation's report in this cycle, started (empty) when there is none yet."""
    if not (is_secretariat(actor) or represents(actor, organisation.id)):
        raise PermissionDenied(_("You can only act for your own organisation."))
    report = find_report(cycle, organisation.id)
    if report is not None:
        return report
    if cycle.status != CycleStatus.OPEN:
        ensure_cycle_accepts_reports(cycle)
    if not cycles.may_report(cycle, organisation):
        raise NotFound(
            _(
                "%(org)s does not report in the %(year)d cycle.",
                org=organisation.name,
                year=cycle.year,
            )
        )
    report = Report(
        cycle=cycle,
        organisation=organisation,
        state=ReportState.DRAFT,
        revision=0,
        updated_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        # Another representative started it at the same moment: use theirs.
        report = find_report(cycle, organisation.id)
        if report is None:  # pragma: no cover - the constraint fired for another reason
            raise
        return report
    record(actor, "report.started", report, summary=f"{organisation.name} {cycle.year}")
    return report


# Loading everything a page needs, in a constant number of queries --------------------------


@dataclass
class ReportData:
    report: Report
    cycle: ReportingCycle
    sections: list
    questions: list
    numbers: dict[int, str]
    section_of: dict[int, int]  # question id -> 1-based section index
    values: dict[int, object]
    evidence: dict[int, list[Evidence]]
    shown: dict[int, bool]
    pledges: list[Pledge] = field(default_factory=list)
    pledge_entries: dict[int, ReportPledge] = field(default_factory=dict)
    comments: dict[int, list[ReviewComment]] = field(default_factory=dict)
    general_comments: list[ReviewComment] = field(default_factory=list)

    def evidence_count(self, question_id: int) -> int:
        return len(self.evidence.get(question_id, []))

    def answered(self, question) -> bool:
        return answers.is_answered(
            question, self.values.get(question.id), self.evidence_count(question.id)
        )

    def progress(self, section=None) -> tuple[int, int]:
        """(answered required questions, required questions), counting shown ones only."""
        questions = section.questions if section is not None else self.questions
        required = [q for q in questions if q.required and self.shown.get(q.id)]
        return sum(1 for q in required if self.answered(q)), len(required)

    def display(self, question) -> str:
        return answers.display(
            question, self.values.get(question.id), self.evidence_count(question.id)
        )


def load(report: Report, with_pledges: bool = True, with_comments: bool = True) -> ReportData:
    cycle = report.cycle
    sections = cycles.load_questionnaire(cycle)
    questions = cycles.ordered_questions(sections)
    values = {
        a.question_id: a.value
        for a in db.session.scalars(select(Answer).where(Answer.report_id == report.id))
    }
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in db.session.scalars(
        select(Evidence)
        .where(Evidence.report_id == report.id, Evidence.removed.is_(False))
        .order_by(Evidence.uploaded_at, Evidence.id)
    ):
        evidence[item.question_id].append(item)
    data = ReportData(
        report=report,
        cycle=cycle,
        sections=sections,
        questions=questions,
        numbers=cycles.numbering(sections),
        section_of={q.id: i for i, s in enumerate(sections, start=1) for q in s.questions},
        values=values,
        evidence=dict(evidence),
        shown=answers.shown_map(questions, values),
    )
    if with_pledges:
        data.pledges, data.pledge_entries = _pledges(report)
    if with_comments and report.state == ReportState.RETURNED and report.current_version_id:
        for comment in db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.version_id == report.current_version_id)
            .order_by(ReviewComment.at, ReviewComment.id)
        ):
            if comment.question_id is None:
                data.general_comments.append(comment)
            else:
                data.comments.setdefault(comment.question_id, []).append(comment)
    return data


def _pledges(report: Report) -> tuple[list[Pledge], dict[int, ReportPledge]]:
    entries = {
        e.pledge_id: e
        for e in db.session.scalars(select(ReportPledge).where(ReportPledge.report_id == report.id))
    }
    pledges = list(
        db.session.scalars(
            select(Pledge)
            .where(
                Pledge.organisation_id == report.organisation_id,
                or_(
                    Pledge.status.in_(list(OPEN_PLEDGE_STATUSES)),
                    Pledge.id.in_(list(entries) or [0]),
                ),
            )
            .options(selectinload(Pledge.principles))
            .order_by(Pledge.created_at, Pledge.id)
        )
    )
    return pledges, entries


# Optimistic locking --------------------------------------------------------------------------


# Statements of the save path, built once: building and hashing a statement costs more
# Python time than SQLite takes to run it.
_REPORTS = Report.__table__
_ANSWERS = Answer.__table__
_EVIDENCE = Evidence.__table__
_CLAIM_FROM = (
    update(_REPORTS)
    .where(_REPORTS.c.id == bindparam("b_id"), _REPORTS.c.revision == bindparam("b_base"))
    .values(
        revision=bindparam("b_next", type_=_REPORTS.c.revision.type),
        updated_at=bindparam("b_at", type_=_REPORTS.c.updated_at.type),
        updated_by_id=bindparam("b_by", type_=_REPORTS.c.updated_by_id.type),
    )
    .returning(_REPORTS.c.revision)
)
_CLAIM_NEXT = (
    update(_REPORTS)
    .where(_REPORTS.c.id == bindparam("b_id"))
    .values(
        revision=_REPORTS.c.revision + 1,
        updated_at=bindparam("b_at", type_=_REPORTS.c.updated_at.type),
        updated_by_id=bindparam("b_by", type_=_REPORTS.c.updated_by_id.type),
    )
    .returning(_REPORTS.c.revision)
)
_DRAFT_VALUES = select(_ANSWERS.c.question_id, _ANSWERS.c.value).where(
    _ANSWERS.c.report_id == bindparam("b_report")
)
_QUESTIONS_WITH_FILES = (
    select(_EVIDENCE.c.question_id)
    .where(_EVIDENCE.c.report_id == bindparam("b_report"), _EVIDENCE.c.removed.is_(False))
    .distinct()
)
_UPDATE_ANSWER = (
    update(_ANSWERS)
    .where(
        _ANSWERS.c.report_id == bindparam("b_report"), _ANSWERS.c.question_id == bindparam("b_qid")
    )
    .values(
        value=bindparam("b_value", type_=_ANSWERS.c.value.type),
        updated_at=bindparam("b_at", type_=_ANSWERS.c.updated_at.type),
    )
)
_INSERT_ANSWERS = insert(_ANSWERS)
_DELETE_ANSWERS = delete(_ANSWERS).where(
    _ANSWERS.c.report_id == bindparam("b_report"),
    _ANSWERS.c.question_id.in_(bindparam("b_qids", expanding=True)),
)
_INSERT_EDIT = insert(ReportEdit.__table__)


def _claim_revision(actor, report: Report, base_revision: int | None) -> int:
    """Move the report to its next revision, atomically. With `base_revision`, only if the
    report is still at that revision (else StaleDraft)."""
    params = {"b_id": report.id, "b_at": clock.now(), "b_by": getattr(actor, "id", None)}
    if base_revision is not None:
        params.update(b_base=base_revision, b_next=base_revision + 1)
        new = db.session.execute(_CLAIM_FROM, params).scalar_one_or_none()
    else:
        new = db.session.execute(_CLAIM_NEXT, params).scalar_one_or_none()
    if new is None:
        db.session.refresh(report, ["revision"])
        raise stale_error(report, base_revision)
    set_committed_value(report, "revision", new)
    set_committed_value(report, "updated_by_id", getattr(actor, "id", None))
    return new


def _log_edit(
    actor,
    report: Report,
    revision: int,
    changes: dict | None = None,
    parts: list[str] | None = None,
) -> ReportEdit:
    edit = ReportEdit(
        report_id=report.id,
        revision=revision,
        at=clock.now(),
        by_user_id=getattr(actor, "id", None),
        changes=changes or {},
        parts=parts or [],
    )
    db.session.add(edit)
    return edit


def _check_base(report: Report, base_revision) -> int:
    if isinstance(base_revision, str):
        base_revision = (
            int(base_revision) if base_revision.isascii() and base_revision.isdigit() else -1
        )
    if not isinstance(base_revision, int) or isinstance(base_revision, bool):
        base_revision = -1
    if base_revision != report.revision:
        raise stale_error(report, base_revision)
    return base_revision


PART_LABELS = {
    "attestation": lambda: _("the attestation"),
    "pledges": lambda: _("the pledges"),
    "prefill": lambda: _("answers copied from last year"),
    "submitted": lambda: _("submitted the report"),
}


def stale_error(report: Report, base_revision: int | None) -> StaleDraft:
    """Build the refusal for a save based on `base_revision`: what changed since, by whom."""
    base = base_revision if isinstance(base_revision, int) and base_revision >= 0 else 0
    edits = db.session.scalars(
        select(ReportEdit)
        .where(ReportEdit.report_id == report.id, ReportEdit.revision > base)
        .options(selectinload(ReportEdit.by_user))
        .order_by(ReportEdit.revision)
    ).all()
    sections = cycles.load_questionnaire(report.cycle)
    numbers = cycles.numbering(sections)
    by_id = {q.id: q for q in cycles.ordered_questions(sections)}
    changes: list[dict] = []
    base_values: dict[int, object] = {}
    names: list[str] = []
    for edit in edits:
        who = edit.by_user.display_name if edit.by_user is not None else _("someone")
        if who not in names:
            names.append(who)
        touched = []
        for key, change in (edit.changes or {}).items():
            qid = int(key)
            base_values.setdefault(qid, change.get("old"))
            question = by_id.get(qid)
            if question is None:
                continue
            touched.append(
                {
                    "id": qid,
                    "number": numbers.get(qid, ""),
                    "text": question.text,
                    "value": answers.display(question, change.get("new")),
                }
            )
        parts = []
        for part in edit.parts or []:
            if part.startswith("evidence:"):
                qid = int(part.split(":", 1)[1])
                parts.append(_("the files of question %(n)s", n=numbers.get(qid, "?")))
            elif part in PART_LABELS:
                parts.append(PART_LABELS[part]())
        changes.append(
            {
                "revision": edit.revision,
                "at": edit.at,
                "by": who,
                "questions": touched,
                "parts": parts,
            }
        )
    message = _(
        "This report was changed by %(names)s after you opened it. Your changes were not saved: "
        "check the differences below, then save again.",
        names=", ".join(names) or _("someone else"),
    )
    return StaleDraft(message, changes, base_values, report.revision)


# Saving answers -------------------------------------------------------------------------------
#
# The save path runs for every autosave of every representative, so it is kept lean: the
# questionnaire comes from a per-process cache once the cycle is open (it is frozen then:
# `cycles.ensure_editable`), the draft's answers are read as plain (question, value) pairs,
# and only the answers that changed are written, in at most one statement per kind of change
# (UPDATE, INSERT, DELETE), after the conditional revision claim (the optimistic lock).


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    """What saving needs to know of a question, as plain values. `answers.parse`,
    `answers.shown_map` and `answers.is_answered` read it like a `Question` row."""

    id: int
    section_id: int
    type: str
    required: bool
    choices: tuple
    min_value: float | None
    max_value: float | None
    unit: str
    condition_question_id: int | None
    condition_value: str


@dataclass(frozen=True)
class Questionnaire:
    """A cycle's questionnaire for saving: `sections[i]` holds the questions of section i + 1
    (empty sections included, so indexes match the section pages)."""

    questions: tuple[QuestionSpec, ...]
    sections: tuple[tuple[QuestionSpec, ...], ...]
    by_id: dict[int, QuestionSpec]
    # Progress counts required questions only: files matter when one of them asks for files.
    files_count: bool = False


_FROZEN: dict[tuple, Questionnaire] = {}
_FROZEN_MAX = 16


def _forget_questionnaires(*_args) -> None:
    """Any write to a cycle, section or question in this process empties the cache. Open
    questionnaires never change, so other processes' caches stay right; this covers a
    database emptied and filled again with the same ids (tests, demo data)."""
    _FROZEN.clear()


for _model in (ReportingCycle, Section, Question):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, _forget_questionnaires)


def questionnaire_for_saving(cycle: ReportingCycle) -> Questionnaire:
    """The cycle's questionnaire in one query; cached in the process once the cycle has been
    opened (keyed by the cycle and the moment it was opened)."""
    frozen = cycle.status != CycleStatus.DRAFT and cycle.opened_at is not None
    key = (cycle.id, cycle.opened_at)
    if frozen:
        found = _FROZEN.get(key)
        if found is not None:
            return found
    q = Question
    rows = db.session.execute(
        select(
            Section.id,
            q.id,
            q.type,
            q.required,
            q.choices,
            q.min_value,
            q.max_value,
            q.unit,
            q.condition_question_id,
            q.condition_value,
        )
        .select_from(Section)
        .outerjoin(q, q.section_id == Section.id)
        .where(Section.cycle_id == cycle.id)
        .order_by(Section.position, Section.id, q.position, q.id)
    ).all()
    sections: dict[int, list[QuestionSpec]] = {}
    for row in rows:
        questions = sections.setdefault(row[0], [])
        if row[1] is not None:
            questions.append(
                QuestionSpec(
                    id=row[1],
                    section_id=row[0],
                    type=row[2],
                    required=bool(row[3]),
                    choices=tuple(row[4] or ()),
                    min_value=row[5],
                    max_value=row[6],
                    unit=row[7] or "",
                    condition_question_id=row[8],
                    condition_value=row[9] or "",
                )
            )
    ordered = tuple(q for questions in sections.values() for q in questions)
    questionnaire = Questionnaire(
        questions=ordered,
        sections=tuple(tuple(questions) for questions in sections.values()),
        by_id={q.id: q for q in ordered},
        files_count=any(q.type == QuestionType.EVIDENCE and q.required for q in ordered),
    )
    if frozen:
        if len(_FROZEN) >= _FROZEN_MAX:
            _FROZEN.clear()
        _FROZEN[key] = questionnaire
    return questionnaire


@dataclass
class DraftState:
    """The draft's answers after a save, with what the page shows about them."""

    revision: int
    changed: bool
    questionnaire: Questionnaire
    values: dict[int, object]
    with_files: set[int]  # evidence questions that have at least one file
    shown: dict[int, bool] = field(init=False)

    def __post_init__(self):
        self.shown = answers.shown_map(self.questionnaire.questions, self.values)

    def progress(self, questions=None) -> tuple[int, int]:
        """(answered required questions, required questions), counting shown ones only."""
        questions = self.questionnaire.questions if questions is None else questions
        required = [q for q in questions if q.required and self.shown.get(q.id)]
        answered = sum(
            1
            for q in required
            if answers.is_answered(q, self.values.get(q.id), 1 if q.id in self.with_files else 0)
        )
        return answered, len(required)


def draft_progress(report: Report) -> tuple[int, int]:
    """(answered required questions, required questions) of a report, as `load(report)
    .progress()` counts them, without loading the questionnaire as ORM objects: the per-process
    questionnaire of an open cycle, the answers as plain pairs and which questions have files
    (asked even when no required question wants files: the same statements for every
    questionnaire). For the dashboard, which every representative opens during the deadline
    rush."""
    questionnaire = questionnaire_for_saving(report.cycle)
    values = dict(db.session.execute(_DRAFT_VALUES, {"b_report": report.id}).all())
    with_files = set(db.session.scalars(_QUESTIONS_WITH_FILES, {"b_report": report.id}))
    return DraftState(report.revision, False, questionnaire, values, with_files).progress()


def save_answers(actor, report: Report, raw: dict, base_revision: int) -> Report:
    """Store the posted answers (`{question id: str | list[str]}`) as the new draft.

    Answers to questions of another questionnaire are refused (400); invalid values raise
    AnswersInvalid with a message per question; a stale `base_revision` raises StaleDraft.
    In every error case nothing is stored.
    """
    store_answers(actor, report, raw, base_revision)
    return report


def store_answers(
    actor,
    report: Report,
    raw: dict,
    base_revision,
    questionnaire: Questionnaire | None = None,
    with_progress: bool = False,
    stored: dict[int, object] | None = None,
) -> DraftState:
    """`save_answers`, returning the draft's state: its revision, every answer, and (with
    `with_progress`) which evidence questions have files, for the progress shown after an
    autosave. A constant number of statements, however many questions or answers.
    `stored`: the report's answers as read together with it (`find_draft`), else read here."""
    ensure_can_edit(actor, report)
    base_revision = _check_base(report, base_revision)
    if questionnaire is None:
        questionnaire = questionnaire_for_saving(report.cycle)
    questions = questionnaire.by_id
    parsed: dict[int, object] = {}
    errors: dict[int, list[str]] = {}
    for key, value in (raw or {}).items():
        qid = key if isinstance(key, int) else (int(key) if str(key).isdigit() else None)
        question = questions.get(qid) if qid is not None else None
        if question is None:
            raise ForeignAnswers(
                _("Some answers belong to another questionnaire. Reload the page and try again.")
            )
        if question.type == QuestionType.EVIDENCE:
            continue
        try:
            parsed[qid] = answers.parse(question, value)
        except answers.AnswerInvalid as error:
            errors[qid] = [error.message]
    if errors:
        raise AnswersInvalid(
            _("Some answers could not be saved. Please correct them."), errors=errors
        )
    db.session.flush()  # Core statements below: write pending ORM changes first, as autoflush would
    values: dict[int, object] = dict(
        db.session.execute(_DRAFT_VALUES, {"b_report": report.id}).all()
        if stored is None
        else stored
    )
    with_files: set[int] = set()
    if with_progress and questionnaire.files_count:
        with_files = set(db.session.scalars(_QUESTIONS_WITH_FILES, {"b_report": report.id}))
    changes = {}
    for qid, value in parsed.items():
        old = values.get(qid)
        if old != value or (old is not None and type(old) is not type(value)):
            changes[str(qid)] = {"old": old, "new": value}
    if not changes:
        return DraftState(report.revision, False, questionnaire, values, with_files)
    now = clock.now()
    if db.session.connection().dialect.name == "postgresql":
        revision = _save_in_one_statement(actor, report, base_revision, changes, now)
    else:
        revision = _save_in_three_statements(actor, report, base_revision, changes, values, now)
    for key, change in changes.items():
        if change["new"] is None:
            values.pop(int(key), None)
        else:
            values[int(key)] = change["new"]
    _sync_loaded_answers(report, changes, now)
    return DraftState(revision, True, questionnaire, values, with_files)


def _save_in_three_statements(
    actor,
    report: Report,
    base_revision: int,
    changes: dict,
    stored: dict[int, object],
    now: dt.datetime,
) -> int:
    """Claim the next revision, write the changed answers (`stored`: the draft's answers
    before the save) and log the edit; the new revision."""
    revision = _claim_revision(actor, report, base_revision)
    updated, inserted, deleted = [], [], []
    for key, change in changes.items():
        qid = int(key)
        if change["new"] is None:
            deleted.append(qid)
        elif qid in stored:
            updated.append(
                {"b_report": report.id, "b_qid": qid, "b_value": change["new"], "b_at": now}
            )
        else:
            inserted.append(
                {
                    "report_id": report.id,
                    "question_id": qid,
                    "value": change["new"],
                    "updated_at": now,
                }
            )
    if updated:
        db.session.execute(_UPDATE_ANSWER, updated)
    if inserted:
        db.session.execute(_INSERT_ANSWERS, inserted)
    if deleted:
        db.session.execute(_DELETE_ANSWERS, {"b_report": report.id, "b_qids": deleted})
    db.session.execute(
        _INSERT_EDIT,
        {
            "report_id": report.id,
            "revision": revision,
            "at": now,
            "by_user_id": getattr(actor, "id", None),
            "changes": changes,
            "parts": [],
        },
    )
    return revision


# On PostgreSQL a save is one statement, not three: the revision claim, the answer writes and
# the edit-log entry ride in data-modifying CTEs, each conditional on the claim (when the draft
# moved on, the claim updates no row and nothing else is written). Every statement is a round
# trip to the server, and in the deadline rush the round trips, not the work, were most of a
# save's cost (issue 7). SQLite runs statements in process and takes the three.
_SAVE_IN_ONE_STATEMENT = text("""
WITH claim AS (
    UPDATE reports SET revision = :next, updated_at = :at, updated_by_id = CAST(:by AS integer)
    WHERE id = :report AND revision = :base
    RETURNING id, revision
), stored AS (
    INSERT INTO answers (report_id, question_id, value, updated_at)
    SELECT claim.id, new.question_id, CAST(new.value AS json), :at
    FROM claim, unnest(CAST(:store_ids AS integer[]), CAST(:store_values AS text[]))
        AS new(question_id, value)
    ON CONFLICT (report_id, question_id)
        DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
), removed AS (
    DELETE FROM answers USING claim
    WHERE answers.report_id = claim.id
      AND answers.question_id = ANY(CAST(:remove_ids AS integer[]))
), logged AS (
    INSERT INTO report_edits (report_id, revision, at, by_user_id, changes, parts)
    SELECT claim.id, claim.revision, :at, CAST(:by AS integer), CAST(:changes AS json),
        CAST('[]' AS json)
    FROM claim
)
SELECT revision FROM claim
""")


def _save_in_one_statement(
    actor, report: Report, base_revision: int, changes: dict, now: dt.datetime
) -> int:
    """`_claim_revision` and the writes after it, as one PostgreSQL statement."""
    by = getattr(actor, "id", None)
    stored = [(int(k), json.dumps(c["new"])) for k, c in changes.items() if c["new"] is not None]
    new = db.session.execute(
        _SAVE_IN_ONE_STATEMENT,
        {
            "report": report.id,
            "base": base_revision,
            "next": base_revision + 1,
            "at": now,
            "by": by,
            "store_ids": [qid for qid, _v in stored],
            "store_values": [value for _qid, value in stored],
            "remove_ids": [int(k) for k, c in changes.items() if c["new"] is None],
            "changes": json.dumps(changes),
        },
    ).scalar_one_or_none()
    if new is None:
        db.session.refresh(report, ["revision"])
        raise stale_error(report, base_revision)
    set_committed_value(report, "revision", new)
    set_committed_value(report, "updated_by_id", by)
    return new


def _sync_loaded_answers(report: Report, changes: dict, now: dt.datetime) -> None:
    """The answers were written without the ORM: bring the session's copies up to date."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Answer) and obj.report_id == report.id:
            change = changes.get(str(obj.question_id))
            if change is None:
                continue
            if change["new"] is None:
                db.session.expunge(obj)
            else:
                set_committed_value(obj, "value", change["new"])
                set_committed_value(obj, "updated_at", now)
    if "answers" in report.__dict__:
        db.session.expire(report, ["answers"])


def set_attestation(
    actor, report: Report, officer_name, officer_title, support_statement, base_revision
) -> Report:
    ensure_can_edit(actor, report)
    base_revision = _check_base(report, base_revision)
    name = " ".join((officer_name or "").split())
    title = " ".join((officer_title or "").split())
    statement = (support_statement or "").replace("\r\n", "\n").strip()
    errors = {}
    if len(name) > OFFICER_MAX:
        errors["officer_name"] = [_("Use at most %(n)d characters.", n=OFFICER_MAX)]
    if len(title) > OFFICER_MAX:
        errors["officer_title"] = [_("Use at most %(n)d characters.", n=OFFICER_MAX)]
    if len(statement) > STATEMENT_MAX:
        errors["support_statement"] = [_("Use at most %(n)d characters.", n=STATEMENT_MAX)]
    if errors:
        raise ValidationFailed(_("Please correct the attestation."), errors=errors)
    if (name, title, statement) == (
        report.officer_name,
        report.officer_title,
        report.support_statement,
    ):
        return report
    revision = _claim_revision(actor, report, base_revision)
    report.officer_name, report.officer_title, report.support_statement = name, title, statement
    _log_edit(actor, report, revision, parts=["attestation"])
    db.session.flush()
    return report


# Pledges -------------------------------------------------------------------------------------


def save_pledges(actor, report: Report, entries: dict, base_revision: int) -> Report:
    """`entries`: {pledge id: (status, note)} for the organisation's pledges."""
    ensure_can_edit(actor, report)
    base_revision = _check_base(report, base_revision)
    pledges, current = _pledges(report)
    known = {p.id: p for p in pledges}
    statuses = {s.value for s in PledgeStatus}
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for key, (status, note) in (entries or {}).items():
        pid = key if isinstance(key, int) else (int(key) if str(key).isdigit() else None)
        if pid not in known:
            raise ValidationFailed(_("This pledge is not one of your organisation's pledges."))
        note = (note or "").replace("\r\n", "\n").strip()
        if status not in statuses:
            errors[f"status-{pid}"] = [_("Choose a status.")]
        if len(note) > PLEDGE_NOTE_MAX:
            errors[f"note-{pid}"] = [_("Use at most %(n)d characters.", n=PLEDGE_NOTE_MAX)]
        cleaned[pid] = (status, note)
    if errors:
        raise ValidationFailed(_("Please correct the pledge updates."), errors=errors)
    changed = False
    for pid, (status, note) in cleaned.items():
        entry = current.get(pid)
        if entry is None:
            if status == known[pid].status and not note:
                continue
            changed = True
        elif (entry.status, entry.note) != (status, note):
            changed = True
    if not changed:
        return report
    revision = _claim_revision(actor, report, base_revision)
    for pid, (status, note) in cleaned.items():
        entry = current.get(pid)
        if entry is None:
            if status == known[pid].status and not note:
                continue
            db.session.add(
                ReportPledge(report_id=report.id, pledge_id=pid, status=status, note=note)
            )
        else:
            entry.status, entry.note = status, note
    _log_edit(actor, report, revision, parts=["pledges"])
    db.session.flush()
    return report


def add_pledge(
    actor,
    report: Report,
    title: str,
    indicator: str,
    target_date: dt.date | None,
    principle_ids=(),
    description_md: str = "",
    is_public: bool = True,
) -> Pledge:
    """A new pledge of the report's organisation, made from the report's pledges section.

    The pledge rules (title, indicator, target date, principles of the charter in force) are
    the members domain's: `app.members.pledges.create_pledge`. The new pledge is planned and
    listed in this report's pledges, where its progress can be given like any other's.
    """
    from app.members.pledges import PledgeData, create_pledge

    ensure_can_edit(actor, report)
    pledge = create_pledge(
        actor,
        report.organisation,
        PledgeData(
            title=title or "",
            indicator=indicator or "",
            target_date=target_date,
            principle_ids=[int(p) for p in principle_ids or []],
            description_md=description_md or "",
            is_public=bool(is_public),
        ),
    )
    revision = _claim_revision(actor, report, None)
    _log_edit(actor, report, revision, parts=["pledges"])
    db.session.flush()
    return pledge


# Evidence -------------------------------------------------------------------------------------


def attach_evidence(actor, report: Report, question, filename: str, data: bytes) -> Evidence:
    ensure_can_edit(actor, report)
    if question.section.cycle_id != report.cycle_id:
        raise ValidationFailed(_("This question belongs to another questionnaire."), field="file")
    item, created = evidence_files.attach(actor, report, question, filename, data)
    if created:
        revision = _claim_revision(actor, report, None)
        _log_edit(actor, report, revision, parts=[f"evidence:{question.id}"])
        db.session.flush()
    return item


def remove_evidence(actor, report: Report, evidence_id: int) -> Evidence:
    ensure_can_edit(actor, report)
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.report_id != report.id or item.removed:
        raise NotFound(_("This file is not attached to your report."))
    item.removed = True
    revision = _claim_revision(actor, report, None)
    _log_edit(actor, report, revision, parts=[f"evidence:{item.question_id}"])
    db.session.flush()
    record(actor, "report.evidence_removed", report, summary=item.filename)
    return item


# Prefill from last year ---------------------------------------------------------------------


def last_submitted_version(report: Report) -> ReportVersion | None:
    """The organisation's most recent submitted version from an earlier cycle."""
    return db.session.scalar(
        select(ReportVersion)
        .join(Report, Report.current_version_id == ReportVersion.id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .where(
            Report.organisation_id == report.organisation_id,
            ReportingCycle.year < report.cycle.year,
        )
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def prefill_from_last_year(actor, report: Report, base_revision: int) -> int:
    """Copy last year's submitted answers where the question is unchanged (same lineage,
    type and text) and still valid; never overwrite an answer already given. Evidence
    files are re-attached the same way. Returns how many answers were filled in."""
    ensure_can_edit(actor, report)
    base_revision = _check_base(report, base_revision)
    previous = last_submitted_version(report)
    if previous is None:
        raise ValidationFailed(_("There is no submitted report from an earlier year to copy."))
    data = load(report, with_pledges=False, with_comments=False)
    by_lineage = {}
    for section in previous.snapshot.get("sections", []):
        for old in section.get("questions", []):
            by_lineage[old.get("lineage")] = old
    changes: dict[str, dict] = {}
    files: list[tuple] = []
    for question in data.questions:
        old = by_lineage.get(question.lineage)
        if old is None or old.get("type") != question.type:
            continue
        if " ".join((old.get("text") or "").split()) != " ".join(question.text.split()):
            continue
        if question.type == QuestionType.EVIDENCE:
            if not data.evidence.get(question.id) and old.get("evidence"):
                files.append((question, old["evidence"]))
            continue
        value = old.get("value")
        if value is None or not answers.is_empty(data.values.get(question.id)):
            continue
        if answers.recheck(question, value) is not None:
            continue
        changes[str(question.id)] = {"old": None, "new": value}
    if not changes and not files:
        return 0
    revision = _claim_revision(actor, report, base_revision)
    now = clock.now()
    for key, change in changes.items():
        db.session.add(
            Answer(report_id=report.id, question_id=int(key), value=change["new"], updated_at=now)
        )
    parts = ["prefill"]
    for question, items in files:
        for item in items:
            if not isinstance(item, dict) or not item.get("sha256"):
                continue
            db.session.add(
                Evidence(
                    report_id=report.id,
                    question_id=question.id,
                    sha256=item["sha256"],
                    filename=item.get("filename") or "evidence",
                    content_type=item["content_type"],
                    size=item.get("size") or 0,
                    uploaded_by_id=getattr(actor, "id", None),
                )
            )
        parts.append(f"evidence:{question.id}")
    if not report.officer_name and not report.officer_title:
        report.officer_name = previous.officer_name
        report.officer_title = previous.officer_title
        parts.append("attestation")
    _log_edit(actor, report, revision, changes=changes, parts=parts)
    db.session.flush()
    record(actor, "report.prefilled", report, summary=str(len(changes)), from_version=previous.id)
    return len(changes) + sum(1 for _q, items in files if items)


# Submitting ----------------------------------------------------------------------------------


def submission_issues(data: ReportData, authorised: bool | None = None) -> list[Issue]:
    """Everything that stops this draft from being submitted, in questionnaire order."""
    issues: list[Issue] = []
    for question in data.questions:
        if not data.shown.get(question.id):
            continue
        value = data.values.get(question.id)
        message = None
        if question.required and not data.answered(question):
            message = (
                _("Attach at least one file.")
                if question.type == QuestionType.EVIDENCE
                else _("This question needs an answer.")
            )
        elif question.type != QuestionType.EVIDENCE:
            message = answers.recheck(question, value)
        if message:
            issues.append(
                Issue(
                    message=message,
                    page="section",
                    section_index=data.section_of[question.id],
                    question_id=question.id,
                    number=data.numbers[question.id],
                    text=question.text,
                    anchor=f"q-{question.id}",
                )
            )
    report = data.report
    for name, label in (
        ("officer_name", _("Name of the senior officer")),
        ("officer_title", _("Title of the senior officer")),
        ("support_statement", _("Statement of continued support")),
    ):
        if not getattr(report, name):
            issues.append(
                Issue(
                    message=_("Please fill in this part of the attestation."),
                    page="attestation",
                    text=label,
                    anchor=name,
                )
            )
    if authorised is False:
        issues.append(
            Issue(
                message=_("Confirm that you are authorised to submit this report."),
                page="submit",
                text=_("Authorisation"),
                anchor="authorised",
            )
        )
    return issues


def _snapshot_value(question, value):
    if question.type == QuestionType.EVIDENCE:
        return None
    return value


def build_snapshot(
    report: Report,
    data: ReportData | None = None,
    submitted_by=None,
    submitted_at: dt.datetime | None = None,
) -> dict:
    """The whole report as it will be stored (format: docs/architecture.md)."""
    data = data or load(report, with_comments=False)
    organisation = report.organisation
    cycle = data.cycle
    charter = cycle.charter_version
    principle_numbers = {}
    if charter is not None:
        principle_numbers = {t.principle_id: t.number for t in cycles.principle_texts(cycle)}
    sections = []
    for section in data.sections:
        principle = None
        if section.principle is not None:
            principle = {
                "id": section.principle.id,
                "key": section.principle.key,
                "number": principle_numbers.get(section.principle.id),
            }
        questions = []
        for q in section.questions:
            shown = bool(data.shown.get(q.id))
            value = _snapshot_value(q, data.values.get(q.id)) if shown else None
            files = data.evidence.get(q.id, []) if shown else []
            questions.append(
                {
                    "id": q.id,
                    "lineage": q.lineage,
                    "number": data.numbers[q.id],
                    "text": q.text,
                    "help_text": q.help_text,
                    "type": q.type,
                    "unit": q.unit,
                    "required": q.required,
                    "is_public": q.is_public,
                    "is_indicator": q.is_indicator,
                    "choices": list(q.choices or []),
                    "shown": shown,
                    "value": value,
                    "display": answers.display(q, value, len(files)) if shown else "",
                    "evidence": [
                        {
                            "id": f.id,
                            "sha256": f.sha256,
                            "filename": f.filename,
                            "content_type": f.content_type,
                            "size": f.size,
                        }
                        for f in files
                    ],
                }
            )
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "description_md": section.description_md,
                "principle": principle,
                "questions": questions,
            }
        )
    pledges = []
    for pledge in data.pledges:
        entry = data.pledge_entries.get(pledge.id)
        pledges.append(
            {
                "id": pledge.id,
                "title": pledge.title,
                "status": entry.status if entry else pledge.status,
                "note": entry.note if entry else "",
                "principles": [p.key for p in pledge.principles],
                "is_public": pledge.is_public,
            }
        )
    by = None
    if submitted_by is not None:
        by = {"id": submitted_by.id, "name": submitted_by.display_name, "email": submitted_by.email}
    return {
        "schema": SNAPSHOT_SCHEMA,
        "cycle": {"id": cycle.id, "year": cycle.year, "title": cycle.title},
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "slug": organisation.slug,
            "country": organisation.country,
            "category": organisation.category,
        },
        "charter_version": {"id": charter.id, "number": charter.number} if charter else None,
        "questionnaire_hash": cycles.questionnaire_hash(data.sections),
        "sections": sections,
        "pledges": pledges,
        "attestation": {
            "officer_name": report.officer_name,
            "officer_title": report.officer_title,
            "support_statement": report.support_statement,
            "submitted_by": by,
            "submitted_at": submitted_at.isoformat() if submitted_at else None,
        },
    }


def public_snapshot(snapshot: dict) -> dict:
    """The part of a snapshot the public sees: public, shown questions and public pledges."""
    sections = []
    for section in snapshot.get("sections", []):
        questions = [
            q for q in section.get("questions", []) if q.get("is_public") and q.get("shown")
        ]
        if questions:
            sections.append({**section, "questions": questions})
    return {
        **snapshot,
        "sections": sections,
        "pledges": [p for p in snapshot.get("pledges", []) if p.get("is_public")],
        "attestation": {
            k: v
            for k, v in (snapshot.get("attestation") or {}).items()
            if k in ("officer_name", "officer_title", "support_statement", "submitted_at")
        },
    }


def compare_snapshots(old: dict, new: dict) -> list[dict]:
    """What changed between two versions: one entry per question or part that differs."""

    def flat(snapshot):
        return {
            q["lineage"]: q
            for s in (snapshot or {}).get("sections", [])
            for q in s.get("questions", [])
        }

    before, after = flat(old), flat(new)
    changes = []
    for lineage, q in after.items():
        was = before.get(lineage)
        files_now = sorted(f["sha256"] for f in q.get("evidence", []))
        files_then = sorted(f["sha256"] for f in (was or {}).get("evidence", []))
        if was is None or was.get("value") != q.get("value") or files_now != files_then:
            changes.append(
                {
                    "kind": "question",
                    "number": q.get("number", ""),
                    "text": q["text"],
                    "before": (was or {}).get("display", ""),
                    "after": q.get("display", ""),
                }
            )
    old_pledges = {p["id"]: p for p in (old or {}).get("pledges", [])}
    for pledge in (new or {}).get("pledges", []):
        was = old_pledges.get(pledge["id"])
        if was is None or (was["status"], was["note"]) != (pledge["status"], pledge["note"]):
            changes.append(
                {
                    "kind": "pledge",
                    "number": "",
                    "text": pledge["title"],
                    "before": (was or {}).get("note", ""),
                    "after": pledge["note"],
                    "status_before": (was or {}).get("status"),
                    "status_after": pledge["status"],
                }
            )
    att_old, att_new = (old or {}).get("attestation", {}), (new or {}).get("attestation", {})
    if any(
        att_old.get(k) != att_new.get(k)
        for k in ("officer_name", "officer_title", "support_statement")
    ):
        changes.append(
            {
                "kind": "attestation",
                "number": "",
                "text": _("Attestation"),
                "before": att_old.get("officer_name", ""),
                "after": att_new.get("officer_name", ""),
            }
        )
    return changes


@contextlib.contextmanager
def _request_context():
    """Templates (mail, PDF) need a request context for the locale and URLs; services may
    run without one (the CLI, tests)."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["SERVER_URL"]):
        yield


def report_pdf(version: ReportVersion) -> bytes:
    """The PDF copy of a submitted version, as attached to the receipt."""
    from app.core.pdf import render_pdf

    with _request_context():
        html = render_template(
            "reporting/pdf/report.html",
            snapshot=version.snapshot,
            version=version,
            alliance_name=current_app.config["ALLIANCE_NAME"],
        )
    return render_pdf(html)


def pdf_filename(version: ReportVersion) -> str:
    snapshot = version.snapshot
    return f"{snapshot['organisation']['slug']}-report-{snapshot['cycle']['year']}-v{version.number}.pdf"


def _pledge_updates(
    actor,
    version: ReportVersion,
    previous: ReportVersion | None,
    pledges: dict[int, Pledge],
    now: dt.datetime,
) -> None:
    before = {p["id"]: p for p in (previous.snapshot.get("pledges", []) if previous else [])}
    for item in version.snapshot.get("pledges", []):
        pledge = pledges.get(item["id"])
        if pledge is None:
            continue
        was = before.get(item["id"])
        if was is not None and (was["status"], was["note"]) == (item["status"], item["note"]):
            continue
        from app.members.services import add_pledge_update

        add_pledge_update(
            actor, pledge, item["status"], item["note"], report_version_id=version.id, at=now
        )


def submit_report(
    actor, report: Report, authorised: bool, base_revision: int | None = None
) -> ReportVersion:
    """Validate everything and freeze the draft into the next immutable version."""
    ensure_can_edit(actor, report)
    if not cycles.may_report(report.cycle, report.organisation):
        raise PermissionDenied(
            _("%(org)s cannot submit a report in this cycle.", org=report.organisation.name)
        )
    if base_revision is not None:
        _check_base(report, base_revision)
    data = load(report, with_comments=False)
    issues = submission_issues(data, authorised=bool(authorised))
    if issues:
        raise SubmissionIncomplete(
            _(
                "The report cannot be submitted yet: %(n)d answer(s) or detail(s) are missing "
                "or invalid.",
                n=len(issues),
            ),
            issues,
        )
    now = clock.now()
    revision = _claim_revision(actor, report, report.revision)
    with _request_context():
        snapshot = build_snapshot(report, data=data, submitted_by=actor, submitted_at=now)
    previous = db.session.scalar(
        select(ReportVersion)
        .where(ReportVersion.report_id == report.id)
        .order_by(ReportVersion.number.desc())
        .limit(1)
    )
    number = (previous.number if previous else 0) + 1
    due = cycles.effective_due_date(report.cycle, report.organisation_id)
    late = now.date() > due
    version = ReportVersion(
        report_id=report.id,
        number=number,
        submitted_at=now,
        submitted_by_id=getattr(actor, "id", None),
        is_late=late,
        officer_name=report.officer_name,
        officer_title=report.officer_title,
        support_statement=report.support_statement,
        snapshot=snapshot,
        questionnaire_hash=snapshot["questionnaire_hash"],
        review_state=ReportState.SUBMITTED,
    )
    db.session.add(version)
    db.session.flush()
    for section in snapshot["sections"]:
        for q in section["questions"]:
            db.session.add(
                SubmittedAnswer(version_id=version.id, question_id=q["id"], value=q["value"])
            )
    report.state = ReportState.SUBMITTED
    report.current_version = version
    report.last_submitted_at = now
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.is_late = late
    report.accepted_at = None
    _log_edit(actor, report, revision, parts=["submitted"])
    db.session.flush()
    _pledge_updates(actor, version, previous, {p.id: p for p in data.pledges}, now)
    record(
        actor,
        "report.submitted",
        report,
        summary=f"{report.organisation.name} {report.cycle.year} v{number}",
        version=number,
        late=late,
    )
    signals.report_submitted.send(version, actor=actor)
    send_receipt(version)
    return version


def send_receipt(version: ReportVersion) -> None:
    from app.mail import Attachment, send_later

    report = version.report
    recipients = list(
        db.session.scalars(
            select(User.email)
            .where(
                User.organisation_id == report.organisation_id,
                User.role == Role.REPRESENTATIVE,
                User.active.is_(True),
                User.password_hash.is_not(None),
            )
            .order_by(User.email)
        )
    )
    if not recipients:
        return
    pdf = report_pdf(version)
    with _request_context():
        link = current_app.config["SERVER_URL"].rstrip("/") + url_for(
            "reporting.version",
            year=report.cycle.year,
            slug=report.organisation.slug,
            number=version.number,
        )
        send_later(
            recipients,
            _(
                "Receipt: %(org)s's %(year)d report (version %(n)d)",
                org=report.organisation.name,
                year=report.cycle.year,
                n=version.number,
            ),
            "report_receipt",
            attachments=[Attachment(pdf_filename(version), "application/pdf", pdf)],
            version=version,
            snapshot=version.snapshot,
            link=link,
        )


# Reading versions ---------------------------------------------------------------------------


def versions_of(report: Report) -> list[ReportVersion]:
    return list(
        db.session.scalars(
            select(ReportVersion)
            .where(ReportVersion.report_id == report.id)
            .options(selectinload(ReportVersion.submitted_by))
            .order_by(ReportVersion.number)
        )
    )


def get_version(actor, report: Report, number: int) -> ReportVersion:
    ensure_can_view(actor, report)
    version = db.session.scalar(
        select(ReportVersion).where(
            ReportVersion.report_id == report.id, ReportVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_("This version does not exist."))
    return version


def pledge_history_for(version: ReportVersion) -> list[PledgeUpdate]:
    return list(
        db.session.scalars(select(PledgeUpdate).where(PledgeUpdate.report_version_id == version.id))
    )
