"""`python -m bench`: generate (or reuse) the synthetic alliance, serve it with gunicorn as in
production, drive every scenario with wrk (and the draft rush with a Python load generator),
and print one table, also written to bench/results.md.

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

from bench import generate, machine, report, scenarios, wrk
from bench.client import Client, login
from bench.report import Row
from bench.scenarios import SCENARIOS, Scenario
from bench.servers import ROOT, MemorySampler, Server
from bench.servers import private_redis as servers_private_redis

BENCH_DIR = Path(__file__).resolve().parent
BENCH_SECRET = "bench-secret-not-for-production-0123456789abcdef"  # noqa: S105
RESULTS = BENCH_DIR / "results.md"


_STARTED = time.monotonic()


def _log(message: str) -> None:
    stamp = f"[{time.monotonic() - _STARTED:6.1f}s] "
    print(
        "\n".join(stamp + line if line.strip() else line for line in message.split("\n")),
        flush=True,
    )


# Preparing a database ----------------------------------------------------------------------------


def prepare_sqlite(cached: Path, run_dir: Path) -> str:
    """A working copy: the draft rush writes to it, the cached file stays as generated."""
    target = run_dir / "pactum-run.sqlite3"
    for leftover in run_dir.glob("pactum-run.sqlite3*"):
        leftover.unlink()
    t0 = time.perf_counter()
    shutil.copyfile(cached, target)
    _log(f"Working copy of the database ready ({time.perf_counter() - t0:.1f} s)")
    return f"sqlite:///{target}"


def prepare_postgres(cached: Path, name: str) -> str:
    base = os.environ.get("PACTUM_PG_URL")
    if not base:
        raise SystemExit(
            "--db postgres needs PACTUM_PG_URL: run it through "
            "scripts/with-postgres.sh (make bench DB=postgres does)"
        )
    from bench import pgload

    return pgload.load(cached, base, name)


# Measuring -------------------------------------------------------------------------------------


def _probe(server: Server, path: str, cookie: str = "") -> tuple[int, dict]:
    client = Client(server.base)
    try:
        page = client.fetch("GET", path, None, {"Cookie": cookie} if cookie else {})
        return page.status, page.headers
    finally:
        client.close()


def measure_wrk(
    row: Row, server: Server, path: str, args, headers: dict | None = None, stream: bool = False
) -> Row:
    headers = headers or {}
    status, _headers = _probe(server, path, headers.get("Cookie", ""))
    if status == 404:
        row.status, row.detail = "n/a", "n/a (404)"
        return row
    if status != 200:
        row.status, row.detail = "error", f"HTTP {status}"
        return row
    warmups = 1 if stream or args.smoke else 10
    for _ in range(warmups):
        _probe(server, path, headers.get("Cookie", ""))
    server.reset_peaks()
    before = server.rss_kb()
    with MemorySampler(server) as sampler:
        # Best of --repeat runs: on a shared machine a run can lose half its throughput to a
        # neighbour; the best run is the closest to what the code can do.
        runs = [
            wrk.run(server.base + path, args.duration, args.connections, args.wrk_threads, headers)
            for _ in range(max(1, args.repeat))
        ]
    result = max(runs, key=lambda r: r.rps)
    peaks = server.peaks_kb()
    row.rps, row.p50, row.p99 = result.rps, result.p50_ms, result.p99_ms
    row.requests, row.errors = result.requests, result.error_count
    row.rss_mb = max(peaks.values(), default=0) / 1024
    if stream:
        growth = max((sampler.max_kb() - min(before.values(), default=0)), 0)
        hwm_growth = max((peaks.get(pid, 0) - before.get(pid, 0) for pid in peaks), default=0)
        row.growth_mb = max(growth, hwm_growth) / 1024
    if result.errors:
        row.detail = "errors: " + ", ".join(f"{k} {v}" for k, v in result.errors.items())
    if not result.requests:
        row.status = "error"
        row.detail = f"no request finished within the {args.duration:g} s run " + (
            f"({row.detail})" if row.detail else "(each one took longer)"
        )
        row.rps = row.p50 = row.p99 = None
    return row


def login_cookie(server: Server, email: str, password: str) -> str:
    client = Client(server.base)
    try:
        if not login(client.fetch, email, password):
            return ""
        return client.cookie_header()
    finally:
        client.close()


def _server_envs(args, database_url: str, run_dir: Path) -> tuple[dict, dict]:
    """The environment of the app's server and of the "uncached" one."""
    env = {
        "PACTUM_ENV": "production",
        "PACTUM_SECRET_KEY": BENCH_SECRET,
        "PACTUM_DATABASE_URL": database_url,
        "PACTUM_INSTANCE_DIR": str(run_dir / "instance"),
        "PACTUM_LOGIN_RATE_LIMIT": "100000 per minute",  # 32 logins from one address
        "PACTUM_SERVER_URL": "http://127.0.0.1",
    }
    if args.cache_backend:
        env["PACTUM_CACHE_BACKEND"] = args.cache_backend
    if args.redis_url:
        env["PACTUM_REDIS_URL"] = args.redis_url
    # "Uncached" rows: no page cache; cached fragments (facet counts ...) stay, unless
    # --uncached none turns the whole cache off.
    uncached_env = {**env, "PACTUM_PAGE_CACHE": "0"}
    if args.uncached == "none":
        uncached_env["PACTUM_CACHE_BACKEND"] = "null"
    return env, uncached_env


