"""`serve`'s configuration: flags and environment, validated into `ServeConfig`."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field

from agent_job_status.defaults import DEFAULTS
from agent_job_status.errors import ConfigError, InputError
from agent_job_status.github.wire import RetryPolicy
from agent_job_status.inputs import BAD_ID_CHARS, MAX_JOB_ID
from agent_job_status.profiles import Profile, builtin
from agent_job_status.settings import Api, Target, api_from, target_from

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
JOB_NOT_FOUND = {"error": "Job not found"}  # an id with no branch, PR or run: polls end

# The exact rule `check_job_id` applies, as an ECMA/Python regex for the OpenAPI
# description (so that generated clients and fuzzers agree with the server).
JOB_ID_PATTERN = (
    r"^(?!.*\.\.)(?!.*@\{)(?![/.-])(?!.*(?:[/.]|\.lock)$)"
    f"[^{BAD_ID_CHARS}]{{1,{MAX_JOB_ID}}}$"
)


# -- configuration --------------------------------------------------------------
@dataclass(frozen=True)
class ServeConfig:
    """`serve`'s settings: the same `Api` and `Target` parts as the action's."""

    api: Api
    target: Target
    api_key: str = field(repr=False)
    project_id: str = ""  # default: the repository's name
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    profile: Profile = field(default_factory=lambda: builtin(DEFAULT_AGENT))  # built-in only

    @property
    def project(self) -> str:
        return self.project_id or self.target.repository.split("/", 1)[1]


def config_from(args: argparse.Namespace, env: Mapping[str, str]) -> ServeConfig:
    """Validate the `serve` flags and environment; raises an exit-2 error."""
    api_key = env.get(API_KEY_ENV, "").strip()
    if not api_key:
        raise ConfigError(
            f"{API_KEY_ENV} is not set: serve refuses to start without the API key "
            "its clients must send (x-api-key or Authorization: Bearer)"
        )
    port = int(getattr(args, "port", DEFAULT_PORT))
    if not 0 <= port <= 65535:
        raise InputError("port", f"must be between 0 and 65535, got {port}", shown_as="--port")
    project_id = (getattr(args, "project_id", "") or "").strip()
    if "/" in project_id:
        raise InputError("project_id", "must not contain '/'", shown_as="--project-id")
    try:
        token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
        api = api_from(getattr(args, "api_url", "") or "", token, env)
        target = target_from(
            getattr(args, "repo", "") or "",
            getattr(args, "branch_prefix", DEFAULTS["branch_prefix"]),
            getattr(args, "workflow", DEFAULTS["workflow"]),
            api,
        )
    except InputError as exc:
        flag = {"repository": "--repo"}.get(exc.name, "--" + exc.name.replace("_", "-"))
        raise InputError(exc.name, exc.problem, shown_as=flag) from None
    return ServeConfig(
        api=api,
        target=target,
        api_key=api_key,
        project_id=project_id,
        host=getattr(args, "host", DEFAULT_HOST) or DEFAULT_HOST,
        port=port,
        profile=builtin(str(getattr(args, "agent", DEFAULT_AGENT) or DEFAULT_AGENT)),
    )
