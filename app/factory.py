"""The application factory: settings, extensions, blueprints, error pages, security
headers, commands."""

from __future__ import annotations

import logging
from importlib import import_module

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import models as _models  # noqa: F401  (every table is known to the metadata)
from app.accounts.services import load_user_from_session_id
from app.cli import pactum
from app.config import INSTANCE_DIR, load_config
from app.core import (
    http_cache,
    invalidation,  # noqa: F401  (connects the cache's receivers, once)
    languages,
    params,
    rate_limits,
    templating,
    uow,
)
from app.core.application import Pactum
from app.core.cache import cache
from app.db import REPLICA_BIND, is_busy_error, ping_connections_after_idle
from app.db import db as _db
from app.errors import DomainError
from app.extensions import babel, csrf, limiter, login_manager, migrate
from app.members.directory import facets as _facets  # noqa: F401  (counts kept with writes)

BLUEPRINTS = (
    "app.core.views",
    "app.accounts.views",
    "app.accounts.mfa.views",
    "app.charter.views",
    "app.members.views",
    "app.members.api",
    "app.reporting.views",
    "app.reporting.review.views",
    "app.transparency.views",
    "app.transparency.centre.views",
    "app.transparency.opendata.views",
    "app.transparency.opendata.api",
    "app.mail.views",
    "app.ops.views",
)

# The notification layer: modules whose receivers turn domain events (signals that services
# send inside their transaction) into mail, with links built from PACTUM_SERVER_URL.
# Importing one connects its receivers, once per process.
RECEIVERS: tuple[str, ...] = (
    "app.reporting.review.notifications",
    "app.reporting.deadlines.notifications",
    "app.reporting.filling.notifications",
    "app.accounts.notifications",
    "app.members.notifications",
    "app.charter.notifications",
)


def create_app(config: dict | None = None) -> Flask:
    app = Pactum(
        "app",  # the package: root path, logger and template folders as before the move
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(INSTANCE_DIR),
    )
    app.jinja_environment = templating.Environment  # before anything creates `jinja_env`
    app.config.update(load_config())
    if config:
        app.config.update(config)
    register_cookie_policy(app)
    params.install(app)  # bounded `int` in URLs: before any rule is added
    register_request_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_receivers()
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    register_proxy(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _select_locale():
    if not has_request_context():  # CLI commands, demo loading, services called in tests
        return None  # Flask-Babel then uses BABEL_DEFAULT_LOCALE
    offered = list(languages.languages())
    requested = request.args.get("lang")
    if languages.is_content_preview(current_app.view_functions.get(request.endpoint or "")):
        requested = None  # the previewed content's language, not the interface's
    chosen, remember = languages.pick_language(
        requested,
        session.get("lang"),
        [request.accept_languages.best_match(offered) or ""],
    )
    # Remembered for the pages (a session cookie), not for the API, whose answers are
    # stored for everyone by URL and locale (`public_page`) and must set no cookie.
    if remember and session.get("lang") != remember and not request.path.startswith("/api/"):
        session["lang"] = remember
    return chosen


HOST_COOKIES = {
    # The `__Host-` prefix makes browsers refuse the cookie unless it is Secure, has Path=/
    # and no Domain: a sibling subdomain or a plain-HTTP page cannot plant or overwrite it.
    "SESSION_COOKIE_NAME": "__Host-session",
    "REMEMBER_COOKIE_NAME": "__Host-remember_token",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "SESSION_COOKIE_PATH": "/",
    "REMEMBER_COOKIE_PATH": "/",
    "SESSION_COOKIE_DOMAIN": None,
    "REMEMBER_COOKIE_DOMAIN": None,
}


def register_cookie_policy(app: Flask) -> None:
    """In production (`SECURE_COOKIES`, app/config.py) the session and remember cookies are
    `__Host-` cookies. Applied after the caller's settings, so a test can turn it on."""
    if app.config.get("SECURE_COOKIES"):
        app.config.update(HOST_COOKIES)


def register_request_guards(app: Flask) -> None:
    """Registered before the extensions, so these run before CSRF checks and user loading."""

    @app.before_request
    def _fresh_request_state():
        # Tests keep one app context across requests (so `g` outlives a request there);
        # make every request load its own user, locale and CSRF state, as in production.
        if app.testing:
            for key in list(vars(g)):
                g.pop(key, None)

    @app.before_request
    def _no_nul_in_paths():
        # No Pactum URL holds a NUL character, and PostgreSQL refuses one in a text
        # parameter (a 500 for `/members/%00`): such a path names nothing. The JSON API
        # answers its own 404 (its slugs are checked against the slug pattern).
        if "\x00" in request.path and not request.path.startswith("/api/"):
            abort(404)

    @app.before_request
    def _json_bodies_are_objects():
        # Flask-WTF reads a JSON body as form data; anything but an object is a bad request,
        # never a 500.
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.is_json
            and request.content_length
            and not isinstance(request.get_json(silent=True), dict)
        ):
            abort(400)


