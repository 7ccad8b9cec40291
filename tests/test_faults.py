"""Faults: GitHub misbehaving in every way we know, and the status still right.

A gate that flakes is worse than no gate. Every fault here is injected into the
simulator (real HTTP) and the client, waiter and simulator share a SimClock, so
backoff and polls cost no real time. The rules checked:

- a transient fault is retried and the status is what it would have been;
- a persistent one ends (exit 3, one ``::error`` line) within the retry budget;
- a list is never used incomplete: a failing page 2 gives no status at all;
- while waiting, faults never end the wait early nor skip a terminal state,
  and a lagging PR list never turns ``merged`` back into ``completed``.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from agent_job_status import pipeline as run_module
from agent_job_status.cli import main
from agent_job_status.errors import GitHubError
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.source import GitHubFacts
from agent_job_status.github.wire import RetryPolicy
from agent_job_status.pipeline import observe
from agent_job_status.publish import exit_code
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import Target
from github_simulator import SimClock, Simulator, scenarios
from github_simulator.state import SimState

from .conftest import TOKEN, make_settings, runner_env
from .test_wait import STEPS, job, statuses

REPO = "/repos/acme/agents"
TRANSIENT = [
    "status:500",
    "status:502",
    "status:503",
    "status:504",
    "reset",
    "truncated",
    "malformed",
    "shape",
    "secondary",
    "secondary-no-retry-after",
    "429",
    "429-no-retry-after",
    "primary:5",
]
# Every endpoint a check reads, by the regex a fault names it with.
ENDPOINTS = {
    "runs": r"/actions/workflows/[^/]+/runs$",
    "jobs": r"/jobs$",
    "pulls": r"/pulls$",
    "pull-files": r"/pulls/\d+/files$",
    "branch": r"/branches/",
    "contents": r"/contents/",
    "run-logs": r"/logs$",
}
# Which scenario reads which endpoint in one check (failed reads the run log).
SCENARIO_FOR = {
    "runs": "failed",
    "jobs": "failed",
    "pulls": "merged",
    "pull-files": "merged",
    "branch": "not_found_branch",
    "contents": "completed",
    "run-logs": "failed_run_log",
}
EXPECTED = {
    "failed": ("failed", "failure"),
    "failed_run_log": ("failed", "failure"),
    "merged": ("merged", ""),
    "completed": ("completed", ""),
    "not_found_branch": ("pending", "waiting_for_run"),
}


def setup(vsim: Simulator, name: str, job_id: str = "j1") -> None:
    if name == "not_found_branch":
        vsim.state.create_branch(f"job/{job_id}")
    elif name == "failed_run_log":  # no log folder: the log comes from the run's archive
        st = vsim.state
        st.create_branch(f"job/{job_id}")
        run = st.start_run(f"job/{job_id}", jobs={"agent": STEPS})
        st.set_run_status(run, "in_progress")
        st.advance_step(run)
        st.finish_run(run, "failure", failed_log=scenarios.FAILED_LOG)
    else:
        scenarios.apply(vsim, name, job_id=job_id)
    vsim.run_due()


def one_check(
    vsim: Simulator, clock: SimClock, tmp_path: Path, **inputs: str
) -> tuple[list[Report], str, float]:
    settings = make_settings(vsim, tmp_path, **{"job_id": "j1", **inputs})
    out = io.StringIO()
    started = clock.time()
    reports = observe(settings, Runner({}, out), clock=clock)
    return reports, out.getvalue(), clock.time() - started


# -- single check: transient faults are retried, the answer is unchanged -------------------
@pytest.mark.parametrize("kind", TRANSIENT)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_transient_fault_is_retried_and_status_is_right(
    vsim: Simulator, clock: SimClock, tmp_path: Path, endpoint: str, kind: str
) -> None:
    scenario = SCENARIO_FOR[endpoint]
    if endpoint == "run-logs" and kind in ("truncated", "malformed", "shape"):
        pytest.skip("the logs answer is a bodiless 302; the blob download is tested below")
    if endpoint in ("pull-files", "contents") and kind == "shape":
        pytest.skip("a detail of the wrong shape is final: tests/test_details.py")
    setup(vsim, scenario)
    fault = vsim.add_fault("GET", ENDPOINTS[endpoint], kind, times=2)
    reports, log, took = one_check(vsim, clock, tmp_path)
    assert fault not in vsim.faults, "the fault was never hit: the scenario misses the endpoint"
    assert (reports[0].status, reports[0].reason) == EXPECTED[scenario]
    assert "retry" in log
    if scenario == "failed_run_log":
        assert "model returned no usable patch" in reports[0].log
    if scenario == "merged":
        assert reports[0].changed_files  # the whole list, not what a failed page left
    assert took < 120


@pytest.mark.parametrize("kind", ["status:502", "status:503", "reset", "truncated"])
def test_log_archive_download_faults_are_retried(
    vsim: Simulator, clock: SimClock, tmp_path: Path, kind: str
) -> None:
    setup(vsim, "failed_run_log")
    fault = vsim.add_fault("GET", r"/_sim/blobs/", kind, times=2)
    reports, _, _ = one_check(vsim, clock, tmp_path)
    assert fault not in vsim.faults
    assert reports[0].status == "failed" and "no usable patch" in reports[0].log


def test_log_archive_persistently_failing_warns_and_keeps_the_status(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    setup(vsim, "failed_run_log")
    vsim.add_fault("GET", r"/_sim/blobs/", "truncated", times=None)
    reports, log, took = one_check(vsim, clock, tmp_path)
    assert reports[0].status == "failed" and "log archive" in log and took <= 121


@pytest.mark.parametrize(
    ("kind", "how_long"),
    [("status:502", 120), ("reset", 120), ("malformed", 120), ("secondary", 30), ("429", 30)],
)
def test_a_long_outage_during_one_check_is_bounded(
    vsim: Simulator, clock: SimClock, tmp_path: Path, kind: str, how_long: float
) -> None:
    setup(vsim, "completed")
    vsim.add_fault("GET", r"/pulls$", kind, times=None)
    with pytest.raises(GitHubError) as info:
        one_check(vsim, clock, tmp_path)
    assert clock.time() - vsim.epoch <= how_long + 1
    assert "/pulls" in info.value.message and "try again" in info.value.message


def test_the_default_retry_policy_is_bounded() -> None:
    policy = RetryPolicy()
    assert policy.budget <= 120 and policy.attempts <= 8
    assert all(0 <= policy.delay(n) <= policy.cap for n in range(20))


def test_a_response_slower_than_the_read_timeout_is_retried(
    vsim: Simulator, clock: SimClock
) -> None:
    setup(vsim, "completed")
    # Far apart (0.5 s against 8 s), so a busy machine cannot blur the two.
    vsim.add_fault("GET", r"/pulls$", "slow:8", times=1)
    client = GitHubClient(vsim.url, TOKEN, clock=clock.time, sleep=clock.sleep, read_timeout=0.5)
    fetcher = GitHubFacts(client, Target("acme/agents"))
    started = time.monotonic()
    pull = fetcher.reads.newest_pull("job/j1")
    assert pull is not None and pull.state == "open"
    assert client.stats.retries >= 1 and time.monotonic() - started < 8


def test_default_timeouts_fail_fast_on_a_dead_host_and_wait_for_a_slow_answer() -> None:
    """(connect, read) in seconds, as the client's docstring argues: numbers, not the
    module's own constants, so a change to them is a change this test sees."""
    assert GitHubClient("https://api.github.com", "").timeouts == (5.0, 20.0)


