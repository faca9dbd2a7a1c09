"""`python -m bench.generate [--orgs 25000 --cycles 10 --reports 150000 ...]`: build (or reuse)
the cached database and print its path; `add_size_arguments` / `sizes_from_args` give
`python -m bench` the same size options."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from bench.generate.build import ensure_database
from bench.generate.schema import DATA_DIR, database_path
from bench.generate.sizes import Sizes

DESCRIPTION = "A synthetic alliance the size of the largest real one, for `make bench`."


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Sizes()
    for field in dataclasses.fields(Sizes):
        parser.add_argument(
            f"--{field.name}",
            type=int,
            default=None,
            help=f"default {getattr(defaults, field.name):,}",
        )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")


def sizes_from_args(args: argparse.Namespace) -> Sizes:
    base = Sizes.smoke() if args.smoke else Sizes()
    changes = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(Sizes)
        if getattr(args, f.name) is not None
    }
    return dataclasses.replace(base, **changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=DESCRIPTION)
    add_size_arguments(parser)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    parser.add_argument("--check", action="store_true", help="PRAGMA foreign_key_check at the end")
    args = parser.parse_args(argv)
    sizes = sizes_from_args(args)
    path = database_path(sizes, args.data_dir)
    if args.force:
        path.unlink(missing_ok=True)
    path, summary = ensure_database(sizes, args.data_dir, check=args.check)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
