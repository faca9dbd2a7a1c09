"""Domain errors raised by services and turned into HTTP answers by the views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. Carries a user-facing message.

    `field` names the form field the message belongs next to, when there is one.
    """

    status_code = 400

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class ValidationFailed(DomainError):
    status_code = 422


class Conflict(DomainError):
    status_code = 409


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404
