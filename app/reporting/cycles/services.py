"""Reporting cycles (the secretariat's side of issue 5): find them, create them, change
their settings, open and close them.

A cycle goes draft -> open -> closed. Its questionnaire (sections and questions, see
`questionnaire`, `sections` and `questions`) can be edited only while the cycle is a draft;
opening it freezes the questionnaire for good. Every function that changes something takes
the acting user, checks it, flushes and never commits.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.charter.models import CharterVersion
from app.core.services import record
from app.db import db
from app.errors import Conflict, NotFound, ValidationFailed
from app.members.models import Category
from app.reporting import titles
from app.reporting.cycles.questionnaire import TITLE_MAX, question_count
from app.reporting.cycles.sections import copy_questionnaire
from app.reporting.models import CycleStatus, Question, ReportingCycle, Section
from app.security import ensure_secretariat

YEAR_MIN, YEAR_MAX = 2000, 2100


# Reading ----------------------------------------------------------------------------------


def list_cycles() -> list[ReportingCycle]:
    return list(db.session.scalars(select(ReportingCycle).order_by(ReportingCycle.year.desc())))


def get_cycle(year: int) -> ReportingCycle:
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
    if cycle is None:
        raise NotFound(_("There is no reporting cycle for %(year)s.", year=year))
    return cycle


def open_cycle_now() -> ReportingCycle | None:
    return db.session.scalar(
        select(ReportingCycle)
        .where(ReportingCycle.status == CycleStatus.OPEN)
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def previous_cycle(cycle: ReportingCycle) -> ReportingCycle | None:
    return db.session.scalar(
        select(ReportingCycle)
        .where(ReportingCycle.year < cycle.year)
        .order_by(ReportingCycle.year.desc())
        .limit(1)
    )


def copy_source(cycle_id: int, field: str = "copy_from") -> ReportingCycle:
    """The cycle whose questionnaire is to be copied, by id."""
    source = db.session.get(ReportingCycle, cycle_id)
    if source is None:
        raise ValidationFailed(_("Choose a cycle to copy."), field=field)
    return source


def get_section(cycle: ReportingCycle, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.cycle_id != cycle.id:
        raise NotFound(
            _("This section is not part of the %(year)d questionnaire.", year=cycle.year)
        )
    return section


def get_question(cycle: ReportingCycle, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.section.cycle_id != cycle.id:
        raise NotFound(
            _("This question is not part of the %(year)d questionnaire.", year=cycle.year)
        )
    return question


def charter_version(version_id: int | None) -> CharterVersion | None:
    """The charter version picked in a cycle's settings (none for 0 or empty)."""
    if not version_id:
        return None
    version = db.session.get(CharterVersion, version_id)
    if version is None:
        raise ValidationFailed(_("Choose a published charter version."), field="charter_version_id")
    return version


# Cycles ------------------------------------------------------------------------------------


def _clean_categories(categories) -> list[str]:
    known = [c.value for c in Category]
    picked = [c for c in (categories or []) if c]
    unknown = [c for c in picked if c not in known]
    if unknown:
        raise ValidationFailed(_("Unknown member category."), field="categories")
    if not picked:
        raise ValidationFailed(
            _("Choose at least one member category that must report."), field="categories"
        )
    return [c for c in known if c in picked]


def default_reminder_offsets() -> list[int]:
    """The site's default reminder days (`PACTUM_REMINDER_OFFSETS`, "30,7,1" unless set)."""
    configured = current_app.config.get("REMINDER_OFFSETS") or [30, 7, 1]
    return sorted({int(n) for n in configured if 0 <= int(n) <= 365}, reverse=True)


def _clean_offsets(offsets) -> list[int]:
    if offsets is None:
        return default_reminder_offsets()
    values = []
    for value in offsets:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
            if not (value.isascii() and value.isdigit()):
                raise ValidationFailed(
                    _("Reminder days must be whole numbers, separated by commas."),
                    field="reminder_offsets",
                )
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            raise ValidationFailed(
                _("Reminder days must be between 0 and 365."), field="reminder_offsets"
            )
        values.append(value)
    return sorted(set(values), reverse=True)


def _check_dates(opens_on: dt.date, due_on: dt.date, grace_days: int) -> None:
    """Every problem with the dates and the grace period, at once."""
    errors: dict[str, list[str]] = {}
    if not isinstance(opens_on, dt.date) or not isinstance(due_on, dt.date):
        errors["due_on"] = [_("Enter the opening date and the due date.")]
    elif due_on <= opens_on:
        errors["due_on"] = [_("The due date must come after the opening date.")]
    if not isinstance(grace_days, int) or not 0 <= grace_days <= 365:
        errors["grace_days"] = [_("The grace period must be between 0 and 365 days.")]
    if errors:
        raise ValidationFailed(
            " ".join(m for ms in errors.values() for m in ms),
            field=next(iter(errors)),
            errors=errors,
        )


