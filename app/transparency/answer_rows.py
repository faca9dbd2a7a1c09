"""Keeping the public answers read model (`public_answers`, `answer_tallies`, and through
answer_counts.py `answer_filter_counts`) equal to what it copies, with the writes that
change it (docs/architecture.md, "The public answers read model").

After every flush that writes a report (its state, its current version), a version (its
review state), a submitted answer or one of an organisation's copied columns, the touched
reports' rows are written again from the source tables (one DELETE, one INSERT … SELECT)
and the tallies are moved by the difference (one GROUP BY before, one after, one upsert);
an organisation's change updates its rows in place (one UPDATE). `rebuild` recomputes
both tables (`flask pactum reindex`, through `reindex_all`). Everything runs on the
flushing session's connection, inside its transaction: never a commit.

Deleting an organisation or a report removes its rows by cascade but leaves the tallies
counting them until the next `flask pactum reindex` (no service deletes either once a
report was accepted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import (
    Connection,
    Text,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session, attributes

from app.charter.models import PrincipleText
from app.db import add_to_counts, indexes_set_aside
from app.members.models import Organisation
from app.reporting.models import (
    Question,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    SubmittedAnswer,
)
from app.transparency import answer_counts
from app.transparency.models import AnswerTally, PublicAnswerRow

EMPTY_VALUES = ("null", '""', "[]")
# The types whose figures read each value's count; the others are counted as one total.
SUMMARISED = ("yes_no", "single_choice", "multiple_choice", "number")
# The organisation's columns the rows copy.
MEMBER_COLUMNS = ("name", "name_key", "slug", "country", "category", "sector_id", "status")
MEMBER_COLUMNS_ALL = (*MEMBER_COLUMNS, "joined_on")
_ROWS = PublicAnswerRow.__table__
_TALLIES = AnswerTally.__table__


def _source(where=None):
    """The rows as the source tables say, for the reports matching `where` (all if None)."""
    evidence = Question.type == "evidence"
    value = cast(SubmittedAnswer.value, Text)
    has_value = and_(SubmittedAnswer.value.is_not(None), value.not_in(EMPTY_VALUES))
    columns = {
        "answer_id": SubmittedAnswer.id,
        "report_id": Report.id,
        "organisation_id": Organisation.id,
        **{name: getattr(Organisation, name) for name in MEMBER_COLUMNS_ALL},
        "year": ReportingCycle.year,
        "question_id": Question.id,
        "lineage": Question.lineage,
        "question_type": Question.type,
        "principle_id": Section.principle_id,
        "principle_number": PrincipleText.number,
        "section_position": Section.position,
        "question_position": Question.position,
        "value": case((evidence, null()), else_=SubmittedAnswer.value),
        "language": SubmittedAnswer.language,
        "has_value": case((and_(has_value, ~evidence), literal(True)), else_=literal(False)),
    }
    statement = (
        select(*[c.label(name) for name, c in columns.items()])
        .select_from(SubmittedAnswer)
        .join(ReportVersion, ReportVersion.id == SubmittedAnswer.version_id)
        .join(Report, Report.current_version_id == ReportVersion.id)
        .join(Question, Question.id == SubmittedAnswer.question_id)
        .join(Section, Section.id == Question.section_id)
        .join(ReportingCycle, ReportingCycle.id == Report.cycle_id)
        .join(Organisation, Organisation.id == Report.organisation_id)
        .outerjoin(
            PrincipleText,
            and_(
                PrincipleText.version_id == ReportingCycle.charter_version_id,
                PrincipleText.principle_id == Section.principle_id,
            ),
        )
        .where(
            Report.state == "accepted",
            ReportVersion.review_state == "accepted",
            Section.cycle_id == Report.cycle_id,
            Question.is_public.is_(True),
        )
    )
    if where is not None:
        statement = statement.where(where)
    return list(columns), statement


def _grouped(where=None):
    """(question id, tallied value, count) of the rows matching `where`: the value as
    stored for the summarised types, "" for the others ("null" for a NULL)."""
    value = case(
        (_ROWS.c.question_type.in_(SUMMARISED), cast(_ROWS.c.value, Text)), else_=literal("")
    )
    rows = select(_ROWS.c.question_id, func.coalesce(value, "null").label("value"))
    if where is not None:
        rows = rows.where(where)
    rows = rows.subquery()
    return select(rows.c.question_id, rows.c.value, func.count()).group_by(
        rows.c.question_id, rows.c.value
    )


def _tallied(connection: Connection, where) -> Counter:
    return Counter({(q, v): n for q, v, n in connection.execute(_grouped(where))})


def _apply(connection: Connection, deltas: Counter) -> None:
    add_to_counts(connection, _TALLIES, ("question_id", "value"), deltas)


def refresh_reports(connection: Connection, report_ids: Iterable[int]) -> None:
    """Write the rows of these reports again, and move the tallies by the difference."""
    ids = sorted(set(report_ids))
    if not ids:
        return
    mine = _ROWS.c.report_id.in_(ids)
    before = _tallied(connection, mine)
    cells_before = answer_counts.grouped(connection, mine)
    connection.execute(delete(_ROWS).where(mine))
    names, statement = _source(Report.id.in_(ids))
    connection.execute(insert(_ROWS).from_select(names, statement))
    after = _tallied(connection, mine)
    after.subtract(before)
    _apply(connection, after)
    cells = answer_counts.grouped(connection, mine)
    cells.subtract(cells_before)
    answer_counts.apply(connection, cells)


def refresh_members(connection: Connection, organisation_ids: Iterable[int]) -> None:
    """Copy these organisations' columns into their rows again."""
    o = Organisation.__table__
    ids = sorted(set(organisation_ids))
    if not ids:
        return
    theirs = _ROWS.c.organisation_id.in_(ids)
    before = answer_counts.grouped(connection, theirs)
    for org_id in ids:
        values = {
            name: select(o.c[name]).where(o.c.id == org_id).scalar_subquery()
            for name in MEMBER_COLUMNS_ALL
        }
        connection.execute(update(_ROWS).where(_ROWS.c.organisation_id == org_id).values(**values))
    cells = answer_counts.grouped(connection, theirs)
    cells.subtract(before)
    answer_counts.apply(connection, cells)


