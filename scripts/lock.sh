#!/usr/bin/env bash
# Regenerates requirements/action.txt: the exact, hash-pinned runtime
# dependencies (pyproject.toml's [project] dependencies and everything they
# pull in) that the Dockerfile installs with `pip install --require-hashes`.
#   bash scripts/lock.sh            # same versions unless pyproject.toml changed
#   bash scripts/lock.sh --upgrade  # newest versions inside pyproject.toml's ranges
# The image is Python 3.11 on linux/amd64 and linux/arm64. The lock holds the
# hashes of every file PyPI has for each pinned version (all wheels and the
# sdist), so both architectures' wheels verify; this script checks that both
# resolve to the same set.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.8
LOCK=requirements/action.txt
tool=$(mktemp -d "${TMPDIR:-/tmp}/ajs-lock.XXXXXX")
trap 'rm -rf "$tool"' EXIT

python3 -m venv "$tool/venv"
"$tool/venv/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
uv="$tool/venv/bin/uv"

compile() {  # compile PLATFORM OUTPUT [uv args...]
    local platform=$1 output=$2
    shift 2
    "$uv" pip compile pyproject.toml --quiet --generate-hashes \
        --python-version 3.11 --python-platform "$platform" \
        --output-file "$output" "$@"
}

mkdir -p requirements
compile x86_64-unknown-linux-gnu "$LOCK" "$@"
# Same set for arm64 (no package resolves differently there), else the lock
# would not describe the arm64 image.
cp "$LOCK" "$tool/arm64.txt"
compile aarch64-unknown-linux-gnu "$tool/arm64.txt" "$@"
if ! diff <(grep -v '^#' "$LOCK") <(grep -v '^#' "$tool/arm64.txt") >&2; then
    echo "lock: linux/arm64 resolves differently from linux/amd64 (see above)" >&2
    exit 1
fi
echo "lock: wrote $LOCK ($(grep -c '^[a-z]' "$LOCK") packages)"
