"""Public member pages: the directory, profiles, logos, joining, and the open data
(CSV, Atom feed and the page that explains them). Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt
import functools

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.charter.services import current_version
from app.core import formats
from app.core.cache import memoize_fragment
from app.core.conditional import Validators, cache_control, conditional
from app.core.forms import error_status
from app.core.http_cache import (
    MEMBER_TOPICS,
    member_page_topics,
    public_page,
    validated_by_topics,
)
from app.core.services import file_bytes
from app.core.uow import refusal_into
from app.errors import NotFound
from app.extensions import limiter
from app.members import (  # noqa: F401  (importing registers the routes and panels)
    admin_views,
    feeds,
    manage_views,
    panels,
    reasons,
    services,
    slug_views,
)
from app.members import home as _home  # noqa: F401  (registers the home page's figures)
from app.members.blueprint import actor, bp
from app.members.directory import (
    SORTS,
    country_label,
    load_context,
    load_sectors,
    parse_filters,
    parse_page,
    search,
)
from app.members.forms import JoinForm, id_or_invalid, organisation_data
from app.transparency.opendata.package import published_years

__all__ = ["bp"]

PER_PAGE = 24


@bp.app_template_filter("public_reason")
def _public_reason(text: str | None) -> str:
    return reasons.shown(text)


@bp.route("/members")
@public_page(MEMBER_TOPICS)
def directory():
    context = load_context()
    filters, errors = parse_filters(request.args, context.sectors)
    page = parse_page(request.args, errors)
    result = search(filters, context, page, PER_PAGE)
    return render_template(
        "members/directory.html",
        result=result,
        filters=filters,
        errors=errors,
        filters_form=_filters_form(result, errors),
        results_html=_results_html(result),
    ), (400 if errors else 200)


def _results_html(result) -> Markup:
    """The results section (count, members, pages, open-data links): the same HTML for
    everyone asking for these filters and this page in this language and under this charter
    version (a row says whether its member endorsed it), so a cached fragment like the filter
    form. Only a cache miss reads the page's rows, and only if something matches."""

    def render() -> str:
        rows = result.rows
        shown = (tuple(key), result.total, result.former, result.page, tuple(rows))
        return _results_memo.get(
            shown,
            lambda: _fragment(
                "members/_directory_results.html",
                result=result,
                filters=result.filters,
                rows=rows,
                member_items=functools.partial(
                    _member_items, current=result.context.current_version
                ),
                page_url=_page_urls(result.filters),
            ),
        )

    key = [
        current_app.extensions["pactum_cache"]["release"],
        str(get_locale()),
        request.script_root,
        result.context.current_version,
        *result.page_key(),
        result.filters.q,
    ]  # the links carry the words as typed
    return Markup(memoize_fragment("directory-results", key, render))  # noqa: S704


class _ShownMemo:
    """HTML remembered per process by everything it shows (the key holds every value the
    template reads), so it is never stale: other data is another key. Bounded: at `size`
    entries it starts again. The directory's filter form and results section with every
    cache off (issue 20): after a write, or for filters the fragment cache does not hold,
    the request still reads its counts and rows, and renders only what changed."""

    def __init__(self, size: int):
        self.size = size
        self.items: dict = {}

    def get(self, key, render) -> str:
        html = self.items.get(key)
        if html is None:
            html = render()
            if len(self.items) >= self.size:
                self.items.clear()
            self.items[key] = html
        return html


SHOWN_MEMO_SIZE = 256
_results_memo = _ShownMemo(SHOWN_MEMO_SIZE)
_form_memo = _ShownMemo(SHOWN_MEMO_SIZE)


ROW_MEMO_SIZE = 8192
_row_memo: dict = {}


def _member_items(rows, current: int | None) -> Markup:
    """The HTML of a page's rows (`members/_member_item.html`), each remembered per process
    by everything it shows: the row's values, the language, the mounting point, the charter
    version in force and the release. A row's HTML depends on nothing else, so a write to
    one organisation (which makes the cached results section stale) renders that member's
    row again, not the 24 of the page (issue 20: the rows were a fifth of a cold directory
    request). At most ROW_MEMO_SIZE rows are kept (then the memo starts again)."""
    language = str(get_locale() or "en")
    member_base = url_for("members.profile", slug="-")[:-1]
    prefix = (current_app.extensions["pactum_cache"]["release"], language, member_base, current)
    item = None
    out = []
    for m in rows:
        key = (prefix, m)
        html = _row_memo.get(key)
        if html is None:
            if item is None:
                template = current_app.jinja_env.get_template("members/_member_item.html")
                item = template.module.member_item
            country = country_label(m.country, language)
            html = f"{item(m, member_base, country, _joined_date(m.joined_on), current)}\n      "
            if len(_row_memo) >= ROW_MEMO_SIZE:
                _row_memo.clear()
            _row_memo[key] = html
        out.append(html)
    return Markup("".join(out))  # noqa: S704 (our own template's output)


def _fragment(name: str, **context) -> str:
    """A directory fragment rendered with `context` alone: none of Flask's context
    processors or signals, whose names the fragments do not use (the layout around them has
    them; each `render_template` ran them again, issue 20)."""
    return current_app.jinja_env.get_template(name).render(context)


def _page_urls(filters):
    """`page_url(n)`: the directory's URL for page `n` of these filters, as
    `url_for("members.directory", **filters.args(), page=n)` writes it (the page last, none
    for page 1), from one `url_for` for all the pagination's links."""
    base = url_for("members.directory", **filters.args())
    joiner = "&" if "?" in base else "?"

    def page_url(page: int) -> str:
        return f"{base}{joiner}page={page:d}" if page > 1 else base

    return page_url


