"""Attachments laid out when the mail is delivered, not when it is written.

A receipt's PDF takes WeasyPrint seconds. Laid out inside the transaction that causes the
mail (a report's submission), it held the database's write lock that long, and on SQLite
every other writer of the deadline day waited and timed out ("database is locked").

So a slow attachment is written to the outbox as a recipe: `RenderLater(filename,
content_type, renderer, params, locale)` becomes an outbox attachment of content type
`RENDER_LATER` whose data is the recipe as JSON (a renderer's name, plain parameters such as
a version id, the locale the mail was written in). The outbox row itself is still written in
the causing transaction, so no mail is lost: a process that dies right after the commit
leaves a due message that the next delivery round sends. The deliverer (its own session,
after the commit) lays the attachment out with the renderer registered under that name,
in that locale, and keeps the bytes on the row, so a retry sends the same file without
laying it out again. A renderer that fails counts as a failed attempt: retried with
back-off, then listed for the secretariat like any failed message.

Renderers register with `@renderer("name")` from the notification layer that writes the mail
(`app.reporting.filling.notifications`): the mail package knows no domain.

Why not render after the commit and write the outbox row then, in a second transaction?
A crash (or a lock timeout) between the two commits would lose the receipt silently; the
recipe keeps the row in the causing transaction and costs nothing extra to store.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.mail.models import OutboxAttachment, OutboxMessage

RENDER_LATER = "application/vnd.pactum.render-later+json"

Renderer = Callable[[Session, dict], bytes]
_renderers: dict[str, Renderer] = {}


@dataclass
class RenderLater:
    """An attachment the deliverer lays out: `renderer(session, params) -> bytes`."""

    filename: str
    content_type: str  # of the finished attachment ("application/pdf")
    renderer: str
    params: dict = field(default_factory=dict)  # JSON values only: ids, never objects
    locale: str | None = None  # the language the mail was written in


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register the function that lays out attachments written as `RenderLater(..., name)`."""

    def register(function: Renderer) -> Renderer:
        _renderers[name] = function
        return function

    return register


def as_row(attachment: RenderLater) -> OutboxAttachment:
    recipe = {
        "renderer": attachment.renderer,
        "content_type": attachment.content_type,
        "params": attachment.params,
        "locale": attachment.locale,
    }
    return OutboxAttachment(
        filename=attachment.filename,
        content_type=RENDER_LATER,
        data=json.dumps(recipe, sort_keys=True).encode(),
    )


def is_pending(attachment: OutboxAttachment) -> bool:
    return attachment.content_type == RENDER_LATER


def render_pending(session: Session, message: OutboxMessage) -> None:
    """Lay out the message's attachments still written as recipes, in place (the caller's
    commit keeps the bytes). Raises what a renderer raises: the attempt then fails."""
    for attachment in message.attachments:
        if not is_pending(attachment):
            continue
        recipe = json.loads(attachment.data)
        render = _renderers.get(recipe["renderer"])
        if render is None:
            raise LookupError(f"no renderer registered for {recipe['renderer']!r}")
        locale = recipe.get("locale")
        with force_locale(locale) if locale else nullcontext():
            data = render(session, recipe.get("params") or {})
        attachment.data = data
        attachment.content_type = recipe["content_type"]
