"""The web application (Starlette) and running it (uvicorn)."""

from __future__ import annotations

import argparse
import hmac
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from agent_job_status.errors import ConfigError, InputError, JobStatusError
from agent_job_status.github.wire import RetryPolicy
from agent_job_status.inputs import (
    check_job_id,
)
from agent_job_status.report import Report
from agent_job_status.status import Status

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from uvicorn import Server


from agent_job_status.serve.cache import JobCache, Observer
from agent_job_status.serve.config import (
    FAILED,
    JOB_NOT_FOUND,
    NOT_FOUND,
    UNAUTHORIZED,
    ServeConfig,
    config_from,
)
from agent_job_status.serve.openapi import openapi

log = logging.getLogger("agent_job_status.serve")


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


async def _answer(
    jobs: JobCache, job_id: str, view: Callable[[Report], dict[str, Any]]
) -> JSONResponse:
    """A job's answer in `view`'s shape: 404 when nothing exists, 500 when GitHub fails
    or its status is unknown."""
    from starlette.responses import JSONResponse

    try:
        report = await jobs.get(job_id)
    except JobStatusError as exc:
        log.warning("job %r: %s", job_id[:200], exc.message)
        return JSONResponse(FAILED, status_code=500)
    except Exception:
        log.exception("job %r: internal error", job_id[:200])
        return JSONResponse(FAILED, status_code=500)
    if report.status is Status.NOT_FOUND:
        return JSONResponse(JOB_NOT_FOUND, status_code=404)
    if report.status is Status.UNKNOWN:  # GitHub listed its newest item unreadable
        log.warning("job %r: status unknown (%s)", job_id[:200], report.reason)
        return JSONResponse(FAILED, status_code=500)
    return JSONResponse(view(report))


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in the APIs' error shape."""
    from starlette.exceptions import HTTPException
    from starlette.responses import JSONResponse

    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = exc.headers if isinstance(exc, HTTPException) else None
    word = {404: "Not found", 405: "Method not allowed"}.get(status, "Error")
    return JSONResponse({"error": word}, status_code=status, headers=headers)


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
        cache = JobCache(Observer(config.api, config.target, config.profile, retry=retry))
    jobs = cache
    description = openapi(config.project)

    async def answer(job_id: str, view: Callable[[Report], dict[str, Any]]) -> JSONResponse:
        return await _answer(jobs, job_id, view)

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

    app = Starlette(
        routes=[
            Route("/api/jobs/status", job_status, methods=["GET"]),
            Route("/v2/agent/{project_id}/job/{job_id:path}", agent_job, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error},
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
        f"serving {config.target.repository} on http://{config.host}:{config.port} "
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
