#!/usr/bin/env bash
# Development only, until the first release lands: rebuild migrations/versions/0001 from the
# models (nothing is deployed yet, so the initial migration may still be regenerated).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*_initial_schema.py
PACTUM_INSTANCE_DIR="$tmp" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
PACTUM_INSTANCE_DIR="$tmp" PYTHONPATH=. .venv/bin/python scripts/fix_migration_cycles.py migrations/versions/*_initial_schema.py
rm -rf "$tmp"
echo "regenerated: $(ls migrations/versions/*_initial_schema.py)"
