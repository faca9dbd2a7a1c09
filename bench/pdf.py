"""Benchmark of the annual report PDF: the chunked build against one WeasyPrint pass.

    .venv/bin/python -m bench.pdf [--members 100,1000,5000] [--workers 2] [--repeat 1]
                                  [--results bench/results.md] [--json out.json] [--smoke]

`make bench` runs it after the HTTP benchmark and replaces the `section:pdf` block of
bench/results.md. For each size it generates a synthetic alliance (fixed seed) in a
temporary SQLite file: members with status histories, two closed cycles with a
questionnaire of indicator and public questions, submitted and accepted reports, pledges.
Then, each in a fresh process, chunked and single alternately (`--repeat` times):

* chunked: the report as the app builds it (data -> figures -> HTML parts -> chunks laid
  out in `--workers` worker processes -> fragments streamed into one PDF/UA), timed end
  to end;
* single:  the same report as one HTML document (numbering by WeasyPrint itself) in one
  WeasyPrint pass, timed from HTML to PDF only after a warm-up; below 150 members (where
  the app's build is itself one pass) timed end to end like chunked;
* members: a member's report PDF, rendered (cache miss) and served from the cache.

Peak memory is the largest total resident memory of the measured process and all its
children (sampled every 20 ms from /proc), with the largest single process beside it; CPU
time is that of the process and its children. The machine is shared: compare the two
columns of one run (and the CPU times), not runs with each other; the load average before
and after is printed with them. The chunked PDF is then checked (untimed): tagged, marked,
language, title and, up to 1,000 members, qpdf's syntax checks. Targets (issue 6): chunked
at most 0.7x the single pass at 1,000 members, under 500 MB at every size; a member's PDF
under 150 ms rendered and 10 ms from the cache (medians).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import delete, select

from app import create_app
from app.db import db
from app.reporting.models import Report, ReportingCycle
from app.transparency import pdfengine as build
from app.transparency.models import AnnualReport, MemberReportPdf
from app.transparency.present.document import AnnualDocument
from app.transparency.present.print_css import single_pass_css
from bench.pdf_data import YEAR, generate
from bench.pdf_report import SMALL_BELOW, judge, section, write_section

ROOT = Path(__file__).resolve().parent.parent


# Measurements (each in its own process) ----------------------------------------------------


def _app(database_url: str):
    os.environ["PACTUM_DATABASE_URL"] = database_url
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SERVER_URL": "https://pactum.example"}
    )


def _document(draft: bool = False):
    cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == YEAR))
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.cycle_id == cycle.id))
    if report is None:
        report = AnnualReport(
            cycle_id=cycle.id,
            executive_summary_md="Bench summary.",
            methodology_md="Bench methodology.",
        )
        db.session.add(report)
        db.session.flush()
    return AnnualDocument(cycle, report, draft=draft)


def run_chunked(database_url: str, workers: int, out: str | None = None) -> dict:
    app = _app(database_url)
    with app.app_context(), app.test_request_context("/"):
        start = time.perf_counter()
        document = _document()
        built = document.build_pdf(workers=None if workers < 0 else workers)
        seconds = time.perf_counter() - start
        data = built.pdfs["pdf/ua-1"]
        if out:
            Path(out).write_bytes(data)
        return {"seconds": seconds, "pages": built.pages, "bytes": len(data), "parts": built.chunks}


def check_pdf(path: Path, full: bool) -> list[str]:
    """A tagged PDF/UA document: structure tree, marked, language, title; with `full`,
    qpdf's own checks (pikepdf `Pdf.check_pdf_syntax()`, as `qpdf --check`) as well."""
    # Imported here: only the main process checks the PDF, so the measured processes do not
    # carry pikepdf in their memory.
    import pikepdf

    problems = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            problems.append("no /StructTreeRoot")
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            problems.append("not /Marked")
        if not str(root.get("/Lang", "")):
            problems.append("no /Lang")
        if not str(pdf.docinfo.get("/Title", "")):
            problems.append("no /Title")
        if full:
            problems += [str(p) for p in pdf.check_pdf_syntax()]
    return problems


