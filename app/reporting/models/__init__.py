"""Reporting cycles, questionnaires, reports (drafts and submitted versions), evidence,
review, extensions and reminders: one module per part, every model importable from here.

* `cycles`: ReportingCycle, Section, Question (the questionnaire);
* `reports`: Report and its draft (Answer, Evidence, ReportEdit, ReportPledge), its
  submitted versions (ReportVersion, SubmittedAnswer) and the review's ReviewComment;
* `deadlines`: Extension, ReminderLog, DeadlineEvent;
* `translations`: QuestionnaireTranslation (a questionnaire's texts in other languages).
"""

from app.reporting.models.cycles import (
    CycleStatus,
    Question,
    QuestionType,
    ReportingCycle,
    Section,
)
from app.reporting.models.deadlines import (
    DeadlineEvent,
    DeadlineEventKind,
    Extension,
    ExtensionState,
    ReminderLog,
)
from app.reporting.models.reports import (
    Answer,
    Evidence,
    Report,
    ReportEdit,
    ReportPledge,
    ReportState,
    ReportVersion,
    ReviewComment,
    SubmittedAnswer,
)
from app.reporting.models.translations import QuestionnaireTranslation

__all__ = [
    "Answer",
    "CycleStatus",
    "DeadlineEvent",
    "DeadlineEventKind",
    "Evidence",
    "Extension",
    "ExtensionState",
    "Question",
    "QuestionType",
    "QuestionnaireTranslation",
    "ReminderLog",
    "Report",
    "ReportEdit",
    "ReportPledge",
    "ReportState",
    "ReportVersion",
    "ReportingCycle",
    "ReviewComment",
    "Section",
    "SubmittedAnswer",
]
