"""Saving a draft: answers (the autosave and the section page), the attestation.

The save path runs for every autosave of every representative, so it is kept lean: the
questionnaire comes from a per-process cache once the cycle is open (it is frozen then:
`cycles.ensure_editable`), the draft's answers are read as plain (question, value) pairs,
and only the answers that changed are written, in at most one statement per kind of change
(UPDATE, INSERT, DELETE), after the conditional revision claim (the optimistic lock). On
PostgreSQL the claim, the writes and the edit log are one statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.core.languages import current_language, is_language
from app.db import db, read
from app.errors import NotFound, ValidationFailed
from app.reporting import answers
from app.reporting.filling.access import ensure_can_edit, find_draft, my_report, started
from app.reporting.filling.errors import AnswersInvalid, ForeignAnswers, NoSuchPage
from app.reporting.filling.evidence import attach_evidence, check_file, remove_evidence
from app.reporting.filling.questionnaire import Questionnaire, questionnaire_for_saving
from app.reporting.filling.revisions import check_base, claim_revision, log_edit, stale_error
from app.reporting.filling.statements import (
    DELETE_ANSWERS,
    DRAFT_VALUES,
    INSERT_ANSWERS,
    INSERT_EDIT,
    QUESTIONS_WITH_FILES,
    SAVE_IN_ONE_STATEMENT,
    UPDATE_ANSWER,
)
from app.reporting.models import Answer, CycleStatus, Evidence, QuestionType, Report

OFFICER_MAX = 200
STATEMENT_MAX = 5000


@dataclass
class DraftState:
    """The draft's answers after a save, with what the page shows about them."""

    revision: int
    changed: bool
    questionnaire: Questionnaire
    values: dict[int, object]
    with_files: set[int]  # evidence questions that have at least one file
    section: tuple = ()  # the questions of the section saved (an autosave's)
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
    return progress_of(report.cycle, report.id, report.revision)


def progress_of(cycle, report_id: int, revision: int) -> tuple[int, int]:
    """`draft_progress` from plain values: `cycle` needs `id`, `status` and `opened_at`."""
    questionnaire = questionnaire_for_saving(cycle)
    # Plain columns: through `read`, past the ORM's execution layer (the dashboard, issue 20).
    values = dict(read(DRAFT_VALUES, {"b_report": report_id}).all())
    with_files = set(read(QUESTIONS_WITH_FILES, {"b_report": report_id}).scalars())
    return DraftState(revision, False, questionnaire, values, with_files).progress()


def save_answers(
    actor, report: Report, raw: dict, base_revision: int, language: str | None = None
) -> Report:
    """Store the posted answers (`{question id: str | list[str]}`) as the new draft.

    Answers to questions of another questionnaire are refused (400); invalid values raise
    AnswersInvalid with a message per question; a stale `base_revision` raises StaleDraft.
    In every error case nothing is stored. `language`: the one the answers are written in
    (the representative's interface language; by default the current one).
    """
    store_answers(actor, report, raw, base_revision, language=language)
    return report


def store_answers(
    actor,
    report: Report,
    raw: dict,
    base_revision,
    questionnaire: Questionnaire | None = None,
    with_progress: bool = False,
    stored: dict[int, object] | None = None,
    language: str | None = None,
    files: set[int] | None = None,
) -> DraftState:
    """`save_answers`, returning the draft's state: its revision, every answer, and (with
    `with_progress`) which evidence questions have files, for the progress shown after an
    autosave. A constant number of statements, however many questions or answers.
    `stored`, `files`: the report's answers and its questions with files as read together
    with it (`find_draft`), else read here.
    `language`: the language the changed answers are written in (default: the current one,
    `app.core.languages.current_language()`)."""
    ensure_can_edit(actor, report)
    base_revision = check_base(report, base_revision)
    if questionnaire is None:
        questionnaire = questionnaire_for_saving(report.cycle)
    parsed = _parse_answers(questionnaire, raw)
    db.session.flush()  # Core statements below: write pending ORM changes first, as autoflush would
    values: dict[int, object] = dict(
        db.session.execute(DRAFT_VALUES, {"b_report": report.id}).all()
        if stored is None
        else stored
    )
    with_files: set[int] = set()
    if with_progress and questionnaire.files_count:
        with_files = (
            set(db.session.scalars(QUESTIONS_WITH_FILES, {"b_report": report.id}))
            if files is None
            else files
        )
    changes = _changes(values, parsed)
    if not changes:
        return DraftState(report.revision, False, questionnaire, values, with_files)
    now = clock.now()
    written = Written(now, language if is_language(language) else current_language())
    if db.session.connection().dialect.name == "postgresql":
        revision = _save_in_one_statement(actor, report, base_revision, changes, written)
    else:
        revision = _save_in_three_statements(actor, report, base_revision, changes, values, written)
    for key, change in changes.items():
        if change["new"] is None:
            values.pop(int(key), None)
        else:
            values[int(key)] = change["new"]
    _sync_loaded_answers(report, changes, written)
    return DraftState(revision, True, questionnaire, values, with_files)


