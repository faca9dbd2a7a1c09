"""One unit of work per request, command and job, kept in one place.

Services flush and never commit. The boundary decides, once, at the end:

* **requests** (`init_app`): a response with a status below 400 commits; anything else
  (a form shown again with its errors, a refused action, an error page) rolls back. A commit
  that fails becomes the error page, so nothing is half saved: a 503 with Retry-After when
  the database was busy or locked (`app.db.is_busy_error`, `app.factory`). The mail outbox is flushed by
  the commit (`app.mail`).
* **commands and jobs** (`unit_of_work()`): commit when the block ends normally, roll back
  on any exception, which propagates.

Views that show a form again after a refused service call use `refusal_into(form)`: it
rolls back at once (so the page shown does not read half-made changes), puts the message
next to the field and leaves the response's 4xx status to the boundary.

A view that must keep a change although it answers with an error says so where it does it,
with `db.session.commit()` and a comment (the attestation kept when a submission is
refused is the one case).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Response

from app.core.forms import apply_domain_error
from app.db import db
from app.errors import DomainError


def init_app(app: Flask) -> None:
    # Registered first among the after_request functions that touch the database, so it
    # runs last (Flask runs them in reverse), after every hook that might still write.
    @app.after_request
    def _end_unit_of_work(response: Response) -> Response:
        if not db.session.registry.has():
            # The request never opened a database session (a static file, a page-cache hit,
            # an answer from no data): nothing to commit or roll back. Asking the session
            # would create one, begin and end an empty transaction, and close it again.
            return response
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@dataclass
class Refusal:
    """What `refusal_into` caught: falsy while the block succeeded."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def errors(self) -> dict:
        return self.error.errors if self.error is not None else {}

    @property
    def status(self) -> int:
        return self.error.status_code if self.error is not None else 200


@contextmanager
def refusal_into(form=None, catch: type[DomainError] | tuple = DomainError) -> Iterator[Refusal]:
    """Run a service call; if the domain refuses it, roll back at once, put the message on
    `form` (next to its field, or at the top) and carry on with the error in the refusal.

        with refusal_into(form) as refused:
            cycle = cycles.create_cycle(actor, ...)
        if not refused:
            return redirect(...)
        return render_template(...), error_status(form)
    """
    refusal = Refusal()
    try:
        yield refusal
    except catch as error:
        db.session.rollback()
        if form is not None:
            apply_domain_error(form, error)
        refusal.error = error