# -- paging: no status from half a list -------------------------------------------------
def many_runs_and_pulls(vsim: Simulator, targets: int = 4, fillers: int = 105) -> str:
    """Jobs t0..t3 finished with an open PR, then enough newer work that they sit on page 2."""
    for n in range(targets):
        setup(vsim, "completed", job_id=f"t{n}")
    for n in range(fillers):
        vsim.state.create_branch(f"other/{n}")
        vsim.state.start_run(f"other/{n}", jobs={"agent": STEPS})
        vsim.state.open_pr(f"other/{n}", title="x", body="")
    return ",".join(f"t{n}" for n in range(targets))


@pytest.mark.parametrize("endpoint", [r"/actions/workflows/[^/]+/runs$", r"/pulls$"])
def test_page_two_failing_gives_no_status(
    vsim: Simulator, clock: SimClock, tmp_path: Path, endpoint: str
) -> None:
    ids = many_runs_and_pulls(vsim)
    vsim.add_fault("GET", endpoint, "status:502", times=None, query=r"(^|&)page=2(&|$)")
    with pytest.raises(GitHubError):
        one_check(vsim, clock, tmp_path, job_id=ids)


@pytest.mark.parametrize("kind", ["status:502", "reset", "truncated", "shape"])
@pytest.mark.parametrize("endpoint", [r"/actions/workflows/[^/]+/runs$", r"/pulls$"])
def test_page_two_failing_then_recovering(
    vsim: Simulator, clock: SimClock, tmp_path: Path, endpoint: str, kind: str
) -> None:
    ids = many_runs_and_pulls(vsim)
    fault = vsim.add_fault("GET", endpoint, kind, times=2, query=r"(^|&)page=2(&|$)")
    reports, _, _ = one_check(vsim, clock, tmp_path, job_id=ids)
    assert fault not in vsim.faults
    assert [r.status for r in reports] == ["completed"] * 4
    assert all(r.pr_number is not None for r in reports)


