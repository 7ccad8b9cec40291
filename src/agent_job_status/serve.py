"""`agent-job-status serve`: the two reference job-status APIs, served from GitHub.

A drop-in for existing clients of

- the job status API, ``GET /api/jobs/status?job_id=<id>`` with ``x-api-key``
  (answers ``Report.popebot()``), and
- the agent job API, ``GET /v2/agent/<projectId>/job/<id>`` with
  ``Authorization: Bearer <key>`` (answers ``Report.mintlify()``),

backed by the same engine as the action (`observe_one`) and the same
conditional-request cache. However many clients poll a job, GitHub sees at
most one round of requests for it per second: answers are kept for `ttl`
seconds per job, and concurrent misses for a job wait on one per-job lock so
they coalesce into a single fetch. Engine calls run in worker threads; each
job always goes through the same GitHub client (one of a few "slots", each
with its own lock, since a client is not thread-safe), so its ETag cache
turns unchanged polls into free 304s.

Starlette and uvicorn are an optional extra (``agent-job-status[serve]``):
they are imported only inside the functions that need them, so the action's
image does not carry them. The API key is compared in constant time and is
never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent_job_status.engine import FactSource, observe_one
from agent_job_status.errors import ConfigError, InputError, JobStatusError
from agent_job_status.github.client import GitHubClient, RetryPolicy, Stats
from agent_job_status.github.source import GitHubFacts
from agent_job_status.inputs import (
    MAX_JOB_ID,
    check_api_url,
    check_job_id,
    check_prefix,
    check_repository,
    check_workflow,
    server_url_for,
)
from agent_job_status.report import Report
from agent_job_status.settings import DEFAULTS, Target
from agent_job_status.status import Lifecycle, Status

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from uvicorn import Server

log = logging.getLogger("agent_job_status.serve")

API_KEY_ENV = "AGENT_JOB_STATUS_API_KEY"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
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
    )


# -- the engine behind the endpoints ------------------------------------------------
@dataclass
class _Slot:
    client: GitHubClient
    source: FactSource
    lock: threading.Lock = field(default_factory=threading.Lock)


class Observer:
    """Blocking `job_id -> Report` through a few GitHub clients, one lock each.

    A job always maps to the same slot, so its conditional requests always
    meet the ETag cache that holds their previous answers.
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        target: Target,
        *,
        slots: int = SLOTS,
        retry: RetryPolicy | None = None,
    ) -> None:
        policy = retry or SERVE_RETRY
        self._slots = []
        for _ in range(max(1, slots)):
            client = GitHubClient(api_url, token, retry=policy, on_retry=_log_retry)
            self._slots.append(_Slot(client, GitHubFacts(client, target, warn=log.warning)))

    def __call__(self, job_id: str) -> Report:
        slot = self._slots[hash(job_id) % len(self._slots)]
        with slot.lock:
            return observe_one(slot.source, job_id, detail=True)

    @property
    def stats(self) -> Stats:
        total = Stats()
        for slot in self._slots:
            total.requests += slot.client.stats.requests
            total.counted += slot.client.stats.counted
            total.not_modified += slot.client.stats.not_modified
            total.retries += slot.client.stats.retries
        return total


def _log_retry(message: str) -> None:
    log.info("retry: %s", message)


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    done_at: float | None = None
    report: Report | None = None
    error: BaseException | None = None


