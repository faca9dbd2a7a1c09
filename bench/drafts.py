"""The deadline rush: N representatives saving a report section as a draft at the same time.

wrk replays one request; a draft save needs, per person, a session, a CSRF token and the
revision the draft is at (optimistic locking refuses a stale one), and the next save needs the
revision the previous one produced. So this is a small Python load generator instead: one
thread per representative, each with its own keep-alive connection (re-opened when a sync
worker closes it) and cookie jar. Each thread logs in, finds its section form from the
dashboard (as a person would), then, until the time is up, changes one text answer and saves
the section, back to back like wrk's connections (only the save request is timed):

* `autosave` (default, when the form names its autosave endpoint): the JSON save that the
  page's script sends while the person types; its answer carries the new revision. It is
  sent by `Client.post_once` (a bare socket, the request built by hand), because with
  http.client the load generator spent a tenth of the server's CPU per save on parsing
  answers, on the same two cores;
* `form`: the no-JavaScript Save button: POST the form, follow the redirect to read the new
  revision (that GET is not timed, but it loads the server too).

Python threads are enough here: the client spends its time waiting for the server, and the
server (2 workers) is the bottleneck. Locust would bring gevent and its own venv for the same
measurement.

Afterwards `verify()` reads every draft back from the database and checks that the last value
each representative saved is what is stored: no save lost.
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.client import (
    Client,
    discover_draft_form,
    draft_form,
    encode_form,
    login,
    target_field,
)


@dataclass
class Saver:
    email: str
    user_id: int
    organisation_id: int
    path: str = ""
    field_name: str = ""
    question_id: int | None = None
    saves: int = 0
    failures: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    last_value: str | None = None
    first_revision: str = ""
    last_revision: str = ""
    mode: str = ""
    error: str = ""


@dataclass
class DraftRushResult:
    savers: list
    seconds: float
    saves: int
    failures: dict
    p50_ms: float
    p99_ms: float
    status: str = "ok"
    detail: str = ""
    lost: int = 0
    checked: int = 0

    @property
    def rps(self) -> float:
        return self.saves / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _revision(form) -> str:
    for name in REVISION_FIELDS:
        found = form.field(name)
        if found is not None:
            return found.value
    return ""


def autosave_url(form) -> str:
    """The JSON endpoint the form's script saves to while the person types, if any."""
    return form.attrs.get("data-autosave-url", "")


def save_once(client, saver: Saver, form, mode: str, value: str):
    """One draft save: (accepted?, form for the next save, HTTP status). Only the save
    request is timed; re-reading the form afterwards (no-JS mode, or after a refusal) is not."""
    endpoint = autosave_url(form) if mode == "autosave" else ""
    if endpoint:
        # static/js/report-form.js sends the autosave URL-encoded (no files in it).
        body, ctype = encode_form(form, {saver.field_name: value}, None, urlencoded=True)
        began = time.perf_counter()
        status, answer = client.post_once(endpoint, body, ctype)
        saver.latencies.append((time.perf_counter() - began) * 1000)
        if status == 200:
            revision = json.loads(answer).get("revision")
            for name in REVISION_FIELDS:
                found = form.field(name)
                if found is not None and revision is not None:
                    found.value = str(revision)
            return True, form, status
    else:
        buttons = [b for b in form.buttons if "save" in b[1].lower()] or form.buttons[:1]
        body, ctype = encode_form(form, {saver.field_name: value}, buttons[0] if buttons else None)
        began = time.perf_counter()
        page = client.fetch("POST", form.action or saver.path, body, {"Content-Type": ctype})
        saver.latencies.append((time.perf_counter() - began) * 1000)
        status = page.status
        if status in (302, 303):
            page = client.get(page.location or saver.path)
            return True, draft_form(page) if page.status == 200 else None, status
    page = client.get(saver.path)  # refused: read the draft again, as the person would
    return False, draft_form(page) if page.status == 200 else None, status


REVISION_FIELDS = ("base_revision", "revision")