def rebuild(connection: Connection) -> int:
    """Recompute both tables from the source tables; the number of answer rows."""
    connection.execute(delete(_TALLIES))
    names, statement = _source()
    with indexes_set_aside(connection, _ROWS):
        connection.execute(delete(_ROWS))
        connection.execute(insert(_ROWS).from_select(names, statement))
    connection.execute(insert(_TALLIES).from_select(["question_id", "value", "n"], _grouped()))
    answer_counts.rebuild(connection)
    return connection.execute(select(func.count()).select_from(_ROWS)).scalar() or 0


# Kept with the writes ---------------------------------------------------------------------


def _changed(obj, names: Iterable[str]) -> bool:
    return any(attributes.get_history(obj, name).has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep_rows(session: Session, flush_context) -> None:
    reports: set[int] = set()
    versions: set[int] = set()
    members: set[int] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Report):
            if obj in session.new or _changed(obj, ("state", "current_version_id", "cycle_id")):
                reports.add(obj.id)
        elif isinstance(obj, ReportVersion):
            if obj not in session.new and _changed(obj, ("review_state",)):
                reports.add(obj.report_id)
        elif isinstance(obj, SubmittedAnswer):
            versions.add(obj.version_id)
        elif (
            isinstance(obj, Organisation)
            and obj not in session.new
            and _changed(obj, MEMBER_COLUMNS_ALL)
        ):
            members.add(obj.id)
    if not (reports or versions or members):
        return
    connection = session.connection()
    if versions:
        reports.update(
            connection.execute(
                select(ReportVersion.report_id).where(ReportVersion.id.in_(sorted(versions)))
            ).scalars()
        )
    refresh_members(connection, members)
    refresh_reports(connection, reports)