def test_pr_files_page_two_failing(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    files = {f"src/f{n:03}.py": "x\n" for n in range(150)}
    vsim.state.create_branch("job/j1", files=files)
    vsim.state.open_pr("job/j1", title="big", body="")
    vsim.add_fault("GET", r"/pulls/\d+/files$", "status:503", times=None, query=r"page=2")
    reports, _, _ = one_check(vsim, clock, tmp_path)  # a detail: the status stands
    assert reports[0].status == "completed" and reports[0].changed_files == ()
    assert reports[0].missing == ("files: unavailable",)  # never half a list
    vsim.faults.clear()
    vsim.add_fault("GET", r"/pulls/\d+/files$", "reset", times=2, query=r"page=2")
    reports, _, _ = one_check(vsim, clock, tmp_path)
    assert len(reports[0].changed_files) == 150


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("runs", '{"total_count": 1, "workflow_runs": [{"head_branch": "job/j1", "status": "x"}]}'),
        ("pulls", '[{"head": {"ref": "job/j1"}}]'),
    ],
)
def test_a_jobs_own_item_without_an_id_leaves_its_status_unknown(
    vsim: Simulator, clock: SimClock, tmp_path: Path, endpoint: str, body: str
) -> None:
    setup(vsim, "completed")
    vsim.add_fault("GET", ENDPOINTS[endpoint], f"body:{body}", times=None)
    (report,), _, took = one_check(vsim, clock, tmp_path)  # never facts, never not_found
    kind = "run" if endpoint == "runs" else "pull_request"
    assert report.status == "unknown" and report.reason == f"unreadable_{kind}"
    assert report.branch == "job/j1" and took < 1  # the item is bad: no retries


# -- the action's exit: 3 and one line saying what and what to try -------------------------
@pytest.fixture
def action_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vsim: Simulator, clock: SimClock
) -> Path:
    runner_env(monkeypatch, tmp_path, vsim.url, INPUT_JOB_ID="j1")
    monkeypatch.setattr(run_module, "WallClock", lambda: clock)  # virtual backoff
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("status:500", "HTTP 500"),
        ("status:502", "HTTP 502"),
        ("status:503", "HTTP 503"),
        ("status:504", "HTTP 504"),
        ("reset", "ConnectionError"),
        ("truncated", "on GET"),
        ("malformed", "malformed answer"),
        ("shape", "malformed answer"),
        ("secondary-no-retry-after", "HTTP 403"),
        ("429", "HTTP 429"),
    ],
)
def test_persistent_outage_exits_3_with_one_error_line(
    action_env: Path,
    vsim: Simulator,
    clock: SimClock,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    says: str,
) -> None:
    setup(vsim, "completed")
    vsim.add_fault("GET", r"/actions/", kind, times=None)
    started = clock.time()
    code = main(["action"])
    out = capsys.readouterr()
    text = out.out + out.err
    errors = [line for line in text.splitlines() if line.startswith("::error")]
    assert code == 3 and len(errors) == 1, text
    assert says in errors[0] and "/actions/" in errors[0] and "try again" in errors[0]
    assert "Traceback" not in text
    assert clock.time() - started <= 121
    assert not (action_env / "output.txt").exists()  # no status from no facts