def register_extensions(app: Flask) -> None:
    _db.init_app(app)
    uow.init_app(app)  # first of the after_request hooks, so it runs after all the others
    # Flask-SQLAlchemy gives every bind an (empty) MetaData of its own, shared by all apps of
    # the process; the replica holds the primary's tables, not tables of its own, and with
    # that entry `db.create_all()` would try to create them there in every later app.
    _db.metadatas.pop(REPLICA_BIND, None)

    with app.app_context():
        for engine in _db.engines.values():
            ping_connections_after_idle(engine)
    migrate.init_app(
        app,
        _db,
        directory=str(app.root_path + "/../migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    rate_limits.install(app, limiter)  # its hooks step aside on requests no limit applies to
    cache.init_app(app)
    http_cache.install(app)  # answers cached public pages before every other hook
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session_id)


def register_blueprints(app: Flask) -> None:
    for path in BLUEPRINTS:
        module = import_module(path)
        app.register_blueprint(module.bp)


def register_receivers() -> None:
    for path in RECEIVERS:
        import_module(path)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


# Where a 404 on a public page sends the visitor next (the first prefix that matches).
WAYS_BACK = (
    ("/principles", "centre.principle_map", lambda: _("See all principles")),
    ("/compare", "members.directory", lambda: _("Browse the members")),
    ("/members/", "members.directory", lambda: _("Browse the members")),
    ("/reports", "transparency.archive", lambda: _("See all reports")),
    ("/open-data", "members.api_docs", lambda: _("See the open data")),
)


def _way_back(path: str) -> tuple[str, str] | None:
    for prefix, endpoint, label in WAYS_BACK:
        if path.startswith(prefix):
            return label(), url_for(endpoint)
    return None


BUSY_RETRY_AFTER = 5  # seconds: a busy database (a deadline day's writers) answers 503


def register_errorhandlers(app: Flask) -> None:
    titles = {
        400: lambda: _("Bad request"),
        401: lambda: _("Please log in"),
        403: lambda: _("Not allowed"),
        404: lambda: _("Page not found"),
        405: lambda: _("Method not allowed"),
        409: lambda: _("Conflict"),
        413: lambda: _("File too large"),
        422: lambda: _("Invalid input"),
        429: lambda: _("Too many attempts"),
        500: lambda: _("Something went wrong"),
        503: lambda: _("Busy right now"),
    }
    explanations = {
        400: lambda: _(
            "The request could not be understood. If you submitted a form, "
            "reload the page and try again."
        ),
        401: lambda: _("You need to log in to see this page."),
        403: lambda: _("You do not have permission to see or change this."),
        404: lambda: _(
            "We could not find that page. It may have moved, or the address may be mistyped."
        ),
        405: lambda: _("This address does not accept that kind of request."),
        413: lambda: _("The file you sent is larger than we accept. Please send a smaller file."),
        429: lambda: _("Too many attempts in a short time. Please wait a minute and try again."),
        500: lambda: _(
            "An unexpected error happened on our side. It has been logged; please try again later."
        ),
        503: lambda: _(
            "Many people are saving at this moment and yours could not be stored in time. "
            "Nothing was changed. Please wait a few seconds and send it again."
        ),
    }

    def render_error(code: int, message: str | None = None):
        code = code if code in titles else (500 if code >= 500 else 400)
        title = titles[code]()
        text = message or explanations.get(code, titles[code])()
        if _wants_json():
            return jsonify(error={"status": code, "title": title, "message": text}), code
        way_back = _way_back(request.path) if code == 404 and has_request_context() else None
        return render_template(
            "errors/error.html", code=code, title=title, message=text, way_back=way_back
        ), code

    def busy(error: BaseException):
        # The write did not get the database's lock in time: rolled back, nothing half saved.
        _db.session.rollback()
        app.logger.warning("database busy on %s %s: %s", request.method, request.path, error)
        response, code = render_error(503)
        response = app.make_response((response, code))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        cause = getattr(error, "original_exception", None)
        if error.code == 500 and is_busy_error(cause):
            return busy(cause)  # the end of the unit of work failed to commit (`app.core.uow`)
        if error.code == 400 and getattr(error, "description", "").startswith("The CSRF"):
            return render_error(
                400,
                _(
                    "The form expired or was sent from another site. "
                    "Please reload the page and try again."
                ),
            )
        return render_error(error.code or 500)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        _db.session.rollback()
        return render_error(error.status_code, error.message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if is_busy_error(error):
            return busy(error)
        _db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def register_template_helpers(app: Flask) -> None:
    templating.init_app(app)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    security = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config["SESSION_COOKIE_SECURE"]:
        security.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    lowered = [(name.lower(), (name, value)) for name, value in security]

    @app.after_request
    def headers(response):
        # Added unless a view set its own; one pass over the headers (this runs on every
        # answer, page-cache hits included). The pairs go straight onto the header list:
        # they are constants, so `Headers.extend`'s check of every value (a regular
        # expression each) would find the same thing every time.
        present = {key.lower() for key, _value in response.headers}
        response.headers._list.extend([pair for name, pair in lowered if name not in present])
        if "cache-control" not in present and _logged_in():
            # A page for one person (dashboard, reports, secretariat) is kept by no cache,
            # shared or the browser's own (ASVS 14.3.2); public pages set their own policy.
            response.headers["Cache-Control"] = "private, no-store"
        return response


def _logged_in() -> bool:
    """Whether this request is a logged-in person's, without loading the user: Flask-Login
    keeps the user it loaded in `g`; a request that never asked carries the id in its
    session. The session is read only when a session cookie came (reading it adds
    `Vary: Cookie`, which static files and anonymous answers must not gain)."""
    user = g.get("_login_user")
    if user is not None:
        return bool(user.is_authenticated)
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    return "_user_id" in session


def register_proxy(app: Flask) -> None:
    """Behind N trusted proxies (PACTUM_PROXY_COUNT, docs/deploy.md), take the client's address
    and scheme from X-Forwarded-*: rate limits count per visitor, not per load balancer."""
    count = app.config.get("PROXY_COUNT") or 0
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_commands(app: Flask) -> None:
    app.cli.add_command(pactum)
