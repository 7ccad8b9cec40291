#!/usr/bin/env bash
# Make sure docker.io + debootstrap are installed and a Docker daemon answers.
# Idempotent; meant for root on a fresh Debian machine (CI or a dev box).
#   scripts/ensure-docker.sh            # install if missing, start dockerd if needed
# Env: DOCKERD_LOG (default /tmp/dockerd.log), DOCKERD_WAIT (seconds, default 60)
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
DOCKERD_WAIT=${DOCKERD_WAIT:-60}

die() { echo "ensure-docker: ERROR: $*" >&2; exit 1; }
log() { echo "ensure-docker: $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo -n" || SUDO=""
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
    # de-duplicate
    pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
        die "need to install: $pkgs but not root and no sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Always refresh first: a machine's lists may be missing or name versions
    # the mirror no longer has.
    log "apt-get update"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
    log "installing: $pkgs"
    # Wait (bounded) for another apt/dpkg process to release the lock. With the
    # recommended packages, as TESTING.md tried: that is the set known to start.
    # shellcheck disable=SC2086
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq $pkgs \
        >/tmp/ensure-docker-apt.log 2>&1 \
        || { tail -20 /tmp/ensure-docker-apt.log >&2; die "apt-get install $pkgs failed (see /tmp/ensure-docker-apt.log)"; }
fi

if docker info >/dev/null 2>&1; then
    log "docker daemon already running"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    die "docker daemon not reachable and cannot start dockerd without root"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid + nohup: the daemon outlives this script and the calling shell.
    $SUDO setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
else
    log "dockerd process exists but is not answering yet; waiting"
fi

for _ in $(seq "$DOCKERD_WAIT"); do
    if docker info >/dev/null 2>&1; then
        log "docker daemon ready"
        exit 0
    fi
    sleep 1
done
tail -20 "$DOCKERD_LOG" >&2 2>/dev/null || true
die "docker daemon did not become ready within ${DOCKERD_WAIT}s (see $DOCKERD_LOG)"
