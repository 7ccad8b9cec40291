"""`serve`'s configuration: flags and environment, validated into `ServeConfig`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent_job_status.errors import ConfigError, InputError
from agent_job_status.github.client import RetryPolicy
from agent_job_status.inputs import (
    MAX_JOB_ID,
    check_api_url,
    check_prefix,
    check_repository,
    check_workflow,
    server_url_for,
)
from agent_job_status.profiles import builtin
from agent_job_status.settings import DEFAULTS, Target

if TYPE_CHECKING:
    pass


API_KEY_ENV = "AGENT_JOB_STATUS_API_KEY"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_AGENT = "popebot"
# Serving answers in bounded time: a persistent outage is a 500 within ~10 s.
SERVE_RETRY = RetryPolicy(attempts=3, budget=10.0)
TTL = 1.0  # seconds an answer is shared between clients polling the same job
SLOTS = 4  # GitHub clients (each with its own lock and ETag cache)
MAX_JOBS = 4096  # per-job cache entries kept (least recently used go first)

POPEBOT_FIELDS = ("status", "branch", "pr_url", "run_url", "log", "changed_files")
MINTLIFY_FIELDS = ("id", "status", "source", "model", "prLink", "createdAt", "archivedAt")
UNAUTHORIZED = {"error": "Unauthorized"}
FAILED = {"error": "Failed to get job status"}
NOT_FOUND = {"error": "Not found"}

# The exact rule `check_job_id` applies, as an ECMA/Python regex for the OpenAPI
# description (so that generated clients and fuzzers agree with the server).
JOB_ID_PATTERN = (
    r"^(?!.*\.\.)(?!.*@\{)(?![/.-])(?!.*(?:[/.]|\.lock)$)"
    r"[^\x00-\x20\x7f~^:?*\[\\]{1," + str(MAX_JOB_ID) + r"}$"
)


# -- configuration --------------------------------------------------------------
@dataclass(frozen=True)
class ServeConfig:
    repository: str
    api_key: str = field(repr=False)
    token: str = field(repr=False)
    api_url: str = DEFAULTS["api_url"]
    server_url: str = "https://github.com"
    project_id: str = ""  # default: the repository's name
    branch_prefix: str = DEFAULTS["branch_prefix"]
    workflow: str = DEFAULTS["workflow"]
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    agent: str = DEFAULT_AGENT  # a built-in profile's name (issue 16)

    @property
    def project(self) -> str:
        return self.project_id or self.repository.split("/", 1)[1]

    def target(self) -> Target:
        return Target(
            repository=self.repository,
            branch_prefix=self.branch_prefix,
            workflow=self.workflow,
            server_url=self.server_url,
        )


def config_from(args: argparse.Namespace, env: Mapping[str, str]) -> ServeConfig:
    """Validate the `serve` flags and environment; raises an exit-2 error."""
    api_key = env.get(API_KEY_ENV, "").strip()
    if not api_key:
        raise ConfigError(
            f"{API_KEY_ENV} is not set: serve refuses to start without the API key "
            "its clients must send (x-api-key or Authorization: Bearer)"
        )
    repository = check_repository(getattr(args, "repo", "") or "")
    api_url = check_api_url(
        getattr(args, "api_url", "") or env.get("GITHUB_API_URL", "") or DEFAULTS["api_url"]
    )
    port = int(getattr(args, "port", DEFAULT_PORT))
    if not 0 <= port <= 65535:
        raise InputError("port", f"must be between 0 and 65535, got {port}")
    project_id = (getattr(args, "project_id", "") or "").strip()
    if "/" in project_id:
        raise InputError("project_id", "must not contain '/'")
    return ServeConfig(
        repository=repository,
        api_key=api_key,
        token=env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or "",
        api_url=api_url,
        server_url=server_url_for(api_url, env),
        project_id=project_id,
        branch_prefix=check_prefix(getattr(args, "branch_prefix", DEFAULTS["branch_prefix"])),
        workflow=check_workflow(getattr(args, "workflow", DEFAULTS["workflow"])),
        host=getattr(args, "host", DEFAULT_HOST) or DEFAULT_HOST,
        port=port,
        agent=builtin(str(getattr(args, "agent", DEFAULT_AGENT) or DEFAULT_AGENT)).name,
    )
