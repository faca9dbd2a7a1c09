"""The steps in their order (they share one random stream, so the order is part of the data),
and the database file they fill: built through a temporary file, renamed when complete, cached
under `bench/data/` with a JSON summary next to it."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from bench.generate import (
    charter,
    drafts,
    files,
    membership,
    organisations,
    pledges,
    questionnaires,
    reports,
    search,
    users,
)
from bench.generate.loader import Loader, sqlite_engine
from bench.generate.schema import DATA_DIR, database_path, metadata
from bench.generate.sizes import Sizes
from bench.generate.state import Alliance


def build(sizes: Sizes, year: int, loader: Loader) -> dict:
    """Draw the alliance whose open cycle is `year` and load it; returns the summary."""
    g = Alliance(sizes, year)
    charter_rows = charter.plan(g, loader)
    charter.sectors(g, loader)
    organisations.plan(g)
    questionnaires.plan(g)
    membership.plan(g)
    membership.count_statuses(g)
    users.load(g, loader)
    # Charter versions reference the secretariat: load them now that it exists.
    charter.load(loader, charter_rows)
    endorsements = organisations.load(g, loader)
    membership.load_status_changes(g, loader)
    organisations.load_applications(g, loader)
    organisations.load_endorsements(loader, endorsements)
    questionnaires.load(g, loader)
    files.load(g, loader)
    report_count = reports.load(g, loader)
    pledges.load(g, loader)
    drafts.load(g, loader)
    g.summary.update({"year": year, "orgs": len(g.orgs), "reports": report_count})
    return g.summary


def generate(
    sizes: Sizes, path: Path, year: int | None = None, verbose: bool = True, check: bool = False
) -> dict:
    """Build the database at `path` (through a temporary file, renamed when complete)."""
    year = year or dt.date.today().year
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    start = time.perf_counter()
    engine = sqlite_engine(tmp)
    metadata().create_all(engine)
    if verbose:
        print(f"Generating {sizes.label()} into {path.name}", flush=True)
    loader = Loader(engine, verbose)
    summary = build(sizes, year, loader)
    t_facets = time.perf_counter()
    # The directory's filter counts are kept by the ORM's writes; the bulk load bypasses it,
    # so they are computed once here (app/members/directory/facets.py). The name index
    # (SQLite's FTS5 table) was filled by its triggers as the organisations were loaded.
    from app.members.directory import facets  # imported late, as the models (schema.py)

    with engine.begin() as conn:
        facet_rows = facets.rebuild(conn)
    loader.counts["directory_facets"] = facet_rows
    if verbose:
        print(
            f"  directory_facets        {facet_rows:9,} rows  {time.perf_counter() - t_facets:7.1f} s",
            flush=True,
        )
    engine.dispose()
    summary["search_entries"] = search.index(tmp, verbose)
    t_an = time.perf_counter()
    with engine.begin() as conn:
        if check:
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key problems: {problems[:5]}")
        conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    if verbose:
        print(f"  ANALYZE and checkpoint         {time.perf_counter() - t_an:7.1f} s", flush=True)
    os.replace(tmp, path)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    summary["rows"] = loader.counts
    summary["seconds"] = round(time.perf_counter() - start, 1)
    summary["table_seconds"] = {k: round(v, 2) for k, v in loader.seconds.items()}
    summary_path = path.with_suffix(".json")
    summary_path.write_text(json.dumps(summary, indent=2, default=str))
    if verbose:
        total = sum(loader.counts.values())
        print(
            f"Generated {total:,} rows in {summary['seconds']} s "
            f"({path.stat().st_size / 1e6:,.0f} MB)",
            flush=True,
        )
    return summary


def ensure_database(
    sizes: Sizes, data_dir: Path = DATA_DIR, verbose: bool = True, check: bool = False
) -> tuple[Path, dict]:
    """The cached database for these sizes, generated when missing."""
    path = database_path(sizes, data_dir)
    if path.exists():
        summary_path = path.with_suffix(".json")
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        if verbose:
            print(
                f"Reusing {path.relative_to(path.parent.parent) if data_dir == DATA_DIR else path}"
                f" (generated in {summary.get('seconds', '?')} s)",
                flush=True,
            )
        return path, summary
    return path, generate(sizes, path, verbose=verbose, check=check)
