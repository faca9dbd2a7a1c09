"""The layout's header and footer, rendered once and reused (app.core.layout): what they
show still follows the visitor, the page and the language, and the logout form carries each
session's own CSRF token."""

from __future__ import annotations

import re

from tests.conftest import login_as

TOKEN = re.compile(
    r'action="/logout" class="inline-form">\s*<input type="hidden" name="csrf_token" value="([^"]+)"'
)


def _page(client, path="/members", **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_header_follows_the_visitor(app, db, secretariat, rep_a):
    db.session.commit()
    anonymous = _page(app.test_client())
    assert "Log in</a>" in anonymous and "Log out" not in anonymous

    rep = app.test_client()
    login_as(rep, rep_a)
    page = _page(rep)
    assert "Log out" in page and "Log in</a>" not in page
    assert 'class="admin-nav"' not in page

    sec = app.test_client()
    login_as(sec, secretariat)
    page = _page(sec)
    assert 'class="admin-nav"' in page
    # The secretariat's navigation marks the page it is on, page by page.
    audit = _page(sec, "/secretariat/audit")
    assert '<a href="/secretariat/audit" aria-current="page">' in audit
    assert '<a href="/secretariat/audit" aria-current="page">' not in page
    # Anonymous again, after the others: still the anonymous header.
    assert "Log out" not in _page(app.test_client())


def test_each_session_gets_its_own_token_in_the_logout_form(app, db, rep_a, rep_b):
    db.session.commit()
    tokens = []
    for user in (rep_a, rep_b):
        client = app.test_client()
        login_as(client, user)
        first = TOKEN.search(_page(client, "/dashboard")).group(1)
        again = TOKEN.search(_page(client, "/dashboard")).group(1)
        tokens.append(first)
        response = client.post("/logout", data={"csrf_token": again})
        assert response.status_code == 302  # the token is this session's: logged out
        assert client.get("/dashboard").status_code == 302
    assert tokens[0] != tokens[1]


def test_the_footer_follows_the_language_and_the_page(app, db):
    client = app.test_client()
    english = _page(client, "/members", **{"Accept-Language": "en"})
    french = _page(client, "/members", **{"Accept-Language": "fr"})
    assert '<label for="lang-select">Language</label>' in english
    assert '<label for="lang-select">Langue</label>' in french
    assert 'value="fr" selected' in french and 'value="fr" selected' not in english
    assert 'class="lang-form"' in _page(client, "/charter")
    assert '<form method="get" action="/charter" class="lang-form">' in _page(client, "/charter")
    assert '<form method="get" action="/members" class="lang-form">' in english
