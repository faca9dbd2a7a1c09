"""The layout's header and footer, rendered once and reused (issue 20).

`base.html` draws the same header (brand, main navigation, the visitor's links, the
secretariat's navigation) and footer (links, language form) around every page: some forty
translated strings and URLs, the same bytes for every request that shares what they show.
`layout_part(name)` renders `_layout/<name>.html` once per everything the part reads and
gives the stored text afterwards:

* both: the locale (the strings, `current_locale`), the mounting point (SCRIPT_NAME: the
  URLs), the path (the footer's language form posts to it, the secretariat's navigation
  marks it), the alliance's names and languages (settings);
* the header: the endpoint (which item is current) and the kind of visitor (anonymous,
  logged in, secretariat).

The one value that is the visitor's own, the CSRF token of the logout form, is never stored:
the part is rendered with a placeholder that each request replaces with its token (asked of
Flask-WTF only where the form is shown, as before). Each app keeps at most MEMO_SIZE parts, then
the memo starts again; nothing is stored while templates reload (debug), or outside a
request.
"""

from __future__ import annotations

from flask.globals import _cv_request
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup, escape

MEMO_SIZE = 4096
_CSRF_PLACEHOLDER = Markup("\x00pactum-csrf\x00")  # noqa: S704  (a constant of ours)
_MEMO = "pactum_layout_parts"  # app.extensions: each app keeps its own parts


def _key(name: str, context, ctx) -> tuple:
    request = ctx.request
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    return (
        name,
        str(get_locale()),
        context.get("current_locale"),
        request.script_root,
        request.path,
        request.endpoint if name == "header" else None,
        authenticated,
        authenticated and bool(user.is_secretariat),
        context.get("alliance_name"),
        context.get("alliance_short"),
        tuple(context.get("languages") or ()),
        tuple((context.get("languages") or {}).values()),
    )


@pass_context
def layout_part(context, name: str) -> Markup:
    environment = context.environment
    template = environment.get_template(f"_layout/{name}.html")
    ctx = _cv_request.get(None)
    if ctx is None or environment.auto_reload:
        return Markup(template.render(context.get_all(), csrf_value=_csrf(context)))  # noqa: S704
    key = _key(name, context, ctx)
    memo = ctx.app.extensions.get(_MEMO)
    if memo is None:
        memo = ctx.app.extensions.setdefault(_MEMO, {})
    found = memo.get(key)
    if found is None:
        found = Markup(template.render(context.get_all(), csrf_value=_CSRF_PLACEHOLDER))  # noqa: S704
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = found
    if _CSRF_PLACEHOLDER in found:
        found = Markup(found.replace(_CSRF_PLACEHOLDER, escape(_csrf(context))))  # noqa: S704
    return found


def _csrf(context) -> str:
    generate = context.get("csrf_token")
    return generate() if generate is not None else ""