class Written(NamedTuple):
    """When and in which language a save writes its answers."""

    at: dt.datetime
    language: str


def _parse_answers(questionnaire: Questionnaire, raw: dict | None) -> dict[int, object]:
    """The posted answers as stored values; ForeignAnswers for a question of another
    questionnaire, AnswersInvalid listing every value that cannot be stored."""
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
    return parsed


def _changes(values: dict[int, object], parsed: dict[int, object]) -> dict[str, dict]:
    """{question id as text: {"old", "new"}} for the answers that differ from the stored
    ones (a value of another type counts as a change: 1 is not 1.0 once stored as JSON)."""
    changes = {}
    for qid, value in parsed.items():
        old = values.get(qid)
        if old != value or (old is not None and type(old) is not type(value)):
            changes[str(qid)] = {"old": old, "new": value}
    return changes


def _save_in_three_statements(
    actor,
    report: Report,
    base_revision: int,
    changes: dict,
    stored: dict[int, object],
    written: Written,
) -> int:
    """Claim the next revision, write the changed answers (`stored`: the draft's answers
    before the save) and log the edit; the new revision."""
    revision = claim_revision(actor, report, base_revision)
    now, language = written
    updated, inserted, deleted = [], [], []
    for key, change in changes.items():
        qid = int(key)
        if change["new"] is None:
            deleted.append(qid)
        elif qid in stored:
            updated.append(
                {
                    "b_report": report.id,
                    "b_qid": qid,
                    "b_value": change["new"],
                    "b_language": language,
                    "b_at": now,
                }
            )
        else:
            inserted.append(
                {
                    "report_id": report.id,
                    "question_id": qid,
                    "value": change["new"],
                    "language": language,
                    "updated_at": now,
                }
            )
    if updated:
        db.session.execute(UPDATE_ANSWER, updated)
    if inserted:
        db.session.execute(INSERT_ANSWERS, inserted)
    if deleted:
        db.session.execute(DELETE_ANSWERS, {"b_report": report.id, "b_qids": deleted})
    db.session.execute(
        INSERT_EDIT,
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


def _save_in_one_statement(
    actor, report: Report, base_revision: int, changes: dict, written: Written
) -> int:
    """`claim_revision` and the writes after it, as one PostgreSQL statement."""
    by = getattr(actor, "id", None)
    stored = [(int(k), json.dumps(c["new"])) for k, c in changes.items() if c["new"] is not None]
    new = db.session.execute(
        SAVE_IN_ONE_STATEMENT,
        {
            "report": report.id,
            "base": base_revision,
            "next": base_revision + 1,
            "at": written.at,
            "language": written.language,
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


def _sync_loaded_answers(report: Report, changes: dict, written: Written) -> None:
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
                set_committed_value(obj, "language", written.language)
                set_committed_value(obj, "updated_at", written.at)
    if "answers" in report.__dict__:
        db.session.expire(report, ["answers"])


def set_attestation(
    actor, report: Report, officer_name, officer_title, support_statement, base_revision
) -> Report:
    ensure_can_edit(actor, report)
    base_revision = check_base(report, base_revision)
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
    revision = claim_revision(actor, report, base_revision)
    report.officer_name, report.officer_title, report.support_statement = name, title, statement
    log_edit(actor, report, revision, parts=["attestation"])
    db.session.flush()
    return report


# One call per user action ------------------------------------------------------------------


def answers_from_form(questions, form: Mapping[str, list[str]]) -> dict[int, object]:
    """The answers to these questions (a section's) in a posted form (`{field name: [values]}`,
    as `MultiDict.to_dict(flat=False)` gives it); answers to any other question are refused."""
    expected = {f"q-{q.id}": q for q in questions if q.type != QuestionType.EVIDENCE}
    for key in form:
        if key.startswith("q-") and key not in expected:
            raise ForeignAnswers(
                _(
                    "Some answers belong to another questionnaire or section. Reload the page "
                    "and try again."
                )
            )
    raw = {}
    for name, question in expected.items():
        posted = form.get(name) or []
        if question.type == QuestionType.MULTIPLE_CHOICE:
            raw[question.id] = list(posted)
        else:
            raw[question.id] = posted[0] if posted else ""
    return raw


def autosave(
    actor, year: int, index: int, form: Mapping[str, list[str]], base_revision
) -> DraftState:
    """The autosave of section `index` of the actor's report of `year`: the answers posted
    in `form` become the draft (the first save starts the report). It runs while people
    type, so it stays lean: one query for the cycle, the report, its answers and files, the
    questionnaire from the per-process cache, nothing loaded again after the save.

    NoSuchPage when the cycle or the section does not exist; the refusals of `store_answers`
    (StaleDraft, AnswersInvalid, ForeignAnswers, ...) otherwise."""
    cycle, report, stored, files = find_draft(year, actor.organisation_id)
    if cycle is None or cycle.status == CycleStatus.DRAFT:
        raise NoSuchPage(_("There is no reporting cycle for %(year)s.", year=year))
    questionnaire = questionnaire_for_saving(cycle)
    if not 1 <= index <= len(questionnaire.sections):
        raise NoSuchPage(_("This report has no section %(n)d.", n=index))
    section = questionnaire.sections[index - 1]
    raw = answers_from_form(section, form)
    if report is None:  # the first save starts the report
        _cycle, report, _exists = my_report(actor, year)
        report = started(actor, report)
    state = store_answers(
        actor,
        report,
        raw,
        base_revision,
        questionnaire,
        with_progress=True,
        stored=stored,
        files=files,
    )
    state.section = section
    return state


@dataclass
class SectionSave:
    """What a section page's save did: the report (started at its first save), and the
    files it refused (question id -> message; the answers were saved all the same)."""

    report: Report
    file_errors: dict[int, str] = field(default_factory=dict)


def save_section(
    actor,
    report: Report,
    section,
    raw: dict,
    base_revision,
    uploads=(),
    remove_id: int | None = None,
) -> SectionSave:
    """The section page's save: the answers (`raw`, see `answers_from_form`), then the
    chosen files (`uploads`: (question, filename, bytes)) and the removal of file
    `remove_id`. Starts the report at its first save.

    A refused file does not cost the answers: they are saved, each file that can be
    attached is, and each refused one is listed in `file_errors` (its own writes rolled
    back to a savepoint). Invalid answers raise AnswersInvalid, which also lists what is
    wrong with the chosen files, and nothing is stored."""
    report = started(actor, report)
    try:
        save_answers(actor, report, raw, base_revision)
    except AnswersInvalid as error:
        error.file_errors = _check_uploads(uploads)
        raise
    file_errors: dict[int, str] = {}
    for question, filename, data in uploads:
        try:
            with db.session.begin_nested():
                attach_evidence(actor, report, question, filename, data)
        except ValidationFailed as error:
            _add_error(file_errors, question.id, error.message)
    if remove_id is not None:
        item = db.session.get(Evidence, remove_id)
        if item is None or item.report_id != report.id or item.question.section_id != section.id:
            raise NotFound(_("This file is not attached to this section of your report."))
        remove_evidence(actor, report, remove_id)
    return SectionSave(report, file_errors)


def _check_uploads(uploads) -> dict[int, str]:
    """What is wrong with each chosen file, without storing any (question id -> message)."""
    file_errors: dict[int, str] = {}
    for question, filename, data in uploads:
        try:
            check_file(filename, data)
        except ValidationFailed as error:
            _add_error(file_errors, question.id, error.message)
    return file_errors


def _add_error(file_errors: dict[int, str], question_id: int, message: str) -> None:
    """One message per question, however many of its files were refused."""
    earlier = file_errors.get(question_id)
    file_errors[question_id] = f"{earlier} {message}" if earlier else message
