"""Deadline day (issue 20): N representatives, each in a thread of their own, log in, open the
dashboard, open a section of their report, autosave it ten times and submit it, while
anonymous visitors read the directory and member profiles (their pages' cache emptied by the
submissions, as on the real day). Every step of every person is timed; the result is the
throughput of the whole day, p50/p99 per step, the submissions accepted or refused (a draft
that is not complete is refused with its list of what is missing, as a person would see it),
and the saves read back from the database afterwards: none may be lost.

`python -m bench` runs it as the "deadline" scenario on each database; its table goes into
bench/results.md (section deadline-<database>).
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench import drafts, generate
from bench.client import CSRF_RE, Client, discover_draft_form, login, target_field
from bench.drafts import Saver, _percentile, _revision, save_once

STEPS = ("login", "dashboard", "open section", "autosave", "submit", "visitor page")
AUTOSAVES = 10


@dataclass
class Day:
    timings: dict = field(default_factory=lambda: {step: [] for step in STEPS})
    submitted: int = 0
    refused: int = 0
    errors: list = field(default_factory=list)
    visitor_pages: int = 0
    visitor_failures: int = 0
    refusals: dict = field(default_factory=dict)  # HTTP status of a refused submission -> count


def _timed(day: Day, step: str, fn):
    began = time.perf_counter()
    result = fn()
    day.timings[step].append((time.perf_counter() - began) * 1000)
    return result


def _submit(client: Client, year: int) -> int:
    """GET the submit page (its current revision and CSRF token), POST the attestation."""
    path = f"/my/reports/{year}/submit"
    page = client.get(path)
    token = CSRF_RE.search(page.text)
    revision = re.search(r'name="base_revision"[^>]*value="(\d+)"', page.text) or re.search(
        r'value="(\d+)"[^>]*name="base_revision"', page.text
    )
    if page.status != 200 or not token:
        return page.status
    body = urlencode(
        {
            "csrf_token": token.group(1),
            "base_revision": revision.group(1) if revision else "",
            "officer_name": "Bench Officer",
            "officer_title": "Chief Executive Officer",
            "support_statement": "We continue to support the charter.",
            "authorised": "y",
            "action": "submit",
        }
    ).encode()
    answer = client.fetch("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    return answer.status


def _representative(base, saver: Saver, year, day: Day, start: threading.Barrier) -> None:
    client = Client(base, user_agent=f"pactum-bench/deadline/{saver.user_id}")
    try:
        start.wait(timeout=120)
        if not _timed(day, "login", lambda: login(client.fetch, saver.email, generate.PASSWORD)):
            day.errors.append(f"{saver.email}: login failed")
            return
        _timed(day, "dashboard", lambda: client.get("/dashboard"))
        found = _timed(
            day, "open section", lambda: discover_draft_form(client.fetch, "/dashboard", year)
        )
        if found is None:
            day.errors.append(f"{saver.email}: no section form")
            return
        saver.path, form = found
        target = target_field(form)
        saver.field_name = target.name
        digits = re.findall(r"\d+", target.name)
        saver.question_id = int(digits[-1]) if digits else None
        saver.first_revision = _revision(form)
        saver.mode = "autosave" if drafts.autosave_url(form) else "form"
        original = target.value or ""
        for n in range(1, AUTOSAVES + 1):
            # The last save puts the answer back as it was (a valid answer of a complete
            # draft: the field may be a URL or have a pattern), so the submission can pass.
            value = (
                original
                if n == AUTOSAVES and original
                else f"deadline {saver.user_id} save {n} {time.time_ns()}"
            )
            began = time.perf_counter()
            accepted, form, status = save_once(client, saver, form, saver.mode, value)
            day.timings["autosave"].append((time.perf_counter() - began) * 1000)
            if accepted:
                saver.saves += 1
                saver.last_value = value
            else:
                saver.failures[status] = saver.failures.get(status, 0) + 1
            if form is None:
                day.errors.append(f"{saver.email}: the form did not come back (HTTP {status})")
                return
            saver.last_revision = _revision(form)
        status = _timed(day, "submit", lambda: _submit(client, year))
        if status in (302, 303):
            day.submitted += 1
        else:
            day.refused += 1  # 422: the draft is not complete (or a stale revision: 409)
            day.refusals[status] = day.refusals.get(status, 0) + 1
    except Exception as error:  # noqa: BLE001 - reported, never hidden
        day.errors.append(f"{saver.email}: {type(error).__name__}: {error}")
    finally:
        client.close()


def _visitor(base, paths: list[str], day: Day, done: threading.Event, n: int) -> None:
    client = Client(base, user_agent=f"pactum-bench/visitor/{n}")
    i = n
    try:
        while not done.is_set():
            path = paths[i % len(paths)]
            i += 1
            page = _timed(day, "visitor page", lambda p=path: client.get(p))
            day.visitor_pages += 1
            if page.status != 200:
                day.visitor_failures += 1
    finally:
        client.close()


def run(
    base: str, reps: list, year: int, params: dict, visitors: int = 4
) -> tuple[Day, list, float]:
    day = Day()
    savers = [Saver(email, uid, org) for uid, email, org, _token in reps]
    start = threading.Barrier(len(savers) + 1)
    done = threading.Event()
    paths = [
        "/members",
        f"/members/{params['slug']}",
        f"/members?country={params['country']}",
        "/members?page=2",
        f"/members?q={params['query']}",
    ]
    people = [
        threading.Thread(target=_representative, args=(base, s, year, day, start), daemon=True)
        for s in savers
    ]
    readers = [
        threading.Thread(target=_visitor, args=(base, paths, day, done, n), daemon=True)
        for n in range(visitors)
    ]
    for thread in (*people, *readers):
        thread.start()
    start.wait(timeout=120)
    began = time.monotonic()
    for thread in people:
        thread.join(timeout=600)
    seconds = time.monotonic() - began
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    return day, savers, seconds


def text(row, day: Day, seconds: float, result) -> str:
    lines = [
        f"{len(result.savers)} representatives, {row.requests} requests in {seconds:.1f} s "
        f"({row.rps:.0f} req/s); submitted {day.submitted}, refused {day.refused}"
        + (
            " (" + ", ".join(f"HTTP {k} × {v}" for k, v in sorted(day.refusals.items())) + ")"
            if day.refusals
            else ""
        )
        + f"; {result.checked} drafts read back, "
        f"{result.lost} saves lost; visitors read {day.visitor_pages} pages "
        f"({day.visitor_failures} not 200).\n",
        "| Step | requests | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for step in STEPS:
        values = day.timings[step]
        if values:
            lines.append(
                f"| {step} | {len(values)} | {statistics.median(values):.1f} | "
                f"{_percentile(values, 99):.1f} |"
            )
    if day.errors:
        lines.append("\nErrors: " + "; ".join(day.errors[:5]))
    return "\n".join(lines) + "\n"


def measure(row, server, params: dict, args, database_url: str):
    """The scenario as a benchmark row (rps: every request of the day, people and visitors;
    p50/p99: the autosaves) with its per-step table in `row.detail_text`."""
    reps = params.get("deadline_reps") or []
    if not reps or params.get("year") is None:
        row.status, row.detail = "n/a", "n/a (no open cycle with drafts)"
        return row
    day, savers, seconds = run(server.base, reps, params["year"], params)
    result = drafts.DraftRushResult(savers, seconds, sum(s.saves for s in savers), {}, 0, 0)
    drafts.verify(result, database_url, params["year"])
    requests = sum(len(v) for v in day.timings.values())
    row.requests = requests
    row.rps = requests / seconds if seconds else 0.0
    saves = day.timings["autosave"]
    row.p50 = statistics.median(saves) if saves else None
    row.p99 = _percentile(saves, 99) if saves else None
    row.verdicts["no_lost"] = result.lost == 0 and not day.errors
    row.detail = (
        f"{len(savers)} representatives × (login, dashboard, section, {AUTOSAVES} autosaves, "
        f"submit) + 4 visitors; submitted {day.submitted}, refused {day.refused}; "
        f"{result.lost} saves lost; p50/p99 of the autosaves"
        + (f"; errors: {'; '.join(day.errors[:3])}" if day.errors else "")
    )
    row.detail_text = text(row, day, seconds, result)
    if day.errors and not saves:
        row.status = "error"
    return row
