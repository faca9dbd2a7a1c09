"""Bad input on the transparency centre (issue 15): an unknown principle, question, member
or year is a 404 page that says what is missing and where to go instead; odd values in
addresses and filters are a 400 with a message or a 404, never a 500. (Search syntax and
the API's filters: tests/opendata/test_search.py and test_api.py.)"""

from __future__ import annotations

import re

import pytest

from tests.centre.test_pages import text

NOT_FOUND = [
    ("/principles/99", "The charter in force has no principle 99.", "/principles"),
    ("/principles/0", "has no principle 0", "/principles"),
    ("/principles/1/questions/nope", "Principle 1 has no such public question.", "/principles"),
    ("/principles/1/questions/secret", "Principle 1 has no such public question.", "/principles"),
    ("/members/nobody/reports/2025", "There is no such member.", "/members"),
    ("/members/alpha-security/reports/1999", "There is no reporting cycle for 1999.", "/members"),
    (
        "/members/gamma-cloud/reports/2024",
        "Gamma Cloud has no accepted report for 2024.",
        "/members",
    ),
    ("/compare?members=alpha-security,nobody", "There is no member “nobody”.", "/members"),
    (
        "/compare?members=alpha-security,beta-rights&year=2019",
        "None of these members has an accepted report for 2019.",
        "/members",
    ),
    ("/open-data/1999.zip", "There is no reporting cycle for 1999.", "/open-data"),
]


@pytest.mark.parametrize(("url", "message", "way_back"), NOT_FOUND)
def test_unknown_things_are_a_helpful_404(client, world, url, message, way_back):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert message in text(response)
    html = response.get_data(as_text=True)
    main = html.split('id="main"', 1)[1].split("</main>", 1)[0]
    assert f'class="button" href="{way_back}"' in main, main
    assert 'href="/"' in main  # the home page, as on every error page


def test_the_api_answers_its_404_in_json(client, world):
    response = client.get("/api/v1/reports/alpha-security/1999")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"]["status"] == 404


ODD = [
    "/principles/1?page=99999999999999999999",
    "/principles/1?year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95",  # full-width digits
    "/principles/1?country=%00",
    "/principles/1?sort=%F0%9F%9A%80",
    "/principles/1?category=" + "x" * 10_000,
    "/principles/1/questions/mfa?page=abc&year=-1",
    "/principles/1/questions/%F0%9F%9A%80",
    "/principles/1/questions/" + "x" * 5_000,
    "/principles/99999999999999999999999/questions/mfa",
    "/members/alpha-security/reports/99999999999999999999",
    "/members/%F0%9F%9A%80/reports/2025",
    "/compare?members=" + "a" * 10_000,
    "/compare?members=" + ",".join(["alpha-security"] * 50),
    "/compare?members=alpha-security,beta-rights&year=%F0%9F%9A%80",
    "/compare?members=alpha-security,beta-rights&year=99999999999999999999",
    "/compare?members=%00,alpha-security",
    "/compare?members=a,b,c,d,e,f,g",
    "/search?q=%00%00",
    "/search?q=" + "%F0%9F%9A%80" * 3_000,
    '/search?q="unclosed',
    "/search?q=NEAR(a b) OR c* AND -d",
    "/search?q=mfa&page=99999999999999999999",
    "/open-data/99999999999999999999.zip",
]


@pytest.mark.parametrize("url", ODD, ids=lambda u: re.sub(r"(.)\1{20,}", r"\1…", u)[:60])
def test_odd_values_are_refused_politely_never_a_500(client, world, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404), (url[:100], response.status_code)
    if response.status_code == 400:
        page = text(response)
        assert any(
            sign in page
            for sign in (
                "could not be used",
                "Give the",
                "Unknown",
                "must be",
                "Compare at most",
                "is not a member",
                "at most 200 characters",
            )
        ), page[:500]


def test_more_than_four_members_is_a_message_next_to_the_form(client, world):
    response = client.get("/compare?members=a,b,c,d,e")
    assert response.status_code == 400
    assert "Compare at most 4 members at a time: you chose 5." in text(response)
    # The form is still there, with the first four kept, to correct the choice.
    html = response.get_data(as_text=True)
    assert 'value="a"' in html and 'value="d"' in html and 'value="e"' not in html
