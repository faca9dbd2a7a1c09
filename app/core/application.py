"""Pactum's Flask class: Flask's, less two costs it pays again on every request (issue 20).

* `ensure_sync`: Flask asks `inspect.iscoroutinefunction` of every hook, handler and view
  it calls, some fifteen times a request. The answer for a given function never changes,
  so it is remembered (for at most SYNC_MEMO_SIZE callables: those of the app's own
  registries; anything past that is asked afresh).
* the session's signing serializer: Flask builds an `itsdangerous` serializer (and tests its
  JSON serializer by dumping a string) for every request that opens or saves a session.
  `SessionInterface` keeps the one built for the current secret keys and builds another when
  they change (a key rotation, a test's own key).

Measured in process (the trivial route, docs/performance.md "Every request's own cost").
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

SYNC_MEMO_SIZE = 2048


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        keys = (tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        cached = self._serializer
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._serializer = (keys, serializer)
        return serializer


class Pactum(Flask):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = SessionInterface()  # one per app: its keys are its own
        self._sync: dict = {}

    def ensure_sync(self, func):
        try:
            found = self._sync.get(func)
        except TypeError:  # an unhashable callable: Flask's answer, unremembered
            return super().ensure_sync(func)
        if found is None:
            found = super().ensure_sync(func)
            if len(self._sync) < SYNC_MEMO_SIZE:
                self._sync[func] = found
        return found
