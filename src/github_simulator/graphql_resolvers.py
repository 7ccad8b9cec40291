"""What the simulator serves of GitHub's GraphQL schema (see :mod:`graphql_api`).

Only the fields in :data:`SERVED` resolve; any other field of the real schema a
query selects is an error naming it ("the simulator does not serve
Repository.foo"), never a silent null. Served values are dicts (or callables
``fn(info, **arguments)`` for fields that take arguments) read by
:func:`resolve_field`, graphql-core's field resolver for every field here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeAlias

from graphql import GraphQLError, GraphQLResolveInfo

from github_simulator import payloads
from github_simulator.core import SimulatorCore
from github_simulator.records import PullRequestState

Json = dict[str, Any]
# graphql-core 3.3 makes the info generic (its context); 3.2 does not, so a string.
Info: TypeAlias = "GraphQLResolveInfo[Any]"

SERVED: dict[str, frozenset[str]] = {
    "Query": frozenset({"repository", "rateLimit"}),
    "Mutation": frozenset({"minimizeComment"}),
    "RateLimit": frozenset({"cost", "limit", "remaining", "resetAt", "used", "nodeCount"}),
    "Repository": frozenset({"ref", "pullRequests"}),
    "Ref": frozenset({"name", "prefix", "target"}),
    "Commit": frozenset({"oid"}),
    "PullRequestConnection": frozenset({"totalCount", "nodes", "edges", "pageInfo"}),
    "PullRequestEdge": frozenset({"node", "cursor"}),
    "PageInfo": frozenset({"hasNextPage", "endCursor", "hasPreviousPage", "startCursor"}),
    "PullRequest": frozenset(
        {
            "number",
            "title",
            "state",
            "merged",
            "mergedAt",
            "closed",
            "createdAt",
            "updatedAt",
            "headRefName",
            "headRefOid",
            "baseRefName",
            "url",
            "isDraft",
        }
    ),
    "MinimizeCommentPayload": frozenset({"minimizedComment"}),
    "IssueComment": frozenset({"isMinimized", "minimizedReason"}),
}


def error(message: str, kind: str | None = None) -> GraphQLError:
    """A resolver's error; ``kind`` is GitHub's ``type`` (NOT_FOUND, FORBIDDEN, ...)."""
    return GraphQLError(message, extensions={"type": kind} if kind else None)


def resolve_field(source: Any, info: Info, **arguments: Any) -> Any:
    """graphql-core's field resolver: a served field's value, else an error."""
    parent, name = info.parent_type.name, info.field_name
    if name not in SERVED.get(parent, frozenset()):
        raise error(f"the simulator does not serve {parent}.{name}")
    value = source.get(name) if isinstance(source, dict) else getattr(source, name, None)
    return value(info, **arguments) if callable(value) else value


def root(sim: SimulatorCore, cost: int, node_count: int) -> Json:
    """The query and mutation root for one request that costs ``cost`` points."""
    return {
        "repository": partial(_repository, sim),
        "rateLimit": partial(_rate_limit, sim, cost, node_count),
        "minimizeComment": partial(_minimize_comment, sim),
    }


def _rate_limit(sim: SimulatorCore, cost: int, node_count: int, info: Info, **_: Any) -> Json:
    rl = sim.graphql_rate_limit
    return {
        "cost": cost,
        "limit": rl.limit,
        "remaining": max(0, rl.remaining),
        "resetAt": payloads.ts(datetime.fromtimestamp(rl.reset, UTC)),
        "used": rl.used,
        "nodeCount": node_count,
    }


def _repository(sim: SimulatorCore, info: Info, owner: str, name: str, **_: Any) -> Json:
    st = sim.state
    if (owner.lower(), name.lower()) != (st.owner.lower(), st.repo.lower()):
        missing = f"Could not resolve to a Repository with the name '{owner}/{name}'."
        raise error(missing, "NOT_FOUND")
    return {"ref": partial(_ref, sim), "pullRequests": partial(_pull_requests, sim)}


def _ref(sim: SimulatorCore, info: Info, qualifiedName: str) -> Json | None:
    """A branch as GitHub's ``Ref`` (``refs/heads/x`` or ``x``); null when there is none."""
    name = qualifiedName.removeprefix("refs/heads/")
    sha = sim.state.branches.get(name)
    if sha is None or name.startswith("refs/"):
        return None
    return {"name": name, "prefix": "refs/heads/", "target": {"__typename": "Commit", "oid": sha}}


