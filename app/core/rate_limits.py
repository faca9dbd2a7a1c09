"""Flask-Limiter's request hooks, run only when there is something for them to do (issue 20).

Flask-Limiter registers three hooks on every request: a `before_request` that resolves the
limits that apply to every route (application, default, blueprint and meta limits), an
`after_request` that writes the X-RateLimit headers of the limit the request was checked
against, and a teardown that empties its per-request state. Pactum declares none of the
app-wide kinds: its limits are on a few views (`@limiter.limit`, the login, the second
factor, the password reset, the membership application), and those are checked by the view's
own wrapper, which does not need the `before_request` hook. On every other request the hooks
found nothing and cost about a sixth of a trivial request (in process: building the
request's limiter context seven times, resolving an empty list of limits).

`install` keeps the three hooks where Flask-Limiter put them and makes each step aside when
it has nothing to do: the `before_request` hook runs whenever any app-wide limit exists (or
the limiter's storage failed over), exactly as before; the other two run whenever the
request has a limiter context, which the hook or a decorated view creates as soon as it
checks a limit. So a limited view answers (and counts, and sends its headers, and breaches)
as it did, and configuring a default limit puts every request back under the check.
"""

from __future__ import annotations

from flask import Flask
from flask.globals import _cv_request
from flask_limiter import Limiter

_CONTEXT = "_limiter_request_context"  # where Flask-Limiter keeps its per-request state


def _app_wide_limits(limiter: Limiter) -> bool:
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or manager._endpoint_hints
        or limiter._meta_limits
        or limiter._storage_dead
        or limiter._request_filters  # a filter may have side effects: let it run
    )


def _has_context() -> bool:
    ctx = _cv_request.get(None)
    return ctx is not None and hasattr(ctx, _CONTEXT)


def install(app: Flask, limiter: Limiter) -> None:
    """Wrap the hooks `limiter.init_app(app)` registered (call it right after)."""
    before = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in before:
        return  # RATELIMIT_ENABLED off: Flask-Limiter registered no hooks on this app
    position = before.index(check)

    def check_app_wide_limits():
        if _app_wide_limits(limiter):
            return check()
        return None

    before[position] = check_app_wide_limits

    after = app.after_request_funcs.setdefault(None, [])
    for index, hook in enumerate(after):
        if getattr(hook, "func", None) is Limiter._Limiter__inject_headers:

            def inject_headers(response, _hook=hook):
                return _hook(response) if _has_context() else response

            after[index] = inject_headers
            break
    else:
        raise RuntimeError("Flask-Limiter's after_request hook was not found")

    teardown = app.teardown_request_funcs.setdefault(None, [])
    release = limiter._Limiter__release_context
    position = teardown.index(release)

    def release_context(error=None):
        if _has_context():
            release(error)

    teardown[position] = release_context
