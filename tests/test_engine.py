"""The engine against the simulator over real HTTP: facts -> status, and its cost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import requests

from agent_job_status.errors import ConfigError, GitHubError
from agent_job_status.pipeline import observe
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from github_simulator import Simulator, scenarios
from github_simulator.scenarios import FAILED_LOG

from .conftest import TOKEN, make_settings


def status_of(sim: Simulator, tmp_path: Path, job_id: str = "j1", **inputs: str) -> Report:
    settings = make_settings(sim, tmp_path, job_id=job_id, **inputs)
    return observe(settings, Runner({}, io.StringIO()))[0]


@pytest.mark.parametrize(
    ("scenario", "status", "lifecycle"),
    [
        ("completed", "completed", "completed"),
        ("failed", "failed", "failed"),
        ("merged", "merged", "completed"),
        ("closed", "closed", "archived"),
        ("pending", "pending", "active"),
        ("running", "running", "active"),
        ("not_found", "not_found", None),
    ],
)
def test_scenarios(
    sim: Simulator, tmp_path: Path, scenario: str, status: str, lifecycle: str | None
) -> None:
    scenarios.apply(sim, scenario, job_id="j1")
    report = status_of(sim, tmp_path)
    assert (report.status, report.lifecycle) == (status, lifecycle)


def test_completed_job_has_every_detail(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    r = status_of(sim, tmp_path)
    assert r.pr_url == "https://github.com/acme/agents/pull/1"
    assert r.run_url and r.run_url.startswith("https://github.com/acme/agents/actions/runs/")
    assert r.model == "claude-sonnet-4" and r.title == "Fix the flaky test (j1)"
    assert "notes/j1.md" in r.changed_files
    assert "Done: 1 file changed" in r.log and r.log_source == "logs/j1/session-1.jsonl"
    assert r.branch_exists is True and r.created_at is not None
    assert (r.steps_completed, r.steps_total) == (3, 3)


def test_running_job_reports_progress(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "running", job_id="j1")
    r = status_of(sim, tmp_path)
    assert r.status == "running" and r.current_step == "Run agent"
    assert (r.steps_completed, r.steps_total) == (1, 3)


def test_branch_deleted_after_merge(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    sim.state.merge_pr(1, delete_branch=True)
    r = status_of(sim, tmp_path)
    assert r.status == "merged" and r.branch_exists is False
    assert r.archived_at is not None and r.pr_state == "merged"
    assert r.changed_files  # from the PR, the branch being gone
    assert "Done" in r.log  # from the commit the PR body links to


def test_failed_run_falls_back_to_the_failing_step_log(sim: Simulator, tmp_path: Path) -> None:
    st = sim.state
    st.create_branch("job/j1", files={"src/x.py": "x = 1\n"})
    run_id = st.start_run("job/j1", jobs={"agent": ["Set up job", "Run agent", "Complete job"]})
    st.set_run_status(run_id, "in_progress")
    st.advance_step(run_id)
    st.advance_step(run_id)
    st.finish_run(run_id, "failure", failed_log=FAILED_LOG)
    r = status_of(sim, tmp_path)
    assert r.status == "failed" and r.reason == "failure"
    assert "model returned no usable patch" in r.log and r.log_source == "run"
    assert not r.log.startswith("20")  # timestamps stripped
    # The log archive is on another host: the token must not have gone there.
    blob = [q for q in sim.requests if q.path.startswith("/_sim/blobs")]
    assert all("authorization" not in {k.lower() for k in q.headers} for q in blob)


def test_only_the_agent_workflow_counts(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    ci = sim.state.start_run("job/j1", workflow="auto-merge.yml")
    sim.state.set_run_status(ci, "in_progress")
    sim.state.finish_run(ci, "failure")
    assert status_of(sim, tmp_path).status == "completed"
    # Any workflow, but auto-merge is thepopebot's sibling workflow, never the agent.
    assert status_of(sim, tmp_path, workflow="").status == "completed"
    ci = sim.state.start_run("job/j1", workflow="ci.yml")
    sim.state.set_run_status(ci, "in_progress")
    sim.state.finish_run(ci, "failure")
    assert status_of(sim, tmp_path, workflow="").status == "failed"  # any other workflow


def test_rerun_attempt_two_succeeded(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "failed", job_id="j1")
    (run_id,) = [i for i, run in sim.state.runs.items() if run.head_branch == "job/j1"]
    assert status_of(sim, tmp_path).status == "failed"
    sim.state.rerun(run_id)
    sim.state.set_run_status(run_id, "in_progress")
    assert status_of(sim, tmp_path).status == "running"
    for _ in range(3):
        sim.state.advance_step(run_id)
    sim.state.finish_run(run_id, "success")
    r = status_of(sim, tmp_path)
    assert (r.status, r.run_attempt, r.conclusion) == ("completed", 2, "success")


def test_own_run_is_never_the_agent_run(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    own = sim.state.start_run("job/j1", workflow="run-job.yml")  # our own, newer
    settings = make_settings(sim, tmp_path, job_id="j1")
    from dataclasses import replace

    r = observe(
        replace(settings, target=replace(settings.target, own_run_id=own)),
        Runner({}, io.StringIO()),
    )[0]
    assert r.status == "completed" and r.run_id != own


def test_successful_run_without_pr_uses_compare(sim: Simulator, tmp_path: Path) -> None:
    st = sim.state
    st.create_branch("job/j1", files={"a.py": "1", "b.py": "2"})
    run_id = st.start_run("job/j1")
    st.set_run_status(run_id, "in_progress")
    st.finish_run(run_id, "success")
    r = status_of(sim, tmp_path)
    assert (r.status, r.reason) == ("completed", "no_pull_request")
    assert set(r.changed_files) == {"a.py", "b.py"}


def test_branch_without_run(sim: Simulator, tmp_path: Path) -> None:
    sim.state.create_branch("job/j1")
    r = status_of(sim, tmp_path)
    assert (r.status, r.reason) == ("pending", "waiting_for_run")


def test_pr_files_all_pages(sim: Simulator, tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {f"f/{i:03}.txt": str(i) for i in range(250)}
    sim.state.create_branch("job/j1", files=files)
    sim.state.open_pr("job/j1", title="many", body="")
    assert len(status_of(sim, tmp_path).changed_files) == 250


def test_log_at_the_commit_the_pr_links_to(sim: Simulator, tmp_path: Path) -> None:
    st = sim.state
    sha = st.create_branch("job/j1", files={"logs/j1/a.jsonl": "OLD LOG\n"})
    st.commit("job/j1", files={"logs/j1/a.jsonl": "NEW LOG\n"}, message="later")
    st.open_pr("job/j1", title="t", body=f"see https://github.com/acme/agents/tree/{sha}/logs/j1")
    assert status_of(sim, tmp_path).log == "OLD LOG\n"


def test_github_enterprise_prefix(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = make_settings(sim, tmp_path, job_id="j1", api_url=sim.url + "/api/v3")
    r = observe(settings, Runner({}, io.StringIO()))[0]
    assert r.status == "completed"


def test_all_jobs(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="a")
    scenarios.apply(sim, "failed", job_id="b")
    scenarios.apply(sim, "merged", job_id="c")  # branch deleted, PR closed: not listed
    reports = observe(make_settings(sim, tmp_path, job_id="*"), Runner({}, io.StringIO()))
    assert {r.id: r.status for r in reports} == {"a": "completed", "b": "failed"}


def test_bad_token_is_unauthorized(sim: Simulator, tmp_path: Path) -> None:
    with pytest.raises(GitHubError, match="Unauthorized") as info:
        status_of(sim, tmp_path, token="ghs_wrong")
    assert info.value.exit_code == 3 and TOKEN not in str(info.value)


def test_missing_permission_names_it(sim: Simulator, tmp_path: Path) -> None:
    sim.state.set_permissions(actions=False)
    with pytest.raises(GitHubError, match="actions: read"):
        status_of(sim, tmp_path)


def test_repository_not_found(sim: Simulator, tmp_path: Path) -> None:
    with pytest.raises(GitHubError, match="not found") as info:
        status_of(sim, tmp_path, repository="acme/nope")
    assert info.value.exit_code == 3


def test_unknown_workflow_is_a_config_error(sim: Simulator, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="workflow"):
        status_of(sim, tmp_path, workflow="nope.yml")


def test_cost_of_one_check_and_a_repeat(sim: Simulator, tmp_path: Path) -> None:
    """The numbers quoted in the README: requests for one check, and 304s on a repeat."""
    scenarios.apply(sim, "completed", job_id="j1")
    settings = make_settings(sim, tmp_path, job_id="j1")
    from agent_job_status.engine import observe
    from agent_job_status.github.client import GitHubClient
    from agent_job_status.pipeline import source_for

    client = GitHubClient(settings.api.url, TOKEN)
    fetcher = source_for(settings.target, client)
    observe(fetcher, ("j1",), detail=True)
    first = client.stats.requests
    assert first == 7  # runs, jobs, PRs, files, log folder, config, log (branch: the PR's head)
    sim.reset_requests()
    # A new fetcher (no memo), same client (ETags): everything answers 304.
    observe(source_for(settings.target, client), ("j1",), detail=True)
    assert client.stats.requests - first == first
    assert [q.status for q in sim.requests] == [304] * first
    # The same fetcher again: status facts only cost 304s, the extras nothing.
    sim.reset_requests()
    observe(fetcher, ("j1",), detail=True)
    assert all(q.status == 304 for q in sim.requests) and len(sim.requests) == 2  # runs, PRs


def test_many_jobs_from_shared_lists_match_one_by_one(sim: Simulator, tmp_path: Path) -> None:
    from agent_job_status.engine import observe, observe_one
    from agent_job_status.github.client import GitHubClient
    from agent_job_status.pipeline import source_for

    names = ["completed", "failed", "merged", "closed", "pending", "running", "not_found"]
    for name in names:
        scenarios.apply(sim, name, job_id=f"j-{name}")
    sim.state.create_branch("job/j-bare")
    sim.state.create_branch("job/j-bare2")
    ids = (*(f"j-{name}" for name in names), "j-bare", "j-bare2")
    settings = make_settings(sim, tmp_path, job_id=",".join(ids))
    client = GitHubClient(settings.api.url, TOKEN)
    batch = observe(source_for(settings.target, client), ids, detail=True)
    single = [observe_one(source_for(settings.target, client), i, detail=True) for i in ids]
    assert [r.status for r in batch] == [r.status for r in single]
    assert [r.status for r in batch] == [*names, "pending", "pending"]
    assert [r.changed_files for r in batch] == [r.changed_files for r in single]
    # A light poll reads lists, not one query per job.
    sim.reset_requests()
    observe(source_for(settings.target, client), ids, detail=False)
    assert len(sim.requests) <= 4


def test_many_jobs_failed_run_log_and_steps(sim: Simulator, tmp_path: Path) -> None:
    """Batch polls skip the runs' steps; the details still bring them, and with
    them the failing step's log."""
    st = sim.state
    for n in range(5):
        st.create_branch(f"job/f{n}", files={"src/x.py": "x"})
        run_id = st.start_run(f"job/f{n}", jobs={"agent": ["Set up job", "Run agent"]})
        st.set_run_status(run_id, "in_progress")
        st.advance_step(run_id)
        st.advance_step(run_id)
        st.finish_run(run_id, "failure", failed_log=FAILED_LOG)
    ids = ",".join(f"f{n}" for n in range(5))
    reports = observe(make_settings(sim, tmp_path, job_id=ids), Runner({}, io.StringIO()))
    assert all(r.status == "failed" and "no usable patch" in r.log for r in reports)
    assert all(r.steps_total == 2 for r in reports)


def test_commit_shas_for_a_deploy_gate(sim: Simulator, tmp_path: Path) -> None:
    """merge_commit_sha only once merged (GitHub gives open PRs a test merge sha);
    head_sha is the branch's last commit, and the PR's head once it is deleted."""
    scenarios.apply(sim, "completed", job_id="j1")
    st = sim.state
    head = st.branches["job/j1"]
    open_pr = status_of(sim, tmp_path)
    pull = requests.get(
        f"{sim.url}/repos/acme/agents/pulls/1", headers={"Authorization": f"token {TOKEN}"}
    )
    assert pull.json()["merge_commit_sha"]  # a test merge, as GitHub gives open PRs
    assert open_pr.merge_commit_sha is None and open_pr.head_sha == head
    assert open_pr.outputs()["merge_commit_sha"] == "" and open_pr.outputs()["head_sha"] == head
    st.merge_pr(1, delete_branch=True)
    merged = status_of(sim, tmp_path)
    assert merged.branch_exists is False and merged.head_sha == head
    assert merged.merge_commit_sha == st.pulls[1].merge_commit_sha
    assert merged.merge_commit_sha in st.commits and merged.merge_commit_sha != head
    assert merged.outputs()["merge_commit_sha"] == merged.merge_commit_sha
