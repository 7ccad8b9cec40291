# Container for the agent-job-status Docker action.
#
# GitHub's rules for Docker actions: run as root (no USER), no WORKDIR (the
# runner sets the working directory to $GITHUB_WORKSPACE), exec-form
# ENTRYPOINT. Inputs arrive as INPUT_<NAME>.
#
# Base image pin: the official python 3.11 slim image on Debian bookworm
# (index digest of python:3.11.13-slim-bookworm, i.e. what python:3.11-slim
# pointed to before the tag moved to trixie). The digest was taken from
# public Dockerfiles pinning it (found with a code search; this machine
# cannot reach Docker Hub to re-resolve it). Offline builds override it:
#   docker build --build-arg BASE_IMAGE=local/python-base -t agent-job-status:e2e .
# (see scripts/build-base-image.sh). Both bases have python3 -m venv; the
# venv is only ever copied between stages of the SAME base (the interpreter
# is /usr/local/bin/python3 on the official image, /usr/bin/python3 on the
# Debian one).
ARG BASE_IMAGE=python:3.11.13-slim-bookworm@sha256:86adf8dbadc3d6e82ee5dd2c74bec2e1c2467cdad47886280501df722372d2e1

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# Only what pip needs to build the product: the project metadata and its one
# package. src/github_simulator (the test/demo GitHub simulator) stays out of
# the image; hatch skips a listed package that is absent (tests/test_metadata.py
# builds the wheel from exactly these COPY lines). README.md / LICENSE are
# optional (a build backend may reference them).
COPY pyproject.toml README* LICENSE* /src/
COPY src/agent_job_status/ /src/src/agent_job_status/
# Bytecode: the stale/odd __pycache__ pip left is dropped, then everything in
# the venv is compiled once here, with the final image's interpreter (same
# base). The .pyc files stay in the image: without them every container start
# compiles requests & co. again (cold start to the first API request 0.59 s ->
# 0.29 s; +6 MB; see benchmarks/image.py). PYTHONDONTWRITEBYTECODE only stops
# *writing* .pyc at run time (the container is thrown away anyway); existing
# ones are still used. COPY --from keeps the source mtimes the .pyc check.
# PIP_CERT (set by local/python-base) is honoured by pip automatically; it is
# unset on the official image, where the system CA bundle is used.
# Dependencies: exactly the hash-pinned set in requirements/action.txt
# (scripts/lock.sh); the project itself with --no-deps, so nothing else gets
# in, and pip check proves the set satisfies pyproject.toml.
COPY requirements/action.txt /src/requirements/action.txt
RUN set -eu; \
    python3 -m venv /opt/venv; \
    /opt/venv/bin/pip install --no-cache-dir --require-hashes -r /src/requirements/action.txt; \
    /opt/venv/bin/pip install --no-cache-dir --no-deps /src; \
    /opt/venv/bin/pip check; \
    /opt/venv/bin/pip uninstall -y -q pip setuptools wheel 2>/dev/null || true; \
    rm -f /opt/venv/bin/pip*; \
    /opt/venv/bin/python -c 'import agent_job_status'; \
    test -x /opt/venv/bin/agent-job-status; \
    find /opt/venv -name __pycache__ -prune -exec rm -rf {} +; \
    python3 -m compileall -q -j 0 /opt/venv/lib; \
    rm -rf /src

FROM ${BASE_IMAGE}
ARG VERSION=0.0.0
ARG SOURCE_URL=https://github.com/agent-job-status/agent-job-status
LABEL org.opencontainers.image.title="agent-job-status" \
      org.opencontainers.image.description="GitHub Action and CLI that reports the status of an agent job (branch, pull request, workflow run) from GitHub" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
ENTRYPOINT ["/opt/venv/bin/agent-job-status", "action"]
