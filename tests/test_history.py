"""Cost follows the jobs waited on, not the repository's history (issue 14, goal 2).

A wait over several jobs in a repository full of past agent jobs reads, after
its first look, only the first page of each shared list (`Horizon`), and
still sees every run and PR that appears later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent_job_status.github.batch import BatchReads
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.horizon import Horizon, answered_at, pages_left
from agent_job_status.settings import Target
from github_simulator import SimClock, Simulator

from .conftest import TOKEN

JOBS = ("a", "b", "c", "d", "e")


def statuses(reads: BatchReads) -> dict[str, tuple[str, str, bool]]:
    """Per job: (run status, PR state, branch seen)."""
    out = {}
    for facts in reads.status_facts_many(JOBS):
        run = facts.run.status if facts.run else ""
        pull = facts.pull.state if facts.pull else ""
        out[facts.job_id] = (run, pull, facts.branch is not None)
    return out


def deep_lists(vsim: Simulator) -> list[str]:
    """What a poll asked beyond the first page of a list, or per job."""
    return [
        f"{q.path}?{q.query}"
        for q in vsim.requests
        if "page" in q.query or "branch" in q.query or "head" in q.query
    ]


def test_history_costs_only_the_first_look(vsim: Simulator, clock: SimClock) -> None:
    vsim.state.add_history(350)  # four pages of past runs and PRs
    st = vsim.state
    for job in JOBS:
        st.create_branch(f"job/{job}")
    runs = {job: st.start_run(f"job/{job}", status="in_progress") for job in ("a", "b")}
    reads = BatchReads(GitHubClient(vsim.url, TOKEN), Target("acme/agents"), watch=True)

    first = statuses(reads)
    assert first["a"][0] == "in_progress" and first["c"] == ("", "", True)
    assert deep_lists(vsim)  # proving c, d, e have no run yet costs once

    clock.sleep(30)
    vsim.reset_requests()
    assert statuses(reads) == first
    assert deep_lists(vsim) == []

    # What appears later is on the first page: a new run, a finished run's PR.
    clock.sleep(30)
    runs["c"] = st.start_run("job/c", status="in_progress")
    st.finish_run(runs["a"], "success")
    st.open_pr("job/a", title="a")
    vsim.reset_requests()
    later = statuses(reads)
    assert later["c"][0] == "in_progress"
    assert later["a"] == ("completed", "open", False)
    assert deep_lists(vsim) == []

    # The same answers as a reader that knows no history (no horizon, all pages).
    fresh = BatchReads(GitHubClient(vsim.url, TOKEN), Target("acme/agents"))
    assert statuses(fresh) == later


def test_a_horizon_settles_each_branch_seen_absent() -> None:
    horizon = Horizon()
    since = datetime(2026, 1, 1, 12, tzinfo=UTC)
    horizon.absent(["x", "y"], since)
    older = (since - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    newer = (since + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert horizon.passed({"x", "y"}, older) == {"x", "y"}
    assert horizon.passed({"x", "y"}, newer) == set()
    assert horizon.passed({"x", "z"}, older) == {"x"}  # z was never seen absent
    horizon.present(["x"])
    assert horizon.passed({"x"}, older) == set()
    horizon.absent(["y"], None)  # a read without a usable Date forgets
    assert horizon.passed({"y"}, older) == set()


@pytest.mark.parametrize("hostile", ["", "yesterday", "2026-01-01T00:00:00", 7, None, "\x00Z"])
def test_hostile_times_never_stop_a_read(hostile: object) -> None:
    horizon = Horizon()
    horizon.absent(["x"], datetime(2026, 1, 1, tzinfo=UTC))
    assert horizon.passed({"x"}, hostile) == set()


def test_answer_times_and_pages_left() -> None:
    got = answered_at({"date": "Thu, 01 Jan 2026 12:00:00 GMT"})
    assert got is not None and got < datetime(2026, 1, 1, 12, tzinfo=UTC)
    for bad in ("", "soon", "Thu, 01 Jan 2026 12:00:00"):
        assert answered_at({"date": bad}) is None
    link = '<https://x/r?page=2>; rel="next", <https://x/r?per_page=100&page=13>; rel="last"'
    assert pages_left(link, 1) == 12
    assert pages_left('<https://x/r?page=99999999>; rel="last"', 1) == 0
    assert pages_left("", 1) == 0
