"""Where jobs unseen on the lists' first pages are: one GraphQL query for many branches.

A repository's past agent jobs fill the later pages of the runs and PR lists.
A job missing from the first pages may be among them (merged yesterday), or
may not exist yet (dispatched a moment after the wait began). Paging through
the past costs a request per 100 past jobs; asking each branch costs a
request per branch and list. GraphQL answers for up to 100 branches in one
query whether each has a ref and a PR in any state (a PR keeps its head's
name after the branch is deleted), for one point of GraphQL's own budget.
REST then reads only the branches located (`batch.BatchReads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent_job_status.errors import GitHubError
from agent_job_status.github.answers import OffHost
from agent_job_status.github.client import GitHubClient, graphql_url
from agent_job_status.github.horizon import answered_at
from agent_job_status.settings import Target

# A query's cost is its connections' requests / 100, at least 1 point
# (docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
# 100 branches, one `pullRequests(first: 1)` each, cost 1 point.
PER_QUERY = 100


@dataclass(frozen=True)
class Located:
    """What GraphQL said of the branches asked: which exist (their head), which had a PR."""

    asked: frozenset[str] = frozenset()
    refs: dict[str, str] = field(default_factory=dict)  # branch -> head sha
    pulls: frozenset[str] = frozenset()
    answered: datetime | None = None  # GitHub's time of the oldest answer, less the lag

    def merged(self, other: Located) -> Located:
        times = [t for t in (self.answered, other.answered) if t is not None]
        return Located(
            self.asked | other.asked,
            {**self.refs, **other.refs},
            self.pulls | other.pulls,
            min(times) if times else None,
        )


def query_for(count: int) -> str:
    """The query for `count` branches; their names travel only as variables."""
    params = "".join(f", $r{i}: String!, $h{i}: String!" for i in range(count))
    fields = " ".join(
        f"r{i}: ref(qualifiedName: $r{i}) {{ target {{ oid }} }}"
        f" p{i}: pullRequests(headRefName: $h{i}, first: 1) {{ totalCount }}"
        for i in range(count)
    )
    return (
        f"query AgentJobBranches($owner: String!, $name: String!{params}) "
        f"{{ repository(owner: $owner, name: $name) {{ {fields} }} }}"
    )


def locate(client: GitHubClient, target: Target, branches: Sequence[str]) -> Located | None:
    """Which of `branches` exist and which had a PR; None when GraphQL does not
    answer all of it (an error, a partial answer, another shape): the caller then
    reads the lists as without it. A redirect off the API host still ends the check."""
    owner, _, name = target.repository.partition("/")
    found = Located()
    for start in range(0, len(branches), PER_QUERY):
        chunk = list(branches[start : start + PER_QUERY])
        variables: dict[str, str] = {"owner": owner, "name": name}
        for i, branch in enumerate(chunk):
            variables[f"r{i}"], variables[f"h{i}"] = f"refs/heads/{branch}", branch
        body = {"query": query_for(len(chunk)), "variables": variables}
        try:
            resp = client.request("POST", graphql_url(client.api_url), body=body)
        except OffHost:
            raise
        except GitHubError:
            return None
        part = _read(resp.data, chunk)
        if part is None:
            return None
        found = found.merged(
            Located(frozenset(chunk), part[0], part[1], answered_at(resp.headers))
        )
    return found


def _read(data: Any, chunk: list[str]) -> tuple[dict[str, str], frozenset[str]] | None:
    """(refs, branches with a PR) from an answer, or None unless it is whole."""
    if not isinstance(data, dict) or data.get("errors"):
        return None
    answer = data.get("data")
    repo = answer.get("repository") if isinstance(answer, dict) else None
    if not isinstance(repo, dict):
        return None
    refs: dict[str, str] = {}
    pulls: set[str] = set()
    for i, branch in enumerate(chunk):
        ref, pull = repo.get(f"r{i}"), repo.get(f"p{i}")
        if f"r{i}" not in repo or not isinstance(pull, dict):
            return None
        if type(pull.get("totalCount")) is not int:
            return None
        if pull["totalCount"] > 0:
            pulls.add(branch)
        if ref is None:
            continue
        target = ref.get("target") if isinstance(ref, dict) else None
        oid = target.get("oid") if isinstance(target, dict) else None
        if not isinstance(oid, str):
            return None
        refs[branch] = oid
    return refs, frozenset(pulls)
