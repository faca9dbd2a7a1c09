"""What the filling-in services refuse with, beyond the generic domain errors."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Some posted answers cannot be stored; `errors` maps question id -> [message];
    `file_errors` (question id -> message) what is wrong with the files chosen with them."""

    file_errors: dict[int, str]

    def __init__(self, message: str, errors=None, file_errors=None, **kwargs):
        super().__init__(message, errors=errors, **kwargs)
        self.file_errors = dict(file_errors or {})


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


class NoSuchPage(NotFound):
    """The cycle or the section a page names does not exist (the page's 404, never a
    refusal shown inside the page)."""
