"""Events of the review, for the notification layer (`review.notifications`).

Accepting a version sends `app.core.signals.report_accepted` (other domains react to it too).
Each signal is sent by a service inside its transaction; receivers only queue mail or flush.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the ReportVersion; kwargs: actor, comments [(number "3.2", question text, comment)]
# in questionnaire order (the general comment is the version's `review_note`)
report_returned = _signals.signal("report-returned")
