"""The batch path (4 or more jobs read from shared list pages) against the
simulator: the newest run of a branch, never our own run, and the page bound
(both ways out of it: asking the missing jobs early, and reading up to it)."""

from __future__ import annotations

import io
from pathlib import Path

from agent_job_status.github.batch import BatchReads
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.reads import LIST_PAGES
from agent_job_status.github.source import BATCH_FROM
from agent_job_status.pipeline import observe
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import from_inputs
from github_simulator import Simulator

from .conftest import TOKEN

JOBS = ("b0", "b1", "b2", "b3")


def finished_run(sim: Simulator, branch: str, conclusion: str) -> int:
    run = sim.state.start_run(branch)
    sim.state.set_run_status(run, "in_progress")
    sim.state.finish_run(run, conclusion)
    return run


def batch(
    sim: Simulator, tmp_path: Path, own_run: int | None = None, jobs: tuple[str, ...] = JOBS
) -> list[Report]:
    assert len(jobs) >= BATCH_FROM  # the shared-list path, not one job at a time
    inputs = {"job_id": ",".join(jobs), "repository": "acme/agents", "token": TOKEN}
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    if own_run is not None:
        env["GITHUB_RUN_ID"] = str(own_run)
    settings = from_inputs({**inputs, "api_url": sim.url}, env)
    return observe(settings, Runner({}, io.StringIO()))


def batch_reads(
    sim: Simulator, tmp_path: Path, jobs: tuple[str, ...], *, watch: bool = False
) -> BatchReads:
    """The shared-list reads themselves (no details), as a wait's when `watch`."""
    settings = from_inputs(
        {"job_id": ",".join(jobs), "repository": "acme/agents", "token": TOKEN, "api_url": sim.url},
        {"GITHUB_WORKSPACE": str(tmp_path)},
    )
    return BatchReads(GitHubClient(sim.url, TOKEN), settings.target, watch=watch)


def test_the_newest_run_of_a_branch_decides(sim: Simulator, tmp_path: Path) -> None:
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "failure")  # older
        finished_run(sim, f"job/{job}", "success")  # newer
    assert [r.status for r in batch(sim, tmp_path)] == ["completed"] * 4


def test_our_own_run_is_never_a_job_s_run(sim: Simulator, tmp_path: Path) -> None:
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
    own = sim.state.start_run("job/b2")  # this action's run, newest on b2
    sim.state.set_run_status(own, "in_progress")
    reports = batch(sim, tmp_path, own_run=own)
    assert [r.status for r in reports] == ["completed"] * 4
    assert reports[2].run_id != own


def test_jobs_beyond_the_page_bound_are_asked_one_by_one(sim: Simulator, tmp_path: Path) -> None:
    """More than LIST_PAGES pages of newer runs: the list is not complete, so a job
    not seen in it is looked up on its own, never taken as having no run."""
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
    for _ in range(LIST_PAGES * 100 + 1):
        sim.state.start_run("main")
    sim.reset_requests()
    reports = batch(sim, tmp_path)
    assert [(r.status, r.reason) for r in reports] == [("completed", "no_pull_request")] * 4
    pages = [r for r in sim.requests if r.path.endswith("/runs") and "branch" not in r.query]
    asked = {r.query.get("branch") for r in sim.requests if r.path.endswith("/runs")}
    # Never more than the bound; when asking each job is cheaper than the pages
    # left (Link rel="last"), the reading stops early and asks them one by one.
    assert 1 <= len(pages) <= LIST_PAGES
    assert {f"job/{job}" for job in JOBS} <= asked


def test_the_page_bound_leaves_the_unseen_jobs_to_their_own_queries(
    sim: Simulator, tmp_path: Path
) -> None:
    """A list that never says how many pages are left (its Link only ever says
    "next") is read to the bound, one page per branch wanted (at least LIST_PAGES;
    a job has a branch under each of thepopebot's two prefixes until one is found):
    the read is then incomplete, and a job not seen in it is asked on its own,
    never taken as having no run."""
    jobs = tuple(f"p{n}" for n in range(12))
    for job in jobs:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
    for _ in range(300):
        sim.state.start_run("main")
    runs = "/repos/acme/agents/actions/workflows/run-job.yml/runs"
    again = f"http://127.0.0.1:{{port}}{runs}?per_page=100&page=2"
    sim.add_fault("GET", runs, f"link:{again}", times=None, query=r"^(?!.*branch)")
    sim.reset_requests()
    reports = batch(sim, tmp_path, jobs=jobs)
    assert [(r.status, r.reason) for r in reports] == [("completed", "no_pull_request")] * 12
    pages = [r for r in sim.requests if r.path == runs and "branch" not in r.query]
    asked = {r.query.get("branch") for r in sim.requests if r.path == runs}
    assert len(pages) == max(LIST_PAGES, 2 * len(jobs)) == 24
    assert {f"job/{job}" for job in jobs} <= asked


