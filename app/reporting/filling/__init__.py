"""Filling in a report: drafts, optimistic locking, pledges, prefill, evidence, submission.

A `Report` is one organisation's report in one cycle. Its draft lives in `Answer`,
`Evidence` and `ReportPledge` rows plus the attestation fields; every change names the
revision it started from (`Report.revision`) and is logged in `ReportEdit`, so a stale save
is refused with the list of what changed, and by whom. Submitting freezes the draft into an
immutable `ReportVersion` (snapshot format in docs/architecture.md) with `SubmittedAnswer`
rows; the receipt with a PDF copy goes to the organisation's representatives.

Every service takes the acting user, checks it, flushes and never commits. The modules:

* `access`: who may see or change a report; finding or starting the one a page is about;
* `questionnaire`: the questionnaire as plain values for saving, cached once frozen;
* `statements`, `revisions`: the save path's SQL; the optimistic lock and the edit log;
* `drafts`: answers (`autosave`, `save_section`), the attestation;
* `evidence`, `pledges`, `prefill`: files, pledge progress, copying last year's report;
* `comments`: the organisation marks the secretariat's comments as addressed;
* `data`: everything a page shows (`load`), the dashboard's `obligations`;
* `snapshot`, `submission`: the frozen report; what stops a submission, and submitting;
* `reading`: versions as filling reads them (until `app.reporting.versions` replaces it);
* edge modules: `views`, `section_views` and `panels` (the representative's pages),
  `present` (the PDF copy), `notifications` (the receipt, on `report_submitted`).

This package re-exports the services, so `from app.reporting import filling;
filling.save_answers(...)` works for every caller.
"""

from app.reporting.filling.access import (
    ensure_can_edit,
    ensure_can_view,
    ensure_cycle_accepts_reports,
    find_draft,
    find_report,
    get_or_start_report,
    my_report,
    reports_overview,
    started,
    visible_cycle,
)
from app.reporting.filling.comments import set_comment_addressed
from app.reporting.filling.data import (
    OPEN_PLEDGE_STATUSES,
    ReportData,
    load,
    obligations,
    pledges_of,
    version_state,
)
from app.reporting.filling.drafts import (
    OFFICER_MAX,
    STATEMENT_MAX,
    DraftState,
    SectionSave,
    answers_from_form,
    autosave,
    draft_progress,
    save_answers,
    save_section,
    set_attestation,
    store_answers,
)
from app.reporting.filling.errors import (
    AnswersInvalid,
    ForeignAnswers,
    Issue,
    NoSuchPage,
    StaleDraft,
    SubmissionIncomplete,
)
from app.reporting.filling.evidence import attach_evidence, remove_evidence
from app.reporting.filling.pledges import PLEDGE_NOTE_MAX, add_pledge, save_pledges
from app.reporting.filling.prefill import last_submitted_version, prefill_from_last_year
from app.reporting.filling.present import pdf_filename, report_pdf  # the PDF copy (edge)
from app.reporting.filling.questionnaire import (
    Questionnaire,
    QuestionSpec,
    questionnaire_for_saving,
)
from app.reporting.filling.revisions import (
    PART_LABELS,
    check_base,
    claim_revision,
    log_edit,
    stale_error,
)
from app.reporting.filling.snapshot import SNAPSHOT_SCHEMA, build_snapshot, public_snapshot
from app.reporting.filling.submission import (
    Attestation,
    SubmitOutcome,
    attest_and_submit,
    submission_issues,
    submit_report,
)

__all__ = [
    "OFFICER_MAX",
    "OPEN_PLEDGE_STATUSES",
    "PART_LABELS",
    "PLEDGE_NOTE_MAX",
    "SNAPSHOT_SCHEMA",
    "STATEMENT_MAX",
    "AnswersInvalid",
    "Attestation",
    "DraftState",
    "ForeignAnswers",
    "Issue",
    "NoSuchPage",
    "QuestionSpec",
    "Questionnaire",
    "ReportData",
    "SectionSave",
    "StaleDraft",
    "SubmissionIncomplete",
    "SubmitOutcome",
    "add_pledge",
    "answers_from_form",
    "attach_evidence",
    "attest_and_submit",
    "autosave",
    "build_snapshot",
    "check_base",
    "claim_revision",
    "draft_progress",
    "ensure_can_edit",
    "ensure_can_view",
    "ensure_cycle_accepts_reports",
    "find_draft",
    "find_report",
    "get_or_start_report",
    "last_submitted_version",
    "load",
    "log_edit",
    "my_report",
    "obligations",
    "pdf_filename",
    "pledges_of",
    "prefill_from_last_year",
    "public_snapshot",
    "questionnaire_for_saving",
    "remove_evidence",
    "report_pdf",
    "reports_overview",
    "save_answers",
    "save_pledges",
    "save_section",
    "set_attestation",
    "set_comment_addressed",
    "stale_error",
    "started",
    "store_answers",
    "submission_issues",
    "submit_report",
    "version_state",
    "visible_cycle",
]