def _check_charter_version(charter_version) -> None:
    if charter_version is not None and getattr(charter_version, "status", None) != "published":
        raise ValidationFailed(_("Choose a published charter version."), field="charter_version_id")


def _english_title(cycle: ReportingCycle) -> str:
    """The audit log is written in English, whoever acts."""
    return titles.cycle_title(cycle.year, cycle.title, locale="en")


def create_cycle(
    actor,
    year: int,
    title: str | None,
    opens_on: dt.date,
    due_on: dt.date,
    grace_days: int = 14,
    categories: list[str] | None = None,
    charter_version: CharterVersion | None = None,
    reminder_offsets: list[int | str] | None = None,
    copy_from_id: int | None = None,
) -> ReportingCycle:
    """A new draft cycle; its questionnaire starts empty, or as a copy of the cycle
    `copy_from_id`."""
    ensure_secretariat(actor)
    if not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed(
            _("Enter a year between %(a)d and %(b)d.", a=YEAR_MIN, b=YEAR_MAX), field="year"
        )
    if db.session.scalar(select(ReportingCycle.id).where(ReportingCycle.year == year)):
        raise ValidationFailed(_("There is already a cycle for %(year)d.", year=year), field="year")
    _check_dates(opens_on, due_on, grace_days)
    _check_charter_version(charter_version)
    # Empty: the title is made when shown, in the reader's language (reporting/titles.py).
    title = "" if titles.is_generated_cycle_title(year, title) else title.strip()
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field="title")
    cycle = ReportingCycle(
        year=year,
        title=title,
        charter_version_id=getattr(charter_version, "id", None),
        status=CycleStatus.DRAFT,
        opens_on=opens_on,
        due_on=due_on,
        grace_days=grace_days,
        categories=_clean_categories(categories if categories is not None else ["company"]),
        reminder_offsets=_clean_offsets(reminder_offsets),
    )
    db.session.add(cycle)
    db.session.flush()
    record(actor, "cycle.created", cycle, summary=f"{year}: {_english_title(cycle)}")
    if copy_from_id:
        copy_questionnaire(actor, copy_source(copy_from_id), cycle)
    return cycle


def update_cycle(
    actor,
    cycle: ReportingCycle,
    title: str | None,
    opens_on: dt.date,
    due_on: dt.date,
    grace_days: int,
    categories: list[str],
    charter_version: CharterVersion | None = None,
    reminder_offsets: list[int | str] | None = None,
) -> ReportingCycle:
    """Change a cycle's settings. Dates, grace period and reminders stay editable while the
    cycle is open (the secretariat may move a deadline); the rest only in a draft."""
    ensure_secretariat(actor)
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(_("The %(year)d cycle is closed and can no longer change.", year=cycle.year))
    _check_dates(opens_on, due_on, grace_days)
    title = "" if titles.is_generated_cycle_title(cycle.year, title) else title.strip()
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field="title")
    categories = _clean_categories(categories)
    if cycle.status != CycleStatus.DRAFT:
        if categories != list(cycle.categories or []) or (
            getattr(charter_version, "id", None) != cycle.charter_version_id
        ):
            raise Conflict(
                _("Who must report and the charter version are fixed once the cycle is open.")
            )
    else:
        _check_charter_version(charter_version)
        cycle.charter_version_id = getattr(charter_version, "id", None)
        cycle.categories = categories
    cycle.title = title
    cycle.opens_on = opens_on
    cycle.due_on = due_on
    cycle.grace_days = grace_days
    cycle.reminder_offsets = _clean_offsets(
        reminder_offsets if reminder_offsets is not None else cycle.reminder_offsets
    )
    db.session.flush()
    record(actor, "cycle.updated", cycle, summary=f"{cycle.year}: {_english_title(cycle)}")
    return cycle


def open_cycle(actor, cycle: ReportingCycle) -> ReportingCycle:
    ensure_secretariat(actor)
    if cycle.status != CycleStatus.DRAFT:
        raise Conflict(_("Only a draft cycle can be opened."))
    other = open_cycle_now()
    if other is not None and other.id != cycle.id:
        raise Conflict(
            _("The %(year)d cycle is still open. Close it before opening another.", year=other.year)
        )
    if question_count(cycle) == 0:
        raise ValidationFailed(_("Add at least one question before opening the cycle."))
    if not cycle.categories:
        raise ValidationFailed(_("Choose which member categories must report."))
    cycle.status = CycleStatus.OPEN
    cycle.opened_at = clock.now()
    db.session.flush()
    record(actor, "cycle.opened", cycle, summary=str(cycle.year))
    return cycle


def close_cycle(actor, cycle: ReportingCycle) -> ReportingCycle:
    ensure_secretariat(actor)
    if cycle.status != CycleStatus.OPEN:
        raise Conflict(_("Only an open cycle can be closed."))
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = clock.now()
    db.session.flush()
    record(actor, "cycle.closed", cycle, summary=str(cycle.year))
    return cycle
