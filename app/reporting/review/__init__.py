"""The secretariat's review of submitted reports (issue 5, part B).

* `queues`: the review queue per cycle and state, the reports awaiting a decision;
* `decisions`: accept, return for changes (with comments per question);
* `signals` / `notifications`: the events of a decision and the mail they send;
* `views` (blueprint "review": review, extensions, the CSV export), `forms`, `panels`.

The services are re-exported here (`from app.reporting import review; review.accept(...)`);
reading and comparing versions is `app.reporting.versions`. Importing the package does not
import its views.
"""

from app.reporting.review.decisions import (
    MAX_COMMENT,
    accept,
    can_decide,
    clean_comments,
    comments_by_question,
    get_report,
    return_for_changes,
    reviewer_names,
)
from app.reporting.review.queues import (
    NOT_SUBMITTED,
    PER_PAGE,
    QUEUE_STATES,
    Queue,
    QueueRow,
    awaiting_review,
    cycle_by_year,
    extension_dates,
    queue,
    review_cycles,
)

__all__ = [
    "MAX_COMMENT",
    "NOT_SUBMITTED",
    "PER_PAGE",
    "QUEUE_STATES",
    "Queue",
    "QueueRow",
    "accept",
    "awaiting_review",
    "can_decide",
    "clean_comments",
    "comments_by_question",
    "cycle_by_year",
    "extension_dates",
    "get_report",
    "queue",
    "return_for_changes",
    "review_cycles",
    "reviewer_names",
]
