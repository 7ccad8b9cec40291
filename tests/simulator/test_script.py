"""Scheduled events, scenarios, faults and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from github_simulator import Fault, SimClock, SimState, Simulator, scenarios

from .conftest import REPO, TOKEN

SRC = Path(__file__).resolve().parents[2] / "src"


def test_schedule_with_sim_clock(sim: Simulator, http: requests.Session, clock: SimClock) -> None:
    sim.state.create_branch("job/abc")
    run = sim.state.start_run("job/abc")
    sim.schedule(10, lambda st: st.set_run_status(run, "in_progress"))
    sim.schedule(20, lambda st: st.finish_run(run, "success"))
    url = f"{sim.url}{REPO}/actions/runs/{run}"
    assert http.get(url).json()["status"] == "queued"
    clock.advance(9.5)
    assert http.get(url).json()["status"] == "queued"
    clock.advance(0.5)
    assert http.get(url).json()["status"] == "in_progress"
    assert sim.pending_events == 1
    clock.advance(100)
    assert sim.run_due() == 1
    assert sim.state.runs[run].latest.conclusion == "success"
    assert sim.run_due() == 0


def _status(sim: Simulator, http: requests.Session, job: str) -> tuple[object, ...]:
    runs = http.get(
        f"{sim.url}{REPO}/actions/workflows/run-job.yml/runs", params={"branch": f"job/{job}"}
    ).json()["workflow_runs"]
    prs = http.get(
        f"{sim.url}{REPO}/pulls", params={"state": "all", "head": f"acme:job/{job}"}
    ).json()
    branch = http.get(f"{sim.url}{REPO}/branches/job/{job}").status_code == 200
    run = (runs[0]["status"], runs[0]["conclusion"]) if runs else None
    pr = (prs[0]["state"], prs[0]["merged_at"] is not None) if prs else None
    return branch, run, pr


def test_lifecycle_scenario(sim: Simulator, http: requests.Session, clock: SimClock) -> None:
    scenarios.apply(sim, "lifecycle", job_id="j1", speed=2.0)
    assert _status(sim, http, "j1") == (True, ("queued", None), None)
    clock.advance(0.5)
    assert _status(sim, http, "j1") == (True, ("in_progress", None), None)
    run_id = next(iter(sim.state.runs))
    steps = http.get(f"{sim.url}{REPO}/actions/runs/{run_id}/jobs").json()["jobs"][0]["steps"]
    assert [s["status"] for s in steps] == ["in_progress", "queued", "queued"]
    clock.advance(0.5)
    steps = http.get(f"{sim.url}{REPO}/actions/runs/{run_id}/jobs").json()["jobs"][0]["steps"]
    assert [s["status"] for s in steps] == ["completed", "in_progress", "queued"]
    clock.advance(1.0)
    assert _status(sim, http, "j1") == (True, ("completed", "success"), ("open", False))
    clock.advance(1.0)
    assert _status(sim, http, "j1") == (False, ("completed", "success"), ("closed", True))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("completed", (True, ("completed", "success"), ("open", False))),
        ("failed", (True, ("completed", "failure"), ("open", False))),
        ("merged", (False, ("completed", "success"), ("closed", True))),
        ("closed", (True, ("completed", "success"), ("closed", False))),
        ("pending", (True, ("queued", None), None)),
        ("running", (True, ("in_progress", None), None)),
        ("not_found", (False, None, None)),
    ],
)
def test_static_scenarios(
    sim: Simulator, http: requests.Session, name: str, expected: tuple[object, ...]
) -> None:
    scenarios.apply(sim, name, job_id="demo-1")
    assert _status(sim, http, "demo-1") == expected


def test_completed_scenario_details(sim: Simulator, http: requests.Session) -> None:
    scenarios.apply(sim, "completed")
    pr = http.get(f"{sim.url}{REPO}/pulls?state=all").json()[0]
    files = http.get(f"{sim.url}{REPO}/pulls/{pr['number']}/files").json()
    assert len(files) == 3
    sha = sim.state.branches["job/demo-1"]
    assert f"https://github.com/acme/agents/tree/{sha}/logs/demo-1" in pr["body"]
    listing = http.get(f"{sim.url}{REPO}/contents/logs/demo-1", params={"ref": sha}).json()
    assert [e["name"] for e in listing] == ["job.config.json", "session-1.jsonl"]
    config = http.get(
        f"{sim.url}{REPO}/contents/logs/demo-1/job.config.json",
        params={"ref": sha},
        headers={"Accept": "application/vnd.github.raw"},
    ).json()
    assert set(config) == {"model", "title"}
    session = http.get(
        f"{sim.url}{REPO}/contents/logs/demo-1/session-1.jsonl",
        params={"ref": sha},
        headers={"Accept": "application/vnd.github.raw"},
    ).text
    assert all(json.loads(line) for line in session.splitlines())


def test_failed_scenario_log(sim: Simulator, http: requests.Session) -> None:
    scenarios.apply(sim, "failed", job_id="f1")
    run = next(iter(sim.state.runs.values()))
    jobs = http.get(f"{sim.url}{REPO}/actions/runs/{run.id}/jobs").json()["jobs"]
    failing = [s for s in jobs[0]["steps"] if s["conclusion"] == "failure"]
    assert [s["name"] for s in failing] == ["Run agent"]
    assert run.latest.jobs[0].steps[1].log == scenarios.FAILED_LOG
    with pytest.raises(ValueError):
        scenarios.apply(sim, "bogus")


def _sim_with_faults(sim: Simulator) -> str:
    sim.state.create_branch("job/abc")
    return f"{sim.url}{REPO}/branches/job/abc"


def test_fault_status(sim: Simulator, http: requests.Session) -> None:
    url = _sim_with_faults(sim)
    sim.faults.append(Fault("GET", r"/branches/", "status:502", 2))
    for _ in range(2):
        resp = http.get(url)
        assert resp.status_code == 502
        assert resp.json()["message"] == "Bad Gateway"
    assert http.get(url).status_code == 200
    assert sim.faults == []
    assert [r.status for r in sim.requests] == [502, 502, 200]


def test_fault_reset(sim: Simulator) -> None:
    url = _sim_with_faults(sim)
    sim.add_fault("*", r"job/abc$", "reset")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, headers={"Authorization": f"token {TOKEN}"})
    assert requests.get(url, headers={"Authorization": f"token {TOKEN}"}).status_code == 200
    assert sim.requests[0].status == 0


def test_fault_slow(sim: Simulator, http: requests.Session) -> None:
    url = _sim_with_faults(sim)
    sim.add_fault("GET", r"/branches/", "slow:0.3")
    started = time.monotonic()
    assert http.get(url).status_code == 200
    assert time.monotonic() - started >= 0.3
    sim.add_fault("GET", r"/branches/", "slow:2")
    with pytest.raises(requests.Timeout):
        http.get(url, timeout=0.2)


def test_fault_truncated(sim: Simulator) -> None:
    url = _sim_with_faults(sim)
    sim.add_fault("GET", r"/branches/", "truncated")
    with pytest.raises(requests.RequestException):
        requests.get(url, headers={"Authorization": f"token {TOKEN}"})
    assert (
        requests.get(url, headers={"Authorization": f"token {TOKEN}"}).json()["name"] == "job/abc"
    )


def test_fault_secondary(sim: Simulator, http: requests.Session) -> None:
    url = _sim_with_faults(sim)
    sim.add_fault("GET", r".*", "secondary", times=None)
    for _ in range(3):
        resp = http.get(url)
        assert resp.status_code == 403
        assert resp.headers["Retry-After"] == "1"
        assert "secondary rate limit" in resp.json()["message"]
    assert sim.rate_limit.remaining == 5000
    sim.faults.clear()
    assert http.get(url).status_code == 200


def test_fault_method_filter(sim: Simulator, http: requests.Session) -> None:
    url = _sim_with_faults(sim)
    sim.add_fault("POST", r".*", "status:500")
    assert http.get(url).status_code == 200
    assert len(sim.faults) == 1


def test_state_without_server() -> None:
    st = SimState(clock=SimClock())
    st.create_branch("job/x", files={"a": "1"})
    n = st.open_pr("job/x", title="x")
    st.commit("job/x", files={"b": b"\x00"})
    assert [f.filename for f in st.pr_files(n)] == ["a", "b"]
    merge = st.merge_pr(n, delete_branch=True)
    assert "job/x" not in st.branches
    assert st.commits[st.branches["main"]].tree.keys() >= {"a", "b", "README.md"}
    assert st.branches["main"] == merge
    with pytest.raises(ValueError):
        st.reopen_pr(n)


def test_real_clock_default() -> None:
    with Simulator() as sim:
        assert sim.url.startswith("http://127.0.0.1:")
        resp = requests.get(sim.url + REPO, headers={"Authorization": f"token {TOKEN}"})
        assert resp.status_code == 200


def test_cli_serves_and_exits_on_sigterm() -> None:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "github_simulator",
            "--scenario",
            "completed",
            "--job-id",
            "cli-1",
            "--token",
            "t0k",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("SIMULATOR_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        resp = requests.get(
            f"{url}{REPO}/branches/job%2Fcli-1", headers={"Authorization": "token t0k"}
        )
        assert resp.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_fault_as_plain_tuple(sim: Simulator, http: requests.Session) -> None:
    url = _sim_with_faults(sim)
    sim.faults.append(("GET", r"/branches/", "status:503", 1))  # type: ignore[arg-type]
    assert http.get(url).status_code == 503
    assert http.get(url).status_code == 200


def test_secondary_limit_per_endpoint(
    sim: Simulator, clock: SimClock, http: requests.Session
) -> None:
    """GitHub's documented secondary limit: 900 points a minute per REST endpoint
    (a GET 1 point); the 901st GET in a minute is refused with a Retry-After, and
    another endpoint (or the next minute) is not."""
    runs = f"{sim.url}{REPO}/actions/runs"
    for _ in range(900):
        assert http.get(runs).status_code == 200
    refused = http.get(runs)
    assert refused.status_code == 403
    assert "secondary rate limit" in refused.json()["message"]
    assert refused.headers["Retry-After"] == "60"
    assert sim.requests[-1].counted is False
    assert http.get(f"{sim.url}{REPO}/pulls").status_code == 200  # another endpoint
    clock.advance(60)
    assert http.get(runs).status_code == 200
    sim.points_per_minute = None
    clock.advance(1)
    for _ in range(901):
        assert http.get(runs).status_code == 200
