"""Jinja filters and globals shared by every template."""

from __future__ import annotations

import functools
import gettext
import re

import pycountry
from flask import Flask, current_app, has_app_context, request, url_for
from flask.globals import _cv_request
from flask.templating import Environment as FlaskEnvironment
from flask_babel import (
    format_time,
    get_locale,
    get_timezone,
)
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from app.core import formats, languages, links
from app.core.i18n import translations as _translations
from app.core.labels import label
from app.core.layout import layout_part
from app.markdown import render as render_markdown


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@functools.cache
def _country_catalog(language: str):
    """pycountry's own translations of the ISO 3166 names (None for English or unknown)."""
    if language == "en":
        return None
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


def local_country_name(code: str | None) -> str:
    """The country's name in the visitor's language (pages and forms), or in the language a
    document is laid out in (`force_locale`, e.g. the annual report's French edition in a
    job). Data exports (CSV, API, feed) keep `country_name`: the English ISO name their
    documentation promises. Named once per code and locale (two pycountry look-ups and a
    catalog's: a list of answers names a country on each row)."""
    if not code or not has_app_context():
        return country_name(code)
    return _local_country_name(code, str(get_locale() or "en"))


@functools.lru_cache(maxsize=4096)
def _local_country_name(code: str, locale: str) -> str:
    name = country_name(code)
    catalog = _country_catalog(locale.split("_")[0])
    country = pycountry.countries.get(alpha_2=code.upper())
    if catalog is None or country is None:
        return name
    common = getattr(country, "common_name", None)
    if common:
        translated = catalog.gettext(common)
        if translated != common:
            return translated
    return catalog.gettext(country.name)


def short_time(moment) -> str:
    """`format_time(moment, "short")` (hours and minutes in the visitor's language and time
    zone), formatted once per minute, language and zone: the autosave answers "Saved at 14:05"
    many times a minute during the deadline rush, and Babel's formatting is a good part of
    that answer's cost."""
    minute = moment.replace(second=0, microsecond=0)
    return _short_time(minute, str(get_locale() or ""), str(get_timezone() or ""))


@functools.lru_cache(maxsize=512)
def _short_time(minute, locale: str, zone: str) -> str:  # locale, zone: the cache key only
    return format_time(minute, "short")


_DICT_NAMES = frozenset(dir(dict))


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, reading `mapping.key` of a plain dict straight away.

    Jinja's `getattr` asks for the attribute first and looks the key up after the
    AttributeError: for a dict (a dashboard panel's values, about fifty reads a page) the
    raised and caught exception costs ten times the look-up (issue 20). The result is the
    same: a plain dict has no attributes but its methods, and those names go Jinja's way."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _install_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = _template_gettext


MEMO_SIZE = 4096


@pass_context
def _template_gettext(context, string: str, **variables):
    """Jinja's new-style `gettext`/`_` (translate, mark safe under autoescape, then `%`
    the variables in, escaped), remembering the result of each string without variables per
    catalog: a page's navigation, footer and labels are the same strings on every request,
    and Jinja's wrapper around the catalog cost more than the lookup itself."""
    translations = _translations()
    autoescape = context.eval_ctx.autoescape
    if not variables:
        memo = translations.__dict__.setdefault("_pactum_template_memo", {})
        found = memo.get((string, autoescape))
        if found is not None:
            return found
    translated = translations.ugettext(string)
    # The catalog is ours, as under Jinja's own wrapper.
    result = (Markup(translated) if autoescape else translated) % variables  # noqa: S704
    if not variables:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[(string, autoescape)] = result
    return result


def _template_label(code, kind: str) -> str:
    """`code|label(kind)`: the label in the reader's language, remembered per catalog like
    `_template_gettext` (a dashboard shows a dozen states and statuses, the same words on
    every request; each lazy label otherwise finds the locale and catalog afresh)."""
    translations = _translations()
    memo = translations.__dict__.setdefault("_pactum_label_memo", {})
    key = (kind, code)
    found = memo.get(key)
    if found is None:
        found = label(kind, code)
        if len(memo) < MEMO_SIZE:
            memo[key] = found
    return found


URL_MEMO_SIZE = 4096


def _memoised_url_for():
    """`url_for` for templates, remembering the URLs it built for plain arguments.

    A page builds 20-odd URLs (navigation, footer, static files) that are the same for every
    request; werkzeug rebuilds each one every time. Only relative URLs of named endpoints
    with string or integer arguments are remembered, per mounting point (SCRIPT_NAME, which a
    proxy may set per request), and at most URL_MEMO_SIZE of them; everything else goes to
    Flask's `url_for` unchanged, and so does every call once the app has `url_defaults`
    functions (they could change a URL from one request to the next)."""
    memo: dict = {}

    def url_for_(endpoint: str, **values):
        ctx = _cv_request.get(None)
        if ctx is None:  # mail, PDFs and jobs: the public site's URLs (PACTUM_SERVER_URL)
            return links.build(endpoint, values)
        if (
            ctx.url_adapter is None
            or endpoint[:1] == "."
            or any(ctx.app.url_default_functions.values())
            or not all(type(v) in (str, int) and k[:1] != "_" for k, v in values.items())
        ):
            return url_for(endpoint, **values)
        key = (ctx.url_adapter.script_name, endpoint, *sorted(values.items()))
        found = memo.get(key)
        if found is None:
            found = url_for(endpoint, **values)
            if len(memo) < URL_MEMO_SIZE:
                memo[key] = found
        return found

    return url_for_


_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


def user_text(language: str | None = None) -> Markup:
    """The attributes of an element holding text a person wrote (a name, an answer, a
    pledge): `dir="auto"`, so a right-to-left name reads right inside a left-to-right page,
    and `lang` when the language it was written in is known. `<dd{{ user_text(q.lang) }}>`."""
    attrs = ' dir="auto"'
    if isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language):
        attrs += f' lang="{language.replace("_", "-")}"'
    return Markup(attrs)  # noqa: S704  (a fixed text, and a code the pattern allows)


def init_app(app: Flask) -> None:
    _install_gettext(app)
    app.jinja_env.globals["url_for"] = _memoised_url_for()
    app.jinja_env.filters["md"] = render_markdown
    app.jinja_env.filters["country"] = local_country_name
    app.jinja_env.filters["date"] = formats.shown_date  # one style per language
    app.jinja_env.filters["datetime"] = formats.shown_datetime
    app.jinja_env.filters["label"] = _template_label
    app.jinja_env.filters["percent"] = lambda value, digits=0: (
        formats.percent(value, digits=digits) if value is not None else ""
    )
    app.jinja_env.globals["date_example"] = formats.numeric_date_example
    app.jinja_env.globals["date_order_label"] = formats.date_order_label
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["user_text"] = user_text
    app.jinja_env.globals["layout_part"] = layout_part
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def globals_():
        return {
            "alliance_name": current_app.config["ALLIANCE_NAME"],
            "alliance_short": current_app.config["ALLIANCE_SHORT"],
            "languages": languages.languages(),
            "current_locale": languages.current_language(),
            "user": current_user,
        }
