#!/usr/bin/env bash
# Start a private, throw-away PostgreSQL server, run a command with PACTUM_TEST_DATABASE_URL
# (and PACTUM_PG_URL) pointing at it, then stop the server. Works as root (runs the server
# as the `postgres` user) and as a normal user.
# PACTUM_PG_DURABLE=1: production durability (fsync, synchronous_commit, full_page_writes on;
# `make bench` sets it unless PG_FAST=1). Otherwise (tests) the fast, non-durable settings.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bindir" ]]; then
  echo "PostgreSQL is not installed (scripts/system-deps.sh test installs it)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/pactum-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [[ "${PACTUM_PG_DURABLE:-0}" == "1" ]]; then
  fast=""
fi
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 $fast -c max_connections=200" start >/dev/null
export PACTUM_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port"
export PACTUM_TEST_DATABASE_URL="$PACTUM_PG_URL/pactum_test"
echo "PostgreSQL $(basename "$(dirname "$bindir")") running on port $port ($([[ -n "$fast" ]] && echo "fast, not durable" || echo "durable"))"
"$@"
