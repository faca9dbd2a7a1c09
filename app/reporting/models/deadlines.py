"""Deadlines: extensions asked for and granted, reminders sent, and the consequences
`pactum tick` applied."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db, utcnow
from app.reporting.models.cycles import ReportingCycle


class ExtensionState(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Extension(db.Model):
    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_cycles.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=ExtensionState.PENDING, index=True)
    new_due_on: Mapped[dt.date | None]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # Issue 5 part B: the date the representative asks for (optional; the secretariat decides).
    requested_due_on: Mapped[dt.date | None]

    cycle: Mapped[ReportingCycle] = relationship()
    organisation = relationship("Organisation")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class ReminderLog(db.Model):
    """One row per reminder sent: makes `pactum tick` idempotent.

    Keyed by the due date the reminder counted down to, so an organisation that is granted
    an extension gets the reminders again before its new date (once each).
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "organisation_id", "due_on", "offset_days", name="uq_reminder_log_once"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    offset_days: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Issue 5 part B: the (effective) due date this reminder was about.
    due_on: Mapped[dt.date]
    # How many days were really left when it went out (differs from the offset on catch-up).
    days_left: Mapped[int] = mapped_column(default=0)


# Issue 5 part B (review and deadlines): what the deadline rules did to whom, per cycle.


class DeadlineEventKind(StrEnum):
    NON_COMMUNICATING = "non_communicating"
    DELISTED = "delisted"


class DeadlineEvent(db.Model):
    """A consequence `pactum tick` applied to one organisation for one cycle.

    At most one of each kind per (cycle, organisation): running the tick again finds the row
    and does nothing. `resolved_at` is set when the organisation became active again (a
    later report, or the secretariat), so an old miss never delists a member twice.
    `status_change_id` is empty when the organisation already had that status (e.g. it was
    still non-communicating from an earlier cycle).
    """

    __tablename__ = "deadline_events"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id", "kind", name="uq_deadline_events_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reporting_cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The last day the organisation could have acted (its final date, or delisting date).
    deadline: Mapped[dt.date]
    status_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_changes.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[dt.datetime | None]

    cycle: Mapped[ReportingCycle] = relationship()
    organisation = relationship("Organisation")
