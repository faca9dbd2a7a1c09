"""A synthetic alliance the size of the largest real one, for `make bench`.

`python -m bench.generate [--orgs 25000 --cycles 10 --reports 150000 ...]` builds a SQLite
database with a fixed random seed: organisations across countries, sectors and categories with
status histories, applications and endorsements; charter versions with their principles;
yearly cycles with a 40-question questionnaire (a section per principle; mixed types, some
indicators, some public, lineage shared across years); submitted reports with their snapshot
(the format of docs/architecture.md, with short texts) and one `submitted_answers` row per
question; pledges with principles and updates; evidence files (content-addressed
`stored_files`); representatives with a known password; and this year's open cycle with
drafts for the draft-save scenario.

The schema comes from the models (`create_all`: the migrations are regenerated from them).
Rows are bulk-loaded with SQLAlchemy Core `insert()` executemany in batches, one transaction
per table, with `synchronous=OFF` during the load. The file is cached under `bench/data/`,
named after the seed, the sizes, the current year (the open cycle is this year's) and a hash of
the schema, so a second run reuses it. Closed cycles carry no draft `answers` rows (their data
lives in the snapshot and `submitted_answers`); audit events, reminders, extensions and
annual reports are not generated.

The package, one module per thing generated, in the order `build.build` runs them (they share
one random stream, so the order is part of the data):

- `sizes` (`Sizes`, the seed, the published password) and `schema` (the models' tables, the
  cache file's name);
- `charter` (principles, versions, sectors), `organisations` (names, applications,
  endorsements), `questionnaires` (cycles, sections, questions), `membership` (who reported
  when, the status history), `users`, `files` (evidence), `reports` (submitted reports with
  their snapshot and `submitted_answers`; the snapshot text and the answers come from
  `answers`), `pledges`, `drafts` (this year's open cycle);
- `state` (what the steps share: `Alliance`, `Org`, `Cycle`), `common` (seeded draws,
  timestamps, compact JSON), `words` (the word lists), `loader` (the bulk insert);
- `build` (`generate`, `ensure_database`) and `cli` (`python -m bench.generate`).
"""

from bench.generate.build import build, ensure_database, generate
from bench.generate.cli import add_size_arguments, main, sizes_from_args
from bench.generate.loader import BATCH, Loader
from bench.generate.schema import (
    BENCH_DIR,
    DATA_DIR,
    GENERATOR_VERSION,
    database_path,
    metadata,
    schema_hash,
)
from bench.generate.sizes import PASSWORD, SECRETARIAT_EMAIL, Sizes

__all__ = [
    "BATCH",
    "BENCH_DIR",
    "DATA_DIR",
    "GENERATOR_VERSION",
    "PASSWORD",
    "SECRETARIAT_EMAIL",
    "Loader",
    "Sizes",
    "add_size_arguments",
    "build",
    "database_path",
    "ensure_database",
    "generate",
    "main",
    "metadata",
    "schema_hash",
    "sizes_from_args",
]
