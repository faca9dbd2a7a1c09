"""Reporting cycles and their questionnaires: the secretariat's side of reporting.

* `services`: find, create, change, open and close cycles;
* `obligations`: who must (or may) report, by when, and how far they got;
* `questionnaire`: the questionnaire as it is read (ordered, numbered, hashed) and the rules
  every change to it shares; `sections` and `questions`: those changes, and the copy of
  another cycle's questionnaire;
* `views`, `forms`: the secretariat's cycle pages and questionnaire builder (edge).

This package imports nothing from filling, review, deadlines or extensions: they may import
it at module level. `from app.reporting import cycles; cycles.create_cycle(...)` works for
every public name below.
"""

from app.reporting.cycles.obligations import (
    CYCLE_PAGE_ROWS,
    REPORTING_STATUSES,
    effective_due_date,
    find_organisation,
    may_report,
    must_report,
    obligated_organisations,
    organisation_rows,
    progress,
)
from app.reporting.cycles.questionnaire import (
    TITLE_MAX,
    ensure_editable,
    load_questionnaire,
    numbering,
    ordered_questions,
    question_count,
    question_counts,
    questionnaire_hash,
    questionnaire_structure,
    short_text,
)
from app.reporting.cycles.questions import (
    QuestionOptions,
    add_question,
    condition_options,
    delete_question,
    move_question,
    update_question,
)
from app.reporting.cycles.sections import (
    add_principle_sections,
    add_section,
    copy_questionnaire,
    delete_section,
    move_section,
    principle_texts,
    update_section,
)
from app.reporting.cycles.services import (
    YEAR_MAX,
    YEAR_MIN,
    charter_version,
    close_cycle,
    copy_source,
    create_cycle,
    default_reminder_offsets,
    get_cycle,
    get_question,
    get_section,
    list_cycles,
    open_cycle,
    open_cycle_now,
    previous_cycle,
    update_cycle,
)

__all__ = [
    "CYCLE_PAGE_ROWS",
    "REPORTING_STATUSES",
    "TITLE_MAX",
    "YEAR_MAX",
    "YEAR_MIN",
    "QuestionOptions",
    "add_principle_sections",
    "add_question",
    "add_section",
    "charter_version",
    "close_cycle",
    "condition_options",
    "copy_questionnaire",
    "copy_source",
    "create_cycle",
    "default_reminder_offsets",
    "delete_question",
    "delete_section",
    "effective_due_date",
    "ensure_editable",
    "find_organisation",
    "get_cycle",
    "get_question",
    "get_section",
    "list_cycles",
    "load_questionnaire",
    "may_report",
    "move_question",
    "move_section",
    "must_report",
    "numbering",
    "obligated_organisations",
    "open_cycle",
    "open_cycle_now",
    "ordered_questions",
    "organisation_rows",
    "previous_cycle",
    "principle_texts",
    "progress",
    "question_count",
    "question_counts",
    "questionnaire_hash",
    "questionnaire_structure",
    "short_text",
    "update_cycle",
    "update_question",
    "update_section",
]
