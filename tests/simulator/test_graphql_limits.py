"""GraphQL's rate limits in the simulator: its own primary budget in points, apart
from REST's, and its own secondary limit (1 point a query, 5 with a mutation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from github_simulator import SimClock, Simulator, graphql_api

from .test_graphql import REPO_QUERY, data, gql

RATE = "rateLimit { cost limit remaining used resetAt nodeCount }"
RATE_QUERY = "{ " + RATE + " }"
MINIMIZE = (
    "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) "
    "{ minimizedComment { isMinimized minimizedReason } } }"
)


def test_each_query_spends_graphql_points_not_rest_ones(
    sim: Simulator, http: requests.Session
) -> None:
    core = sim.rate_limit.remaining
    seen = []
    for _ in range(3):
        answer = gql(sim, http, RATE_QUERY)
        assert answer.headers["X-RateLimit-Resource"] == "graphql"
        rate = data(answer)["rateLimit"]
        assert answer.headers["X-RateLimit-Remaining"] == str(rate["remaining"])
        assert answer.headers["X-RateLimit-Used"] == str(rate["used"])
        seen.append((rate["cost"], rate["remaining"], rate["used"]))
    assert seen == [(1, 4999, 1), (1, 4998, 2), (1, 4997, 3)]
    assert rate["limit"] == 5000 and rate["resetAt"] == "2026-01-01T01:00:00Z"
    assert sim.rate_limit.remaining == core  # REST's core budget is untouched
    listed = http.get(f"{sim.url}/rate_limit", timeout=10).json()["resources"]
    assert (listed["graphql"]["used"], listed["graphql"]["remaining"]) == (3, 4997)
    assert listed["core"]["remaining"] == core
    assert [(r.method, r.path, r.counted) for r in sim.requests][:3] == [
        ("POST", "/graphql", True)
    ] * 3


def test_forty_aliased_lookups_cost_one_point(sim: Simulator, http: requests.Session) -> None:
    names = {f"h{i}": f"job/{i}" for i in range(40)}
    fields = " ".join(
        f"r{i}: ref(qualifiedName: $h{i}) {{ name }} "
        f"p{i}: pullRequests(headRefName: $h{i}, first: 1) {{ totalCount }}"
        for i in range(40)
    )
    params = ", ".join(f"$h{i}: String!" for i in range(40))
    query = f'query({params}) {{ repository(owner: "acme", name: "agents") {{ {fields} }} {RATE} }}'
    answer = data(gql(sim, http, query, **names))
    assert answer["rateLimit"]["cost"] == 1
    assert answer["rateLimit"]["nodeCount"] == 40
    assert answer["repository"]["p39"] == {"totalCount": 0}
    assert answer["repository"]["r0"] is None


def test_nested_connections_cost_as_the_docs_example(
    sim: Simulator, http: requests.Session
) -> None:
    """docs.github.com's example: 1 + 100 + 5,000 requests -> 51 points (the fields are
    not served, but the cost is the query's, charged before it runs)."""
    query = (
        "{ viewer { repositories(first: 100) { edges { node { issues(first: 50) "
        "{ edges { node { labels(first: 60) { edges { node { id name } } } } } } } } } } }"
    )
    answer = gql(sim, http, query)
    assert answer.status_code == 200 and answer.json()["errors"]
    assert answer.headers["X-RateLimit-Used"] == "51"
    assert sim.graphql_rate_limit.remaining == 5000 - 51


def test_a_spent_graphql_budget_is_rate_limited_at_200(
    sim: Simulator, http: requests.Session
) -> None:
    sim.graphql_rate_limit.remaining = 0
    answer = gql(sim, http, RATE_QUERY)
    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert error["type"] == "RATE_LIMITED" and "rate limit exceeded" in error["message"]
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert sim.requests[-1].counted is False
    # REST has its own budget
    assert http.get(f"{sim.url}/repos/acme/agents", timeout=10).status_code == 200


def test_minimize_comment_forbidden_without_write(sim: Simulator, http: requests.Session) -> None:
    sim.state.create_branch("job/c")
    pr = sim.state.open_pr("job/c")
    cid = sim.state.add_comment(pr, "old")
    node = http.get(f"{sim.url}/repos/acme/agents/issues/comments/{cid}", timeout=10).json()
    sim.state.set_permissions(pull_requests_write=False)
    body = gql(sim, http, MINIMIZE, id=node["node_id"]).json()
    assert body["data"] == {"minimizeComment": None}
    assert (body["errors"][0]["type"], body["errors"][0]["path"]) == (
        "FORBIDDEN",
        ["minimizeComment"],
    )
    sim.state.set_permissions(pull_requests_write=True)
    hidden = data(gql(sim, http, MINIMIZE, id=node["node_id"]))
    assert hidden["minimizeComment"]["minimizedComment"] == {
        "isMinimized": True,
        "minimizedReason": "outdated",
    }
    assert sim.state.comments[cid].minimized == "OUTDATED"


@pytest.mark.timeout(300)
def test_the_secondary_limit_is_2000_queries_a_minute(
    sim: Simulator, clock: SimClock, http: requests.Session
) -> None:
    """A query is 1 point of 2,000 a minute (REST: a POST is 5 of 900)."""
    for _ in range(2000):
        assert gql(sim, http, "{ rateLimit { cost } }").status_code == 200
    refused = gql(sim, http, "{ rateLimit { cost } }")
    assert refused.status_code == 403
    assert "secondary rate limit" in refused.json()["message"]
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["X-RateLimit-Resource"] == "graphql"
    clock.advance(60)
    assert gql(sim, http, "{ rateLimit { cost } }").status_code == 200


def test_a_mutation_is_5_secondary_points(
    sim: Simulator, clock: SimClock, http: requests.Session
) -> None:
    sim.graphql_points_per_minute = 10
    for _ in range(2):
        assert gql(sim, http, MINIMIZE, id="IC_nope").status_code == 200
    assert gql(sim, http, MINIMIZE, id="IC_nope").status_code == 403
    assert gql(sim, http, "{ rateLimit { cost } }").status_code == 403
    clock.advance(60)
    for _ in range(10):
        assert gql(sim, http, "{ rateLimit { cost } }").status_code == 200
    assert gql(sim, http, "{ rateLimit { cost } }").status_code == 403


def test_without_the_schema_graphql_is_an_unknown_path(
    sim: Simulator, http: requests.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(graphql_api.SCHEMA_ENV, str(tmp_path / "absent.graphql"))
    assert graphql_api.schema() is None
    answer = gql(sim, http, "{ rateLimit { cost } }")
    assert answer.status_code == 404
    assert answer.headers["X-RateLimit-Resource"] == "core"
    assert sim.graphql_rate_limit.used == 0


def test_rate_limit_window_resets(sim: Simulator, clock: SimClock, http: requests.Session) -> None:
    gql(sim, http, REPO_QUERY % 'ref(qualifiedName: "main") { name }')
    assert sim.graphql_rate_limit.used == 1
    clock.advance(3600)
    answer = gql(sim, http, "{ rateLimit { used remaining } }")
    assert data(answer)["rateLimit"] == {"used": 1, "remaining": 4999}
