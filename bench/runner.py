"""`python -m bench`: generate (or reuse) the synthetic alliance, serve it with gunicorn as in
production, drive every scenario with wrk (the draft rush and the deadline day with Python
load generators), and print one table, also written to bench/results.md, then a one-screen
summary of the targets met and missed.

Each wrk scenario runs in short rounds alternating with the bare Flask endpoint of the same
run (A B A B ...; `--rounds`); its req/s, p50, p99 and ratio to bare are the medians of the
rounds. Rows say what they measure: "page cache warm" (between writes) or "every cache off"
(after a write, a second server with PACTUM_PAGE_CACHE=0 and PACTUM_CACHE_BACKEND=null).
The draft rush keeps the median of `--rushes` rushes.

    python -m bench                       # SQLite, 2 sync workers, 10 s per scenario
    python -m bench --db sqlite,postgres  # both (PostgreSQL needs PACTUM_PG_URL:
                                          #   scripts/with-postgres.sh python -m bench ...)
    python -m bench --worker-class sync,gthread
    python -m bench --smoke               # tiny data, 1 s per scenario (CI)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import cachebench, generate, machine, pgload, report, scenarios, wrk
from bench.measure import BENCH_SECRET, run_scenarios, sql_counts
from bench.report import log
from bench.servers import ROOT
from bench.servers import private_redis as servers_private_redis

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.md"


# Preparing a database ----------------------------------------------------------------------------


def prepare_sqlite(cached: Path, run_dir: Path) -> str:
    """A working copy: the draft rush writes to it, the cached file stays as generated."""
    target = run_dir / "pactum-run.sqlite3"
    for leftover in run_dir.glob("pactum-run.sqlite3*"):
        leftover.unlink()
    t0 = time.perf_counter()
    shutil.copyfile(cached, target)
    log(f"Working copy of the database ready ({time.perf_counter() - t0:.1f} s)")
    return f"sqlite:///{target}"


def prepare_postgres(cached: Path, name: str) -> str:
    base = os.environ.get("PACTUM_PG_URL")
    if not base:
        raise SystemExit(
            "--db postgres needs PACTUM_PG_URL: run it through "
            "scripts/with-postgres.sh (make bench DB=postgres does)"
        )
    return pgload.load(cached, base, name)


def print_table(runs: dict) -> None:
    for db_label, by_class in runs.items():
        for worker_class, (rows, _extra) in by_class.items():
            log(f"\n== {db_label}, {worker_class} workers ==")
            log(report.table(rows))


# Entry point --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    generate.add_size_arguments(parser)
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres or sqlite,postgres")
    parser.add_argument("--duration", type=float, default=None, help="seconds per scenario (10)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each wrk scenario N times and keep the best run"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", help="sync, gthread or sync,gthread")
    parser.add_argument("--gthreads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--savers", type=int, default=None, help="representatives saving drafts at once (32)"
    )
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="A/B rounds with the bare endpoint per scenario (5; smoke 2): --duration is split",
    )
    parser.add_argument(
        "--rushes", type=int, default=None, help="draft rushes; the median is kept (3; smoke 1)"
    )
    parser.add_argument(
        "--deadline-savers",
        type=int,
        default=None,
        help="representatives in the deadline-day scenario (32; smoke 4)",
    )
    parser.add_argument(
        "--draft-mode",
        choices=("autosave", "form"),
        default="autosave",
        help="how representatives save (bench/drafts.py)",
    )
    parser.add_argument(
        "--cache-backend",
        default="",
        help="PACTUM_CACHE_BACKEND for the app (default: the app's own choice)",
    )
    parser.add_argument(
        "--redis",
        action="store_true",
        help="start a private redis-server and give the app PACTUM_REDIS_URL",
    )
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR)
    parser.add_argument(
        "--pg-database",
        default="pactum_bench",
        help="database created (dropped first) on the PACTUM_PG_URL server",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="markdown file to write (bench/results.md; the smoke run writes none unless given)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also run bench/pdf.py --members 100,1000,5000 if it exists",
    )
    parser.add_argument(
        "--no-cachebench", action="store_true", help="skip the shared-cache backend micro-benchmark"
    )
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 1.0 if args.smoke else 10.0
    if args.savers is None:
        args.savers = 8 if args.smoke else 32
    if args.rounds is None:
        args.rounds = 2 if args.smoke else 5
    if args.rushes is None:
        args.rushes = 1 if args.smoke else 3
    if args.deadline_savers is None:
        args.deadline_savers = 4 if args.smoke else 32
    if args.results is None and not args.smoke:
        args.results = RESULTS
    args.redis_url = ""
    return args


@contextlib.contextmanager
def private_redis(enabled: bool):
    if not enabled:
        yield ""
        return
    if not shutil.which("redis-server"):
        raise SystemExit("--redis needs redis-server")
    with servers_private_redis() as url:
        yield url


def _measure_databases(
    args, cached_db: Path, run_dir: Path, dbs: list[str], classes: list[str]
) -> tuple[dict, dict]:
    """Every scenario on every database with every worker class: (runs, profiles), by
    database label."""
    runs: dict = {}
    profiles: dict = {}
    with private_redis(args.redis) as redis_url:
        args.redis_url = redis_url
        for db_label in dbs:
            log(f"\n== {db_label} ==")
            url = (
                prepare_sqlite(cached_db, run_dir)
                if db_label == "sqlite"
                else prepare_postgres(cached_db, args.pg_database)
            )
            params = scenarios.discover(url, args.savers, args.deadline_savers)
            log(
                f"Scenario values: country={params['country']} sector={params['sector']} "
                f"query={params['query']} profile={params['slug']} open cycle={params['year']} "
                f"savers={len(params['savers'])}"
            )
            counts = sql_counts(url, params, args)
            profiles[db_label] = report.profile_text(db_label, counts, params)
            runs[db_label] = {}
            for worker_class in classes:
                log(f"-- {worker_class} workers --")
                runs[db_label][worker_class] = run_scenarios(
                    db_label, url, params, counts, args, worker_class, run_dir
                )
    return runs, profiles


def _cache_backends(args, run_dir: Path) -> str:
    if args.no_cachebench:
        return ""
    backends_text = cachebench.report(run_dir / "cachebench", smoke=args.smoke)
    log("\n" + backends_text)
    return backends_text


def _write_json(path: Path, info: dict, dataset: dict, elapsed: float, runs: dict) -> None:
    path.write_text(
        json.dumps(
            {
                "machine": info,
                "dataset": dataset,
                "elapsed": elapsed,
                "runs": {
                    db: {
                        wc: [dataclasses.asdict(r) for r in rows]
                        for wc, (rows, _e) in by_class.items()
                    }
                    for db, by_class in runs.items()
                },
            },
            indent=2,
            default=str,
        )
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not wrk.available():
        raise SystemExit("wrk is not installed (scripts/system-deps.sh bench installs it)")
    sizes = generate.sizes_from_args(args)
    run_dir = args.data_dir / ("run-smoke" if args.smoke else "run")
    run_dir.mkdir(parents=True, exist_ok=True)
    # The in-process app (SQL counts) must not touch the developer's instance folder.
    os.environ["PACTUM_INSTANCE_DIR"] = str(run_dir / "instance")
    os.environ["PACTUM_SECRET_KEY"] = BENCH_SECRET
    os.environ.pop("PACTUM_REDIS_URL", None)
    started = time.perf_counter()
    cached_db, dataset = generate.ensure_database(sizes, args.data_dir, check=args.smoke)
    dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    classes = [c.strip() for c in args.worker_class.split(",") if c.strip()]
    pg_base = os.environ.get("PACTUM_PG_URL")
    info = machine.describe(f"{pg_base}/postgres" if pg_base and "postgres" in dbs else None)
    notes: list[str] = []
    runs, profiles = _measure_databases(args, cached_db, run_dir, dbs, classes)
    print_table(runs)
    deadline_texts = {
        f"deadline-{db}": extra["deadline-text"]
        for db, by_class in runs.items()
        for _rows, extra in list(by_class.values())[:1]
        if extra.get("deadline-text")
    }
    backends_text = _cache_backends(args, run_dir)
    pdf_text = run_pdf(args) if args.pdf else ""
    notes.extend(report.notes(info, dbs, args))
    elapsed = time.perf_counter() - started
    log(f"\nBenchmark finished in {elapsed:.0f} s")
    if args.results:
        extra_sections = {f"profile-{db}": text for db, text in profiles.items()}
        if backends_text:
            extra_sections["cache-backends"] = backends_text
        if pdf_text:
            extra_sections["pdf"] = pdf_text
        extra_sections.update(deadline_texts)
        extra_sections["summary"] = (
            "## Targets met and missed\n\n```\n" + report.summary(runs) + "\n```\n"
        )
        report.write_results(args.results, info, dataset, runs, notes, args, sizes, extra_sections)
        log(f"Results written to {args.results}")
    if args.json:
        _write_json(args.json, info, dataset, elapsed, runs)
    log("\n" + report.summary(runs))
    return 0


def run_pdf(args) -> str:
    script = BENCH_DIR / "pdf.py"
    if not script.exists():
        log("(bench/pdf.py does not exist yet: PDF benchmark skipped)")
        return ""
    log("\n== PDF (bench/pdf.py) ==")
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pdf", "--members", "100,1000,5000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    log(output)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"## PDF builds (bench/pdf.py, {stamp})\n\n```\n{output}\n```\n"
