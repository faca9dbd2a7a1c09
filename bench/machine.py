"""What the benchmark ran on: CPU, cores, memory, OS, Python and database versions, date."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os() -> str:
    try:
        text = Path("/etc/os-release").read_text()
        match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', text, re.M)
        if match:
            return f"{match.group(1)}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def describe(postgres_url: str | None = None) -> dict[str, str]:
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": f"{len(os.sched_getaffinity(0))} available ({os.cpu_count()} online)",
        "memory": _memory(),
        "os": _os(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": _version([str(Path(sys.executable).with_name("gunicorn")), "--version"]),
        "wrk": _version(["wrk", "--version"]).split(" Copyright")[0],
        "load average at start": _load(),
    }
    if postgres_url:
        try:
            engine = sa.create_engine(postgres_url)
            with engine.connect() as conn:
                info["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar()
                info["postgres durability"] = ", ".join(
                    f"{name}={conn.exec_driver_sql(f'SHOW {name}').scalar()}"
                    for name in ("fsync", "synchronous_commit", "full_page_writes")
                )
            engine.dispose()
        except Exception as error:  # noqa: BLE001
            info["postgresql"] = f"unknown ({type(error).__name__})"
    return info