@bp.app_template_filter("day")
def _day(value: dt.date | dt.datetime | None) -> str:
    """`value|date` (the locale's long date; a moment's day in the visitor's time zone),
    each formatted once per process, language and zone: a profile shows a dozen dates, and
    Babel's formatting was a fifteenth of the page (issue 20). The members' templates use it."""
    if not value:
        return ""
    return _shown_day(value, str(get_locale()), str(get_timezone()))


@functools.lru_cache(maxsize=8192)
def _shown_day(value, locale: str, zone: str) -> str:  # locale, zone: the cache key only
    return formats.shown_date(value)


def _joined_date(day: dt.date | None) -> str:
    return _shown_date(day, str(get_locale())) if day else ""


@functools.lru_cache(maxsize=8192)
def _shown_date(day: dt.date, locale: str) -> str:
    """A date as `|date` shows it (the locale's long date, `app.core.formats`), in `locale`
    (the current one): a directory page shows a date per member, and there are only so many
    days, so each is formatted once per process."""
    return formats.shown_date(day)


def _filters_form(result, errors: dict) -> Markup:
    """The filter form with its counts: the same HTML for everyone who asks for these
    filters in this language, so it is a cached fragment (stale after any members write)."""

    def render() -> str:
        return _fragment(
            "members/_directory_filters.html",
            result=result,
            filters=result.filters,
            errors=errors,
            sorts=SORTS,
            facet_options=_facet_options,
        )

    if errors:  # rare, and the messages are part of the form
        return Markup(render())  # noqa: S704 (our own template's output)
    # The search box shows the words as typed (the counts only need them normalised).
    key = [
        current_app.extensions["pactum_cache"]["release"],
        str(get_locale()),
        *result.filters.count_key(),
        result.filters.q,
        result.filters.sort,
    ]
    # What the form shows besides: the mounting point (its links), the sectors' names and
    # slugs, and every count.
    shown = (
        tuple(key),
        request.script_root,
        result.context.sectors,
        tuple((name, tuple(values.items())) for name, values in result.counts.items()),
    )
    return Markup(  # noqa: S704 (our own template's output)
        memoize_fragment("directory-filters", key, lambda: _form_memo.get(shown, render))
    )


def _facet_options(values) -> Markup:
    """The `<option>`s of one filter, as the form's loop wrote them (same text, same
    spaces), joined here: a form has some 300 choices (the countries), and Jinja's loop with
    its escaping per piece was a third of a cold directory request (issue 20)."""
    return Markup(  # noqa: S704 (every value escaped)
        "".join(
            f'\n        <option value="{_escaped(v.value)}" {"selected" if v.selected else ""}>'
            f"{_escaped(v.label)} ({v.count:d})</option>\n        "
            for v in values
        )
    )


@functools.lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    """`text` HTML-escaped as Jinja's autoescape does it (filter values and labels repeat on
    every request)."""
    return str(escape(text))


@bp.route("/members/<slug>")
@public_page(member_page_topics)
def profile(slug: str):
    data = services.load_profile(actor(), slug)
    return render_template("members/profile.html", p=data, org=data.organisation)


@bp.route("/members/<slug>/logo")
def logo(slug: str):
    org = services.get_visible(actor(), slug)
    data = file_bytes(org.logo_sha256) if org.logo_sha256 else None
    if data is None:
        raise NotFound(_("This member has no logo."))
    # A versioned URL (?v=<hash>) never changes content; the bare URL may.
    versioned = request.args.get("v") == org.logo_sha256[:12]

    def build():
        response = current_app.response_class(data, mimetype="image/png")
        response.headers["Content-Disposition"] = f'inline; filename="{org.slug}-logo.png"'
        return response

    return conditional(
        Validators.of(org.logo_sha256),
        build,
        cache_control=cache_control(
            public=org.is_listed, max_age=31536000 if versioned else 3600, immutable=versioned
        ),
    )


def _join_limit() -> str:
    return current_app.config.get("JOIN_RATE_LIMIT", "20 per hour")


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join():
    version = current_version()
    form = JoinForm()
    form.set_choices(services.country_choices(), load_sectors())
    if request.method == "GET" and version is not None:
        form.charter_version_id.data = str(version.id)
    status = None
    if form.validate_on_submit():
        with refusal_into(form) as refused:
            services.submit_application(_application_data(form))
        if not refused:
            return redirect(url_for("members.join_submitted"))
        status = refused.status
        if version is not None:
            form.charter_version_id.data = str(version.id)
    return render_template("members/join.html", form=form, version=version), (
        status or error_status(form)
    )


def _application_data(form: JoinForm) -> services.ApplicationData:
    return services.ApplicationData(
        organisation=organisation_data(form),
        contact_name=form.contact_name.data,
        contact_email=form.contact_email.data,
        contact_title=form.contact_title.data or "",
        motivation=form.motivation.data or "",
        charter_version_id=id_or_invalid(form.charter_version_id.data),
        signatory_name=form.signatory_name.data,
        signatory_title=form.signatory_title.data,
        authorised_to_sign=bool(form.authorised_to_sign.data),
    )


@bp.route("/join/submitted")
def join_submitted():
    return render_template("members/join_submitted.html")


@bp.route("/open-data")
@public_page(MEMBER_TOPICS + ("reports",))
def api_docs():
    return render_template("members/open_data.html", package_years=published_years())


@bp.route("/members.csv")
@validated_by_topics(MEMBER_TOPICS)
def csv_export():
    return feeds.csv_response(request.args)


@bp.route("/members/feed.atom")
@public_page(MEMBER_TOPICS)
def feed():
    return feeds.atom_response()