class JobCache:
    """Per-job answers kept `ttl` seconds; concurrent misses share one fetch."""

    def __init__(
        self,
        observe: Callable[[str], Report],
        *,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        max_jobs: int = MAX_JOBS,
    ) -> None:
        self._observe = observe
        self.ttl = ttl
        self._clock = clock
        self._max_jobs = max_jobs
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.rounds = 0  # engine calls made (each one round of GitHub requests)

    async def get(self, job_id: str) -> Report:
        from starlette.concurrency import run_in_threadpool

        entry = self._entry(job_id)
        async with entry.lock:
            if entry.done_at is None or self._clock() - entry.done_at >= self.ttl:
                self.rounds += 1
                try:
                    entry.report = await run_in_threadpool(self._observe, job_id)
                    entry.error = None
                except Exception as exc:  # shared with every waiter for `ttl`
                    entry.report, entry.error = None, exc
                entry.done_at = self._clock()
            if entry.error is not None:
                raise entry.error
            assert entry.report is not None
            return entry.report

    def _entry(self, job_id: str) -> _Entry:
        entry = self._entries.get(job_id)
        if entry is None:
            entry = self._entries[job_id] = _Entry()
            self._evict()
        else:
            self._entries.move_to_end(job_id)
        return entry

    def _evict(self) -> None:
        excess = len(self._entries) - self._max_jobs
        if excess <= 0:
            return
        idle = [k for k, e in self._entries.items() if not e.lock.locked()][:excess]
        for key in idle:
            del self._entries[key]


# -- the OpenAPI description ----------------------------------------------------------
def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _error(description: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": example},
            }
        },
    }