def run_scenarios(
    db_label: str,
    database_url: str,
    params: dict,
    counts: dict,
    args,
    worker_class: str,
    run_dir: Path,
) -> tuple[list[Row], dict]:
    env, uncached_env = _server_envs(args, database_url, run_dir)
    shutil.rmtree(run_dir / "instance" / "cache", ignore_errors=True)
    log_dir = run_dir / "logs"
    common = {"workers": args.workers, "worker_class": worker_class, "threads": args.gthreads}
    rows: list[Row] = []
    extra: dict = {}

    # Every server of this run starts side by side (their imports overlap); they are then
    # measured one at a time, the others idle.
    wanted = _selected(args)
    servers = {
        "bare": Server("bare", "bench.bare:app", {}, **common),
        "cache-probe": Server("cache-probe", "bench.cache_probe:app", env, **common),
        "app": Server("app", "wsgi:app", env, **common),
        "uncached": Server("uncached", "wsgi:app", uncached_env, **common),
    }
    needed = [
        name
        for name in servers
        if name in ("bare", "cache-probe") or any(s.server == name for s in wanted)
    ]
    try:
        for name in needed:
            servers[name].launch(log_dir)
        for name in needed:
            servers[name].wait_ready("/" if name == "bare" else "/healthz")
            _log(f"  ({name} server ready after {servers[name].started_in:.1f} s)")
        rows.extend(_measure_references(servers, args))
        bare_rps = rows[0].rps or 0
        for server_name in ("app", "uncached"):
            scenarios_here = [s for s in wanted if s.server == server_name]
            rows.extend(
                _measure_scenarios(
                    scenarios_here, servers[server_name], params, counts, args, database_url, extra
                )
            )
            servers[server_name].stop()
    finally:
        for server in servers.values():
            server.stop()
    for row in rows:
        if row.rps is not None and bare_rps:
            row.ratio = row.rps / bare_rps
        report.judge(row)
    return rows, extra


def _measure_scenarios(
    wanted: list[Scenario],
    server: Server,
    params: dict,
    counts: dict,
    args,
    database_url: str,
    extra: dict,
) -> list[Row]:
    """The scenarios served by `server`, one after the other (the draft rush's detail also
    goes into `extra`)."""
    rows = []
    for scenario in wanted:
        row = _run_one(scenario, server, params, args, database_url)
        found = counts.get(scenario.key)
        row.sql = found.statements if found else None
        rows.append(row)
        _log(
            f"  {row.title:<44} "
            + (
                f"{row.rps:8.0f} req/s  p99 {row.p99:6.1f} ms"
                if row.rps is not None
                else row.detail
            )
        )
        if scenario.key == "drafts":
            extra["drafts"] = row.detail
    return rows