def run_single(database_url: str, end_to_end: bool = False) -> dict:
    """One WeasyPrint pass over the whole report as one HTML document, timed from the finished
    HTML after a warm-up render (the comparison of issue 6, at 1,000 members and more), or,
    with `end_to_end`, like `run_chunked`: from the data, in a fresh process, no warm-up
    (below SMALL_BELOW members, where the app itself lays the body out in one pass and the
    question is whether its build is any slower than the plain pass: issue 20; timed from the
    HTML, the app's one-pass build of 100 members looked 1.4x slower than itself)."""
    app = _app(database_url)
    with app.app_context(), app.test_request_context("/"):
        start = time.perf_counter()
        html = _document().single_html()
        if not end_to_end:
            build.render("<html lang=en><title>warm</title><p>warm up</p></html>")
            start = time.perf_counter()
        data, pages = build.render_pdf(html, extra_css=single_pass_css())
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "pages": pages, "bytes": len(data), "html_bytes": len(html)}


def run_members(database_url: str, samples: int = 15) -> dict:
    samples = int(os.environ.get("PACTUM_BENCH_PDF_SAMPLES", samples))
    app = _app(database_url)
    with app.app_context():
        cycle_id = db.session.scalar(select(ReportingCycle.id).where(ReportingCycle.year == YEAR))
        slugs = [
            f"bench-org-{i:05d}"
            for i in db.session.scalars(
                select(Report.organisation_id)
                .where(Report.cycle_id == cycle_id)
                .order_by(Report.organisation_id)
                .limit(samples)
            )
        ]
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
        return {
            "rendered_median": statistics.median(rendered),
            "cached_median": statistics.median(cached),
            "conditional_median": statistics.median(conditional),
            "samples": len(slugs),
        }


# Peak memory of a process tree --------------------------------------------------------------


def _rss_by_process(root: int) -> dict[int, int]:
    """Resident memory (bytes) of `root` and all its descendants, by process id."""
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
    out, stack = {}, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return out


