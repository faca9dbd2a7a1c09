"""Events of the deadline rules and of extensions, for the notification layer
(`deadlines.notifications`). Sent by the services inside their transaction."""

from blinker import Namespace

_signals = Namespace()

# sender: the Organisation; kwargs: cycle, emails, due, days_left
reminder_due = _signals.signal("deadline-reminder-due")
# sender: the Organisation; kwargs: cycle, emails, due, final  (not sent when the same tick
# delists it at once)
made_non_communicating = _signals.signal("deadline-made-non-communicating")
# sender: the Organisation; kwargs: cycle, emails, deadline
delisted = _signals.signal("deadline-delisted")
# sender: the Organisation; kwargs: cycle, previous (the status it left)
reinstated = _signals.signal("deadline-reinstated")
# sender: the Extension; kwargs: actor, due_on (the organisation's due date when asked)
extension_requested = _signals.signal("extension-requested")
# sender: the Extension (granted or refused)
extension_decided = _signals.signal("extension-decided")
