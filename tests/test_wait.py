"""Waiting: the loop against the simulator over real HTTP, in virtual time.

The simulator and the waiter share a SimClock: sleeping advances time at
once, scheduled changes happen when virtual time passes them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_job_status.pipeline import observe
from agent_job_status.publish import exit_code
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.status import WORDS as STATUSES
from github_simulator import SimClock, Simulator, scenarios
from github_simulator.state import SimState

from .conftest import make_settings

STEPS = ["Set up job", "Run agent", "Complete job"]


class Waited:
    def __init__(
        self, reports: list[Report], log: str, code: int, started: float, ended: float
    ) -> None:
        self.reports, self.log, self.code = reports, log, code
        self.report = reports[0]
        self.took = ended - started


def wait(vsim: Simulator, clock: SimClock, tmp_path: Path, **inputs: str) -> Waited:
    given = {"job_id": "j1", "wait": "true", "poll_interval": "10s", **inputs}
    settings = make_settings(vsim, tmp_path, **given)
    out = io.StringIO()
    started = clock.time()
    reports = observe(settings, Runner({}, out), clock=clock)
    return Waited(reports, out.getvalue(), exit_code(reports, settings.gate), started, clock.time())


def statuses(log: str) -> list[str]:
    """The status words of the status-change lines, in order."""
    words = [
        line.split("] ", 1)[1].split(",")[0].split(" ")[0]
        for line in log.splitlines()
        if line.startswith("[")
    ]
    return [w for w in words if w in STATUSES]


def script(vsim: Simulator, steps: list[tuple[float, Callable[[SimState], object]]]) -> None:
    for at, fn in steps:
        vsim.schedule_in(at, fn)


def job(
    vsim: Simulator,
    *,
    conclusion: str | None = "success",
    pr: str | None = "open",
    finish_at: float = 120,
) -> dict[str, int]:
    """A job: branch and queued run at 0, running at 20, steps, finished, PR."""
    ids: dict[str, int] = {}

    def start(st: SimState) -> None:
        st.create_branch("job/j1", files={"logs/j1/s.jsonl": "{}\n"})
        ids["run"] = st.start_run("job/j1", jobs={"agent": STEPS})

    def finish(st: SimState) -> None:
        st.commit("job/j1", files={"src/fix.py": "ok\n"}, message="work")
        for _ in STEPS:
            st.advance_step(ids["run"])
        st.finish_run(ids["run"], conclusion or "success")
        if pr:
            ids["pr"] = st.open_pr("job/j1", title="Fix", body="")
            if pr == "closed":
                st.close_pr(ids["pr"])

    script(
        vsim,
        [
            (0, start),
            (20, lambda st: st.set_run_status(ids["run"], "in_progress")),
            (40, lambda st: st.advance_step(ids["run"])),
            (finish_at, finish),
        ],
    )
    return ids


def test_the_final_look_asks_no_status_the_last_poll_just_read(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """The last poll saw the job end; the final look only adds the details."""
    job(vsim)
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed" and w.report.changed_files  # details are there
    pull_lists = [q for q in vsim.requests if q.path.endswith("/pulls")]
    assert len(pull_lists) == 1 and pull_lists[0].status == 200  # never asked again
    last_runs = [q for q in vsim.requests if q.path.endswith("/runs")][-1]
    assert last_runs.status == 200  # the poll that saw the end, not a re-read


def test_to_completed(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim)
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed" and w.code == 0 and not w.report.timed_out
    assert "pending" in w.log and "running" in w.log and "step " in w.log
    assert w.took <= 120 + 10  # noticed within one poll interval
    assert w.report.changed_files == ("logs/j1/s.jsonl", "src/fix.py")  # details at the end


def test_to_failed(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, conclusion="failure")
    w = wait(vsim, clock, tmp_path)
    assert (w.report.status, w.report.reason, w.code) == ("failed", "failure", 1)


def test_to_closed(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, pr="closed")
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "closed" and w.code == 0


def test_wait_for_merged_rides_through_completed(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    ids = job(vsim)
    script(vsim, [(600, lambda st: st.merge_pr(ids["pr"], delete_branch=True))])
    w = wait(vsim, clock, tmp_path, wait_for="merged")
    assert w.report.status == "merged" and 600 <= w.took <= 610
    assert statuses(w.log)[-2:] == ["completed", "merged"]
    assert w.report.branch_exists is False  # deleted mid-wait, still merged


def test_lifecycle_scenario(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    scenarios.apply(vsim, "lifecycle", job_id="j1", speed=0.1)  # over a minute
    w = wait(vsim, clock, tmp_path, wait_for="merged", poll_interval="5s")
    assert w.report.status == "merged"
    for word in ("pending", "running", "completed", "merged"):
        assert f"] {word}" in w.log


def test_rerun_starting_mid_wait(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    ids = job(vsim)

    def rerun(st: SimState) -> None:
        st.rerun(ids["run"])
        st.set_run_status(ids["run"], "in_progress")

    def finish2(st: SimState) -> None:
        for _ in STEPS:
            st.advance_step(ids["run"])
        st.finish_run(ids["run"], "success")

    script(vsim, [(300, rerun), (400, finish2), (500, lambda st: st.merge_pr(ids["pr"]))])
    w = wait(vsim, clock, tmp_path, wait_for="merged")
    assert w.report.status == "merged" and w.report.run_attempt == 2
    seen = statuses(w.log)
    first_end = seen.index("completed")
    assert seen[first_end + 1] == "running"  # the re-run was followed
    assert seen[-2:] == ["completed", "merged"]


def test_timeout(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, finish_at=10_000)
    w = wait(vsim, clock, tmp_path, timeout="5m")
    assert w.report.timed_out and w.report.status == "running" and w.code == 1
    assert 300 <= w.took <= 311 and "timed out" in w.log


def test_timeout_without_failing(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, finish_at=10_000)
    w = wait(vsim, clock, tmp_path, timeout="2m", fail_on_timeout="false")
    assert w.report.timed_out and w.code == 0


def test_start_grace_then_the_job_appears(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    vsim.schedule_in(200, lambda st: None)  # nothing until...
    ids: dict[str, int] = {}

    def late(st: SimState) -> None:
        st.create_branch("job/j1")
        ids["run"] = st.start_run("job/j1", jobs={"agent": STEPS})

    def done(st: SimState) -> None:
        st.set_run_status(ids["run"], "in_progress")
        st.finish_run(ids["run"], "success")

    script(vsim, [(200, late), (260, done)])
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed" and w.report.reason == "no_pull_request"
    assert "not_found" in w.log  # seen, but it did not end the wait


def test_never_started(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    vsim.state.create_branch("job/j1")
    w = wait(vsim, clock, tmp_path, start_timeout="2m")
    assert (w.report.status, w.report.reason, w.code) == ("failed", "never_started", 1)
    assert 120 <= w.took <= 131


def test_never_found(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    w = wait(vsim, clock, tmp_path, start_timeout="1m")
    assert w.report.status == "not_found" and 60 <= w.took <= 71 and not w.report.timed_out


def test_rate_limit_exhausted_with_reset_seconds_away(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    job(vsim)

    def exhaust(st: SimState) -> None:
        vsim.rate_limit.remaining = 0
        vsim.rate_limit.reset = int(clock.time()) + 5

    script(vsim, [(60, exhaust)])
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed"
    assert any(q.status == 403 for q in vsim.requests)


def test_502s_and_resets_mid_wait(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim)

    def faults(st: SimState) -> None:
        vsim.add_fault("GET", r"/actions/workflows/.*/runs", "status:502", times=3)
        vsim.add_fault("GET", r"/pulls$", "reset", times=2)

    script(vsim, [(50, faults)])
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed" and w.code == 0
    assert "retry" in w.log


def test_heartbeat_and_request_counts(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, finish_at=1200)
    w = wait(vsim, clock, tmp_path)
    assert w.log.count("still waiting") >= 3
    assert "requests," in w.log and "counted against the rate limit" in w.log


def test_unchanged_polls_cost_nothing(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    """The physical limit: a poll in which nothing changed is one conditional request."""
    job(vsim, finish_at=3000)
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed"
    polls = 3000 // 10 + 1
    unchanged = [q for q in vsim.requests if q.status == 304]
    counted = sum(1 for q in vsim.requests if q.counted)
    # ~300 polls; only the few in which the job moved (start, running, end)
    # and the final details cost more than one request, or anything counted.
    assert polls - 5 <= len(unchanged) and len(vsim.requests) <= polls + 10
    assert counted <= 12
    assert all("If-None-Match" in q.headers for q in unchanged)


def test_many_jobs(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    for n in range(12):
        scenarios.apply(vsim, "lifecycle", job_id=f"m{n}", speed=0.2)
    ids = ",".join(f"m{n}" for n in range(12))
    w = wait(vsim, clock, tmp_path, job_id=ids, wait_for="merged", poll_interval="5s")
    assert [r.status for r in w.reports] == ["merged"] * 12


def test_low_budget_stretches_the_interval() -> None:
    from agent_job_status.github.client import GitHubClient
    from agent_job_status.wait import next_interval

    client = GitHubClient("http://127.0.0.1:9", "t")
    client.rate.limit, client.rate.remaining, client.rate.reset_at = 1000, 500, 4600.0
    assert next_interval(10, client, now=1000) == 10  # plenty left
    client.rate.remaining = 60  # 6% left, an hour to the reset: one poll a minute
    assert next_interval(10, client, now=1000) == pytest.approx(3600 / 60)
    # Polls of many jobs counting 30 requests each: two polls left, 30 minutes apart.
    assert next_interval(10, client, now=1000, per_poll=30) == pytest.approx(3600 / 2)


def test_rate_limit_exhausted_past_the_timeout_ends_clearly(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    from agent_job_status.errors import GitHubError

    job(vsim, finish_at=10_000)

    def exhaust(st: SimState) -> None:
        vsim.rate_limit.remaining = 0
        vsim.rate_limit.reset = int(clock.time()) + 7200

    script(vsim, [(60, exhaust)])
    with pytest.raises(GitHubError, match="rate limit exhausted until after the wait's timeout"):
        wait(vsim, clock, tmp_path, timeout="30m")


def test_all_jobs_keeps_a_job_whose_branch_went_away(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """`*` lists jobs by branch or open PR; a merge removes both. A job seen once
    stays in the wait, so its merge is reported, not lost."""
    scenarios.apply(vsim, "completed", job_id="a")
    scenarios.apply(vsim, "completed", job_id="b")
    pulls = {pr.head_ref: n for n, pr in vsim.state.pulls.items()}
    script(
        vsim,
        [
            (60, lambda st: st.merge_pr(pulls["job/a"], delete_branch=True)),
            (300, lambda st: st.merge_pr(pulls["job/b"], delete_branch=True)),
        ],
    )
    w = wait(vsim, clock, tmp_path, job_id="*", wait_for="merged")
    assert {r.id: r.status for r in w.reports} == {"a": "merged", "b": "merged"}
    assert 300 <= w.took <= 311


def test_a_low_budget_is_said_in_the_log(vsim: Simulator, clock: SimClock, tmp_path: Path) -> None:
    job(vsim, finish_at=600)

    def low(st: SimState) -> None:
        vsim.rate_limit.remaining = 100  # 2% of 5,000: one poll every 30 s
        vsim.rate_limit.reset = int(clock.time()) + 3000

    script(vsim, [(30, low)])
    w = wait(vsim, clock, tmp_path)
    assert w.report.status == "completed"
    assert "rate limit low" in w.log and "polling every" in w.log


def test_timed_out_only_for_the_jobs_that_did_not_finish(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    job(vsim)  # j1 finishes at 120
    vsim.state.create_branch("job/j2")
    run = vsim.state.start_run("job/j2", jobs={"agent": STEPS})
    vsim.state.set_run_status(run, "in_progress")  # and never finishes
    w = wait(vsim, clock, tmp_path, job_id="j1,j2", timeout="5m")
    assert [(r.id, r.status, r.timed_out) for r in w.reports] == [
        ("j1", "completed", False),
        ("j2", "running", True),
    ]
    assert w.code == 1 and 300 <= w.took <= 311


def test_the_last_sleep_ends_at_the_deadline(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    """A timeout that is no multiple of the poll interval: the wait ends at the
    timeout, not at the next poll after it."""
    job(vsim, finish_at=10_000)
    w = wait(vsim, clock, tmp_path, timeout="65s", poll_interval="30s")
    assert w.report.timed_out and w.took == 65
