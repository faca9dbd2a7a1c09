"""The sections of a draft cycle's questionnaire: add, edit, move, delete, one per charter
principle, and a copy of another cycle's questionnaire (usually last year's).

Every function takes the acting user, checks it, flushes and never commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.charter.models import PrincipleText
from app.core.services import record
from app.db import db
from app.errors import ValidationFailed
from app.reporting.cycles.questionnaire import (
    TITLE_MAX,
    ensure_editable,
    load_questionnaire,
    next_position,
    refuse_broken_conditions,
    remove_and_renumber,
    short_text,
    swap,
)
from app.reporting.models import Question, ReportingCycle, Section
from app.reporting.translations import copying as translation_copying
from app.security import ensure_secretariat


def _clean_title(title: str, field: str = "title", principle_id: int | None = None) -> str:
    """A section on a principle may leave its title empty: it is then "Principle 1: …",
    made when shown in the reader's language (app/reporting/titles.py)."""
    title = " ".join((title or "").split())
    if not title and principle_id is None:
        raise ValidationFailed(_("Enter a title."), field=field)
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=TITLE_MAX), field=field)
    return title


def add_section(actor, cycle: ReportingCycle, title, description_md="", principle=None) -> Section:
    ensure_secretariat(actor)
    ensure_editable(cycle)
    principle_id = getattr(principle, "id", principle)
    section = Section(
        cycle=cycle,
        position=next_position(cycle.sections),
        title=_clean_title(title, principle_id=principle_id),
        description_md=(description_md or "").strip(),
        principle_id=principle_id,
    )
    db.session.add(section)
    db.session.flush()
    record(actor, "cycle.section_added", cycle, summary=section.title_in("en"))
    return section


def update_section(actor, section: Section, title, description_md="", principle=None) -> Section:
    ensure_secretariat(actor)
    ensure_editable(section.cycle)
    section.principle_id = getattr(principle, "id", principle)
    section.title = _clean_title(title, principle_id=section.principle_id)
    section.description_md = (description_md or "").strip()
    db.session.flush()
    record(actor, "cycle.section_updated", section.cycle, summary=section.title_in("en"))
    return section


def principle_texts(cycle: ReportingCycle) -> list[PrincipleText]:
    if cycle.charter_version_id is None:
        return []
    return list(
        db.session.scalars(
            select(PrincipleText)
            .where(PrincipleText.version_id == cycle.charter_version_id)
            .options(selectinload(PrincipleText.principle))
            .order_by(PrincipleText.position, PrincipleText.number)
        )
    )


def add_principle_sections(actor, cycle: ReportingCycle) -> list[Section]:
    """One section per principle of the cycle's charter version (skipping those present)."""
    ensure_secretariat(actor)
    ensure_editable(cycle)
    texts = principle_texts(cycle)
    if not texts:
        raise ValidationFailed(
            _("Choose the cycle's charter version first: its principles become the sections.")
        )
    present = {s.principle_id for s in cycle.sections if s.principle_id}
    added = []
    for text in texts:
        if text.principle_id in present:
            continue
        added.append(
            add_section(
                actor,
                cycle,
                "",  # "Principle 1: …", made when shown (app/reporting/titles.py)
                description_md=text.body_md,
                principle=text.principle_id,
            )
        )
    return added


def move_section(actor, section: Section, direction: str) -> None:
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    if swap(cycle.sections, section, direction):
        refuse_broken_conditions(cycle)
        record(
            actor,
            "cycle.section_moved",
            cycle,
            summary=f"{section.title_in('en')} {direction}",
        )


def delete_section(actor, section: Section) -> None:
    ensure_secretariat(actor)
    cycle = section.cycle
    ensure_editable(cycle)
    inside = {q.id for q in section.questions}
    dependent = db.session.scalar(
        select(Question)
        .join(Section)
        .where(
            Section.cycle_id == cycle.id,
            Question.section_id != section.id,
            Question.condition_question_id.in_(inside or {0}),
        )
        .limit(1)
    )
    if dependent is not None:
        raise ValidationFailed(
            _(
                "“%(q)s” in another section depends on a question of this section. Change its "
                "condition first.",
                q=short_text(dependent.text),
            )
        )
    title = section.title_in("en")
    translation_copying.forget(cycle.id, [section.id], inside)
    remove_and_renumber(cycle.sections, section)
    db.session.flush()
    record(actor, "cycle.section_deleted", cycle, summary=title)


# Copying another cycle's questionnaire -------------------------------------------------------


def _copy_question(q: Question, section: Section, position: int) -> Question:
    return Question(
        section=section,
        lineage=q.lineage,
        position=position,
        text=q.text,
        help_text=q.help_text,
        type=q.type,
        required=q.required,
        choices=list(q.choices or []),
        unit=q.unit,
        min_value=q.min_value,
        max_value=q.max_value,
        condition_value=q.condition_value,
        is_indicator=q.is_indicator,
        is_public=q.is_public,
    )


def copy_questionnaire(actor, source_cycle: ReportingCycle, target_cycle: ReportingCycle) -> int:
    """Append a copy of `source_cycle`'s sections and questions to the draft `target_cycle`.
    Copies keep their `lineage`, so prefill and trends follow them, and their translations
    (app/reporting/translations). Returns questions copied."""
    ensure_secretariat(actor)
    ensure_editable(target_cycle)
    if source_cycle.id == target_cycle.id:
        raise ValidationFailed(_("Choose another cycle to copy from."), field="source")
    mapping: dict[int, Question] = {}
    section_copies: dict[int, Section] = {}
    position = next_position(target_cycle.sections)
    copied = 0
    for source in load_questionnaire(source_cycle):
        section = Section(
            cycle=target_cycle,
            position=position,
            title=source.title,
            description_md=source.description_md,
            principle_id=source.principle_id,
        )
        position += 1
        db.session.add(section)
        section_copies[source.id] = section
        for index, q in enumerate(source.questions):
            copy = _copy_question(q, section, index)
            if q.condition_question_id in mapping:
                copy.condition_question = mapping[q.condition_question_id]
            else:
                copy.condition_value = ""
            mapping[q.id] = copy
            db.session.add(copy)
            copied += 1
    target_cycle.copied_from_id = source_cycle.id
    db.session.flush()
    translation_copying.copy_into(
        source_cycle.id,
        target_cycle.id,
        {old: s.id for old, s in section_copies.items()},
        {old: q.id for old, q in mapping.items()},
    )
    db.session.flush()
    record(
        actor,
        "cycle.questionnaire_copied",
        target_cycle,
        summary=f"{source_cycle.year} -> {target_cycle.year}",
        questions=copied,
    )
    return copied