def _save_loop(
    base: str,
    saver: Saver,
    password: str,
    year: int,
    start: threading.Barrier,
    deadline_box: list,
    max_saves: int,
    mode: str,
) -> None:
    client = Client(base, user_agent=f"pactum-bench/{saver.user_id}")
    try:
        if not login(client.fetch, saver.email, password):
            saver.error = "login failed"
            start.abort()
            return
        found = discover_draft_form(client.fetch, "/dashboard", year)
        if found is None:
            saver.error = "no draft form found from the dashboard"
            start.abort()
            return
        saver.path, form = found
        target = target_field(form)
        saver.field_name = target.name
        digits = re.findall(r"\d+", target.name)
        saver.question_id = int(digits[-1]) if digits else None
        saver.first_revision = _revision(form)
        saver.mode = "autosave" if mode == "autosave" and autosave_url(form) else "form"
        start.wait(timeout=120)
        n = 0
        while time.monotonic() < deadline_box[0] and n < max_saves:
            n += 1
            value = f"bench {saver.user_id} save {n} {time.time_ns()}"
            accepted, form, status = save_once(client, saver, form, saver.mode, value)
            if accepted:
                saver.saves += 1
                saver.last_value = value
            else:
                saver.failures[status] = saver.failures.get(status, 0) + 1
            if form is None:
                saver.error = f"the form did not come back (HTTP {status})"
                return
            saver.last_revision = _revision(form)
    except threading.BrokenBarrierError:
        saver.error = saver.error or "another representative could not start"
    except Exception as error:  # noqa: BLE001 - reported in the results, never hidden
        saver.error = f"{type(error).__name__}: {error}"
    finally:
        client.close()


def run(
    base: str,
    savers: list[Saver],
    password: str,
    year: int,
    duration: float,
    max_saves: int = 10_000,
    mode: str = "autosave",
    on_start=None,
) -> DraftRushResult:
    """`on_start()` runs once everyone is logged in, just before the saves begin."""
    deadline_box = [float("inf")]
    barrier = threading.Barrier(len(savers) + 1)
    threads = [
        threading.Thread(
            target=_save_loop,
            daemon=True,
            args=(base, s, password, year, barrier, deadline_box, max_saves, mode),
        )
        for s in savers
    ]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=180)
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join(timeout=30)
        errors = sorted({s.error for s in savers if s.error})
        return DraftRushResult(
            savers, 0, 0, {}, 0, 0, status="n/a", detail="; ".join(errors) or "could not start"
        )
    if on_start is not None:
        on_start()
    began = time.monotonic()
    deadline_box[0] = began + duration
    for thread in threads:
        thread.join(timeout=duration + 120)
    seconds = time.monotonic() - began
    latencies = [ms for s in savers for ms in s.latencies]
    failures: dict = {}
    for s in savers:
        for code, count in s.failures.items():
            failures[code] = failures.get(code, 0) + count
    errors = sorted({s.error for s in savers if s.error})
    return DraftRushResult(
        savers,
        seconds,
        sum(s.saves for s in savers),
        failures,
        statistics.median(latencies) if latencies else 0.0,
        _percentile(latencies, 99),
        status="error" if errors else "ok",
        detail="; ".join(errors),
    )


def verify(result: DraftRushResult, database_url: str, cycle_year: int) -> None:
    """Read every draft back: the last value each representative saved must be stored."""
    engine = sa.create_engine(database_url)
    lost = checked = 0
    problems = []
    try:
        with engine.connect() as conn:
            for saver in result.savers:
                if saver.last_value is None:
                    continue
                checked += 1
                row = conn.execute(
                    sa.text(
                        "SELECT a.value FROM answers a JOIN reports r ON r.id = a.report_id "
                        "JOIN reporting_cycles c ON c.id = r.cycle_id "
                        "WHERE r.organisation_id = :org AND c.year = :year AND a.question_id = :q"
                    ),
                    {"org": saver.organisation_id, "year": cycle_year, "q": saver.question_id},
                ).first()
                stored = row[0] if row else None
                if isinstance(stored, str):  # SQLite gives the JSON text, psycopg the value
                    with contextlib.suppress(ValueError):
                        stored = json.loads(stored)
                if stored != saver.last_value:
                    lost += 1
                    problems.append(f"{saver.email}: saved {saver.last_value!r}, stored {stored!r}")
    finally:
        engine.dispose()
    result.lost, result.checked = lost, checked
    gaps = [
        s.email
        for s in result.savers
        if s.saves
        and s.first_revision.isdigit()
        and s.last_revision.isdigit()
        and int(s.last_revision) - int(s.first_revision) != s.saves
    ]
    if gaps:
        result.detail = (
            result.detail + "; " if result.detail else ""
        ) + f"revision did not advance once per save for {len(gaps)} representatives"
    if lost:
        result.status = "fail"
        result.detail = (
            (result.detail + "; " if result.detail else "")
            + f"{lost} of {checked} last saves lost: "
            + "; ".join(problems[:3])
        )
