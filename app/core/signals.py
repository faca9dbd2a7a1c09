"""Domain events, so one domain can react to another without importing its views or
reaching into its internals (e.g. members ask for endorsements when a charter is
published; caches drop what a write made stale).

Each signal is sent by a service, inside the transaction, with the acting user and the
object as keyword arguments. Receivers must only flush, never commit.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the CharterVersion; kwargs: actor
charter_published = _signals.signal("charter-published")
# sender: the Organisation; kwargs: actor, from_status, to_status
organisation_status_changed = _signals.signal("organisation-status-changed")
# sender: the Organisation; kwargs: actor  (profile, pledges, endorsements changed)
organisation_changed = _signals.signal("organisation-changed")
# sender: the ReportVersion; kwargs: actor
report_submitted = _signals.signal("report-submitted")
# sender: the ReportVersion; kwargs: actor
report_accepted = _signals.signal("report-accepted")
