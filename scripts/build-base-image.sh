#!/usr/bin/env bash
# Build a local Debian bookworm + python3 base image without Docker Hub.
#   scripts/build-base-image.sh [TAG]       (default TAG: local/python-base)
# Idempotent: does nothing when TAG already exists (set FORCE=1 to rebuild).
# The debootstrap rootfs tarball is cached in $AJS_CACHE_DIR
# (default ~/.cache/agent-job-status) so a rebuild after `docker rmi` is fast.
# The host CA bundle is copied in, because registries are reached through a
# TLS-inspecting proxy; pip then finds it through PIP_CERT.
set -euo pipefail

TAG=${1:-local/python-base}
CACHE_DIR=${AJS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-job-status}
SUITE=${DEBIAN_SUITE:-bookworm}
HOST_CA=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PACKAGES=python3,python3-venv,ca-certificates
TARBALL="$CACHE_DIR/rootfs-$SUITE-python3.tar"

die() { echo "build-base-image: ERROR: $*" >&2; exit 1; }
log() { echo "build-base-image: $*" >&2; }

docker info >/dev/null 2>&1 || die "docker daemon not reachable (run scripts/ensure-docker.sh)"

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
    log "image $TAG exists; nothing to do"
    exit 0
fi

[ -r "$HOST_CA" ] || die "host CA bundle $HOST_CA not readable"
mkdir -p "$CACHE_DIR"

if [ "${FORCE:-0}" = 1 ] || [ ! -s "$TARBALL" ]; then
    command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] \
        || die "debootstrap not installed (run scripts/ensure-docker.sh)"
    [ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
    MIRROR=${DEBIAN_MIRROR:-}
    if [ -z "$MIRROR" ]; then
        MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    fi
    if [ -z "$MIRROR" ]; then
        MIRROR=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    fi
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/ajs-rootfs.XXXXXX")
    trap 'rm -rf "$ROOTFS"' EXIT
    log "debootstrap $SUITE from $MIRROR into $ROOTFS"
    start=$(date +%s)
    PATH="$PATH:/usr/sbin:/sbin" debootstrap --variant=minbase --include="$PACKAGES" \
        "$SUITE" "$ROOTFS" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed (see $CACHE_DIR/debootstrap.log)"; }
    log "debootstrap took $(( $(date +%s) - start ))s"
    # Slim it down a little: apt lists and caches are not needed in the image.
    rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
        "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/usr/share/doc/* \
        "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*
    # Use the machine's mirror inside the image too (apt-get inside works).
    tar -C "$ROOTFS" --numeric-owner -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
    rm -rf "$ROOTFS"
    trap - EXIT
else
    log "using cached rootfs $TARBALL"
fi

# The CA bundle goes in at import time (not into the cached tarball), so a
# changed host bundle is picked up without a new debootstrap.
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/ajs-ca.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/etc/ssl/certs"
cp "$HOST_CA" "$STAGE/etc/ssl/certs/ca-certificates.crt"
cp "$TARBALL" "$STAGE/rootfs.tar"
# docker import rejects duplicate paths: drop the image's own bundle first.
tar --delete -f "$STAGE/rootfs.tar" ./etc/ssl/certs/ca-certificates.crt 2>/dev/null || true
tar -C "$STAGE" --numeric-owner -rf "$STAGE/rootfs.tar" ./etc/ssl/certs/ca-certificates.crt

log "docker import -> $TAG"
start=$(date +%s)
CA=/etc/ssl/certs/ca-certificates.crt
docker import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change "ENV PIP_CERT=$CA" \
    --change "ENV SSL_CERT_FILE=$CA" \
    --change "ENV REQUESTS_CA_BUNDLE=$CA" \
    --change "CMD [\"/bin/bash\"]" \
    "$STAGE/rootfs.tar" "$TAG" >/dev/null
log "import took $(( $(date +%s) - start ))s"
docker run --rm "$TAG" python3 -c 'import sys, venv, ssl; print("python", sys.version.split()[0])' >&2 \
    || die "smoke test of $TAG failed"
