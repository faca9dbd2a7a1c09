"""The benchmark's smoke run: a tiny generated alliance, every scenario for about a second.

It asserts only that the run completes and reports every scenario (a scenario whose page does
not exist yet may say "n/a"); the numbers of a 1-second run on a busy CI machine mean nothing.
In the PostgreSQL half of `make test` it runs against that server (the COPY loader included).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {"ok", "fail", "n/a", "error"}


@pytest.mark.slow
def test_smoke_run_reports_every_scenario(tmp_path):
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (scripts/system-deps.sh test installs it)")
    on_postgres = os.environ.get("PACTUM_TEST_DATABASE_URL", "").startswith(
        "postgresql"
    ) and os.environ.get("PACTUM_PG_URL")
    out = tmp_path / "results.json"
    markdown = tmp_path / "results.md"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    command = [
        sys.executable,
        "-m",
        "bench",
        "--smoke",
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
        str(out),
        "--results",
        str(markdown),
        "--db",
        "postgres" if on_postgres else "sqlite",
        "--pg-database",
        f"pactum_bench_smoke_{worker}",
    ]
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]

    data = json.loads(out.read_text())
    ((db_label, by_class),) = data["runs"].items()
    rows = {row["key"]: row for row in by_class["sync"]}
    expected = {s.key for s in SCENARIOS} | {"bare", "cache-hit", "cache-304", "app-trivial"}
    assert set(rows) == expected
    for key, row in rows.items():
        assert row["status"] in STATUSES, (key, row)
        if row["status"] in ("ok", "fail"):
            assert row["rps"] > 0, (key, row)
    assert rows["bare"]["status"] == "ok" and rows["bare"]["rps"] > 0
    assert rows["cache-hit"]["rps"] > 0
    # The smoke alliance has an open cycle: the draft rush (its own load generator) must run.
    assert rows["drafts"]["status"] in ("ok", "fail") and rows["drafts"]["rps"] > 0, rows["drafts"]
    text = markdown.read_text()
    assert "## Machine" in text and ("## PostgreSQL" if on_postgres else "## SQLite") in text
    for scenario in SCENARIOS:
        assert scenario.title.split(",")[0] in text


def test_a_page_that_does_not_exist_yet_is_reported_not_measured(tmp_path):
    """Scenarios whose pages other issues have not built yet say "n/a (404)"."""
    from argparse import Namespace

    from bench.measure import measure_wrk
    from bench.report import Row
    from bench.servers import Server

    server = Server("bare", "bench.bare:app", {}, workers=1).start(tmp_path)
    try:
        args = Namespace(smoke=True, duration=1, connections=2, wrk_threads=1, repeat=1)
        row = measure_wrk(
            Row("later", "A page built later", "/not-built-yet"), server, "/not-built-yet", args
        )
    finally:
        server.stop()
    assert (row.status, row.detail, row.rps) == ("n/a", "n/a (404)", None)
