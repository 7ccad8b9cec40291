"""The simulator's GraphQL endpoint: GitHub's published schema run by graphql-core,
with GitHub's rate limits for GraphQL (github_simulator/graphql_api.py)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from github_simulator import SimClock, Simulator, graphql_api

REPO_QUERY = '{ repository(owner: "acme", name: "agents") { %s } }'


def gql(sim: Simulator, http: requests.Session, query: str, **variables: Any) -> requests.Response:
    body = {"query": query, "variables": variables}
    return http.post(f"{sim.url}/graphql", json=body, timeout=30)


def data(answer: requests.Response) -> Any:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def with_prs(sim: Simulator, clock: SimClock) -> dict[str, int]:
    """An open, a closed and a merged PR (its branch deleted), a minute apart."""
    st = sim.state
    numbers: dict[str, int] = {}
    for kind in ("merged", "open", "closed"):
        st.create_branch(f"job/{kind}", files={f"{kind}.txt": kind})
        numbers[kind] = st.open_pr(f"job/{kind}", title=kind)
        clock.advance(60)
    st.merge_pr(numbers["merged"], delete_branch=True)
    st.close_pr(numbers["closed"])
    return numbers


def test_the_schema_file_is_installed() -> None:
    """scripts/test.sh installs it; without it every GraphQL test below would be a 404."""
    assert graphql_api.schema_path().is_file(), graphql_api.schema_path()
    schema = graphql_api.schema()
    assert schema is not None
    assert "minimizeComment" in schema.mutation_type.fields  # type: ignore[union-attr]


def test_a_field_the_schema_lacks_fails_validation(sim: Simulator, http: requests.Session) -> None:
    body = gql(sim, http, REPO_QUERY % "nope").json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"].startswith("Cannot query field 'nope' on type 'Repository'.")
    assert error["locations"] == [{"line": 1, "column": 47}]


def test_a_field_the_simulator_does_not_serve_is_an_error_not_null(
    sim: Simulator, http: requests.Session
) -> None:
    body = gql(sim, http, REPO_QUERY % "description").json()
    assert body["errors"][0]["message"] == "the simulator does not serve Repository.description"
    assert body["errors"][0]["path"] == ["repository", "description"]


def test_ref_of_a_branch_and_of_a_deleted_one(sim: Simulator, http: requests.Session) -> None:
    head = sim.state.create_branch("job/x", files={"a.txt": "a"})
    gone = sim.state.create_branch("job/gone")
    sim.state.delete_branch("job/gone")
    query = REPO_QUERY % (
        'full: ref(qualifiedName: "refs/heads/job/x") { name prefix target { __typename oid } } '
        'short: ref(qualifiedName: "job/x") { name } '
        'gone: ref(qualifiedName: "refs/heads/job/gone") { name }'
    )
    repo = data(gql(sim, http, query))["repository"]
    assert repo["full"] == {
        "name": "job/x",
        "prefix": "refs/heads/",
        "target": {"__typename": "Commit", "oid": head},
    }
    assert repo["short"] == {"name": "job/x"}
    assert repo["gone"] is None and gone == sim.state.branches["main"]


PULLS = "pullRequests(%s) { totalCount nodes { number state merged closed headRefName } }"


def test_pull_requests_by_head_finds_a_merged_one_whose_branch_is_gone(
    sim: Simulator, clock: SimClock, http: requests.Session
) -> None:
    numbers = with_prs(sim, clock)
    assert "job/merged" not in sim.state.branches
    query = REPO_QUERY % (PULLS % 'headRefName: "job/merged", first: 10')
    pulls = data(gql(sim, http, query))["repository"]["pullRequests"]
    assert pulls == {
        "totalCount": 1,
        "nodes": [
            {
                "number": numbers["merged"],
                "state": "MERGED",
                "merged": True,
                "closed": True,
                "headRefName": "job/merged",
            }
        ],
    }


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ("[OPEN]", ["open"]),
        ("[CLOSED]", ["closed"]),
        ("[MERGED]", ["merged"]),
        ("[OPEN, MERGED]", ["merged", "open"]),
        ("[]", ["merged", "open", "closed"]),
    ],
)
def test_pull_requests_by_state_oldest_first(
    sim: Simulator,
    clock: SimClock,
    http: requests.Session,
    states: str,
    expected: list[str],
) -> None:
    numbers = with_prs(sim, clock)
    query = REPO_QUERY % (PULLS % f"states: {states}, first: 10")
    pulls = data(gql(sim, http, query))["repository"]["pullRequests"]
    assert [n["number"] for n in pulls["nodes"]] == [numbers[k] for k in expected]
    assert pulls["totalCount"] == len(expected)


def test_pull_requests_newest_first_and_by_cursor(
    sim: Simulator, clock: SimClock, http: requests.Session
) -> None:
    numbers = with_prs(sim, clock)
    page = "first: 2, orderBy: {field: CREATED_AT, direction: DESC}%s"
    shape = "pageInfo { hasNextPage endCursor } nodes { number }"
    query = REPO_QUERY % f"pullRequests({page}) {{ {shape} }}"
    first = data(gql(sim, http, query % ""))["repository"]["pullRequests"]
    assert [n["number"] for n in first["nodes"]] == [numbers["closed"], numbers["open"]]
    assert first["pageInfo"]["hasNextPage"] is True
    after = f', after: "{first["pageInfo"]["endCursor"]}"'
    rest = data(gql(sim, http, query % after))["repository"]["pullRequests"]
    assert [n["number"] for n in rest["nodes"]] == [numbers["merged"]]
    assert rest["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("args", "kind", "message"),
    [
        (
            'headRefName: "job/x"',
            "MISSING_PAGINATION_BOUNDARIES",
            "You must provide a `first` or `last` value to properly paginate the "
            "`pullRequests` connection.",
        ),
        (
            "first: 101",
            "EXCESSIVE_PAGINATION",
            "Requesting 101 records on the `pullRequests` connection exceeds the `first` "
            "limit of 100 records.",
        ),
    ],
)
def test_a_connection_needs_first_or_last_up_to_100(
    sim: Simulator, http: requests.Session, args: str, kind: str, message: str
) -> None:
    body = gql(sim, http, REPO_QUERY % f"pullRequests({args}) {{ totalCount }}").json()
    (error,) = body["errors"]
    assert (error["type"], error["message"]) == (kind, message)
    assert error["path"] == ["repository", "pullRequests"]


def test_an_unknown_repository_is_null_and_not_found(
    sim: Simulator, http: requests.Session
) -> None:
    query = '{ repository(owner: "acme", name: "nope") { ref(qualifiedName: "main") { name } } }'
    body = gql(sim, http, query).json()
    assert body["data"] == {"repository": None}
    (error,) = body["errors"]
    del error["locations"]
    assert error == {
        "type": "NOT_FOUND",
        "path": ["repository"],
        "message": "Could not resolve to a Repository with the name 'acme/nope'.",
    }
    upper = '{ repository(owner: "ACME", name: "Agents") { ref(qualifiedName: "main") { name } } }'
    assert data(gql(sim, http, upper)) == {"repository": {"ref": {"name": "main"}}}


def test_a_token_is_required(sim: Simulator) -> None:
    query = {"query": "{ rateLimit { cost } }"}
    for headers in ({}, {"Authorization": "token ghs_wrong"}):
        answer = requests.post(f"{sim.url}/graphql", json=query, headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["message"] == "Bad credentials"
    assert sim.graphql_rate_limit.used == 0


@pytest.mark.parametrize("body", [b"not json", b'{"variables": {}}', b'{"query": 1}'])
def test_a_body_without_a_query_is_400(sim: Simulator, http: requests.Session, body: bytes) -> None:
    answer = http.post(f"{sim.url}/graphql", data=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "Problems parsing JSON",
        "documentation_url": "https://docs.github.com/graphql",
    }


def test_a_syntax_error_is_200_with_errors(sim: Simulator, http: requests.Session) -> None:
    body = gql(sim, http, "{ repository(").json()
    assert "data" not in body and body["errors"][0]["message"].startswith("Syntax Error")
