"""Jinja filters and globals shared by every template."""

from __future__ import annotations

import pycountry
from flask import Flask, current_app, request, url_for
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
    app.jinja_env.filters["country"] = country_name
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
