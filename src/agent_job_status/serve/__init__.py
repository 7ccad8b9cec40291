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

from agent_job_status.serve.app import create_app, run_serve, uvicorn_server
from agent_job_status.serve.cache import JobCache, Observer
from agent_job_status.serve.config import (
    API_KEY_ENV,
    MINTLIFY_FIELDS,
    POPEBOT_FIELDS,
    SERVE_RETRY,
    ServeConfig,
    config_from,
)
from agent_job_status.serve.openapi import openapi

__all__ = [
    "API_KEY_ENV",
    "MINTLIFY_FIELDS",
    "POPEBOT_FIELDS",
    "SERVE_RETRY",
    "JobCache",
    "Observer",
    "ServeConfig",
    "config_from",
    "create_app",
    "openapi",
    "run_serve",
    "uvicorn_server",
]
