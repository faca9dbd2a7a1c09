"""What a benchmark run reports: its rows (`Row`, judged against the targets of issue 7), the
table printed and written, the in-process profile, and bench/results.md, whose sections
this run did not measure are kept as they were."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from pathlib import Path

from bench import scenarios
from bench.scenarios import SCENARIOS, TARGET_TEXT

_STARTED = time.monotonic()


def log(message: str) -> None:
    stamp = f"[{time.monotonic() - _STARTED:6.1f}s] "
    print(
        "\n".join(stamp + line if line.strip() else line for line in message.split("\n")),
        flush=True,
    )


@dataclasses.dataclass
class Row:
    key: str
    title: str
    url: str = ""
    status: str = "ok"  # ok | n/a | error | fail
    detail: str = ""
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    sql: int | None = None
    rss_mb: float | None = None
    growth_mb: float | None = None
    ratio: float | None = None
    sql_served: int | None = None  # statements as served (0 on a warm page cache)
    rounds: int = 0  # A/B rounds with the bare endpoint (the ratio is their median)
    load_before: float | None = None  # the 1-minute load average around the scenario
    load_after: float | None = None
    requests: int = 0
    errors: int = 0
    targets: tuple = ()
    verdicts: dict = dataclasses.field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if not self.verdicts:
            return None
        return all(self.verdicts.values())


def judge(row: Row) -> None:
    if row.status in ("n/a", "error"):
        return
    if row.rps is not None and row.rps <= 0:
        # Nothing finished (every request slower than the run, or the server stuck): a p99 of
        # 0.0 ms measured over no request is not a pass. Also when only some A/B rounds
        # finished requests: the row's figures are the rounds' medians, 0 req/s and a p99 of
        # 0.0 ms (the PostgreSQL search row of 2026-12-03 was judged "met" so).
        row.status, row.detail = "error", "no request finished within the run"
        return
    for target in row.targets:
        if target == "p99" and row.p99 is not None:
            row.verdicts["p99"] = row.p99 <= scenarios.PUBLIC_P99_MS and not row.errors
        elif target == "cached" and row.ratio is not None:
            row.verdicts["cached"] = row.ratio >= scenarios.CACHED_RATIO
        elif target in ("cold", "uncached") and row.ratio is not None:
            row.verdicts[target] = row.ratio >= scenarios.COLD_RATIO
        elif target == "stream" and row.growth_mb is not None:
            row.verdicts["stream"] = row.growth_mb < scenarios.STREAM_GROWTH_MB and not row.errors
        elif target == "centre_uncached" and row.ratio is not None:
            row.verdicts["centre_uncached"] = row.ratio >= scenarios.CENTRE_UNCACHED_RATIO
        elif target == "search_p99" and row.p99 is not None:
            row.verdicts["search_p99"] = row.p99 <= scenarios.SEARCH_P99_MS and not row.errors
        elif target == "draft_p99" and row.p99 is not None:
            row.verdicts["draft_p99"] = row.p99 <= scenarios.DRAFT_P99_MS
    if row.passed is False and row.status == "ok":
        row.status = "fail"


def profile_text(db_label: str, counts: dict, params: dict) -> str:
    """Where one uncached request spends its time, in process: for phase 2 to aim at."""
    name = "PostgreSQL" if db_label == "postgres" else "SQLite"
    lines = [
        f"## In process, one uncached request ({name})\n",
        "The request once more, then each of its SELECTs replayed on its own (execute and "
        "fetch): where an uncached request spends its time.\n",
        "| Scenario | statements | request ms | SQL ms (replayed) | slowest statements (ms) |",
        "|---|---:|---:|---:|---|",
    ]
    for scenario in SCENARIOS:
        found = counts.get(scenario.key)
        if not found:
            continue
        slow = "<br>".join(f"{ms:.1f}: `{sql.replace('|', '/')}`" for ms, sql in found.slowest)
        lines.append(
            f"| {scenario.title} | {found.statements} | {found.request_ms:.1f} | "
            f"{found.db_ms:.1f} | {slow} |"
        )
    return "\n".join(lines) + "\n"


def _fmt(value, pattern: str) -> str:
    return "" if value is None else pattern.format(value)


def _result(r: Row) -> str:
    if r.status == "n/a":
        return r.detail or "n/a"
    if r.status == "error":
        return f"error: {r.detail}"
    if r.passed is None:
        return "—"
    if r.passed:
        return "pass"
    return "FAIL (" + ", ".join(TARGET_TEXT[k] for k, ok in r.verdicts.items() if not ok) + ")"


def table(rows: list[Row]) -> str:
    lines = [
        "| Scenario | req/s | p50 ms | p99 ms | SQL/req served | SQL/req every cache off "
        "| peak RSS/worker | × bare (median of A/B rounds) | load before → after | target "
        "| result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        targets = "; ".join(TARGET_TEXT[t] for t in r.targets)
        rss = _fmt(r.rss_mb, "{:.0f} MB")
        if r.growth_mb is not None:
            rss += f" (+{r.growth_mb:.1f} MB)"
        load = (
            f"{r.load_before:.1f} → {r.load_after:.1f}"
            if r.load_before is not None and r.load_after is not None
            else ""
        )
        ratio = _fmt(r.ratio, "{:.2f}") + (f" ({r.rounds})" if r.rounds else "")
        lines.append(
            "| "
            + " | ".join(
                [
                    r.title + (f" `{r.url}`" if r.url and r.key not in ("bare",) else ""),
                    _fmt(r.rps, "{:,.0f}"),
                    _fmt(r.p50, "{:.1f}"),
                    _fmt(r.p99, "{:.1f}"),
                    _fmt(r.sql_served, "{}"),
                    _fmt(r.sql, "{}"),
                    rss,
                    ratio,
                    load,
                    targets,
                    _result(r),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def summary(runs: dict) -> str:
    """One screen: each target met or missed, per database."""
    lines = ["== Targets =="]
    for db_label, by_class in runs.items():
        for worker_class, (rows, _extra) in by_class.items():
            judged = [r for r in rows if r.verdicts or r.status in ("error",)]
            met = sum(1 for r in judged if r.passed)
            lines.append(
                f"{db_label}, {worker_class}: {met} of {len(judged)} rows meet their targets"
            )
            for r in judged:
                mark = "met   " if r.passed else "MISSED"
                lines.append(f"  {mark} {r.title[:62]:<62} {_result(r)[:60]}")
    return "\n".join(lines)


def section_block(key: str, body: str) -> str:
    return f"<!-- section:{key} -->\n{body.rstrip()}\n<!-- /section:{key} -->\n"


def _old_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    text = path.read_text()
    return {
        m.group(1): m.group(0) + "\n"
        for m in re.finditer(r"<!-- section:([\w-]+) -->\n.*?<!-- /section:\1 -->", text, re.S)
    }


def write_results(
    path: Path,
    info: dict,
    dataset: dict,
    runs: dict,
    notes: list[str],
    args,
    sizes,
    extra: dict[str, str],
) -> None:
    sections = _old_sections(path)
    for key, body in extra.items():
        sections[key] = section_block(key, body)
    for db_label, by_class in runs.items():
        parts = [
            f"## {'PostgreSQL' if db_label == 'postgres' else 'SQLite'}\n",
            f"Measured {info['date']} on the machine described above; "
            f"{args.workers} gunicorn workers, wrk {args.connections} connections, "
            f"{args.wrk_threads} threads, {args.duration:g} s per scenario"
            + (f", best of {args.repeat} runs" if args.repeat > 1 else "")
            + ".\n",
        ]
        for worker_class, (rows, _extra) in by_class.items():
            label = (
                f"{worker_class} workers"
                if worker_class == "sync"
                else f"gthread workers ({args.gthreads} threads each)"
            )
            parts.append(f"### {label}\n\n{table(rows)}\n")
            details = [
                f"- {r.title}: {r.detail}" for r in rows if r.detail and r.status not in ("n/a",)
            ]
            if details:
                parts.append("\n".join(details) + "\n")
        sections[db_label] = section_block(db_label, "\n".join(parts))
    machine_rows = "\n".join(f"| {k} | {v} |" for k, v in info.items())
    head = [
        "# Benchmark results\n",
        "Written by `python -m bench` (`make bench`, `make bench DB=postgres`); see "
        "`bench/runner.py` for how each number is measured and `bench/scenarios.py` for the "
        "targets of issue 7.\n",
        section_block("machine", f"## Machine\n\n| | |\n|---|---|\n{machine_rows}\n"),
        section_block("dataset", "## Data set\n\n" + _dataset_text(dataset, sizes)),
    ]
    # Every section is kept, those this run did not write included (the PDF's, the
    # workbook's, the growth table: other commands write them into the same file).
    order = [
        "summary",
        "sqlite",
        "postgres",
        "deadline-sqlite",
        "deadline-postgres",
        "growth",
        "profile-sqlite",
        "profile-postgres",
        "cache-backends",
        "pdf",
        "notes",
    ]
    if notes:
        sections["notes"] = section_block(
            "notes", "## Notes\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        )
    order += [k for k in sections if k not in order and k not in ("machine", "dataset")]
    body = "\n".join(head) + "\n" + "\n".join(sections[k] for k in order if k in sections)
    path.write_text(body)


def _dataset_text(dataset: dict, sizes) -> str:
    rows = dataset.get("rows", {})
    lines = [
        f"Seed {sizes.seed}; generated in {dataset.get('seconds', '?')} s "
        f"(cached afterwards under `bench/data/`).\n",
        "| table | rows | load time |",
        "|---|---:|---:|",
    ]
    seconds = dataset.get("table_seconds", {})
    for name, count in sorted(rows.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {count:,} | {seconds.get(name, 0):.1f} s |")
    statuses = dataset.get("statuses")
    if statuses:
        lines.append(
            "\nOrganisation statuses: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items())
        )
    return "\n".join(lines) + "\n"


def notes(info: dict, dbs: list[str], args) -> list[str]:
    notes = [
        "SQL/req: statements of one request counted in process (Flask test client, "
        "`before_cursor_execute`) with every cache off, after one warm-up request.",
        "peak RSS/worker: the largest `VmHWM` of the gunicorn workers, reset before each "
        "scenario; for the CSV, (+growth) is the largest RSS sampled every 50 ms during the "
        "downloads minus the worker's RSS before them.",
        "Draft saves: one Python thread per representative, each with its own session, CSRF "
        "token and draft revision, saving back to back; the time is that of the save request "
        "(the section's JSON autosave, as the page's script sends it, sent over a bare socket "
        "to keep the load generator's CPU low; --draft-mode form: the "
        "no-JavaScript form POST, its redirect not timed); every draft is read back from the "
        "database afterwards.",
        "Rows named 'every cache off' run on a second server with the page cache and the "
        "fragment cache off (PACTUM_PAGE_CACHE=0, PACTUM_CACHE_BACKEND=null): what a "
        "visitor gets after a write, or for a filter set or search nobody asked for yet. "
        "Rows named 'page cache warm' are what visitors get between writes.",
        "× bare: each scenario is measured in short rounds alternating with the bare Flask "
        "endpoint of the same run (bare, scenario, bare, scenario …); the ratio, req/s, p50 "
        "and p99 are the medians of the rounds (their spread in the row's notes).",
        "SQL/req served: statements of one request with the app's caches on and warm (0 when "
        "the page cache answers); every cache off: the same request with none.",
        "The page cache rows measure `@public_page` on a trivial route in the real app "
        "(bench/cache_probe.py); 'Same trivial route, no cache' is the app's own per-request "
        "cost (extensions, security headers) without it.",
    ]
    try:
        load = float(info.get("load average at start", "0").split()[0])
    except ValueError:
        load = 0.0
    cores = os.cpu_count() or 1
    if load > cores * 0.5:
        notes.append(
            f"The machine was busy with other work when the run started (load average "
            f"{load:.1f} on {cores} cores): absolute numbers are pessimistic; compare the "
            "rows of one run with each other (the × bare column)."
        )
    if "postgres" in dbs:
        settings = info.get("postgres durability", "")
        notes.append(
            "PostgreSQL is the private server of scripts/with-postgres.sh; for the benchmark "
            "it runs with production durability (fsync, synchronous_commit and "
            "full_page_writes on) unless `make bench PG_FAST=1` asked for the fast settings"
            + (f" (this run: {settings})." if settings else ".")
        )
    return notes
