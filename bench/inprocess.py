"""`python -m bench.inprocess`: the cost of one request in process, every cache off.

Flask's test client on the benchmark's database (bench/sqlcount.py's `InProcess`: no page
cache, no fragment cache), each path requested `--n` times after two warm-ups, the median
and the 90th percentile kept, with the statements one request runs. No server, no load
generator: what the code costs per request, comparable between data sizes on a busy machine
(the median of many requests, interleaved path by path, so a neighbour's burst moves every
path alike).

    python -m bench.inprocess --db sqlite:///bench/data/pactum-....sqlite3 --n 200
    python -m bench.inprocess --db ... --paths /members,/dashboard --rounds 5

`make bench GROWTH=1` runs it on each size of the growth table (bench/growth.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

# The cold paths of issue 20: the directory after a write, a filter set and a name search
# nobody asked for yet, a member profile and the representative's dashboard.
PATHS = (
    "/members",
    "/members?country={country}&sector={sector}",
    "/members?q={query}",
    "/members/{slug}",
    "/dashboard",
)


@dataclass
class Timing:
    path: str
    status: int
    statements: int
    median_ms: float
    p90_ms: float
    samples: int


def measure(database_url: str, paths: tuple[str, ...] = PATHS, n: int = 200, rounds: int = 5):
    """Median and p90 of `n` requests per path, interleaved: `rounds` rounds of n/rounds
    requests of each path in turn."""
    from bench.measure import BENCH_SECRET
    from bench.scenarios import discover
    from bench.sqlcount import InProcess

    params = discover(database_url, 0)
    rep = params.get("dashboard_rep")
    token = f"{rep[0]}:{rep[3]}" if rep else None
    inproc = InProcess(database_url, BENCH_SECRET)
    try:
        clients = {}
        urls = {}
        for path in paths:
            login = path.startswith(("/dashboard", "/my/"))
            clients[path] = inproc.client(token if login else None)
            urls[path] = path.format(**params)
        samples: dict[str, list[float]] = {p: [] for p in paths}
        statuses: dict[str, int] = {}
        statements: dict[str, int] = {}
        for path in paths:
            for _ in range(2):  # warm-up: templates, per-process lookups
                clients[path].get(urls[path]).get_data()
            with inproc.counting():
                response = clients[path].get(urls[path])
                response.get_data()
            statuses[path] = response.status_code
            statements[path] = len(inproc.statements)
        per_round = max(1, n // max(1, rounds))
        for _round in range(max(1, rounds)):
            for path in paths:
                client, url = clients[path], urls[path]
                for _ in range(per_round):
                    began = time.perf_counter()
                    client.get(url).get_data()
                    samples[path].append((time.perf_counter() - began) * 1000)
        return [
            Timing(
                urls[p],
                statuses[p],
                statements[p],
                statistics.median(samples[p]),
                statistics.quantiles(samples[p], n=10)[-1] if len(samples[p]) > 1 else 0.0,
                len(samples[p]),
            )
            for p in paths
        ]
    finally:
        inproc.close()


def table(timings: list[Timing]) -> str:
    lines = [
        "| Path | HTTP | SQL/req | median ms | p90 ms | requests |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| `{t.path}` | {t.status} | {t.statements} | {t.median_ms:.2f} | "
            f"{t.p90_ms:.2f} | {t.samples} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--db", required=True, help="database URL (sqlite:///... or postgres)")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--n", type=int, default=200, help="requests per path")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    paths = tuple(p for p in args.paths.split(",") if p)
    print(table(measure(args.db, paths, args.n, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
