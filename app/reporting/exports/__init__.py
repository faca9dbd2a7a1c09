"""Exports of reporting data for the secretariat: the CSV of every answer of a cycle
(`csv_answers`), streamed by the review blueprint's `export_csv`."""

from app.reporting.exports.csv_answers import (
    BATCH,
    FIXED_COLUMNS,
    cell,
    export_answers,
    filename,
    header,
    neutralise,
    questionnaire,
)

__all__ = [
    "BATCH",
    "FIXED_COLUMNS",
    "cell",
    "export_answers",
    "filename",
    "header",
    "neutralise",
    "questionnaire",
]