def _rss_of_tree(root: int) -> int:
    return sum(_rss_by_process(root).values())


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def measure(args: list[str]) -> dict:
    """Run `python -m bench.pdf <args>` and sample the memory of its process tree: the
    peak of the whole tree (the build's processes together) and the largest single
    process (what one worker or the build process needs)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = load_average()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.pdf", *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    peak = process_peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak, process_peak
        while not done.is_set():
            sizes = _rss_by_process(process.pid)
            peak = max(peak, sum(sizes.values()))
            process_peak = max(process_peak, max(sizes.values(), default=0))
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
    result["process_peak_mb"] = process_peak / 1024 / 1024
    # CPU time of the process and its workers (start-up included): less sensitive than
    # wall time to other work on a shared machine.
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["load"] = (load, load_average())
    return result


def _best(runs: list[dict]) -> dict | None:
    """The fastest of repeated runs (the one least disturbed by other work), with the
    largest peak memory of them all."""
    if not runs:
        return None
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["process_peak_mb"] = max(r["process_peak_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pdf", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--members",
        default="100,1000,5000",
        help="comma-separated alliance sizes (default 100,1000,5000)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a short run on 12 members (CI): checks that it works, not the speed",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=-1,
        help="layout worker processes; -1 (default): the app's own choice, as a build in the "
        "app makes it (one pass below TRANSPARENCY_SINGLE_PASS_BELOW members, 2 workers from "
        "TRANSPARENCY_PARALLEL_FROM)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="chunked and single runs per size, alternating (default 1)",
    )
    parser.add_argument(
        "--single-max",
        type=int,
        default=5000,
        help="skip the single pass above this many members (it needs a lot of memory)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="markdown file whose section:pdf to replace (make bench: bench/results.md)",
    )
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    parser.add_argument(
        "--table-from",
        type=Path,
        help="print (and with --results write) the table of an earlier --json",
    )
    parser.add_argument("--run", choices=["chunked", "single", "members"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--end-to-end", action="store_true", help=argparse.SUPPRESS)
    return parser


def _run_measurement(args: argparse.Namespace) -> int:
    """`--run`: one measurement in this process, printed as JSON for `measure`."""
    result = {
        "chunked": lambda: run_chunked(args.db, args.workers, args.out),
        "single": lambda: run_single(args.db, end_to_end=args.end_to_end),
        "members": lambda: run_members(args.db),
    }[args.run]()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["self_cpu_s"] = own.ru_utime + own.ru_stime
    result["children_cpu_s"] = workers.ru_utime + workers.ru_stime
    print(json.dumps(result))
    return 0


def _table_from(args: argparse.Namespace) -> int:
    rows = json.loads(args.table_from.read_text())
    for row in rows:
        row["verdict"] = judge(row)
    stamp = dt.datetime.fromtimestamp(args.table_from.stat().st_mtime, dt.UTC)
    text = section(rows, args, stamp.strftime("%Y-%m-%d %H:%M UTC"))
    print(text)
    if args.results:
        write_section(args.results, text)
    return 0


def _measure_size(args: argparse.Namespace, tmp: str, n: int) -> dict:
    """Generate `n` members into `tmp`, measure chunked, single and members, check the PDF."""
    url = f"sqlite:///{tmp}/bench-{n}.sqlite3"
    started = time.perf_counter()
    generate(url, n)
    generated = time.perf_counter() - started
    chunked_runs, single_runs = [], []
    pdf_path = f"{tmp}/annual-{n}.pdf"
    for _round in range(max(1, args.repeat)):
        chunked_runs.append(
            measure(
                [
                    "--run",
                    "chunked",
                    "--db",
                    url,
                    "--out",
                    pdf_path,
                    "--workers",
                    str(args.workers),
                ]
            )
        )
        if n <= args.single_max:
            small = ["--end-to-end"] if n < SMALL_BELOW else []
            single_runs.append(measure(["--run", "single", "--db", url, *small]))
    members = measure(["--run", "members", "--db", url])
    # Not measured: the built PDF is a valid tagged PDF (qpdf's checks up to 1,000).
    problems = check_pdf(Path(pdf_path), full=n <= 1000)
    row = {
        # The app's choice (-1): one pass below 150 members, 2 workers from 150 (the defaults
        # of TRANSPARENCY_SINGLE_PASS_BELOW and TRANSPARENCY_PARALLEL_FROM in document.py).
        "workers": args.workers if args.workers >= 0 else (0 if n < 150 else 2),
        "members": n,
        "chunked": _best(chunked_runs),
        "single": _best(single_runs),
        "member_pdf": members,
        "generated_s": generated,
        "problems": problems,
    }
    row["verdict"] = judge(row)
    return row


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name in ("weasyprint", "fontTools", "pikepdf"):  # progress and expected-link noise
        logging.getLogger(name).setLevel(logging.CRITICAL)

    if args.run:
        return _run_measurement(args)
    if args.table_from:
        return _table_from(args)
    if args.smoke:
        os.environ["PACTUM_BENCH_PDF_SAMPLES"] = "3"
    sizes = [12] if args.smoke else [int(n) for n in args.members.split(",") if n.strip()]
    print(
        f"Annual report PDF: the app's build "
        f"({'its own choice of workers' if args.workers < 0 else f'{args.workers} workers'}) "
        "vs one WeasyPrint pass, "
        f"{os.cpu_count()} CPUs, load average {load_average():.1f} at start",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="pactum-bench-pdf-") as tmp:
        for n in sizes:
            row = _measure_size(args, tmp, n)
            rows.append(row)
            problems = row["problems"]
            print(
                f"  {n:,} members measured (data generated in {row['generated_s']:.0f} s); "
                "PDF check: " + ("; ".join(problems) if problems else "tagged, valid"),
                flush=True,
            )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = section(rows, args, stamp)
    print()
    print(text)
    if args.results:
        write_section(args.results, text)
        print(f"section:pdf written to {args.results}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
