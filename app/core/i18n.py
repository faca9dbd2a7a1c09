"""The request's translations, found once: Flask-Babel finds the request context, the
domain, the locale and the catalog afresh for every string (three context-local proxy
look-ups each, about 10 µs a `gettext`); a page translates dozens of strings.

    translations()          the catalog of the current locale (Flask-Babel's own)
    gettext(string, **v)    `flask_babel.gettext` through it: the same result
"""

from __future__ import annotations

from flask.globals import _cv_app
from flask_babel import get_translations


def translations():
    """Flask-Babel's translations for this request, looked up once per request and locale.

    Flask-Babel's own Jinja callables find the request context, the domain, the locale and the
    catalog afresh for every string (about 25 lookups through context-local proxies per
    page); this keeps the catalog next to the locale it was found for in Flask-Babel's own
    per-request namespace, so `force_locale` (which sets another locale) still switches
    language, and restoring the locale switches back."""
    ctx = _cv_app.get(None)
    namespace = vars(ctx.g).get("_flask_babel") if ctx is not None else None
    if namespace is not None:
        found = vars(namespace).get("pactum_translations")
        if found is not None and found[0] is getattr(namespace, "babel_locale", None):
            return found[1]
    translations = get_translations()
    if ctx is not None:
        namespace = vars(ctx.g).get("_flask_babel")
        locale = getattr(namespace, "babel_locale", None)
        if locale is not None:
            namespace.pactum_translations = (locale, translations)
    return translations


def gettext(string: str, **variables) -> str:
    """`flask_babel.gettext`, with the catalog of `translations()`."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated
