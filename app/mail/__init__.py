"""Email that is never lost.

Services call `send_later(...)`: the message is written to the outbox table in the same
transaction as the change that causes it (a rollback drops both), and delivered from there
after the commit, with retries and back-off (`app.mail.delivery`). The secretariat sees
failed messages at /secretariat/mail and can send them again (`app.mail.views`). A slow
attachment (a receipt's PDF) is stored as a recipe and laid out by the deliverer, after the
commit (`app.mail.deferred`).
"""

from app.mail.deferred import RenderLater, renderer
from app.mail.outbox import (
    Attachment,
    is_suppressed,
    send_later,
    suppressed,
    wake_after_commit,
)

__all__ = [
    "Attachment",
    "RenderLater",
    "is_suppressed",
    "renderer",
    "send_later",
    "suppressed",
    "wake_after_commit",
]
