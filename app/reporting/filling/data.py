"""Everything a report page needs, loaded in a constant number of queries (`load`), and the
representative's dashboard summary of their reports (`obligations`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.db import db
from app.members.models import Organisation, Pledge, PledgeStatus
from app.reporting import answers, cycles
from app.reporting.filling.standing import obligations_summary, standing
from app.reporting.models import (
    Answer,
    Evidence,
    Report,
    ReportingCycle,
    ReportPledge,
    ReportState,
    ReportVersion,
    ReviewComment,
)

OPEN_PLEDGE_STATUSES = (PledgeStatus.PLANNED, PledgeStatus.IN_PROGRESS)


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
    languages: dict[int, str | None] = field(default_factory=dict)  # what each answer is in

    def comments_in(self, section) -> int:
        """How many of the secretariat's comments are about questions of `section`."""
        return sum(len(self.comments.get(q.id, ())) for q in section.questions)

    def comment_list(self) -> list[tuple[object, ReviewComment]]:
        """(question, comment) for every comment on a question, in questionnaire order."""
        return [(q, c) for q in self.questions for c in self.comments.get(q.id, ())]

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
    stored = list(db.session.scalars(select(Answer).where(Answer.report_id == report.id)))
    values = {a.question_id: a.value for a in stored}
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
        languages={a.question_id: a.language for a in stored},
    )
    if with_pledges:
        data.pledges, data.pledge_entries = pledges_of(report)
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


def version_state(version: ReportVersion, report: Report) -> str:
    """A version's true state (a `version_state` label code): the review's decision,
    "submitted" for the current one awaiting review, "superseded" for an older one that a
    newer version replaced before anyone reviewed it."""
    if version.review_state == ReportState.SUBMITTED and version.id != report.current_version_id:
        return "superseded"
    return version.review_state


def pledges_of(report: Report) -> tuple[list[Pledge], dict[int, ReportPledge]]:
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


def obligations(organisation: Organisation) -> dict | None:
    """The organisation's report in the open cycle (due date, state, progress) and its
    reports of earlier cycles (the ten latest); None when it has neither. Plain records
    (`standing`); the dashboard shares the standing between its panels instead."""
    return obligations_summary(standing(organisation.id), organisation)
