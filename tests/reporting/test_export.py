"""CSV export of every answer of a cycle."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from app.reporting import review
from app.reporting.exports import csv_answers as exports
from tests.reporting.builders_review import (  # noqa: F401  (fixtures)
    fast_receipts,
    make_cycle,
    make_member,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_receipts")  # services need no request

URL = "/secretariat/review/2026/answers.csv"


@pytest.fixture
def cycle(secretariat):
    return make_cycle(secretariat)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_export_one_row_per_organisation_one_column_per_question(
    client, db, login, secretariat, cycle, rep_a, rep_b
):
    first = submit(
        rep_a, cycle, when=dt.date(2026, 3, 1), evidence=[("policy.txt", b"Our policy.\n")]
    )
    review.return_for_changes(secretariat, first, {}, note="Fix the contact.")
    submit(rep_a, cycle, when=dt.date(2026, 3, 2), overrides={"contact": "Ada King"})
    submit(
        rep_b,
        cycle,
        when=dt.date(2026, 4, 2),
        overrides={
            "mfa": "no",
            "frameworks": ["Other"],
            "trained": "0",
            "policy_url": None,
            "contact": "+SUM(A1:A9)",
            "approach": '=HYPERLINK("http://evil.example")',
        },
    )
    make_member("Silent Org")  # must report, has not: no row
    db.session.commit()
    login(client, secretariat)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="pactum-answers-2026.csv"'
    )
    header, *rows = _rows(response)
    assert header[:8] == exports.FIXED_COLUMNS
    assert header[8:] == [
        "1.1 Do you offer multi-factor authentication to every customer?",
        "1.2 Describe how you protect your users.",
        "1.3 How many staff were trained in secure development? (people)",
        "2.1 How large is your security team?",
        "2.2 Which frameworks do you follow?",
        "2.3 Who can we contact about this report?",
        "2.4 Your disclosure policy",
        "2.5 Where is your disclosure policy published?",
        "2.6 When was your last external audit?",
    ]
    assert [r[0] for r in rows] == ["Alpha Org", "Beta Org"]
    alpha = dict(zip(header, rows[0], strict=True))
    assert alpha["version"] == "2" and alpha["report_state"] == "submitted"
    assert alpha["late"] == "no" and alpha["country"] == "DE"
    assert alpha["1.1 Do you offer multi-factor authentication to every customer?"] == "yes"
    assert alpha["1.3 How many staff were trained in secure development? (people)"] == "120"
    assert alpha["2.2 Which frameworks do you follow?"] == "ISO 27001; NIST CSF"
    assert alpha["2.3 Who can we contact about this report?"] == "Ada King"
    assert alpha["2.4 Your disclosure policy"] == "policy.txt"
    assert alpha["2.6 When was your last external audit?"] == "2026-02-01"
    beta = dict(zip(header, rows[1], strict=True))
    assert beta["late"] == "yes"
    assert beta["1.1 Do you offer multi-factor authentication to every customer?"] == "no"
    assert beta["1.3 How many staff were trained in secure development? (people)"] == "0"
    assert beta["2.5 Where is your disclosure policy published?"] == ""
    # Formula injection is neutralised.
    assert beta["2.3 Who can we contact about this report?"] == "'+SUM(A1:A9)"
    assert beta["1.2 Describe how you protect your users."].startswith("'=HYPERLINK")


def test_neutralise():
    assert exports.neutralise("=1+1") == "'=1+1"
    assert exports.neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert exports.neutralise("-2 people") == "'-2 people"
    assert exports.neutralise("\tcmd") == "'\tcmd"
    assert exports.neutralise(-2) == -2  # numbers stay numbers
    assert exports.neutralise("Plain") == "Plain"


def test_export_streams_in_batches(db, secretariat, cycle, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)
    for i in range(5):
        _org, rep = make_member(f"Member {i}")
        submit(rep, cycle, when=dt.date(2026, 3, 1))
    chunks = list(exports.export_answers(secretariat, cycle))
    assert len(chunks) == 3  # header + 2 rows, then 2 rows, then the last row
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert [r[0] for r in rows[1:]] == [f"Member {i}" for i in range(5)]


def test_export_access(client, db, login, secretariat, rep_a, cycle):
    db.session.commit()
    login(client, rep_a)
    assert client.get(URL).status_code == 403
    login(client, secretariat)
    assert client.get("/secretariat/review/1999/answers.csv").status_code == 404
    header, *rows = _rows(client.get(URL))
    assert rows == [] and len(header) == 8 + 9
