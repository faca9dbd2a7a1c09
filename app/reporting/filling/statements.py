"""The SQL of the save path, built once: building and hashing a statement costs more Python
time than SQLite takes to run it. The autosave runs for every representative while they
type (issue 7), so its statements are Core statements on the tables, not ORM queries."""

from __future__ import annotations

import functools

from sqlalchemy import (
    JSON,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from app.reporting.models import Answer, Evidence, Report, ReportEdit, ReportingCycle

REPORTS = Report.__table__
ANSWERS = Answer.__table__
EVIDENCE = Evidence.__table__
CLAIM_FROM = (
    update(REPORTS)
    .where(REPORTS.c.id == bindparam("b_id"), REPORTS.c.revision == bindparam("b_base"))
    .values(
        revision=bindparam("b_next", type_=REPORTS.c.revision.type),
        updated_at=bindparam("b_at", type_=REPORTS.c.updated_at.type),
        updated_by_id=bindparam("b_by", type_=REPORTS.c.updated_by_id.type),
    )
    .returning(REPORTS.c.revision)
)
CLAIM_NEXT = (
    update(REPORTS)
    .where(REPORTS.c.id == bindparam("b_id"))
    .values(
        revision=REPORTS.c.revision + 1,
        updated_at=bindparam("b_at", type_=REPORTS.c.updated_at.type),
        updated_by_id=bindparam("b_by", type_=REPORTS.c.updated_by_id.type),
    )
    .returning(REPORTS.c.revision)
)
DRAFT_VALUES = select(ANSWERS.c.question_id, ANSWERS.c.value).where(
    ANSWERS.c.report_id == bindparam("b_report")
)
QUESTIONS_WITH_FILES = (
    select(EVIDENCE.c.question_id)
    .where(EVIDENCE.c.report_id == bindparam("b_report"), EVIDENCE.c.removed.is_(False))
    .distinct()
)
UPDATE_ANSWER = (
    update(ANSWERS)
    .where(
        ANSWERS.c.report_id == bindparam("b_report"), ANSWERS.c.question_id == bindparam("b_qid")
    )
    .values(
        value=bindparam("b_value", type_=ANSWERS.c.value.type),
        language=bindparam("b_language", type_=ANSWERS.c.language.type),
        updated_at=bindparam("b_at", type_=ANSWERS.c.updated_at.type),
    )
)
INSERT_ANSWERS = insert(ANSWERS)
DELETE_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.report_id == bindparam("b_report"),
    ANSWERS.c.question_id.in_(bindparam("b_qids", expanding=True)),
)
INSERT_EDIT = insert(ReportEdit.__table__)


# On PostgreSQL a save is one statement, not three: the revision claim, the answer writes and
# the edit-log entry ride in data-modifying CTEs, each conditional on the claim (when the draft
# moved on, the claim updates no row and nothing else is written). Every statement is a round
# trip to the server, and in the deadline rush the round trips, not the work, were most of a
# save's cost (issue 7). SQLite runs statements in process and takes the three.
SAVE_IN_ONE_STATEMENT = text("""
WITH claim AS (
    UPDATE reports SET revision = :next, updated_at = :at, updated_by_id = CAST(:by AS integer)
    WHERE id = :report AND revision = :base
    RETURNING id, revision
), stored AS (
    INSERT INTO answers (report_id, question_id, value, language, updated_at)
    SELECT claim.id, new.question_id, CAST(new.value AS json), CAST(:language AS text), :at
    FROM claim, unnest(CAST(:store_ids AS integer[]), CAST(:store_values AS text[]))
        AS new(question_id, value)
    ON CONFLICT (report_id, question_id)
        DO UPDATE SET value = EXCLUDED.value, language = EXCLUDED.language,
            updated_at = EXCLUDED.updated_at
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


@functools.lru_cache(maxsize=4)
def cycle_report_and_answers(dialect: str) -> Select:
    """Built once per kind of database: the cycle, the organisation's report in it, the
    report's answers as one JSON array of [question id, value] pairs (PostgreSQL's json_agg,
    SQLite's json_group_array) and, as a JSON array, the questions that have a file attached
    (what the progress after a save counts): the autosave's whole read in one round trip."""
    a = ANSWERS.c
    e = EVIDENCE.c
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(a.question_id, a.value))
        filed = func.json_agg(e.question_id.distinct())
    else:
        pairs = func.json_group_array(func.json_array(a.question_id, func.json(a.value)))
        filed = func.json_group_array(e.question_id.distinct())
    answers_of_report = type_coerce(
        select(pairs).where(a.report_id == Report.id).scalar_subquery(), JSON
    )
    files_of_report = type_coerce(
        select(filed).where(e.report_id == Report.id, e.removed.is_(False)).scalar_subquery(),
        JSON,
    )
    return (
        select(ReportingCycle, Report, answers_of_report, files_of_report)
        .outerjoin(
            Report,
            and_(
                Report.cycle_id == ReportingCycle.id, Report.organisation_id == bindparam("b_org")
            ),
        )
        .where(ReportingCycle.year == bindparam("b_year"))
    )
