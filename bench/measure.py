"""Measuring one database: the gunicorn servers of a run (bare Flask, the cache probe, the
app and the app without its page cache), each scenario driven with wrk and the best of
`--repeat` runs kept, the draft rush with its own load generator (bench/drafts.py), and the
SQL statements of one request counted in process (bench/sqlcount.py)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
from pathlib import Path

from bench import deadline, drafts, generate, report, wrk
from bench.client import Client, login
from bench.report import Row, log
from bench.scenarios import SCENARIOS, Scenario
from bench.servers import MemorySampler, Server
from bench.sqlcount import InProcess

BENCH_SECRET = "bench-secret-not-for-production-0123456789abcdef"  # noqa: S105


def _probe(server: Server, path: str, cookie: str = "") -> tuple[int, dict]:
    client = Client(server.base)
    try:
        page = client.fetch("GET", path, None, {"Cookie": cookie} if cookie else {})
        return page.status, page.headers
    finally:
        client.close()


def _wrk_once(server: Server, path: str, args, duration: float, headers: dict):
    return wrk.run(server.base + path, duration, args.connections, args.wrk_threads, headers)


def measure_wrk(
    row: Row,
    server: Server,
    path: str,
    args,
    headers: dict | None = None,
    stream: str = "",
    bare: Server | None = None,
) -> Row:
    """wrk on `path`. With `bare` (the bare Flask server of the same run), interleaved with
    it in short rounds (bare, scenario, bare, scenario ...): the row's req/s, p50, p99 and
    ratio to bare are the medians of the rounds, so a neighbour's burst on a shared machine
    moves both sides of a round alike instead of one row of the table. `stream` "warm":
    memory growth while wrk streams, after a warm-up request; "cold": from before the first
    request (which builds the file served, like the open-data zip)."""
    headers = headers or {}
    if stream == "cold":
        server.reset_peaks()
        cold = server.rss_kb()
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
    if stream != "cold":
        server.reset_peaks()
    before = cold if stream == "cold" else server.rss_kb()
    rounds = max(1, getattr(args, "rounds", 1)) if bare is not None and not stream else 1
    slice_s = max(0.5, args.duration / rounds)
    runs, ratios = [], []
    with MemorySampler(server) as sampler:
        for _round in range(rounds):
            if bare is not None and not stream:
                reference = _wrk_once(bare, "/", args, slice_s, {})
            result = _wrk_once(
                server, path, args, slice_s if rounds > 1 else args.duration, headers
            )
            runs.append(result)
            if bare is not None and not stream and reference.rps:
                ratios.append(result.rps / reference.rps)
    peaks = server.peaks_kb()
    row.rps = statistics.median(r.rps for r in runs)
    row.p50 = statistics.median(r.p50_ms for r in runs)
    row.p99 = statistics.median(r.p99_ms for r in runs)
    row.requests = sum(r.requests for r in runs)
    row.errors = sum(r.error_count for r in runs)
    if ratios:
        row.ratio = statistics.median(ratios)
        row.rounds = len(ratios)
        row.detail = (
            f"{len(ratios)} rounds A/B with bare: × bare {min(ratios):.2f}–{max(ratios):.2f}, "
            f"p99 {min(r.p99_ms for r in runs):.1f}–{max(r.p99_ms for r in runs):.1f} ms"
        )
    row.rss_mb = max(peaks.values(), default=0) / 1024
    if stream:
        growth = max((sampler.max_kb() - min(before.values(), default=0)), 0)
        hwm_growth = max((peaks.get(pid, 0) - before.get(pid, 0) for pid in peaks), default=0)
        row.growth_mb = max(growth, hwm_growth) / 1024
    errors: dict = {}
    for r in runs:
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
    if errors:
        row.detail = "; ".join(
            filter(
                None, [row.detail, "errors: " + ", ".join(f"{k} {v}" for k, v in errors.items())]
            )
        )
    if not row.requests:
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
    """The environment of the app's server and of the "cold" one (every cache off)."""
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
    # "Cold" rows: every cache off (no page cache, no fragment cache): what a request costs
    # after a write, or for a filter set or search nobody asked for yet.
    uncached_env = {**env, "PACTUM_PAGE_CACHE": "0", "PACTUM_CACHE_BACKEND": "null"}
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
        "cold": Server("cold", "wsgi:app", uncached_env, **common),
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
            log(f"  ({name} server ready after {servers[name].started_in:.1f} s)")
        rows.extend(_measure_references(servers, args))
        bare_rps = rows[0].rps or 0
        for server_name in ("app", "cold"):
            scenarios_here = [s for s in wanted if s.server == server_name]
            rows.extend(
                _measure_scenarios(
                    scenarios_here,
                    servers[server_name],
                    params,
                    counts,
                    args,
                    database_url,
                    extra,
                    servers["bare"],
                )
            )
            servers[server_name].stop()
    finally:
        for server in servers.values():
            server.stop()
    for row in rows:
        if row.ratio is None and row.rps is not None and bare_rps:
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
    bare: Server | None = None,
) -> list[Row]:
    """The scenarios served by `server`, one after the other, each interleaved with `bare`
    (the draft rush's detail also goes into `extra`); the load average before and after
    each goes into its row."""
    rows = []
    for scenario in wanted:
        load_before = os.getloadavg()[0]
        row = _run_one(scenario, server, params, args, database_url, bare)
        row.load_before, row.load_after = load_before, os.getloadavg()[0]
        found = counts.get(scenario.key)
        row.sql = found.statements if found else None
        served = counts.get(f"{scenario.key}:served")
        row.sql_served = (
            served.statements if served else (row.sql if scenario.server == "cold" else None)
        )
        rows.append(row)
        log(
            f"  {row.title[:60]:<60} "
            + (
                f"{row.rps:8.0f} req/s  p99 {row.p99:6.1f} ms"
                + (f"  × bare {row.ratio:.2f}" if row.ratio else "")
                if row.rps is not None
                else row.detail
            )
            + f"  (load {row.load_before:.1f} → {row.load_after:.1f})"
        )
        if scenario.key in ("drafts", "deadline"):
            extra[scenario.key] = row.detail
        if getattr(row, "detail_text", ""):
            name = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
            extra["deadline-text"] = f"## Deadline day ({name})\n\n" + row.detail_text
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
    probe.stop()  # the bare server stays: every scenario is interleaved with it
    if not hit:
        best["cache-hit"].status = "fail"
        best["cache-hit"].detail = f"not answered from the cache ({headers.get('x-pactum-cache')})"
    bare_row = best["bare"]
    bare_rps = bare_row.rps or 0
    log(f"  {bare_row.title:<44} {bare_rps:8.0f} req/s  p99 {bare_row.p99 or 0:6.1f} ms")
    cached = best["cache-hit"]
    log(f"  {cached.title:<44} {cached.rps or 0:8.0f} req/s  p99 {cached.p99 or 0:6.1f} ms")
    return [best[template.key] for template, *_rest in references]


