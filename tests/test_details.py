"""Details never cost the status: GitHub's real answers, over HTTP (issue 12).

Each case is answered by the simulator as GitHub answers it: expired or
deleted run logs (404, 410), every log archive layout, runs with
`status: null`, a log folder that is a file, a small rate-limit budget.
The rules checked: once the status is known, a detail that cannot be read
is listed in `missing` (and one `::warning`), never changes the exit code,
and a permanent failure (404, 410, a wrong shape) is not retried.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from agent_job_status import pipeline as run_module
from agent_job_status.cli import main
from agent_job_status.facts import JobFact, StepFact
from agent_job_status.github.logs import failing_step_text, log_name
from agent_job_status.pipeline import observe
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from github_simulator import SimClock, Simulator

from .conftest import make_settings, runner_env

STEPS = ["Set up job", "Checkout", "Run agent", "Complete job"]
FAILURE = "Traceback: the model returned no usable patch"


def failed_run(
    vsim: Simulator, job_id: str = "j1", jobs: dict[str, list[str]] | None = None
) -> int:
    """A failed run with no log folder: the log can only come from the run's archive."""
    st = vsim.state
    st.create_branch(f"job/{job_id}")
    run = st.start_run(f"job/{job_id}", jobs=jobs or {"agent": STEPS})
    st.set_run_status(run, "in_progress")
    for _ in range(3):
        st.advance_step(run)
    st.finish_run(run, "failure", failed_log=FAILURE)
    vsim.run_due()
    return run


def check(
    vsim: Simulator, clock: SimClock, tmp_path: Path, **inputs: str
) -> tuple[list[Report], str]:
    settings = make_settings(vsim, tmp_path, **{"job_id": "j1", **inputs})
    out = io.StringIO()
    return observe(settings, Runner({}, out), clock=clock), out.getvalue()


def warnings(log: str) -> list[str]:
    """`::warning` lines under Actions; `warning:` lines elsewhere."""
    return [line for line in log.splitlines() if line.startswith(("::warning", "warning:"))]


def hits(vsim: Simulator, pattern: str) -> int:
    return sum(1 for r in vsim.requests if re.search(pattern, r.path))


@pytest.fixture
def action_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vsim: Simulator, clock: SimClock
) -> Path:
    runner_env(monkeypatch, tmp_path, vsim.url, INPUT_JOB_ID="j1")
    monkeypatch.setattr(run_module, "WallClock", lambda: clock)
    return tmp_path


def outputs(tmp_path: Path) -> dict[str, str]:
    text = (tmp_path / "output.txt").read_text()
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, _, delimiter = line.partition("<<")
        value = []
        for inner in lines:
            if inner == delimiter:
                break
            value.append(inner)
        found[name] = "\n".join(value)
    return found


# -- 1. expired or deleted run logs: the status stands ---------------------------------
@pytest.mark.parametrize("gone", [404, 410])
def test_expired_run_logs_keep_the_failed_status(
    action_env: Path, vsim: Simulator, capsys: pytest.CaptureFixture[str], gone: int
) -> None:
    run = failed_run(vsim)
    vsim.state.runs[run].logs_gone = gone
    code = main(["action"])
    text = capsys.readouterr().out
    assert code == 1, text  # failed is a fail_on status: the gate says failed, not exit 3
    out = outputs(action_env)
    report = json.loads(out["json"])
    assert out["status"] == "failed" and report["missing"] == ["log: expired"]
    assert report["log_source"] == "unavailable: the run's logs expired or were deleted"
    assert len(warnings(text)) == 1 and "log (the run's logs expired" in warnings(text)[0]
    assert hits(vsim, r"/actions/runs/.*/logs$") == 1  # a permanent answer is not retried
    assert "Missing details" in (action_env / "summary.md").read_text()


# -- 2. every archive layout gives the failing step's text ------------------------------
@pytest.mark.parametrize("layout", ["steps", "jobs"])
@pytest.mark.parametrize(
    "name",
    [
        "agent",
        "call-agent / agent: run (ubuntu-latest, 3.12)",  # reusable + matrix: `/`, `:` removed
        "a very long job name " * 6,  # cut to 90 UTF-16 code units, then trimmed
        "🤖 agent " + "x" * 80 + "🤖",  # the cut falls inside a surrogate pair
    ],
)
def test_every_archive_layout_gives_the_failing_step(
    vsim: Simulator, clock: SimClock, tmp_path: Path, layout: str, name: str
) -> None:
    run = failed_run(vsim, jobs={"lint": ["Set up job", "Lint"], name: STEPS})
    vsim.state.runs[run].log_layout = layout
    (report,), _ = check(vsim, clock, tmp_path)
    assert report.status == "failed" and report.log_source == "run" and not report.missing
    assert FAILURE in report.log
    assert "Checkout: ok" not in report.log  # the failing step only, not the steps before


