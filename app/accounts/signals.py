"""The accounts domain's events, sent by its services inside the transaction;
`app.accounts.notifications` turns them into mail."""

from blinker import Namespace

_signals = Namespace()

# sender: the invited representative's User; kwargs: token, days (how long the link works)
invited = _signals.signal("representative-invited")
# sender: the User; kwargs: token, hours (how long the link works)
password_reset_requested = _signals.signal("password-reset-requested")
