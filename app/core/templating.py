"""Jinja filters and globals shared by every template."""

from __future__ import annotations

import functools
import gettext

import pycountry
from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from app.core.labels import label
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
    """The country's name in the visitor's language (pages and forms). Data exports (CSV,
    API, feed) keep `country_name`: the English ISO name their documentation promises."""
    name = country_name(code)
    if not code or not has_request_context():
        return name
    catalog = _country_catalog(str(get_locale() or "en").split("_")[0])
    country = pycountry.countries.get(alpha_2=code.upper())
    if catalog is None or country is None:
        return name
    common = getattr(country, "common_name", None)
    if common:
        translated = catalog.gettext(common)
        if translated != common:
            return translated
    return catalog.gettext(country.name)


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["md"] = render_markdown
    app.jinja_env.filters["country"] = local_country_name
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = (
        lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["label"] = lambda code, kind: label(kind, code)
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def globals_():
        return {
            "alliance_name": current_app.config["ALLIANCE_NAME"],
            "alliance_short": current_app.config["ALLIANCE_SHORT"],
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(get_locale() or "en"),
            "user": current_user,
        }