def _measure_references(servers: dict[str, Server], args) -> list[Row]:
    """The reference rows, bare first: bare Flask (served the same way, in the same run) and
    the page cache's hit path on a trivial route in the real app. They are measured in
    interleaved rounds (bare, hit, 304, plain, bare, ...) and the best round of each is kept,
    so that a neighbour's burst on a shared machine does not skew their ratio. Stops the bare
    and the probe servers."""
    probe = servers["cache-probe"]
    _probe(probe, "/_bench/cached")
    status, headers = _probe(probe, "/_bench/cached")
    hit = headers.get("x-pactum-cache") == "hit"
    references = [
        (Row("bare", "Bare Flask endpoint", "/"), servers["bare"], "/", {}),
        (
            Row(
                "cache-hit",
                "Page cache hit (trivial route)",
                "/_bench/cached",
                targets=("cached",),
            ),
            probe,
            "/_bench/cached",
            {},
        ),
        (
            Row("cache-304", "Page cache, If-None-Match → 304", "/_bench/cached"),
            probe,
            "/_bench/cached",
            {"If-None-Match": headers.get("etag", "")},
        ),
        (
            Row("app-trivial", "Same trivial route, no cache", "/_bench/plain"),
            probe,
            "/_bench/plain",
            {},
        ),
    ]
    once = argparse.Namespace(**{**vars(args), "repeat": 1})
    rounds = max(1 if args.smoke else 2, args.repeat)
    best: dict[str, Row] = {}
    for _round in range(rounds):
        for template, server, path, extra_headers in references:
            row = measure_wrk(dataclasses.replace(template), server, path, once, extra_headers)
            kept = best.get(row.key)
            if kept is None or (row.rps or 0) > (kept.rps or 0):
                best[row.key] = row
    servers["bare"].stop()
    probe.stop()
    if not hit:
        best["cache-hit"].status = "fail"
        best["cache-hit"].detail = f"not answered from the cache ({headers.get('x-pactum-cache')})"
    bare_row = best["bare"]
    bare_rps = bare_row.rps or 0
    _log(f"  {bare_row.title:<44} {bare_rps:8.0f} req/s  p99 {bare_row.p99 or 0:6.1f} ms")
    cached = best["cache-hit"]
    _log(f"  {cached.title:<44} {cached.rps or 0:8.0f} req/s  p99 {cached.p99 or 0:6.1f} ms")
    return [best[template.key] for template, *_rest in references]


def _selected(args) -> list[Scenario]:
    if not args.only:
        return SCENARIOS
    keys = set(args.only.split(","))
    return [s for s in SCENARIOS if s.key in keys]


def _run_one(scenario: Scenario, server: Server, params: dict, args, database_url: str) -> Row:
    row = Row(scenario.key, scenario.title, targets=scenario.targets)
    try:
        if scenario.kind == "drafts":
            return _run_drafts(row, server, params, args, database_url)
        row.url = scenario.url(params)
        headers = {}
        if scenario.login:
            rep = params.get("dashboard_rep")
            cookie = login_cookie(server, rep[1], generate.PASSWORD) if rep else ""
            if not cookie:
                row.status, row.detail = "error", "could not log in a representative"
                return row
            headers = {"Cookie": cookie, "User-Agent": "pactum-bench"}
        return measure_wrk(row, server, row.url, args, headers, stream=scenario.key == "csv")
    except Exception as error:  # noqa: BLE001 - one broken scenario must not stop the run
        row.status, row.detail = "error", f"{type(error).__name__}: {error}"[:300]
        return row


def _run_drafts(row: Row, server: Server, params: dict, args, database_url: str) -> Row:
    from bench import drafts

    if not params["savers"] or params.get("year") is None:
        row.status, row.detail = "n/a", "n/a (no open cycle with drafts)"
        return row
    status, _h = _probe(server, f"/my/reports/{params['year']}")
    # Best of --repeat rushes, like the wrk rows; every rush is read back and none may lose
    # a save.
    results = []
    for _attempt in range(max(1, args.repeat)):
        savers = [drafts.Saver(email, uid, org) for uid, email, org, _token in params["savers"]]
        # Peak memory from the first save on: logging in (argon2, 64 MiB a hash) is not the rush.
        result = drafts.run(
            server.base,
            savers,
            generate.PASSWORD,
            params["year"],
            args.duration,
            mode=args.draft_mode,
            on_start=server.reset_peaks,
        )
        if result.status == "n/a":
            row.status = "n/a"
            row.detail = "n/a (404)" if status == 404 else f"n/a ({result.detail})"
            return row
        drafts.verify(result, database_url, params["year"])
        results.append(result)
    result = max(results, key=lambda r: r.rps)
    row.title = f"Draft saves, {len(result.savers)} representatives at once"
    row.rps, row.p50, row.p99 = result.rps, result.p50_ms, result.p99_ms
    row.requests = result.saves
    row.errors = sum(sum(r.failures.values()) for r in results)
    row.rss_mb = max(server.peaks_kb().values(), default=0) / 1024
    row.detail = _draft_notes(result, results)
    row.verdicts["no_lost"] = all(
        r.lost == 0 and not r.failures and r.status == "ok" for r in results
    )
    if any(r.status == "error" for r in results):
        row.status = "error"
    return row


