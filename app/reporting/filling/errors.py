"""What the filling-in services refuse with, beyond the generic domain errors."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.errors import Conflict, DomainError, NotFound, ValidationFailed


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


class FilesRefused(ValidationFailed):
    """Some chosen files could not be attached; `file_errors` maps question id -> message."""

    def __init__(self, file_errors: dict[int, str]):
        super().__init__(
            _(
                "Some files could not be attached. Your answers were not saved "
                "either: please check them and save again."
            )
        )
        self.file_errors = file_errors


class NoSuchPage(NotFound):
    """The cycle or the section a page names does not exist (the page's 404, never a
    refusal shown inside the page)."""
