"""Benchmark of the questionnaire workbook (issue 19), in process, on a temporary SQLite file:

    .venv/bin/python -m bench.workbook [--members 25000] [--repeat 15] [--smoke]

* download: median time of `GET /my/reports/<year>/workbook.xlsx` for a 40-question
  questionnaire with every answer given (target <= 300 ms);
* preview: median time of `POST /my/reports/<year>/workbook` (upload to preview) of that
  workbook with five answers changed (target <= 500 ms);
* all reports: the secretariat's `GET /secretariat/cycles/<year>/answers.xlsx` with
  `--members` submitted reports, consumed chunk by chunk: Python memory growth (tracemalloc
  peak above the start) and the process's resident peak growth (target < 32 MB at 25,000).

Times are of the Flask test client (no network, no server); the machine is shared, so
compare runs made together only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl
from sqlalchemy import func, insert, select, update

from app import clock, mail
from app.accounts.models import User
from app.config import overrides_for_tests
from app.db import db
from app.factory import create_app
from app.members.models import Organisation
from app.reporting import cycles, filling
from app.reporting.models import Report, ReportVersion
from app.reporting.workbook import layout

YEAR = 2026
KINDS = [
    ("yes_no", {}),
    ("number", {"min_value": 0, "max_value": 100, "unit": "%"}),
    ("long_text", {}),
    ("single_choice", {"choices": ["Bug bounty", "Email address", "None"]}),
    ("multiple_choice", {"choices": ["ISO 27001", "NIST CSF", "Other"]}),
    ("short_text", {}),
    ("url", {}),
    ("date", {}),
]
VALUES = {
    "yes_no": "yes",
    "number": "87.5",
    "long_text": "We use strong defaults.\n\nAudits twice a year. " * 8,
    "single_choice": "Bug bounty",
    "multiple_choice": ["ISO 27001", "Other"],
    "short_text": "Ada Lovelace",
    "url": "https://example.org/security",
    "date": "2026-02-01",
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _world(app):
    from tests.factories import make_org, make_user  # the builders of the test suite

    clock.freeze(dt.datetime(YEAR, 2, 1, 12, tzinfo=dt.UTC))
    secretariat = make_user(role="secretariat", email="sec@example.org")
    org = make_org("Alpha Org")
    rep = make_user(organisation=org, email="rep@example.org")
    cycle = cycles.create_cycle(
        secretariat,
        YEAR,
        "Cycle",
        dt.date(YEAR, 1, 10),
        dt.date(YEAR, 3, 31),
        categories=["company"],
    )
    questions = []
    for s in range(8):
        section = cycles.add_section(secretariat, cycle, f"Section {s + 1}")
        for i in range(5):
            kind, options = KINDS[(s + i) % len(KINDS)]
            questions.append(
                cycles.add_question(
                    secretariat, section, f"Question {s + 1}.{i + 1}?", kind, **options
                )
            )
    cycles.open_cycle(secretariat, cycle)
    report = filling.get_or_start_report(rep, cycle, org)
    filling.save_answers(rep, report, {q.id: VALUES[q.type] for q in questions}, report.revision)
    db.session.commit()
    return secretariat, rep, cycle, report, questions


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _login(client, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def _changed(data: bytes, texts: list[int]) -> bytes:
    """The workbook with five text answers changed."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for name in book.sheetnames:
        if not name.startswith("Section "):
            continue
        sheet = book[name]
        for row in range(layout.FIRST_ROW, sheet.max_row + 1):
            if sheet.cell(row, 1).value in texts:
                cell = sheet.cell(row, layout.ANSWER_COL + 1)
                cell.value = cell.value[:100] + " (changed)"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _members(report: Report, count: int) -> None:
    """`count` more organisations with a submitted report copied from `report`'s version."""
    version = db.session.get(ReportVersion, report.current_version_id)
    for start in range(0, count, 1000):
        batch = range(start, min(start + 1000, count))
        orgs = (
            db.session.execute(
                insert(Organisation).returning(Organisation.id),
                [
                    {
                        "name": f"Member {n:05d}",
                        "name_key": f"member {n:05d}",
                        "slug": f"member-{n:05d}",
                        "country": "DE",
                        "category": "company",
                        "status": "active",
                    }
                    for n in batch
                ],
            )
            .scalars()
            .all()
        )
        reports = (
            db.session.execute(
                insert(Report).returning(Report.id),
                [
                    {
                        "cycle_id": report.cycle_id,
                        "organisation_id": o,
                        "state": "submitted",
                        "revision": 1,
                    }
                    for o in orgs
                ],
            )
            .scalars()
            .all()
        )
        versions = db.session.execute(
            insert(ReportVersion).returning(ReportVersion.id, ReportVersion.report_id),
            [
                {
                    "report_id": r,
                    "number": 1,
                    "submitted_at": version.submitted_at,
                    "officer_name": "Grace Hopper",
                    "officer_title": "CEO",
                    "support_statement": "",
                    "snapshot": version.snapshot,
                    "questionnaire_hash": version.questionnaire_hash,
                }
                for r in reports
            ],
        ).all()
        db.session.execute(
            update(Report),
            [{"id": report_id, "current_version_id": vid} for vid, report_id in versions],
        )
        db.session.commit()


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="200 members, 3 repeats")
    args = parser.parse_args(argv)
    if args.smoke:
        args.members, args.repeat = 200, 3
    folder = Path(tempfile.mkdtemp(prefix="pactum-workbook-bench-"))
    app = create_app({**overrides_for_tests(f"sqlite:///{folder / 'bench.db'}"), "TESTING": False})
    with app.app_context():
        db.create_all()
        secretariat, rep, _cycle, _report, questions = _world(app)
        ids = secretariat.get_id(), rep.get_id()
        rep_id = rep.id
        texts = [q.id for q in questions if q.type in ("short_text", "long_text")][:5]
    client = app.test_client()  # requests outside the set-up's app context, as in production
    _login(client, ids[1])
    url = f"/my/reports/{YEAR}/workbook"
    data = client.get(url + ".xlsx").data
    download = _timed(lambda: client.get(url + ".xlsx"), args.repeat)
    changed = _changed(data, texts)

    def upload():
        token = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
        response = client.post(
            url,
            data={"csrf_token": token, "workbook": (io.BytesIO(changed), "report.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, response.status_code

    preview = _timed(upload, args.repeat)
    with app.app_context():
        rep = db.session.get(User, rep_id)
        report = db.session.scalars(select(Report)).one()
        filling.set_attestation(
            rep, report, "Grace Hopper", "CEO", "We support the charter.", report.revision
        )
        with mail.suppressed():  # no receipt printed
            filling.submit_report(rep, report, authorised=True)
        db.session.commit()
        _members(report, args.members)
        count = db.session.scalar(select(func.count()).select_from(ReportVersion))
    sec_client = app.test_client()
    _login(sec_client, ids[0])
    rss_before = _rss_kb()
    tracemalloc.start()
    base, _peak = tracemalloc.get_traced_memory()
    start = time.perf_counter()
    size = 0
    response = sec_client.get(f"/secretariat/cycles/{YEAR}/answers.xlsx", buffered=False)
    for chunk in response.response:
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = (_rss_kb() - rss_before) / 1024
    print(f"workbook download (40 questions): median {download:.0f} ms (target <= 300)")
    print(f"upload to preview (40 questions): median {preview:.0f} ms (target <= 500)")
    print(
        f"all reports ({count} members): {size / 1e6:.1f} MB in {elapsed:.1f} s; Python memory "
        f"growth {(peak - base) / 1e6:.1f} MB, resident peak growth {rss_growth:.1f} MB "
        "(target < 32)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