def _draft_notes(result, results: list) -> str:
    """The draft row's detail: what was saved and read back, the other rushes, refusals."""
    modes = sorted({s.mode for s in result.savers if s.mode})
    how = {"autosave": "JSON autosave of the section", "form": "section form POST + redirect"}
    notes = [
        f"{result.saves} saves ({', '.join(how.get(m, m) for m in modes)}), "
        f"{result.checked} drafts read back, {result.lost} lost"
    ]
    if len(results) > 1:
        notes.append(
            f"best of {len(results)} rushes (req/s {', '.join(f'{r.rps:.0f}' for r in results)}; "
            f"p99 ms {', '.join(f'{r.p99_ms:.0f}' for r in results)}); "
            f"{sum(r.lost for r in results)} saves lost in all of them"
        )
    failures: dict = {}
    for r in results:
        for code, count in r.failures.items():
            failures[code] = failures.get(code, 0) + count
    if failures:
        notes.append("refused: " + ", ".join(f"HTTP {k} × {v}" for k, v in failures.items()))
    details = sorted({r.detail for r in results if r.detail})
    notes.extend(details)
    return "; ".join(notes)


def sql_counts(database_url: str, params: dict, args) -> dict:
    from bench.sqlcount import InProcess

    counts: dict = {}
    try:
        inproc = InProcess(database_url, BENCH_SECRET)
    except Exception as error:  # noqa: BLE001
        _log(f"  (SQL counts unavailable: {error})")
        return counts
    try:
        rep = params.get("dashboard_rep")
        for scenario in _selected(args):
            try:
                if scenario.kind == "drafts":
                    counter_rep = params.get("count_rep")
                    if counter_rep and params.get("year"):
                        found = inproc.count_draft_save(
                            f"{counter_rep[0]}:{counter_rep[3]}", params["year"], args.draft_mode
                        )
                        if found and found.status in (200, 302, 303):
                            counts[scenario.key] = found
                    continue
                token = f"{rep[0]}:{rep[3]}" if scenario.login and rep else None
                url = scenario.url(params)
                inproc.count_get(url, token)  # warm-up: templates, per-process lookups
                found = inproc.count_get(url, token)
                if found.status == 200:
                    counts[scenario.key] = found
            except Exception as error:  # noqa: BLE001
                _log(f"  (SQL count for {scenario.key} failed: {type(error).__name__}: {error})")
    finally:
        inproc.close()
    return counts


def print_table(runs: dict) -> None:
    for db_label, by_class in runs.items():
        for worker_class, (rows, _extra) in by_class.items():
            _log(f"\n== {db_label}, {worker_class} workers ==")
            _log(report.table(rows))


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
        "--uncached",
        choices=("page", "none"),
        default="page",
        help="what the 'uncached' rows switch off: the page cache (default) or every cache",
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
            _log(f"\n== {db_label} ==")
            url = (
                prepare_sqlite(cached_db, run_dir)
                if db_label == "sqlite"
                else prepare_postgres(cached_db, args.pg_database)
            )
            params = scenarios.discover(url, args.savers)
            _log(
                f"Scenario values: country={params['country']} sector={params['sector']} "
                f"query={params['query']} profile={params['slug']} open cycle={params['year']} "
                f"savers={len(params['savers'])}"
            )
            counts = sql_counts(url, params, args)
            profiles[db_label] = report.profile_text(db_label, counts, params)
            runs[db_label] = {}
            for worker_class in classes:
                _log(f"-- {worker_class} workers --")
                runs[db_label][worker_class] = run_scenarios(
                    db_label, url, params, counts, args, worker_class, run_dir
                )
    return runs, profiles


def _cache_backends(args, run_dir: Path) -> str:
    if args.no_cachebench:
        return ""
    from bench import cachebench

    backends_text = cachebench.report(run_dir / "cachebench", smoke=args.smoke)
    _log("\n" + backends_text)
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
    backends_text = _cache_backends(args, run_dir)
    pdf_text = run_pdf(args) if args.pdf else ""
    notes.extend(report.notes(info, dbs, args))
    elapsed = time.perf_counter() - started
    _log(f"\nBenchmark finished in {elapsed:.0f} s")
    if args.results:
        extra_sections = {f"profile-{db}": text for db, text in profiles.items()}
        if backends_text:
            extra_sections["cache-backends"] = backends_text
        if pdf_text:
            extra_sections["pdf"] = pdf_text
        report.write_results(args.results, info, dataset, runs, notes, args, sizes, extra_sections)
        _log(f"Results written to {args.results}")
    if args.json:
        _write_json(args.json, info, dataset, elapsed, runs)
    return 0


def run_pdf(args) -> str:
    script = BENCH_DIR / "pdf.py"
    if not script.exists():
        _log("(bench/pdf.py does not exist yet: PDF benchmark skipped)")
        return ""
    _log("\n== PDF (bench/pdf.py) ==")
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pdf", "--members", "100,1000,5000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    _log(output)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"## PDF builds (bench/pdf.py, {stamp})\n\n```\n{output}\n```\n"
