"""`make bench GROWTH=1` / `python -m bench.growth`: how the cold paths grow with the alliance.

For each size (1,000, 25,000 and 100,000 organisations by default; the other sizes scaled
with them from the default alliance of 25,000) the generator builds (or reuses) the data,
and `bench.inprocess` times the cold directory (`/members`, a country+sector filter, a name
search), a member profile and the representative's dashboard in process, every cache off
(median of `--n` requests), with a draft save. The table goes into the `growth` section of
bench/results.md, with the ratio of the largest size to the smallest (the directory's
target: at most 1.5×).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import sys
from pathlib import Path

from bench import generate
from bench.inprocess import PATHS, measure
from bench.measure import BENCH_SECRET
from bench.pdf_report import section_block
from bench.scenarios import COLD_GROWTH


def scaled(orgs: int) -> generate.Sizes:
    base = generate.Sizes()
    factor = orgs / base.orgs
    return dataclasses.replace(
        base,
        orgs=orgs,
        reports=max(10, int(base.reports * factor)),
        pledges=max(10, int(base.pledges * factor)),
        files=max(5, int(base.files * factor)),
        representatives=max(40, int(base.representatives * factor)),
    )


def draft_save_ms(database_url: str, n: int = 20) -> float | None:
    from bench.scenarios import discover
    from bench.sqlcount import InProcess

    params = discover(database_url, 0)
    rep = params.get("count_rep")
    if not rep or not params.get("year"):
        return None
    inproc = InProcess(database_url, BENCH_SECRET)
    try:
        times = []
        for _ in range(n):
            found = inproc.count_draft_save(f"{rep[0]}:{rep[3]}", params["year"])
            if found is not None:
                times.append(found.request_ms)
        return statistics.median(times) if times else None
    finally:
        inproc.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument("--orgs", default="1000,25000,100000")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR)
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("PACTUM_INSTANCE_DIR", str(args.data_dir / "run" / "instance"))
    os.environ.setdefault("PACTUM_SECRET_KEY", BENCH_SECRET)
    sizes = [int(x) for x in args.orgs.split(",") if x]
    by_size: dict[int, dict] = {}
    for orgs in sizes:
        path, _summary = generate.ensure_database(scaled(orgs), args.data_dir)
        url = f"sqlite:///{path}"
        load = os.getloadavg()[0]
        timings = measure(url, PATHS, args.n)
        by_size[orgs] = {
            "load": load,
            "paths": dict(zip(PATHS, timings, strict=True)),
            "save": draft_save_ms(url),
        }
        print(f"{orgs:,} organisations: done (load {load:.1f})", flush=True)
    text = table(by_size)
    print(text)
    if args.results:
        write(args.results, text)
    return 0


def table(by_size: dict[int, dict]) -> str:
    sizes = sorted(by_size)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = "| Request (every cache off, in process, median) | " + " | ".join(
        f"{n:,} orgs" for n in sizes
    )
    lines = [
        f"## Growth with the alliance (bench/growth.py, SQLite, {stamp})\n",
        head + f" | {sizes[-1]:,} / {sizes[0]:,} |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for path in PATHS:
        cells = [by_size[n]["paths"][path] for n in sizes]
        ratio = cells[-1].median_ms / cells[0].median_ms if cells[0].median_ms else 0
        mark = " (target ≤ 1.5×)" if path.startswith("/members") and "/" not in path[1:] else ""
        lines.append(
            f"| `{cells[-1].path}` | "
            + " | ".join(f"{c.median_ms:.2f} ms, {c.statements} SQL" for c in cells)
            + f" | {ratio:.2f}×{mark} |"
        )
    saves = [by_size[n]["save"] for n in sizes]
    if all(s is not None for s in saves):
        lines.append(
            "| draft save (autosave) | "
            + " | ".join(f"{s:.2f} ms" for s in saves)
            + f" | {saves[-1] / saves[0]:.2f}× |"
        )
    lines.append(
        "\nLoad average before each size: "
        + ", ".join(f"{n:,}: {by_size[n]['load']:.1f}" for n in sizes)
        + f". The cold directory's target: at most {COLD_GROWTH}× from the smallest size to "
        "the largest.\n"
    )
    return "\n".join(lines)


def write(path: Path, body: str) -> None:
    import re

    block = section_block("growth", body)
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    pattern = re.compile(r"<!-- section:growth -->\n.*?<!-- /section:growth -->\n?", re.S)
    text = (
        pattern.sub(lambda _m: block, text, count=1)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + block
    )
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
