"""Whether the simulator serves GraphQL, without importing graphql-core up front.

GraphQL needs graphql-core (a ``test`` extra) and GitHub's schema file (npm
``@octokit/graphql-schema``, which ``scripts/test.sh`` installs into
``.venv/graphql-schema``; ``graphql_api.schema_path``).
Without either, ``POST /graphql`` is a REST path the simulator does not know
(404), and costs what such a POST costs; ``agent-job-status demo`` needs neither.
"""

from __future__ import annotations

import re
from typing import Any

from github_simulator.core import SimulatorCore
from github_simulator.wire import _Ctx, _Resp

GRAPHQL_PATH = re.compile(r"(?:/api)?/graphql/?$")


def _served(method: str, path: str) -> bool:
    """A GraphQL request the simulator can execute (builds the schema the first time)."""
    if method != "POST" or not GRAPHQL_PATH.match(path):
        return False
    try:
        from github_simulator import graphql_api
    except ImportError:  # no graphql-core
        return False
    return graphql_api.schema() is not None


def served(ctx: _Ctx) -> bool:
    return _served(ctx.method, ctx.path)


def answer(sim: SimulatorCore, ctx: _Ctx) -> tuple[_Resp, bool]:
    """The answer to a :func:`served` request: (response, whether it was counted)."""
    from github_simulator import graphql_api

    return graphql_api.answer(sim, ctx)


def secondary_points(method: str, path: str, body: Any) -> int | None:
    """A GraphQL request's secondary-limit points (1, or 5 with a mutation); None when
    the request is no GraphQL one the simulator serves."""
    if not _served(method, path):
        return None
    from github_simulator import graphql_api

    return graphql_api.secondary_points(body)