def test_rate_limit_reset_far_away_exits_3(
    action_env: Path, vsim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    setup(vsim, "completed")
    vsim.add_fault("GET", r"/pulls$", "primary:3600", times=None)
    code = main(["action"])
    text = capsys.readouterr().out
    errors = [line for line in text.splitlines() if line.startswith("::error")]
    assert code == 3 and len(errors) == 1 and "rate limit" in errors[0]


@pytest.mark.parametrize("code_", ["301", "302", "307"])
def test_a_redirect_to_another_host_is_not_followed(
    action_env: Path, vsim: Simulator, capsys: pytest.CaptureFixture[str], code_: str
) -> None:
    setup(vsim, "completed")
    where = "http://localhost:{port}" + REPO + "/pulls"
    vsim.add_fault("GET", r"/pulls$", f"redirect:{code_}:{where}", times=None)
    code = main(["action"])
    text = capsys.readouterr().out
    assert code == 3 and "Traceback" not in text
    assert len([line for line in text.splitlines() if line.startswith("::error")]) == 1
    assert not [r for r in vsim.requests if r.headers.get("Host", "").startswith("localhost")]


# -- while waiting ---------------------------------------------------------------------
def wait_check(
    vsim: Simulator, clock: SimClock, tmp_path: Path, **inputs: str
) -> tuple[list[Report], str, int, float]:
    given = {"job_id": "j1", "wait": "true", "poll_interval": "10s", **inputs}
    settings = make_settings(vsim, tmp_path, **given)
    out = io.StringIO()
    started = clock.time()
    reports = observe(settings, Runner({}, out), clock=clock)
    return reports, out.getvalue(), exit_code(reports, settings.gate), clock.time() - started


@pytest.mark.parametrize("kind", TRANSIENT)
def test_faults_at_every_poll_never_end_the_wait_early(
    vsim: Simulator, clock: SimClock, tmp_path: Path, kind: str
) -> None:
    job(vsim, conclusion="failure")
    for endpoint in (ENDPOINTS["runs"], ENDPOINTS["pulls"], ENDPOINTS["jobs"]):
        vsim.add_fault("GET", endpoint, kind, times=12)
    reports, log, code, took = wait_check(vsim, clock, tmp_path)
    assert (reports[0].status, reports[0].reason, code) == ("failed", "failure", 1)
    assert took >= 120  # not before the run failed
    assert statuses(log)[-1] == "failed" and "completed" not in statuses(log)


@pytest.mark.parametrize("kind", ["status:502", "reset", "malformed", "secondary", "primary:600"])
def test_an_outage_across_the_end_then_recovery(
    vsim: Simulator, clock: SimClock, tmp_path: Path, kind: str
) -> None:
    job(vsim)  # finishes at 120 with a PR
    faults: list[object] = []

    def down(st: SimState) -> None:
        faults.append(vsim.add_fault("GET", r"/repos/", kind, times=None))

    def up(st: SimState) -> None:
        vsim.faults.clear()

    vsim.schedule_in(60, down)
    vsim.schedule_in(600, up)
    reports, _, code, took = wait_check(vsim, clock, tmp_path, timeout="30m")
    assert (reports[0].status, code) == ("completed", 0) and not reports[0].timed_out
    assert 600 <= took <= 600 + 130  # ends once GitHub is back (a retry budget at most)
    assert reports[0].changed_files  # the detailed look after recovery


def test_an_outage_past_the_timeout_exits_3(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    job(vsim, finish_at=10_000)
    vsim.schedule_in(30, lambda st: vsim.add_fault("GET", r"/repos/", "status:503", times=None))
    with pytest.raises(GitHubError):
        wait_check(vsim, clock, tmp_path, timeout="10m")
    assert clock.time() - vsim.epoch <= 600 + 121  # the timeout, plus one retry budget at most


def test_a_terminal_state_is_not_skipped_under_faults(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """The run fails, then is re-run: the wait ends on the failure it saw."""
    ids = job(vsim, conclusion="failure")

    def rerun(st: SimState) -> None:
        st.rerun(ids["run"])
        st.set_run_status(ids["run"], "in_progress")

    vsim.schedule_in(135, rerun)
    vsim.schedule_in(110, lambda st: vsim.add_fault("GET", ENDPOINTS["runs"], "status:502", 3))
    reports, _, code, _ = wait_check(vsim, clock, tmp_path)
    assert reports[0].status == "failed" and reports[0].run_attempt == 1 and code == 1


def job_statuses(log: str, name: str | None) -> list[str]:
    """The status words logged for one job (`[t] name: status`) or the only job."""
    if name is None:
        return statuses(log)
    mark = f"] {name}: "
    return [
        line.split(mark, 1)[1].split(" ")[0].rstrip(",")
        for line in log.splitlines()
        if mark in line
    ]


# -- a lagging PR list --------------------------------------------------------------------
def test_a_lagging_list_does_not_unmerge_a_single_job(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """j1 merged at 600; from 620 on, j1's PR list lags forever (still open).
    j2 merges at 900. Without the guard j1 would go merged -> completed and the
    wait for `merged` would run into its timeout."""
    ids1 = job(vsim)
    ids2: dict[str, int] = {}

    def j2(st: SimState) -> None:
        st.create_branch("job/j2")
        ids2["run"] = st.start_run("job/j2", jobs={"agent": STEPS})
        st.set_run_status(ids2["run"], "in_progress")
        st.finish_run(ids2["run"], "success")
        ids2["pr"] = st.open_pr("job/j2", title="Two", body="")

    vsim.schedule_in(1, j2)
    vsim.schedule_in(600, lambda st: st.merge_pr(ids1["pr"]))
    lag = r"j1(&|$)"
    vsim.schedule_in(620, lambda st: vsim.add_fault("GET", r"/pulls$", "stale", None, lag))
    vsim.schedule_in(900, lambda st: st.merge_pr(ids2["pr"]))
    reports, log, code, took = wait_check(
        vsim, clock, tmp_path, job_id="j1,j2", wait_for="merged", timeout="30m"
    )
    assert [r.status for r in reports] == ["merged", "merged"] and code == 0
    assert 900 <= took <= 911
    seen = job_statuses(log, "j1")
    assert seen[-1] == "merged" and "completed" not in seen[seen.index("merged") :]
    assert any(r.path == f"{REPO}/pulls/{ids1['pr']}" for r in vsim.requests)  # direct read


@pytest.mark.parametrize("job_count", [1, 4])
def test_a_lagging_runs_list_does_not_unfinish_a_job(
    vsim: Simulator, clock: SimClock, tmp_path: Path, job_count: int
) -> None:
    """The run completes at 120; from 130 on the runs list lags (still in_progress)
    while we wait for the merge at 600. Without the guard the job would go
    completed -> running and back, every poll."""
    names = [f"r{n}" for n in range(job_count)]
    for name in names:
        scenarios.apply(vsim, "running", job_id=name)
    runs = {run.head_branch: run_id for run_id, run in vsim.state.runs.items()}

    def finish(st: SimState) -> None:
        for name in names:
            st.finish_run(runs[f"job/{name}"], "success")
            st.open_pr(f"job/{name}", title=name, body="")

    def merge(st: SimState) -> None:
        for number in list(st.pulls):
            st.merge_pr(number)

    vsim.schedule_in(120, finish)
    vsim.schedule_in(130, lambda st: vsim.add_fault("GET", r"/runs$", "stale", times=None))
    vsim.schedule_in(600, merge)
    reports, log, code, took = wait_check(
        vsim, clock, tmp_path, job_id=",".join(names), wait_for="merged", timeout="30m"
    )
    assert [r.status for r in reports] == ["merged"] * job_count and code == 0
    assert 600 <= took <= 611
    for name in names:
        seen = job_statuses(log, name if job_count > 1 else None)
        assert "running" not in seen[seen.index("completed") :]
    assert any(r.path.endswith(f"/actions/runs/{runs['job/r0']}") for r in vsim.requests)


def test_the_lagging_list_serves_the_old_answer(vsim: Simulator, clock: SimClock) -> None:
    """The simulator's `stale` fault itself: one poll after the merge, the list says open."""
    setup(vsim, "completed")
    client = GitHubClient(vsim.url, TOKEN, clock=clock.time, sleep=clock.sleep)
    fetcher = GitHubFacts(client, Target("acme/agents"))
    first = fetcher.reads.newest_pull("job/j1")
    assert first is not None and first.state == "open"
    vsim.state.merge_pr(first.number)
    assert (pull := fetcher.reads.newest_pull("job/j1")) is not None and pull.merged
    vsim.add_fault("GET", r"/pulls$", "stale", times=1)
    assert (pull := fetcher.reads.newest_pull("job/j1")) is not None and not pull.merged
    assert (pull := fetcher.reads.newest_pull("job/j1")) is not None and pull.merged


@pytest.mark.parametrize("job_count", [1, 4])
def test_a_lagging_list_never_goes_backwards(
    vsim: Simulator, clock: SimClock, tmp_path: Path, job_count: int
) -> None:
    """Many jobs (the shared-list path) and one: after a merge is seen, the list lags
    for several polls and at the final detailed look; the result stays merged."""
    names = [f"m{n}" for n in range(job_count)]
    for name in names:
        scenarios.apply(vsim, "completed", job_id=name)
    vsim.run_due()
    pulls = {pr.head_ref: n for n, pr in vsim.state.pulls.items()}
    late = "zz" if job_count > 1 else None
    if late:
        vsim.state.create_branch("job/zz")
        run = vsim.state.start_run("job/zz", jobs={"agent": STEPS})
        vsim.schedule_in(
            300, lambda st: (st.set_run_status(run, "in_progress"), st.finish_run(run, "failure"))
        )
        names.append(late)

    def merge_all(st: SimState) -> None:
        for name in names:
            if f"job/{name}" in pulls:
                st.merge_pr(pulls[f"job/{name}"])

    def merge_then_lag(st: SimState) -> None:
        merge_all(st)  # the merge is seen once, then the list lags, the final look too
        vsim.add_fault("GET", r"/pulls$", "stale", times=None, skip=1)

    vsim.schedule_in(100, merge_then_lag)
    reports, log, _, _ = wait_check(
        vsim, clock, tmp_path, job_id=",".join(names), wait_for="merged", timeout="30m"
    )
    want = ["merged"] * job_count + (["failed"] if late else [])
    assert [r.status for r in reports] == want
    for name in names[:job_count]:
        seen = job_statuses(log, name if job_count > 1 else None)
        assert "merged" in seen and "completed" not in seen[seen.index("merged") :]


def test_a_reopened_pr_is_believed_when_github_says_so(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """The guard asks GitHub; it does not freeze `closed` when a PR really reopens."""
    setup(vsim, "completed")
    client = GitHubClient(vsim.url, TOKEN, clock=clock.time, sleep=clock.sleep)
    fetcher = GitHubFacts(client, Target("acme/agents"))
    from agent_job_status.engine import observe

    assert observe(fetcher, ("j1",), detail=False)[0].status == "completed"
    number = next(iter(vsim.state.pulls))
    vsim.state.close_pr(number)
    assert observe(fetcher, ("j1",), detail=False)[0].status == "closed"
    vsim.state.reopen_pr(number)
    assert observe(fetcher, ("j1",), detail=False)[0].status == "completed"
    vsim.state.close_pr(number)
    observe(fetcher, ("j1",), detail=False)
    vsim.add_fault("GET", r"/pulls$", "stale", times=1)
    assert observe(fetcher, ("j1",), detail=False)[0].status == "closed"  # lag: GET /pulls/n


def test_a_lagging_list_missing_the_newer_pr_is_not_believed(
    vsim: Simulator, clock: SimClock
) -> None:
    """PR 1 closed, PR 2 opened for the same job and seen; the list then lags and
    shows only PR 1: the job stays completed (PR 2 asked directly), not closed."""
    from agent_job_status.engine import observe

    setup(vsim, "completed")
    fetcher = GitHubFacts(
        GitHubClient(vsim.url, TOKEN, clock=clock.time, sleep=clock.sleep), Target("acme/agents")
    )
    vsim.state.close_pr(next(iter(vsim.state.pulls)))
    assert observe(fetcher, ("j1",), detail=False)[0].status == "closed"
    second = vsim.state.open_pr("job/j1", title="second try", body="")
    assert observe(fetcher, ("j1",), detail=False)[0].pr_number == second
    vsim.add_fault("GET", r"/pulls$", "stale", times=1)
    report = observe(fetcher, ("j1",), detail=False)[0]
    assert (report.status, report.pr_number) == ("completed", second)
