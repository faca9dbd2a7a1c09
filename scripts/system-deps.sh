#!/usr/bin/env bash
# Install the Debian packages Pactum needs, when missing and running as root.
#   scripts/system-deps.sh run    WeasyPrint's libraries and a font
#   scripts/system-deps.sh test   the above + Chromium, PostgreSQL, Redis, poppler, Node/npm, wrk
#   scripts/system-deps.sh bench  the same as test
set -euo pipefail
mode="${1:-run}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [[ "$mode" == "test" || "$mode" == "bench" ]]; then
  # wrk: the benchmark's smoke run is part of the test suite (tests/bench).
  packages+=(chromium chromium-driver postgresql redis-server poppler-utils nodejs npm wrk)
fi
# Debian's own python3 needs python3-venv for `python3 -m venv` (pyenv/python.org builds do not).
if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  packages+=(python3-venv)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from elsewhere than Debian (e.g. nodesource): accept any working npm.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}"); missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<< "${missing[*]:-}"
if (( ${#missing[@]} == 0 )); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