def _selected(args) -> list[Scenario]:
    if not args.only:
        return SCENARIOS
    keys = set(args.only.split(","))
    return [s for s in SCENARIOS if s.key in keys]


def _run_one(
    scenario: Scenario, server: Server, params: dict, args, database_url: str, bare=None
) -> Row:
    row = Row(scenario.key, scenario.title, targets=scenario.targets)
    try:
        if scenario.kind == "drafts":
            return _run_drafts(row, server, params, args, database_url)
        if scenario.kind == "deadline":
            return deadline.measure(row, server, params, args, database_url)
        row.url = scenario.url(params)
        headers = {}
        if scenario.login:
            rep = params.get("dashboard_rep")
            cookie = login_cookie(server, rep[1], generate.PASSWORD) if rep else ""
            if not cookie:
                row.status, row.detail = "error", "could not log in a representative"
                return row
            headers = {"Cookie": cookie, "User-Agent": "pactum-bench"}
        return measure_wrk(row, server, row.url, args, headers, stream=scenario.stream, bare=bare)
    except Exception as error:  # noqa: BLE001 - one broken scenario must not stop the run
        row.status, row.detail = "error", f"{type(error).__name__}: {error}"[:300]
        return row


def _run_drafts(row: Row, server: Server, params: dict, args, database_url: str) -> Row:
    if not params["savers"] or params.get("year") is None:
        row.status, row.detail = "n/a", "n/a (no open cycle with drafts)"
        return row
    status, _h = _probe(server, f"/my/reports/{params['year']}")
    # The median of --rushes rushes (3; 1 in the smoke run): a target met by the best of
    # three only is not met. Every rush is read back and none may lose a save.
    results = []
    for _attempt in range(max(1, getattr(args, "rushes", 1))):
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
    result = sorted(results, key=lambda r: r.p99_ms)[len(results) // 2]  # the median rush
    row.title = f"Draft saves, {len(result.savers)} representatives at once (median of rushes)"
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
            f"median of {len(results)} rushes by p99 (req/s {', '.join(f'{r.rps:.0f}' for r in results)}; "
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
    """Statements of one request per scenario, counted in process: with every cache off
    (`key`), and as the app serves it, its caches warm (`key:served`)."""
    counts: dict = {}
    for caches in (False, True):
        try:
            inproc = InProcess(database_url, BENCH_SECRET, caches=caches)
        except Exception as error:  # noqa: BLE001
            log(f"  (SQL counts unavailable: {error})")
            return counts
        try:
            _count_scenarios(inproc, counts, params, args, ":served" if caches else "")
        finally:
            inproc.close()
    return counts


def _count_scenarios(inproc: InProcess, counts: dict, params: dict, args, suffix: str) -> None:
    rep = params.get("dashboard_rep")
    for scenario in _selected(args):
        if suffix and scenario.server == "cold":
            continue  # served cold: the count with every cache off
        try:
            if scenario.kind == "deadline":
                continue
            if scenario.kind == "drafts":
                counter_rep = params.get("count_rep")
                if counter_rep and params.get("year") and not suffix:
                    found = inproc.count_draft_save(
                        f"{counter_rep[0]}:{counter_rep[3]}", params["year"], args.draft_mode
                    )
                    if found and found.status in (200, 302, 303):
                        counts[scenario.key] = found
                continue
            token = f"{rep[0]}:{rep[3]}" if scenario.login and rep else None
            url = scenario.url(params)
            inproc.count_get(url, token)  # warm-up: templates, per-process lookups, caches
            found = inproc.count_get(url, token)
            if found.status == 200:
                counts[scenario.key + suffix] = found
        except Exception as error:  # noqa: BLE001
            log(f"  (SQL count for {scenario.key} failed: {type(error).__name__}: {error})")
