"""The report frozen as a snapshot (format: docs/architecture.md), and its public part.

The snapshot is stored JSON: its keys, their order and their values must not change
without a new `SNAPSHOT_SCHEMA`."""

from __future__ import annotations

import datetime as dt

from app.reporting import answers, cycles, titles
from app.reporting.filling.data import ReportData, load
from app.reporting.models import QuestionType, Report

SNAPSHOT_SCHEMA = 1


def _snapshot_value(question, value) -> object:
    if question.type == QuestionType.EVIDENCE:
        return None
    return value


def build_snapshot(
    report: Report,
    data: ReportData | None = None,
    submitted_by=None,
    submitted_at: dt.datetime | None = None,
) -> dict:
    """The whole report as it will be stored (format: docs/architecture.md)."""
    data = data or load(report, with_comments=False)
    organisation = report.organisation
    cycle = data.cycle
    charter = cycle.charter_version
    principle_numbers = {}
    if charter is not None:
        principle_numbers = {t.principle_id: t.number for t in cycles.principle_texts(cycle)}
    by = None
    if submitted_by is not None:
        by = {"id": submitted_by.id, "name": submitted_by.display_name, "email": submitted_by.email}
    return {
        "schema": SNAPSHOT_SCHEMA,
        # Titles Pactum makes up are kept in English and shown in the reader's language
        # (app/reporting/titles.py), like every text of a snapshot kept as submitted.
        "cycle": {
            "id": cycle.id,
            "year": cycle.year,
            "title": titles.english_cycle_title(cycle.year, cycle.title),
        },
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "slug": organisation.slug,
            "country": organisation.country,
            "category": organisation.category,
        },
        "charter_version": {"id": charter.id, "number": charter.number} if charter else None,
        "questionnaire_hash": cycles.questionnaire_hash(data.sections),
        "sections": [_section_entry(data, s, principle_numbers) for s in data.sections],
        "pledges": _pledge_entries(data),
        "attestation": {
            "officer_name": report.officer_name,
            "officer_title": report.officer_title,
            "support_statement": report.support_statement,
            "submitted_by": by,
            "submitted_at": submitted_at.isoformat() if submitted_at else None,
        },
    }


def _section_entry(data: ReportData, section, principle_numbers: dict[int, str]) -> dict:
    principle = None
    if section.principle is not None:
        principle = {
            "id": section.principle.id,
            "key": section.principle.key,
            "number": principle_numbers.get(section.principle.id),
        }
    return {
        "id": section.id,
        "title": section.title_in("en"),
        "description_md": section.description_md,
        "principle": principle,
        "questions": [_question_entry(data, q) for q in section.questions],
    }


def _question_entry(data: ReportData, q) -> dict:
    shown = bool(data.shown.get(q.id))
    value = _snapshot_value(q, data.values.get(q.id)) if shown else None
    files = data.evidence.get(q.id, []) if shown else []
    return {
        "id": q.id,
        "lineage": q.lineage,
        "number": data.numbers[q.id],
        "text": q.text,
        "help_text": q.help_text,
        "type": q.type,
        "unit": q.unit,
        "required": q.required,
        "is_public": q.is_public,
        "is_indicator": q.is_indicator,
        "choices": list(q.choices or []),
        "shown": shown,
        "value": value,
        "display": answers.display(q, value, len(files)) if shown else "",
        # The language the answer was written in (None when not known): pages mark it.
        "lang": data.languages.get(q.id) if value is not None else None,
        "evidence": [
            {
                "id": f.id,
                "sha256": f.sha256,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
            }
            for f in files
        ],
    }


def _pledge_entries(data: ReportData) -> list[dict]:
    pledges = []
    for pledge in data.pledges:
        entry = data.pledge_entries.get(pledge.id)
        pledges.append(
            {
                "id": pledge.id,
                "title": pledge.title,
                "status": entry.status if entry else pledge.status,
                "note": entry.note if entry else "",
                "principles": [p.key for p in pledge.principles],
                "is_public": pledge.is_public,
            }
        )
    return pledges


def public_snapshot(snapshot: dict) -> dict:
    """The part of a snapshot the public sees: public, shown questions and public pledges."""
    sections = []
    for section in snapshot.get("sections", []):
        questions = [
            q for q in section.get("questions", []) if q.get("is_public") and q.get("shown")
        ]
        if questions:
            sections.append({**section, "questions": questions})
    return {
        **snapshot,
        "sections": sections,
        "pledges": [p for p in snapshot.get("pledges", []) if p.get("is_public")],
        "attestation": {
            k: v
            for k, v in (snapshot.get("attestation") or {}).items()
            if k in ("officer_name", "officer_title", "support_statement", "submitted_at")
        },
    }