def test_several_jobs_the_failed_one_is_read(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    run = failed_run(vsim, jobs={"plan": ["Set up job", "Plan"], "agent": STEPS})
    vsim.state.runs[run].log_layout = "jobs"
    (report,), _ = check(vsim, clock, tmp_path)
    assert FAILURE in report.log and "Plan: ok" not in report.log


def zip_of(files: dict[str, str]) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_legacy_job_files_and_unnamed_sections() -> None:
    step = StepFact(1, "Make", "completed", "failure")
    job = JobFact(1, "build", "completed", "failure", (step,))
    archive = zip_of({"-2147483648_build.txt": "##[group]Run make\nboom\n", "build/system.txt": ""})
    # A named step's header shows its command, so the whole job file is the section.
    assert failing_step_text(archive, (job,)) == "##[group]Run make\nboom\n"


def test_log_names_follow_the_servers_rewriting() -> None:
    assert log_name("a / b: c") == "a  b c"
    assert log_name(" x" + "y" * 100) == "x" + "y" * 88
    assert log_name("a" * 89 + "😅") == "a" * 89 + "\ufffd"  # C#'s Substring cuts the pair


# -- 3. a bad item hurts only its own job -------------------------------------------------
def finished_jobs(vsim: Simulator, count: int) -> str:
    for n in range(count):
        st = vsim.state
        st.create_branch(f"job/t{n}")
        run = st.start_run(f"job/t{n}", jobs={"agent": STEPS})
        st.set_run_status(run, "in_progress")
        st.finish_run(run, "success")
        st.open_pr(f"job/t{n}", title=f"t{n}", body="")
    return ",".join(f"t{n}" for n in range(count))


@pytest.mark.parametrize("count", [1, 5])  # one by one, and from shared list pages
def test_a_null_status_run_of_another_branch_hurts_no_job(
    vsim: Simulator, clock: SimClock, tmp_path: Path, count: int
) -> None:
    ids = finished_jobs(vsim, count)
    vsim.state.create_branch("other/x")
    other = vsim.state.start_run("other/x", jobs={"agent": STEPS})
    vsim.state.runs[other].status_null = True
    reports, log = check(vsim, clock, tmp_path, job_id=ids)
    assert [r.status for r in reports] == ["completed"] * count
    assert "retry" not in log


@pytest.mark.parametrize("count", [1, 5])  # one by one, and from shared list pages
def test_a_jobs_own_null_status_run_leaves_only_its_status_unknown(
    vsim: Simulator, clock: SimClock, tmp_path: Path, count: int
) -> None:
    ids = finished_jobs(vsim, count)
    newest = vsim.state.start_run("job/t0", jobs={"agent": STEPS})
    vsim.state.runs[newest].status_null = True
    started = clock.time()
    reports, _ = check(vsim, clock, tmp_path, job_id=ids)
    assert reports[0].status == "unknown" and reports[0].reason == "unreadable_run"
    assert reports[0].branch == "job/t0" and reports[0].run_id is None  # never the older run
    assert [r.status for r in reports[1:]] == ["completed"] * (count - 1)
    assert all(r.pr_number is not None for r in reports[1:])  # the others keep their details
    assert clock.time() - started < 1  # not retried: the item, not the answer, is bad


@pytest.mark.parametrize("count", [1, 3])
def test_an_unknown_status_is_published_then_exits_3(
    action_env: Path,
    vsim: Simulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    count: int,
) -> None:
    ids = finished_jobs(vsim, count)
    newest = vsim.state.start_run("job/t0", jobs={"agent": STEPS})
    vsim.state.runs[newest].status_null = True
    monkeypatch.setenv("INPUT_JOB_ID", ids)
    code = main(["action"])
    text = capsys.readouterr().out
    assert code == 3, text
    out = outputs(action_env)
    assert out["status"] == "unknown"  # the worst of the jobs: it may be anything
    if count > 1:
        jobs = json.loads(out["jobs"])
        assert [j["status"] for j in jobs] == ["unknown"] + ["completed"] * (count - 1)
    errors = [line for line in text.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "t0 (a workflow run of branch job/t0)" in errors[0], errors
    assert "unknown" in (action_env / "summary.md").read_text()


def test_a_failed_job_beside_an_unknown_one_still_exits_1(
    action_env: Path,
    vsim: Simulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failed_run(vsim, "j1")
    finished_jobs(vsim, 1)
    vsim.state.runs[vsim.state.start_run("job/t0", jobs={"agent": STEPS})].status_null = True
    monkeypatch.setenv("INPUT_JOB_ID", "j1,t0")
    code = main(["action"])
    text = capsys.readouterr().out
    assert code == 1, text  # a known failure is said as one, not as an outage
    (error,) = [line for line in text.splitlines() if line.startswith("::error")]
    assert "fail_on status: j1" in error and "Status unknown" in error and "t0" in error


def test_an_older_null_status_run_is_skipped_with_a_warning(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    st = vsim.state
    st.create_branch("job/j1")
    old = st.start_run("job/j1", jobs={"agent": STEPS})
    st.runs[old].status_null = True
    failed_run_again = st.start_run("job/j1", jobs={"agent": STEPS})
    st.set_run_status(failed_run_again, "in_progress")
    st.finish_run(failed_run_again, "failure", failed_log=FAILURE)
    (report,), log = check(vsim, clock, tmp_path)
    assert report.status == "failed" and report.run_id == failed_run_again
    assert any(f"'job/j1': {old}" in w for w in warnings(log))


def test_an_unreadable_item_while_waiting_is_looked_at_again(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    finished_jobs(vsim, 1)
    newest = vsim.state.start_run("job/t0", jobs={"agent": STEPS})
    vsim.state.runs[newest].status_null = True
    vsim.schedule(60, lambda st: setattr(st.runs[newest], "status_null", False))
    vsim.schedule(90, lambda st: st.finish_run(newest, "failure", failed_log=FAILURE))
    settings = make_settings(vsim, tmp_path, job_id="t0", wait="true", poll_interval="10s")
    (report,) = observe(settings, Runner({}, io.StringIO()), clock=clock)
    assert report.status == "failed" and report.run_id == newest


# -- 1. a log folder that is a file, and other detail answers of the wrong shape -------
def test_a_log_folder_that_is_a_file_is_not_retried(
    vsim: Simulator, clock: SimClock, tmp_path: Path
) -> None:
    vsim.state.create_branch("job/j1", files={"logs/j1": "not a folder\n"})
    vsim.state.open_pr("job/j1", title="t", body="")
    (report,), log = check(vsim, clock, tmp_path)
    assert report.status == "completed" and report.missing == ("log_folder: unexpected_shape",)
    assert hits(vsim, r"/contents/logs/j1$") == 1 and "retry" not in log
    assert len(warnings(log)) == 1 and "log_folder" in warnings(log)[0]


@pytest.mark.parametrize(
    ("endpoint", "detail"), [(r"/pulls/\d+/files$", "files"), (r"/contents/", "log_folder")]
)
def test_a_detail_of_the_wrong_shape_is_final(
    vsim: Simulator, clock: SimClock, tmp_path: Path, endpoint: str, detail: str
) -> None:
    vsim.state.create_branch("job/j1", files={"logs/j1/agent.log": "hi\n", "src/a.py": "x\n"})
    vsim.state.open_pr("job/j1", title="t", body="")
    vsim.add_fault("GET", endpoint, "shape", times=None)
    (report,), log = check(vsim, clock, tmp_path)
    assert report.status == "completed" and f"{detail}: unexpected_shape" in report.missing
    assert "retry" not in log


@pytest.mark.parametrize("kind", ["status:503", "reset"])
def test_a_detail_that_stays_down_costs_only_itself(
    vsim: Simulator, clock: SimClock, tmp_path: Path, kind: str
) -> None:
    run = failed_run(vsim)
    vsim.add_fault("GET", r"/logs$", kind, times=None)
    (report,), log = check(vsim, clock, tmp_path)
    assert report.status == "failed" and report.missing == ("log: unavailable",)
    assert "retry" in log and len(warnings(log)) == 1  # transient: retried, then given up
    assert report.run_id == run


# -- 4. a small budget: details planned, the rest named ----------------------------------
def test_a_small_budget_reads_failed_logs_first_and_names_the_rest(
    action_env: Path,
    vsim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for n in range(6):
        failed_run(vsim, job_id=f"f{n}")
    monkeypatch.setenv("INPUT_JOB_ID", ",".join(f"f{n}" for n in range(6)))
    vsim.rate_limit.limit = 1000
    vsim.rate_limit.remaining = 40  # the status reads take some; details get the rest
    code = main(["action"])
    text = capsys.readouterr().out
    reports = json.loads(outputs(action_env)["jobs"])
    assert code == 1 and [r["status"] for r in reports] == ["failed"] * 6
    assert all(FAILURE in r["log"] for r in reports)  # failed jobs' logs come first
    skipped = [m for r in reports for m in r["missing"] if m.endswith("over_budget")]
    assert skipped and all(m.split(":")[0] in ("files", "config") for m in skipped)
    (line,) = warnings(text)
    assert "over the remaining rate-limit budget" in line
    assert "over_budget" in (action_env / "summary.md").read_text()
