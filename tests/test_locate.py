"""Jobs missing from the lists' first pages are located with one GraphQL query
(issue 14, goal 2), against the simulator's GraphQL, which runs GitHub's
published schema: the query is validated as GitHub would validate it.

A wait's first look in a repository full of past jobs then costs the first
page of each list and one query, whatever the history; what GraphQL cannot
see (a run on a branch deleted without a PR) is read before a final report.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from agent_job_status.github.batch import BatchReads
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.locate import PER_QUERY, _read, locate, query_for
from agent_job_status.github.source import GitHubFacts
from agent_job_status.settings import Target
from github_simulator import SimClock, Simulator

from .conftest import TOKEN

JOBS = tuple(f"j{n}" for n in range(6))
TARGET = Target("acme/agents")


def client(vsim: Simulator) -> GitHubClient:
    """In the simulator's virtual time: a retry's backoff is instant."""
    clock = vsim.clock
    return GitHubClient(vsim.url, TOKEN, clock=clock.time, sleep=clock.sleep)


def reads_for(vsim: Simulator, *, watch: bool = True) -> BatchReads:
    return BatchReads(client(vsim), TARGET, watch=watch)


def asked(vsim: Simulator) -> list[str]:
    """Every request since the last reset, as `METHOD path?query`."""
    return [f"{q.method} {q.path}?{urlencode(q.query)}".rstrip("?") for q in vsim.requests]


def graphql(vsim: Simulator) -> int:
    return sum(1 for q in vsim.requests if q.path.endswith("/graphql"))


def beyond_page_one(vsim: Simulator) -> list[str]:
    return [a for a in asked(vsim) if "page=" in a and "page=1" not in a]


def per_branch(vsim: Simulator) -> list[str]:
    return [a for a in asked(vsim) if "branch=" in a or "head=" in a]


def old_jobs(vsim: Simulator, clock: SimClock) -> dict[str, int]:
    """A merged job (branch deleted) and a failed one (branch kept, no PR), then
    two days and 350 past jobs, so neither is on a list's first page."""
    st = vsim.state
    st.create_branch("job/merged")
    run = st.start_run("job/merged", status="in_progress")
    st.finish_run(run, "success")
    pr = st.open_pr("job/merged", title="merged")
    st.merge_pr(pr, delete_branch=True)
    st.create_branch("job/failed")
    failed = st.start_run("job/failed", status="in_progress")
    st.finish_run(failed, "failure")
    clock.sleep(timedelta(days=2).total_seconds())
    st.add_history(350)
    return {"merged": pr, "failed": failed}


def test_a_wait_s_first_look_costs_one_query_whatever_the_history(vsim: Simulator) -> None:
    vsim.state.add_history(350)  # four pages of past runs and PRs
    facts = reads_for(vsim).status_facts_many(JOBS)
    assert all(f.run is None and f.pull is None and f.branch is None for f in facts)
    assert graphql(vsim) == 1  # 6 jobs x 2 prefixes located at once
    assert beyond_page_one(vsim) == [] and per_branch(vsim) == []
    assert len(vsim.requests) == 3  # runs page 1, PRs page 1, the query


def test_located_jobs_are_read_and_the_past_is_not(vsim: Simulator, clock: SimClock) -> None:
    ids = old_jobs(vsim, clock)
    vsim.reset_requests()
    reads = reads_for(vsim)
    facts = {f.job_id: f for f in reads.status_facts_many(("merged", "failed", *JOBS))}
    merged, failed = facts["merged"], facts["failed"]
    assert merged.pull is not None and merged.pull.merged and merged.pull.number == ids["merged"]
    assert merged.run is not None and merged.run.conclusion == "success"
    assert failed.run is not None and failed.run.id == ids["failed"]
    assert failed.run.conclusion == "failure" and failed.pull is None
    assert graphql(vsim) == 1 and beyond_page_one(vsim) == []
    # Runs of both located jobs, and the merged one's PR: nobody else's.
    assert sorted(a.split("?")[1].split("&")[0] for a in per_branch(vsim)) == [
        "branch=job%2Ffailed",
        "branch=job%2Fmerged",
        "head=acme%3Ajob%2Fmerged",
    ]

    # Later polls stay on the first pages (the horizon), with no query.
    clock.sleep(10)
    vsim.reset_requests()
    again = {f.job_id: f for f in reads.status_facts_many(("merged", "failed", *JOBS))}
    assert again["failed"].run == failed.run
    assert graphql(vsim) == 0 and beyond_page_one(vsim) == []


