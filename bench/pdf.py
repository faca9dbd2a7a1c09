"""Benchmark of the annual report PDF: the chunked build against one WeasyPrint pass.

    .venv/bin/python -m bench.pdf [--members 100,1000,5000] [--workers 2]

For each size it generates a synthetic alliance (fixed seed) in a temporary SQLite file:
members with status histories, two closed cycles with a questionnaire of indicator and
public questions, submitted and accepted reports, pledges. Then, each in a fresh process:

* chunked: the report as the app builds it (data -> figures -> HTML parts -> chunks laid
  out in `--workers` worker processes -> joined PDF/UA), timed end to end;
* single:  the same final HTML (one document, numbering by WeasyPrint itself) in one
  WeasyPrint pass, timed from HTML to PDF only;
* members: a member's report PDF, rendered (cache miss) and served from the cache.

Peak memory is the largest total resident memory of the measured process and all its
children (sampled every 20 ms from /proc). The machine is shared: compare the two columns
of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
COUNTRIES = ["DE", "FR", "US", "GB", "NL", "SE", "ES", "IT", "JP", "KR", "BR", "IN", "KE", "NG",
             "CA", "AU", "MX", "PL", "CH", "SG"]
SECTORS = ["Software", "Telecommunications", "Cloud services", "Financial services", "Energy",
           "Health", "Research and education", "Public administration", "Human rights"]
CATEGORIES = ["company"] * 6 + ["civil_society"] * 2 + ["academia", "government", "other"]
WORDS = ["we", "shipped", "security", "updates", "to", "all", "supported", "products", "and", "trained", "our", "staff", "on", "phishing", "resistant", "authentication", "while", "publishing", "our", "disclosure", "policy"]


# Data ---------------------------------------------------------------------------------


def generate(database_url: str, members: int, seed: int = 2026) -> None:
    os.environ["PACTUM_DATABASE_URL"] = database_url
    from sqlalchemy import insert

    from app import create_app
    from app.accounts.models import User
    from app.charter.models import CharterVersion, Principle, PrincipleText
    from app.db import db
    from app.members.models import (
        Endorsement,
        Organisation,
        Pledge,
        PledgeUpdate,
        Sector,
        StatusChange,
        pledge_principles,
    )
    from app.reporting.models import (
        Question,
        Report,
        ReportingCycle,
        ReportVersion,
        Section,
        SubmittedAnswer,
    )

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        s = db.session
        s.add(User(email="bench@example.org", name="Bench", role="secretariat"))
        s.execute(insert(Sector), [{"id": i + 1, "name": n, "slug": n.lower().replace(" ", "-")}
                                   for i, n in enumerate(SECTORS)])
        s.execute(insert(Principle), [{"id": i, "key": f"P{i}", "created_at": _t(2020)}
                                      for i in range(1, 11)])
        s.execute(insert(CharterVersion), [{"id": 1, "number": 1, "title": "Bench accord",
                                            "status": "published", "created_at": _t(2020),
                                            "effective_date": dt.date(2020, 1, 1)}])
        s.execute(insert(PrincipleText), [
            {"version_id": 1, "principle_id": i, "number": i, "position": i,
             "title": f"Principle number {i} of the bench accord", "body_md": "Body."}
            for i in range(1, 11)])

        orgs, changes, endorsements = [], [], []
        histories = {}
        for i in range(1, members + 1):
            joined = _t(YEAR - 3) + dt.timedelta(days=rng.randint(0, 3 * 365 + 200))
            status, history = "active", [(joined - dt.timedelta(days=14), None, "applicant"),
                                         (joined, "applicant", "active")]
            roll = rng.random()
            if joined.year <= YEAR:
                moment = _t(YEAR, 5, 1) + dt.timedelta(days=rng.randint(0, 200))
                for threshold, to in ((0.05, "non_communicating"), (0.07, "withdrawn"),
                                      (0.08, "delisted"), (0.09, "suspended")):
                    if roll < threshold and moment > joined:
                        history.append((moment, "active", to))
                        status = to
                        break
            histories[i] = (joined, status)
            name = f"Bench Organisation {i:05d}"
            orgs.append({
                "id": i, "name": name, "name_key": name.lower(), "slug": f"bench-org-{i:05d}",
                "country": rng.choice(COUNTRIES), "sector_id": rng.randint(1, len(SECTORS)),
                "category": rng.choice(CATEGORIES), "status": status, "joined_on": joined.date(),
                "status_since": history[-1][0], "created_at": joined, "updated_at": joined,
                "endorsed_version_id": 1, "description_md": "", "legal_name": name,
                "size_band": "50-249", "website": "",
            })
            changes += [{"organisation_id": i, "at": at, "from_status": f, "to_status": t,
                         "reason": "", "public_reason": "", "is_public": t != "applicant"}
                        for at, f, t in history]
            endorsements.append({"organisation_id": i, "charter_version_id": 1,
                                 "signatory_name": "Signatory", "signatory_title": "CEO",
                                 "endorsed_on": joined.date(), "created_at": joined})
        _bulk(s, Organisation, orgs)
        _bulk(s, StatusChange, changes)
        _bulk(s, Endorsement, endorsements)

        pledges, links, updates = [], [], []
        pid = 0
        for i in range(1, members + 1):
            for _ in range(rng.randint(1, 3)):
                pid += 1
                created = max(_t(YEAR - 2), histories[i][0]) + dt.timedelta(days=rng.randint(0, 500))
                status = rng.choice(["planned", "in_progress", "in_progress", "achieved", "missed"])
                pledges.append({"id": pid, "organisation_id": i, "title": f"Pledge {pid}: " + " ".join(
                    rng.sample(WORDS, 6)), "is_public": rng.random() < 0.85, "status": status,
                    "status_since": created, "created_at": created, "updated_at": created,
                    "description_md": "", "indicator": ""})
                for key in rng.sample(range(1, 11), rng.randint(1, 2)):
                    links.append({"pledge_id": pid, "principle_id": key})
                updates.append({"pledge_id": pid, "at": created, "status": "planned", "note": ""})
                if status != "planned":
                    updates.append({"pledge_id": pid, "at": created + dt.timedelta(days=120),
                                    "status": status, "note": ""})
        _bulk(s, Pledge, pledges)
        s.execute(insert(pledge_principles), links)
        _bulk(s, PledgeUpdate, updates)

        version_id = 0
        for c, year in enumerate((YEAR - 1, YEAR), start=1):
            s.execute(insert(ReportingCycle), [{
                "id": c, "year": year, "title": f"{year} cycle", "status": "closed",
                "charter_version_id": 1, "opens_on": dt.date(year, 1, 15),
                "due_on": dt.date(year, 3, 31), "grace_days": 14,
                "categories": ["company", "civil_society", "academia", "government", "other"],
                "reminder_offsets": [30, 7, 1], "created_at": _t(year)}])
            questions = []  # (id, section title, principle, lineage, text, type, public, choices, unit)
            qid = (c - 1) * 100
            sections = []
            for p in range(1, 12):
                section_id = (c - 1) * 20 + p
                principle = p if p <= 10 else None
                title = f"Principle {p}" if principle else "General"
                sections.append({"id": section_id, "cycle_id": c, "position": p, "title": title,
                                 "principle_id": principle, "description_md": ""})
                kinds = [("yes_no", p <= 3, [], ""), ("number", p == 2, [], "days")]
                if p % 3 == 0:
                    kinds.append(("multiple_choice", False, ["Web form", "Email", "Bug bounty"], ""))
                if principle is None:
                    kinds = [("long_text", True, [], ""), ("url", True, [], ""),
                             ("short_text", False, [], "")]
                for n, (kind, public, choices, unit) in enumerate(kinds):
                    qid += 1
                    questions.append((qid, section_id, title, f"p{p}-{n}", f"Question {n + 1} on "
                                      f"{title.lower()}: how do you measure up?", kind, public,
                                      choices, unit))
            s.execute(insert(Section), sections)
            s.execute(insert(Question), [
                {"id": q[0], "section_id": q[1], "lineage": q[3], "position": q[0], "text": q[4],
                 "type": q[5], "is_public": q[6], "choices": q[7], "unit": q[8],
                 "is_indicator": q[5] in ("yes_no", "number", "multiple_choice"),
                 "required": False, "help_text": "", "condition_value": ""} for q in questions])
            reports, versions, answers = [], [], []
            for i in range(1, members + 1):
                joined, _status = histories[i]
                if joined.year >= year or rng.random() < 0.08:
                    continue
                late = rng.random() < 0.15
                version_id += 1
                values = {}
                for q in questions:
                    kind = q[5]
                    if kind == "yes_no":
                        values[q[0]] = rng.random() < 0.7
                    elif kind == "number":
                        values[q[0]] = rng.randint(1, 120)
                    elif kind == "multiple_choice":
                        values[q[0]] = rng.sample(q[7], rng.randint(1, 3))
                    elif kind == "long_text":
                        values[q[0]] = " ".join(rng.choices(WORDS, k=45)).capitalize() + "."
                    elif kind == "url":
                        values[q[0]] = f"https://bench-org-{i:05d}.example/security"
                    else:
                        values[q[0]] = "internal contact"
                submitted = _t(year, 4 if late else 3, rng.randint(1, 28))
                reports.append({"id": version_id, "cycle_id": c, "organisation_id": i,
                                "state": "accepted", "is_late": late, "revision": 1,
                                "updated_at": submitted, "created_at": submitted,
                                "officer_name": "Officer", "officer_title": "CEO",
                                "support_statement": "", "current_version_id": None})
                versions.append({
                    "id": version_id, "report_id": version_id, "number": 1,
                    "submitted_at": submitted, "is_late": late, "officer_name": "Officer",
                    "officer_title": "CEO", "support_statement": "We support the accord.",
                    "questionnaire_hash": "0" * 64, "review_state": "accepted",
                    "reviewed_at": submitted + dt.timedelta(days=7), "review_note": "",
                    "snapshot": _snapshot(c, year, i, orgs[i - 1], questions, values)})
                answers += [{"version_id": version_id, "question_id": q, "value": v}
                            for q, v in values.items()]
            _bulk(s, Report, reports)
            _bulk(s, ReportVersion, versions)
            _bulk(s, SubmittedAnswer, answers)
        s.commit()


def _snapshot(cycle_id, year, org_id, org, questions, values) -> dict:
    sections: dict[int, dict] = {}
    for qid, section_id, title, lineage, text, kind, public, choices, unit in questions:
        section = sections.setdefault(section_id, {"id": section_id, "title": title,
                                                   "principle": None, "questions": []})
        value = values.get(qid)
        display = ("Yes" if value else "No") if kind == "yes_no" else (
            ", ".join(value) if isinstance(value, list) else f"{value}{' ' + unit if unit else ''}")
        section["questions"].append({
            "id": qid, "lineage": lineage, "text": text, "type": kind, "unit": unit,
            "required": False, "is_public": public, "is_indicator": kind != "long_text",
            "choices": choices, "shown": True, "value": value, "display": display, "evidence": []})
    return {"schema": 1, "cycle": {"id": cycle_id, "year": year, "title": f"{year} cycle"},
            "organisation": {"id": org_id, "name": org["name"], "slug": org["slug"],
                             "country": org["country"], "category": org["category"]},
            "sections": list(sections.values()), "pledges": [], "attestation": {}}


def _t(year, month=1, day=1) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def _bulk(session, model, rows, size=5000) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), size):
        session.execute(insert(model), rows[start:start + size])


# Measurements (each in its own process) ----------------------------------------------------


def _app(database_url: str):
    os.environ["PACTUM_DATABASE_URL"] = database_url
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_URL": "https://pactum.example"})


def _document(draft: bool = False):
    from sqlalchemy import select

    from app.db import db
    from app.reporting.models import ReportingCycle
    from app.transparency import services
    from app.transparency.models import AnnualReport

    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == YEAR))
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    if report is None:
        report = AnnualReport(cycle_id=cycle.id, executive_summary_md="Bench summary.",
                              methodology_md="Bench methodology.")
        db.session.add(report)
        db.session.flush()
    return services.AnnualDocument(cycle, report, draft=draft)


def run_chunked(database_url: str, workers: int) -> dict:
    app = _app(database_url)
    with app.app_context(), app.test_request_context("/"):
        start = time.perf_counter()
        document = _document()
        built = document.build_pdf(workers=workers)
        seconds = time.perf_counter() - start
        data = built.pdfs["pdf/ua-1"]
        return {"seconds": seconds, "pages": built.pages, "bytes": len(data),
                "parts": built.chunks, "tagged": b"/StructTreeRoot" in data or _tagged(data)}


def _tagged(data: bytes) -> bool:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return "/StructTreeRoot" in pdf.Root


def run_single(database_url: str) -> dict:
    app = _app(database_url)
    with app.app_context(), app.test_request_context("/"):
        from app.transparency import build, services

        html = _document().single_html()
        build.render("<html lang=en><title>warm</title><p>warm up</p></html>")
        start = time.perf_counter()
        data, pages = build.render_pdf(html, extra_css=services.single_pass_css())
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "pages": pages, "bytes": len(data), "html_bytes": len(html)}


def run_members(database_url: str, samples: int = 15) -> dict:
    app = _app(database_url)
    with app.app_context():
        from sqlalchemy import delete, select

        from app.db import db
        from app.reporting.models import Report, ReportingCycle
        from app.transparency.models import MemberReportPdf

        cycle_id = db.session.scalar(select(ReportingCycle.id).where(ReportingCycle.year == YEAR))
        slugs = [f"bench-org-{i:05d}" for i in db.session.scalars(
            select(Report.organisation_id).where(Report.cycle_id == cycle_id)
            .order_by(Report.organisation_id).limit(samples))]
        client = app.test_client()
        client.get(f"/members/{slugs[0]}/reports/{YEAR}.pdf")  # warm up fonts and templates
        db.session.execute(delete(MemberReportPdf))
        db.session.commit()
        rendered, cached, conditional = [], [], []
        for slug in slugs:
            url = f"/members/{slug}/reports/{YEAR}.pdf"
            start = time.perf_counter()
            first = client.get(url)
            rendered.append(time.perf_counter() - start)
            assert first.status_code == 200, first.status_code
            start = time.perf_counter()
            client.get(url)
            cached.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.get(url, headers={"If-None-Match": first.headers["ETag"]})
            conditional.append(time.perf_counter() - start)
        return {"rendered_median": statistics.median(rendered),
                "cached_median": statistics.median(cached),
                "conditional_median": statistics.median(conditional), "samples": len(slugs)}


# Peak memory of a process tree --------------------------------------------------------------


def _rss_of_tree(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(entry))
        except OSError:
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def measure(args: list[str]) -> dict:
    """Run `python -m bench.pdf <args>` and sample the memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([sys.executable, "-m", "bench.pdf", *args], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_of_tree(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"measurement {args} failed with exit code {process.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = peak / 1024 / 1024
    # CPU time of the process and its workers (start-up included): less sensitive than
    # wall time to other work on a shared machine.
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", default="100,1000,5000",
                        help="comma-separated alliance sizes (default 100,1000,5000)")
    parser.add_argument("--workers", type=int, default=2, help="layout worker processes")
    parser.add_argument("--single-max", type=int, default=5000,
                        help="skip the single pass above this many members (it needs a lot of memory)")
    parser.add_argument("--run", choices=["chunked", "single", "members"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run:
        result = {"chunked": lambda: run_chunked(args.db, args.workers),
                  "single": lambda: run_single(args.db),
                  "members": lambda: run_members(args.db)}[args.run]()
        print(json.dumps(result))
        return 0

    sizes = [int(n) for n in args.members.split(",") if n.strip()]
    print(f"Annual report PDF: chunked build ({args.workers} workers) vs one WeasyPrint pass, "
          f"{os.cpu_count()} CPUs")
    header = (f"{'members':>8} {'pages':>6} | {'chunked s':>9} {'cpu s':>6} {'peak MB':>8} | "
              f"{'single s':>9} {'cpu s':>6} {'peak MB':>8} | {'ratio':>5} | "
              f"{'member PDF ms: rendered':>23} {'cached':>7} {'304':>5}")
    print(header)
    print("-" * len(header))
    rows = []
    with tempfile.TemporaryDirectory(prefix="pactum-bench-pdf-") as tmp:
        for n in sizes:
            url = f"sqlite:///{tmp}/bench-{n}.sqlite3"
            started = time.perf_counter()
            generate(url, n)
            generated = time.perf_counter() - started
            chunked = measure(["--run", "chunked", "--db", url, "--workers", str(args.workers)])
            single = measure(["--run", "single", "--db", url]) if n <= args.single_max else None
            members = measure(["--run", "members", "--db", url])
            ratio = f"{chunked['seconds'] / single['seconds']:.2f}" if single else "–"
            same = "" if not single or single["pages"] == chunked["pages"] else \
                f" (single: {single['pages']} pages)"
            print(f"{n:>8} {chunked['pages']:>6} | {chunked['seconds']:>9.1f} {chunked['cpu_s']:>6.0f} "
                  f"{chunked['peak_mb']:>8.0f} | "
                  + (f"{single['seconds']:>9.1f} {single['cpu_s']:>6.0f} {single['peak_mb']:>8.0f}"
                     if single else f"{'skipped':>9} {'':>6} {'':>8}")
                  + f" | {ratio:>5} | {members['rendered_median'] * 1000:>23.0f} "
                  f"{members['cached_median'] * 1000:>7.1f} {members['conditional_median'] * 1000:>5.1f}"
                  f"{same}  [data {generated:.0f} s]", flush=True)
            rows.append({"members": n, "chunked": chunked, "single": single, "member_pdf": members})
    print("ratio = chunked wall time / single-pass wall time (target at 1,000 members: at most "
          "0.7); cpu s = CPU time of the process and its workers; peak MB = whole process tree.")
    print(json.dumps(rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