def test_more_jobs_than_list_pages_are_read_from_the_list_not_one_by_one(
    sim: Simulator, tmp_path: Path
) -> None:
    """No cliff past LIST_PAGES: 1,500 finished jobs are read from the runs list's
    15 pages, not with 1,500 queries of their own (nor 3,000, one per prefix)."""
    jobs = tuple(f"q{n}" for n in range(1500))
    for job in jobs:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
    reads = batch_reads(sim, tmp_path, jobs)
    sim.reset_requests()
    facts = reads.status_facts_many(jobs)
    assert all(f.run is not None and f.run.conclusion == "success" for f in facts)
    runs = [r for r in sim.requests if r.path.endswith("/runs")]
    assert len(runs) == 15 and not any("branch" in r.query for r in runs)
    assert not any("head" in r.query for r in sim.requests)


def test_the_newest_pr_of_a_branch_decides(sim: Simulator, tmp_path: Path) -> None:
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
        sim.state.close_pr(sim.state.open_pr(f"job/{job}", title="first try", body=""))
        sim.state.open_pr(f"job/{job}", title="second try", body="")
    reports = batch(sim, tmp_path)
    assert [(r.status, r.pr_title) for r in reports] == [("completed", "second try")] * 4


def test_a_wait_does_not_read_a_merged_job_again(sim: Simulator, tmp_path: Path) -> None:
    """A merged PR never changes: a wait's later polls read only the jobs still
    open (here none, so no request at all), and keep the merged jobs' facts."""
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
        if job != "b3":
            sim.state.merge_pr(sim.state.open_pr(f"job/{job}", title=job, body=""))
    reads = batch_reads(sim, tmp_path, JOBS, watch=True)
    first = reads.status_facts_many(JOBS)
    sim.reset_requests()
    again = reads.status_facts_many(JOBS)
    assert again[:3] == first[:3] and all(f.pull and f.pull.merged for f in again[:3])
    assert again[3].pull is None and again[3].run is not None
    assert {r.path.rsplit("/", 1)[-1] for r in sim.requests} == {"runs", "pulls"}
    sim.state.merge_pr(sim.state.open_pr("job/b3", title="b3", body=""))
    assert reads.status_facts_many(JOBS)[3].pull is not None
    sim.reset_requests()
    assert [f.pull is not None and f.pull.merged for f in reads.status_facts_many(JOBS)] == [
        True
    ] * 4
    assert sim.requests == []



def test_a_job_seen_on_one_prefix_is_not_sought_on_the_other(
    sim: Simulator, tmp_path: Path
) -> None:
    """A job has a branch under each of thepopebot's prefixes until one is seen:
    once its run is on `job/<id>`, `agent-job/<id>` is not sought through the
    rest of the runs list (300 older runs, 3 more pages), nor on its own."""
    for _ in range(300):
        sim.state.start_run("main")
    for job in JOBS:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
        sim.state.open_pr(f"job/{job}", title=job, body="")
    reads = batch_reads(sim, tmp_path, JOBS)
    sim.reset_requests()
    facts = reads.status_facts_many(JOBS)
    assert all(f.run is not None and f.pull is not None for f in facts)
    assert [(r.path.rsplit("/", 1)[-1], r.query.get("page", "1")) for r in sim.requests] == [
        ("runs", "1"),
        ("pulls", "1"),
    ]


def test_jobs_merged_in_the_same_poll_keep_their_order(sim: Simulator, tmp_path: Path) -> None:
    """Two of the jobs still read merge between polls: each job's facts stay its
    own (the jobs merged before are taken before the others are read)."""
    jobs = (*JOBS, "b4", "b5")
    for job in jobs:
        sim.state.create_branch(f"job/{job}")
        finished_run(sim, f"job/{job}", "success")
    sim.state.merge_pr(sim.state.open_pr("job/b0", title="b0", body=""))
    reads = batch_reads(sim, tmp_path, jobs, watch=True)
    reads.status_facts_many(jobs)
    for job in ("b2", "b4"):
        sim.state.merge_pr(sim.state.open_pr(f"job/{job}", title=job, body=""))
    for _ in range(2):
        facts = reads.status_facts_many(jobs)
        assert [f.job_id for f in facts] == list(jobs)
        assert [f.branch_name for f in facts] == [f"job/{job}" for job in jobs]
        assert [bool(f.pull and f.pull.merged) for f in facts] == [
            True, False, True, False, True, False
        ]