def test_a_status_reads_the_same_as_a_reader_of_every_page(
    vsim: Simulator, clock: SimClock
) -> None:
    """One look (no wait) assumes nothing: runs are read exactly; only the PRs'
    past is left to GraphQL, whose answer is exact."""
    old_jobs(vsim, clock)
    vsim.state.delete_branch("job/failed")  # its run is still listed, far back
    ids = ("merged", "failed", *JOBS)
    vsim.reset_requests()
    got = [(f.run, f.pull, f.branch) for f in reads_for(vsim, watch=False).status_facts_many(ids)]
    assert graphql(vsim) == 1
    assert not any("/pulls?" in a and "page=2" in a for a in asked(vsim))
    vsim.add_fault("POST", "/graphql", "status:404", times=None)
    blind = reads_for(vsim, watch=False).status_facts_many(ids)
    assert got == [(f.run, f.pull, f.branch) for f in blind]
    assert got[1][0] is not None and got[1][0].conclusion == "failure"


def test_a_run_graphql_cannot_see_is_read_before_the_final_report(
    vsim: Simulator, clock: SimClock
) -> None:
    """A failed job whose branch was deleted, with no PR: GraphQL sees neither a
    ref nor a PR, so a wait assumes no run; the final look reads its runs."""
    ids = old_jobs(vsim, clock)
    vsim.state.delete_branch("job/failed")
    source = GitHubFacts(client(vsim), TARGET, watch=True)
    jobs = ("failed", *JOBS)
    light = [source.settled(f) for f in source.status_facts(jobs)]
    assert light[0].run is None and light[0].pull is None
    vsim.reset_requests()
    final = source.exact(light)
    assert final[0].run is not None and final[0].run.id == ids["failed"]
    assert final[1:] == light[1:]
    # Only the doubtful job is read again, on both its prefixes.
    assert {a.split("branch=")[-1] for a in per_branch(vsim)} <= {
        "job%2Ffailed",
        "agent-job%2Ffailed",
    }
    assert source.exact(final) == final  # nothing assumed any more


GRAPHQL_ERROR = 'body:{"errors": [{"type": "SERVICE_UNAVAILABLE", "message": "Try again"}]}'


@pytest.mark.parametrize("fault", ["status:404", "status:502", "malformed", GRAPHQL_ERROR])
def test_without_graphql_the_lists_are_read_as_before(
    vsim: Simulator, clock: SimClock, fault: str
) -> None:
    """No GraphQL (an old GHES, an outage, an error answer): pages or per-branch
    queries, as before; GraphQL is not asked again on later polls."""
    ids = old_jobs(vsim, clock)
    vsim.add_fault("POST", "/graphql", fault, times=None)
    vsim.reset_requests()
    reads = reads_for(vsim)
    facts = {f.job_id: f for f in reads.status_facts_many(("merged", "failed", *JOBS))}
    assert facts["merged"].pull is not None and facts["merged"].pull.number == ids["merged"]
    assert facts["failed"].run is not None
    clock.sleep(10)
    vsim.reset_requests()
    reads.status_facts_many(("merged", "failed", *JOBS))
    assert graphql(vsim) == 0


def test_branch_names_travel_as_variables_only() -> None:
    query = query_for(3)
    assert "$r2: String!" in query and "$h2: String!" in query and "job/" not in query
    assert query.count("pullRequests(headRefName:") == 3


def test_many_branches_take_a_query_per_hundred(vsim: Simulator) -> None:
    branches = [f"job/x{n}" for n in range(PER_QUERY + 1)]
    vsim.state.create_branch("job/x100")
    found = locate(client(vsim), TARGET, branches)
    assert found is not None and graphql(vsim) == 2
    assert found.asked == frozenset(branches) and set(found.refs) == {"job/x100"}
    assert found.refs["job/x100"] == vsim.state.branches["job/x100"]


def whole(**repo: Any) -> dict[str, Any]:
    return {"data": {"repository": {"r0": None, "p0": {"totalCount": 0}, **repo}}}


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {"errors": [{"message": "boom"}]},
        {"data": None},
        {"data": {"repository": None}, "errors": [{"type": "NOT_FOUND"}]},
        {"data": {"repository": {"p0": {"totalCount": 0}}}},  # no r0
        whole(p0=None),
        whole(p0={"totalCount": "1"}),
        whole(p0={"totalCount": True}),
        whole(r0={"target": None}),
        whole(r0={"target": {"oid": 7}}),
        whole(r0="refs/heads/x"),
    ],
)
def test_anything_but_a_whole_answer_is_no_answer(answer: object) -> None:
    assert _read(answer, ["job/x"]) is None


def test_a_whole_answer() -> None:
    got = _read(whole(r0={"target": {"oid": "abc"}}, p0={"totalCount": 2}), ["job/x"])
    assert got == ({"job/x": "abc"}, frozenset({"job/x"}))


def test_graphql_s_budget_is_not_the_one_a_wait_spaces_polls_by(vsim: Simulator) -> None:
    """GraphQL answers carry GraphQL's own rate limit: it never stands for REST's."""
    github = client(vsim)
    for _ in range(3):
        github.request("GET", "/repos/acme/agents")
    core = github.rate.remaining
    assert locate(github, TARGET, ["job/x"]) is not None
    assert github.rate.remaining == core