def pr_state(pr: PullRequestState) -> str:
    """GitHub's ``PullRequestState``: a merged PR is MERGED only."""
    return "MERGED" if pr.merged else pr.state.upper()


def _pull_node(sim: SimulatorCore, pr: PullRequestState) -> Json:
    return {
        "__typename": "PullRequest",
        "number": pr.number,
        "title": pr.title,
        "state": pr_state(pr),
        "merged": pr.merged,
        "mergedAt": payloads.ts(pr.merged_at),
        "closed": pr.state == "closed",
        "createdAt": payloads.ts(pr.created_at),
        "updatedAt": payloads.ts(pr.updated_at),
        "headRefName": pr.head_ref,
        "headRefOid": pr.head_sha,
        "baseRefName": pr.base_ref,
        "url": f"{payloads.repo_web(sim.state)}/pull/{pr.number}",
        "isDraft": pr.draft,
    }


def check_bounds(connection: str, first: int | None, last: int | None) -> None:
    """GitHub's rule for every connection: ``first`` or ``last``, 1 to 100."""
    if first is None and last is None:
        raise error(
            f"You must provide a `first` or `last` value to properly paginate the "
            f"`{connection}` connection.",
            "MISSING_PAGINATION_BOUNDARIES",
        )
    for arg, value in (("first", first), ("last", last)):
        if value is not None and value > 100:
            raise error(
                f"Requesting {value} records on the `{connection}` connection exceeds the "
                f"`{arg}` limit of 100 records.",
                "EXCESSIVE_PAGINATION",
            )
        if value is not None and value < 1:
            raise error(
                f"The `{arg}` value on the `{connection}` connection must be between 1 and 100.",
                "EXCESSIVE_PAGINATION",
            )


_ORDER: dict[str, Callable[[PullRequestState], Any]] = {
    "CREATED_AT": lambda pr: (pr.created_at, pr.number),
    "UPDATED_AT": lambda pr: (pr.updated_at, pr.number),
}


def _matching_pulls(sim: SimulatorCore, args: Json) -> list[PullRequestState]:
    """The PRs the filters pick, in the order asked (creation, ascending, by default)."""
    if args.get("labels"):
        raise error("the simulator does not filter Repository.pullRequests by labels")
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    key = _ORDER.get(order["field"])
    if key is None:
        raise error(f"the simulator does not order Repository.pullRequests by {order['field']}")
    head, base, states = args.get("headRefName"), args.get("baseRefName"), args.get("states")
    prs = [
        pr
        for pr in sim.state.pulls.values()
        if (head is None or pr.head_ref == head)
        and (base is None or pr.base_ref == base)
        and (not states or pr_state(pr) in states)
    ]
    return sorted(prs, key=key, reverse=order["direction"] == "DESC")


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        return int(text.removeprefix("cursor:v2:"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as err:
        raise error(f"`{cursor}` does not appear to be a valid cursor.") from err


def _pull_requests(sim: SimulatorCore, info: Info, **args: Any) -> Json:
    first, last = args.get("first"), args.get("last")
    check_bounds("pullRequests", first, last)
    prs = _matching_pulls(sim, args)
    start = _index(args["after"]) + 1 if args.get("after") else 0
    end = _index(args["before"]) if args.get("before") else len(prs)
    window = list(range(max(0, start), min(len(prs), end)))
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if window else window
    nodes = [_pull_node(sim, prs[i]) for i in window]
    return {
        "totalCount": len(prs),
        "nodes": nodes,
        "edges": [{"node": n, "cursor": _cursor(i)} for n, i in zip(nodes, window, strict=True)],
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < len(prs) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": _cursor(window[0]) if window else None,
            "endCursor": _cursor(window[-1]) if window else None,
        },
    }


def _minimize_comment(sim: SimulatorCore, info: Info, **args: Any) -> Json:
    """Hide an issue comment; FORBIDDEN without pull-requests write, NOT_FOUND for an
    id that is no comment of this repository's."""
    given = args["input"]
    subject, classifier = given["subjectId"], str(given["classifier"])
    if not sim.state.permissions.pull_requests_write:
        raise error("Resource not accessible by integration", "FORBIDDEN")
    with sim.state.lock:
        found = [c for c in sim.state.comments.values() if payloads.node_id("IC", c.id) == subject]
        if not found:
            raise error(
                f"Could not resolve to a node with the global id of '{subject}'", "NOT_FOUND"
            )
        found[0].minimized = classifier
    hidden = {"__typename": "IssueComment", "isMinimized": True}
    return {"minimizedComment": {**hidden, "minimizedReason": classifier.lower()}}
