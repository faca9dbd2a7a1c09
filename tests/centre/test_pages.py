"""The transparency centre's pages: what they show, that their figures are the annual
report's, the filters, bad input, and that nothing private ever appears."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from app.reporting.models import Report
from app.transparency import figures as F
from app.transparency import queries as annual
from tests.centre.conftest import SENTINEL


def text(response) -> str:
    body = response.get_data(as_text=True)
    body = body.split('id="main"', 1)[-1]
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def test_the_map_has_an_entry_per_principle_with_pledges_figures_and_a_trend(client, world):
    response = client.get("/principles")
    assert response.status_code == 200
    page = text(response)
    for n in (1, 2, 3):
        assert f"Principle {n} Principle title {n}" in page
    # Principle 1: two members pledged in public (Gamma's pledge is private).
    assert "2 members pledged on it." in page
    # 2025 (the latest closed cycle): MFA yes for alpha, beta, of the four accepted reports.
    assert "Do you offer multi-factor authentication? : 50% yes (2 of 4)" in page
    # The trend of the share of yes (2024: alpha yes, beta no; 2025: 2 of 4), in words too.
    assert "2024: 50%; 2025: 50%" in page
    html = response.get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<desc" in html


def test_the_figures_equal_the_annual_reports(client, world):
    """The principle page prints the annual report's own figures for the same year."""
    loaded = annual.load_indicators(world.c2025, annual.load_principles(world.c2025))[0]
    by_lineage = {i.question.lineage: i for i in loaded["P1"] + loaded["P2"]}
    mfa, share, programme = by_lineage["mfa"], by_lineage["share"], by_lineage["programme"]
    # Computed independently: 2 yes of 4; numbers 80, 20, 5, 30; choices 2 x None.
    assert (mfa.yes, mfa.answered) == (2, 4)
    assert (share.q1, share.median, share.q3) == (16.25, 25.0, 42.5)
    assert [d[:2] for d in programme.distribution] == [
        ("Bug bounty", 1),
        ("Email address", 1),
        ("None", 2),
    ]
    p1 = text(client.get("/principles/1"))
    assert (
        f"2025 Do you offer multi-factor authentication? {F.percent(mfa.share_yes)} yes (2 of 4)"
        in p1
    )
    assert "median 25, quartiles 16.25–42.5 (4 answers)" in p1
    p2 = text(client.get("/principles/2"))
    assert "Bug bounty: 25% (1)" in p2 and "None: 50% (2)" in p2


def test_a_principle_page_shows_its_questions_over_the_years_and_the_answers(client, world):
    page = text(client.get("/principles/1"))
    assert "Principle title 1" in page
    # Questions linked across cycles by their lineage, each wording per year.
    assert "Asked in 2024, 2025 (2 cycles)." in page
    assert "2024 Do you offer MFA?" in page
    # The members' public answers, each linking to the member's report.
    assert "Hardware keys for all." in page and "Workshops." in page
    html = client.get("/principles/1").get_data(as_text=True)
    assert 'href="/members/alpha-security/reports/2025"' in html
    assert 'href="/principles/1/questions/mfa"' in html
    # Answers to a returned version, a submitted one, or a non-public question never.
    assert "pending words" not in page and "Internal question" not in page
    assert "Gamma's accepted words." in page


def test_filters_narrow_the_answers(client, world):
    page = text(client.get("/principles/1?country=DE&category=company&year=2025"))
    assert "Hardware keys for all." in page and "Gamma's accepted words." in page
    assert "Workshops." not in page and "We use keys." not in page
    page = text(client.get("/principles/1?sector=cloud"))
    assert "Gamma's accepted words." in page and "Hardware keys" not in page
    page = text(client.get("/principles/1?status=suspended"))
    assert "0 public answers" in page
    oldest = text(client.get("/principles/1?sort=oldest"))
    assert oldest.index("We use keys.") < oldest.index("Hardware keys for all.")
    by_member = text(client.get("/principles/1?sort=member&year=2025"))
    assert by_member.index("Alpha Security") < by_member.index("Delta Telecom")