def openapi(project_id: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of both endpoints, written by hand."""
    job_id_schema = {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_JOB_ID,
        "pattern": JOB_ID_PATTERN,
        "description": "The agent job's id: its branch is <branch-prefix><id>.",
    }
    popebot_statuses = list(dict.fromkeys(s.traits.popebot for s in Status))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "agent-job-status serve",
            "version": "1.0.0",
            "description": (
                "Where an autonomous coding agent's job stands, worked out from GitHub "
                "(its branch, pull request and workflow run), in the response shapes of "
                "two reference job-status APIs."
            ),
        },
        "paths": {
            "/api/jobs/status": {
                "get": {
                    "operationId": "getJobStatus",
                    "summary": "The job status API",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {
                            "name": "job_id",
                            "in": "query",
                            "required": True,
                            "schema": job_id_schema,
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The job's status",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/JobStatus"}
                                }
                            },
                        },
                        "400": _error("Missing or invalid job_id", "Input 'job_id': is empty"),
                        "401": _error("Missing or wrong x-api-key", "Unauthorized"),
                        "500": _error("GitHub unreachable or failing", "Failed to get job status"),
                    },
                }
            },
            "/v2/agent/{projectId}/job/{id}": {
                "get": {
                    "operationId": "getAgentJob",
                    "summary": "The agent job API",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "projectId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": [project_id]},
                        },
                        {"name": "id", "in": "path", "required": True, "schema": job_id_schema},
                    ],
                    "responses": {
                        "200": {
                            "description": "The agent job",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/AgentJob"}
                                }
                            },
                        },
                        "400": _error("Invalid job id", "Input 'id': is empty"),
                        "401": _error("Missing or wrong bearer token", "Unauthorized"),
                        "404": _error("Unknown projectId", "Not found"),
                        "500": _error("GitHub unreachable or failing", "Failed to get job status"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {
                "JobStatus": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(POPEBOT_FIELDS),
                    "properties": {
                        "status": {"type": "string", "enum": popebot_statuses},
                        "branch": {"type": "string"},
                        "pr_url": _nullable({"type": "string"}),
                        "run_url": _nullable({"type": "string"}),
                        "log": {"type": "string"},
                        "changed_files": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "AgentJob": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(MINTLIFY_FIELDS),
                    "properties": {
                        "id": {"type": "string"},
                        "status": {
                            "description": "null when no branch, run or PR exists for the id",
                            "anyOf": [
                                {"type": "string", "enum": [c.value for c in Lifecycle]},
                                {"type": "null"},
                            ],
                        },
                        "source": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["repository", "ref"],
                            "properties": {
                                "repository": {"type": "string"},
                                "ref": {"type": "string"},
                            },
                        },
                        "model": _nullable({"type": "string"}),
                        "prLink": _nullable({"type": "string"}),
                        "createdAt": _nullable({"type": "string", "format": "date-time"}),
                        "archivedAt": _nullable({"type": "string", "format": "date-time"}),
                    },
                },
                "Error": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            },
        },
    }


# -- the web application ---------------------------------------------------------------
def _key_matches(given: str | None, expected: str) -> bool:
    if given is None:
        return False
    # Starlette decodes header bytes as latin-1: encoding back gives the bytes sent.
    try:
        sent = given.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(sent, expected.encode("utf-8"))


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def create_app(
    config: ServeConfig,
    *,
    cache: JobCache | None = None,
    retry: RetryPolicy | None = None,
) -> Starlette:
    """The Starlette app; `cache` defaults to a `JobCache` over an `Observer`."""
    require_extras()
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    if cache is None:
        cache = JobCache(Observer(config.api_url, config.token, config.target(), retry=retry))
    jobs = cache
    description = openapi(config.project)

    async def answer(job_id: str, view: Callable[[Report], dict[str, Any]]) -> JSONResponse:
        try:
            report = await jobs.get(job_id)
        except JobStatusError as exc:
            log.warning("job %r: %s", job_id[:200], exc.message)
            return JSONResponse(FAILED, status_code=500)
        except Exception:
            log.exception("job %r: internal error", job_id[:200])
            return JSONResponse(FAILED, status_code=500)
        return JSONResponse(view(report))

    async def job_status(request: Request) -> JSONResponse:
        if not _key_matches(request.headers.get("x-api-key"), config.api_key):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            job_id = check_job_id(request.query_params.get("job_id", ""), "job_id")
        except InputError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        return await answer(job_id, Report.popebot)

    async def agent_job(request: Request) -> JSONResponse:
        if not _key_matches(_bearer(request.headers.get("authorization")), config.api_key):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        if request.path_params["project_id"] != config.project:
            return JSONResponse(NOT_FOUND, status_code=404)
        try:
            job_id = check_job_id(request.path_params["job_id"], "id")
        except InputError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        return await answer(job_id, Report.mintlify)

    async def openapi_json(_: Request) -> JSONResponse:
        return JSONResponse(description)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        headers = exc.headers if isinstance(exc, HTTPException) else None
        word = {404: "Not found", 405: "Method not allowed"}.get(status, "Error")
        return JSONResponse({"error": word}, status_code=status, headers=headers)

    app = Starlette(
        routes=[
            Route("/api/jobs/status", job_status, methods=["GET"]),
            Route("/v2/agent/{project_id}/job/{job_id:path}", agent_job, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.state.cache = jobs
    return app


# -- running it ---------------------------------------------------------------------------
def require_extras() -> None:
    """Raise one clear exit-2 line when the `serve` extra is not installed."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"serve needs the optional extra (missing {exc.name or 'starlette/uvicorn'}): "
            "pip install 'agent-job-status[serve]'"
        ) from None


def uvicorn_server(app: Starlette, host: str, port: int, *, access_log: bool) -> Server:
    """The uvicorn server `serve` runs (the tests run the same one in a thread)."""
    import uvicorn

    return uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="info" if access_log else "warning",
            access_log=access_log,
            server_header=False,
            timeout_graceful_shutdown=5,
        )
    )


def run_serve(args: argparse.Namespace, env: Mapping[str, str], info: Callable[[str], None]) -> int:
    """The `serve` command: validate, then serve until SIGINT/SIGTERM."""
    config = config_from(args, env)
    require_extras()
    app = create_app(config)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    info(
        f"serving {config.repository} on http://{config.host}:{config.port} "
        f"(GET /api/jobs/status, GET /v2/agent/{config.project}/job/{{id}}, /openapi.json)"
    )
    server = uvicorn_server(app, config.host, config.port, access_log=True)
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        return 0
    except SystemExit:  # uvicorn exits when it cannot bind
        raise ConfigError(f"could not listen on {config.host}:{config.port}") from None
    if not server.started:
        raise ConfigError(f"could not listen on {config.host}:{config.port}")
    return 0
