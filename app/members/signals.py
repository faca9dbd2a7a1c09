"""The members domain's own events, sent by its services inside the transaction. The edge
module `app.members.notifications` turns them into mail; receivers only flush, never
commit. (Events other domains react to are in `app.core.signals`.)"""

from blinker import Namespace

_signals = Namespace()

# sender: the Application; kwargs: organisation, version (the CharterVersion endorsed)
application_submitted = _signals.signal("application-submitted")
# sender: the Application; kwargs: actor, organisation, invited (the representative's User)
application_approved = _signals.signal("application-approved")
# sender: the Application; kwargs: actor, organisation
application_rejected = _signals.signal("application-rejected")