def test_answers_are_paged(client, world, monkeypatch):
    from app.transparency.centre import principles

    monkeypatch.setattr(principles, "PER_PAGE", 3)
    first = client.get("/principles/1?year=2025")
    assert 'rel="next"' in first.get_data(as_text=True)
    # 4 members x 3 public answered questions of principle 1 in 2025: 12 answers, 4 pages.
    assert "12 public answers" in text(first) and "Page 1 of 4" in text(first)
    last = text(client.get("/principles/1?year=2025&page=99"))
    assert "Page 4 of 4" in last


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=20x5", "Give the year as four digits"),
        ("year=1999", "There are no public answers for 1999"),
        ("country=XX", "Unknown country code"),
        ("sector=nope", "Unknown sector."),
        ("category=robots", "Unknown category."),
        ("status=applicant", "Unknown status."),
        ("sort=random", "Sort by year"),
        ("page=-1", "The page must be a whole number"),
    ],
)
def test_a_malformed_filter_is_a_clear_message_and_400(client, world, query, message):
    for url in (f"/principles/1?{query}", f"/principles/1/questions/mfa?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert message in text(response), url


def test_every_filter_message_at_once(client, world):
    page = text(client.get("/principles/1?year=abc&country=XX&sort=zzz"))
    assert "Give the year" in page and "Unknown country code" in page and "Sort by year" in page


def test_a_question_page_follows_one_lineage(client, world):
    response = client.get("/principles/1/questions/mfa")
    assert response.status_code == 200
    page = text(response)
    assert "2025 Do you offer multi-factor authentication? 50% yes (2 of 4)" in page
    assert "2024 Do you offer MFA? 50% yes (1 of 2)" in page
    assert "Share of accounts" not in page  # another question
    words = text(client.get("/principles/1/questions/approach?country=FR"))
    assert "Workshops." in words and "We train people." in words and "Hardware" not in words


def test_the_member_report_page(client, world):
    response = client.get("/members/alpha-security/reports/2025")
    assert response.status_code == 200
    page = text(response)
    assert "Alpha Security" in page and "Hardware keys for all." in page
    assert "Alpha turns on MFA for everyone" in page and "P1" in page
    version = world.alpha_2025.versions[-1]
    assert "Version 1" in page and "Accepted on" in page
    assert re.search(r"SHA-256 of the published content [0-9a-f]{64}", page)
    html = response.get_data(as_text=True)
    assert 'href="/members/alpha-security/reports/2025.pdf"' in html
    assert "http://" in html and "/members/alpha-security/reports/2025</a>" in html
    assert version.review_state == "accepted"
    # The same data, the same checksum; the profile links the page.
    assert text(client.get("/members/alpha-security/reports/2025")) == page
    profile = client.get("/members/alpha-security").get_data(as_text=True)
    assert 'href="/members/alpha-security/reports/2025"' in profile
    assert "/compare?members=alpha-security" in profile


def test_only_the_accepted_version_is_shown(client, world):
    page = text(client.get("/members/gamma-cloud/reports/2025"))
    assert "Gamma's accepted words." in page and "Version 2" in page
    assert client.get("/members/gamma-cloud/reports/2024").status_code == 404


def test_compare_members_side_by_side(client, world):
    response = client.get("/compare?members=alpha-security,beta-rights,delta-telecom&year=2025")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text(response)
    assert "Alpha Security" in page and "Beta Rights" in page and "Delta Telecom" in page
    row = re.search(r"Do you offer multi-factor authentication\?(.*?)</tr>", html, re.S).group(1)
    assert "Differs" in row
    assert "Internal question" not in page
    # Repeated parameters work as well as a comma list; the year defaults to the latest.
    again = client.get("/compare?members=alpha-security&members=beta-rights")
    assert again.status_code == 200 and "Public answers in 2025" in text(again)
    directory = client.get("/members").get_data(as_text=True)
    assert 'href="/compare"' in directory


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("members=a,b,c,d,e", "Compare at most 4 members at a time: you chose 5."),
        ("members=alpha-security,<script>", "is not a member's address name"),
        ("members=alpha-security,beta-rights&year=twenty", "Give the year as four digits"),
    ],
)
def test_bad_comparisons_are_a_clear_message_and_400(client, world, query, message):
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert message in text(response)


def test_compare_with_one_member_asks_for_another(client, world):
    response = client.get("/compare?members=alpha-security")
    assert response.status_code == 200
    assert "Choose at least two members." in text(response)


def centre_urls() -> list[str]:
    return [
        "/principles",
        "/principles/1",
        "/principles/2",
        "/principles/3",
        "/principles/1?year=2024",
        "/principles/1?year=2025&country=DE",
        "/principles/1?sort=member",
        "/principles/1/questions/mfa",
        "/principles/1/questions/approach",
        "/principles/1/questions/share",
        "/principles/2/questions/programme",
        "/members/alpha-security/reports/2025",
        "/members/alpha-security/reports/2024",
        "/members/beta-rights/reports/2025",
        "/members/gamma-cloud/reports/2025",
        "/members/delta-telecom/reports/2025",
        "/compare?members=alpha-security,beta-rights,gamma-cloud,delta-telecom&year=2025",
        "/compare?members=alpha-security,gamma-cloud&year=2024",
        "/compare",
    ]


def test_nothing_private_appears_on_any_centre_page(app, client, world, secretariat):
    """The sentinel sits in a non-public question and its answers, a returned version, a
    submitted (unreviewed) report, a draft answer, a reviewer's comment, an evidence file
    name, a private pledge and the submitter's name: no centre page shows it, whoever asks."""
    from tests.conftest import login_as

    urls = centre_urls()
    adapter = app.url_map.bind("localhost")
    walked = {adapter.match(url.split("?")[0])[0] for url in urls}
    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("centre.")
    }
    assert routes <= walked, f"centre pages the sentinel walk does not visit: {routes - walked}"
    sec = app.test_client()
    login_as(sec, secretariat)
    for c in (client, sec):
        for url in urls:
            response = c.get(url)
            assert response.status_code < 400, url
            assert SENTINEL not in response.get_data(as_text=True), url
            assert "rep@sentinel.example" not in response.get_data(as_text=True), url


def test_pages_come_from_the_page_cache_and_go_stale_when_a_report_is_accepted(
    client, world, db, secretariat
):
    from app.reporting.review import decisions

    url = "/principles/1?year=2024"
    first = client.get(url)
    assert first.headers.get("X-Pactum-Cache") == "miss"
    assert "pending words" not in text(first)
    assert client.get(url).headers.get("X-Pactum-Cache") == "hit"
    report = db.session.scalar(
        select(Report).where(
            Report.organisation_id == world.gamma.id, Report.cycle_id == world.c2024.id
        )
    )
    decisions.accept(secretariat, report.versions[-1])
    db.session.commit()
    again = client.get(url)
    assert again.headers.get("X-Pactum-Cache") == "miss"
    assert "pending words" in text(again)  # accepted now: its public answers are public
