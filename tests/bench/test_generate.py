"""The benchmark's synthetic alliance comes from a fixed random seed (issue 7): the same sizes
and seed give the same alliance, row for row, so two runs (or two machines) measure the same
data; another seed gives another alliance."""

from __future__ import annotations

import dataclasses
import sqlite3

from bench import generate

# Tables compared row for row; everything except columns that are random by design
# (password hashes carry a random salt).
COMPARED = {
    "organisations": "id, slug, name, country, category, status, joined_on, sector_id",
    "reports": "id, cycle_id, organisation_id, state, revision",
    "submitted_answers": "*",
    "pledges": "*",
    "status_changes": "*",
    "users": "id, email, role, organisation_id",
}


def _rows(path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table, columns in COMPARED.items()
        }


def test_the_same_seed_gives_the_same_alliance(tmp_path):
    sizes = generate.Sizes.smoke()
    first = generate.generate(sizes, tmp_path / "a.sqlite3", year=2026, verbose=False)
    second = generate.generate(sizes, tmp_path / "b.sqlite3", year=2026, verbose=False)
    assert first["rows"] == second["rows"] and first["rows"]["organisations"] == sizes.orgs
    rows = first["rows"]
    # The shape the issue names, at any size: closed cycles plus the open one, about one
    # submitted report per requested report, each with every answer, and the pledges.
    assert rows["reporting_cycles"] == sizes.cycles + 1 and rows["pledges"] == sizes.pledges
    assert abs(rows["report_versions"] - sizes.reports) <= sizes.reports * 0.05
    assert rows["submitted_answers"] == rows["report_versions"] * sizes.questions
    assert rows["status_changes"] and rows["evidence"] and rows["stored_files"] == sizes.files
    # The search index is built as `flask pactum reindex` builds it (/search has entries).
    assert first["search_entries"] == second["search_entries"] > 0
    a, b = _rows(tmp_path / "a.sqlite3"), _rows(tmp_path / "b.sqlite3")
    assert all(a[table] for table in COMPARED)
    assert a == b

    other = dataclasses.replace(sizes, seed=sizes.seed + 1)
    generate.generate(other, tmp_path / "c.sqlite3", year=2026, verbose=False)
    assert _rows(tmp_path / "c.sqlite3")["organisations"] != a["organisations"]


def test_the_default_alliance_is_the_one_the_issue_names():
    """25,000 organisations, 10 yearly cycles, about 150,000 submitted reports of 40 answers,
    60,000 pledges, seed fixed; `make bench` uses these sizes."""
    sizes = generate.Sizes()
    assert (sizes.orgs, sizes.cycles, sizes.reports, sizes.questions, sizes.pledges) == (
        25_000,
        10,
        150_000,
        40,
        60_000,
    )
    assert sizes.seed == 2026
