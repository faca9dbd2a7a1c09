"""Human, translatable labels for the stored codes of every domain."""

from flask_babel import lazy_gettext as _l

CATEGORY = {
    "company": _l("Company"),
    "civil_society": _l("Civil society"),
    "academia": _l("Academia"),
    "government": _l("Government body"),
    "other": _l("Other"),
}

SIZE_BAND = {
    "1-9": _l("1–9 people"),
    "10-49": _l("10–49 people"),
    "50-249": _l("50–249 people"),
    "250-4999": _l("250–4,999 people"),
    "5000+": _l("5,000 people or more"),
}

STATUS = {
    "applicant": _l("Applicant"),
    "active": _l("Active"),
    "non_communicating": _l("Non-communicating"),
    "delisted": _l("Delisted"),
    "suspended": _l("Suspended"),
    "withdrawn": _l("Withdrawn"),
    "rejected": _l("Rejected"),
}

PLEDGE_STATUS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "achieved": _l("Achieved"),
    "missed": _l("Missed"),
    "withdrawn": _l("Withdrawn"),
}

REPORT_STATE = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted, awaiting review"),
    "returned": _l("Returned for changes"),
    "accepted": _l("Accepted"),
}

# A submitted version's state as its organisation reads it: the review's decision, or
# "superseded" when a newer version replaced it before anyone reviewed it.
VERSION_STATE = {
    "submitted": _l("Submitted, awaiting review"),
    "superseded": _l("Superseded before review"),
    "returned": _l("Returned for changes"),
    "accepted": _l("Accepted"),
}

CYCLE_STATUS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}

QUESTION_TYPE = {
    "yes_no": _l("Yes / no"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "number": _l("Number"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text (Markdown)"),
    "url": _l("Web address (URL)"),
    "date": _l("Date"),
    "evidence": _l("Evidence files"),
}

ROLE = {"secretariat": _l("Secretariat"), "representative": _l("Member representative")}

ALL = {
    "category": CATEGORY,
    "size_band": SIZE_BAND,
    "status": STATUS,
    "pledge_status": PLEDGE_STATUS,
    "report_state": REPORT_STATE,
    "version_state": VERSION_STATE,
    "cycle_status": CYCLE_STATUS,
    "question_type": QUESTION_TYPE,
    "role": ROLE,
}


def label(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    return str(ALL[kind].get(code, code))
