"""Scenarios for agents other than thepopebot, built from what each leaves on GitHub
(the facts and sources are in agent-job-status's README, "Agent profiles").

``apply(sim, agent, name, speed=1.0) -> job_id``: ``agent`` is ``copilot``,
``claude`` or ``openhands``; ``name`` one of ``NAMES[agent]``. A static name
plays the story up to that stage at once; ``lifecycle`` schedules every stage
of the successful story one second apart (divided by ``speed``). The job id
is what the agent's profile keys on: the PR number (copilot) or the issue
number (claude, openhands).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from github_simulator import payloads
from github_simulator.server import Simulator
from github_simulator.state import SimState

COPILOT_PATH = "dynamic/copilot-swe-agent/copilot"
OPENHANDS_RUN = "Auto-Fix Tagged Issue with OpenHands"
NAMES: dict[str, tuple[str, ...]] = {
    "copilot": ("pending", "running", "completed", "failed", "merged", "lifecycle"),
    "claude": ("running", "completed", "failed", "merged", "lifecycle"),
    "openhands": ("pending", "running", "completed", "failed", "retry", "merged", "lifecycle"),
}


@dataclass
class _Story:
    """The ids one story needs across its stages."""

    issue: int = 0
    pr: int = 0
    run: int = 0
    comment: int = 0
    branch: str = ""
    extra: dict[str, str] = field(default_factory=dict)


Stage = Callable[[SimState, _Story], None]


# -- GitHub Copilot coding agent ------------------------------------------------
def _copilot_assigned(st: SimState, s: _Story) -> None:
    s.issue = st.open_issue("Fix the flaky test")
    s.branch = "copilot/fix-the-flaky-test"
    st.create_branch(s.branch, message="Initial plan")
    body = f"Fixes #{s.issue}.\n\n<!-- START COPILOT CODING AGENT TIPS -->"
    s.pr = st.open_pr(s.branch, "[WIP] Fix the flaky test", body, user="Copilot", draft=True)


def _copilot_started(st: SimState, s: _Story) -> None:
    st.add_timeline_event(s.pr, "copilot_work_started", app="copilot-swe-agent")
    s.run = st.start_run(
        s.branch, workflow="copilot-swe-agent", status="in_progress", event="dynamic",
        name="Copilot coding agent", path=COPILOT_PATH,
        jobs={"copilot": ["Prepare Copilot", "Run Copilot", "Finish"]},
    )  # fmt: skip


def _copilot_finished(st: SimState, s: _Story) -> None:
    st.commit(s.branch, {"tests/test_api.py": "def test_ok():\n    assert True\n"}, "Fix test")
    st.finish_run(s.run, "success")
    st.add_timeline_event(s.pr, "copilot_work_finished", app="copilot-swe-agent")


def _copilot_failed(st: SimState, s: _Story) -> None:
    st.finish_run(s.run, "failure", failed_log="copilot: the session ended with an error\n")
    st.add_timeline_event(s.pr, "copilot_work_finished_failure", app="copilot-swe-agent")


# -- Claude Code GitHub Action ---------------------------------------------------
def _claude_working(st: SimState, s: _Story) -> None:
    s.issue = st.open_issue("Add a --json flag")
    st.add_comment(s.issue, "@claude please add a --json flag", user="octocat")
    s.run = st.start_run(
        st.default_branch, workflow="claude.yml", status="in_progress", event="issue_comment",
        name="Claude Code", display_title="Add a --json flag",
    )  # fmt: skip
    stamp = st.clock.now().strftime("%Y%m%d-%H%M")
    s.branch = f"claude/issue-{s.issue}-{stamp}"
    st.create_branch(s.branch, message="Start")
    s.extra["run_url"] = f"{payloads.repo_web(st)}/actions/runs/{s.run}"
    body = (
        f'Claude Code is working… <img src="spinner.gif" />\n\n[View job run]({s.extra["run_url"]})'
    )
    s.comment = st.add_comment(s.issue, body, user="claude[bot]")


def _claude_finished(st: SimState, s: _Story) -> None:
    st.commit(s.branch, {"cli.py": "JSON = True\n"}, "Add a --json flag")
    web = payloads.repo_web(st)
    compare = f"{web}/compare/{st.default_branch}...{s.branch}?quick_pull=1&title=Add+--json"
    body = (
        f"**Claude finished @octocat's task in 1m 12s** —— [View job]({s.extra['run_url']}) • "
        f"[`{s.branch}`]({web}/tree/{s.branch}) • [Create PR ➔]({compare})\n\n"
        "- [x] Read the CLI\n- [x] Add the flag\n"
    )
    st.edit_comment(s.comment, body)
    st.finish_run(s.run, "success")


def _claude_error(st: SimState, s: _Story) -> None:
    body = f"**Claude encountered an error after 40s** —— [View job]({s.extra['run_url']})"
    st.edit_comment(s.comment, body)
    st.finish_run(s.run, "failure", failed_log="Error: Claude Code exited with code 1\n")


def _claude_pr_merged(st: SimState, s: _Story) -> None:
    s.pr = st.open_pr(s.branch, "Add a --json flag", f"Closes #{s.issue}", user="octocat")
    st.merge_pr(s.pr, delete_branch=True)


# -- OpenHands resolver -------------------------------------------------------------
def _openhands_labeled(st: SimState, s: _Story) -> None:
    s.issue = st.open_issue("Crash on empty input")
    s.run = _openhands_run(st, "Crash on empty input")


def _openhands_run(st: SimState, title: str) -> int:
    return st.start_run(
        st.default_branch, workflow="openhands-resolver.yml", status="queued", event="issues",
        name=OPENHANDS_RUN, display_title=title,
        jobs={"auto-fix": ["Checkout", "Attempt to resolve issue", "Create draft PR"]},
    )  # fmt: skip


def _openhands_working(st: SimState, s: _Story) -> None:
    st.set_run_status(s.run, "in_progress")


def _openhands_push(st: SimState, s: _Story, branch: str) -> None:
    s.branch = branch
    st.create_branch(branch, files={"app.py": "def main(x=''):\n    return x or None\n"})


def _openhands_pr(st: SimState, s: _Story) -> None:
    _openhands_push(st, s, f"openhands-fix-issue-{s.issue}")
    title = f"Fix issue #{s.issue}: Crash on empty input"
    s.pr = st.open_pr(s.branch, title, "This pull request fixes #1.", draft=True)
    st.finish_run(s.run, "success")


def _openhands_no_pr(st: SimState, s: _Story) -> None:
    _openhands_push(st, s, f"openhands-fix-issue-{s.issue}")
    st.add_comment(s.issue, "The workflow to fix this issue encountered an error.")
    st.finish_run(s.run, "success")


def _openhands_retry(st: SimState, s: _Story) -> None:
    _openhands_no_pr(st, s)
    s.run = _openhands_run(st, "Crash on empty input")
    st.set_run_status(s.run, "in_progress")
    _openhands_push(st, s, f"openhands-fix-issue-{s.issue}-try2")
    title = f"Fix issue #{s.issue}: Crash on empty input"
    s.pr = st.open_pr(s.branch, title, "This pull request fixes #1.", draft=True)
    st.finish_run(s.run, "success")


def _merge(st: SimState, s: _Story) -> None:
    st.merge_pr(s.pr, delete_branch=True)


# Each agent's successful story, stage by stage, and its failing ending.
_STORIES: dict[str, list[tuple[str, Stage]]] = {
    "copilot": [
        ("pending", _copilot_assigned), ("running", _copilot_started),
        ("completed", _copilot_finished), ("merged", _merge),
    ],
    "claude": [
        ("running", _claude_working), ("completed", _claude_finished),
        ("merged", _claude_pr_merged),
    ],
    "openhands": [
        ("pending", _openhands_labeled), ("running", _openhands_working),
        ("completed", _openhands_pr), ("merged", _merge),
    ],
}  # fmt: skip
_ENDINGS: dict[tuple[str, str], tuple[str, Stage]] = {
    ("copilot", "failed"): ("running", _copilot_failed),
    ("claude", "failed"): ("running", _claude_error),
    ("openhands", "failed"): ("running", _openhands_no_pr),
    ("openhands", "retry"): ("running", _openhands_retry),
}


def _bound(stage: Stage, s: _Story) -> Callable[[SimState], None]:
    return lambda st: stage(st, s)


def _job_id(agent: str, s: _Story) -> str:
    return str(s.pr if agent == "copilot" else s.issue)


def apply(sim: Simulator, agent: str, name: str, speed: float = 1.0) -> str:
    """Set up scenario ``name`` of ``agent``; returns the job id. ValueError when unknown."""
    if agent not in NAMES or name not in NAMES[agent]:
        raise ValueError(f"unknown scenario {agent}/{name}; known: {NAMES}")
    if speed <= 0:
        raise ValueError("speed must be > 0")
    story, st, s = _STORIES[agent], sim.state, _Story()
    if name == "lifecycle":
        with st.lock:
            story[0][1](st, s)
        for index, (_, stage) in enumerate(story[1:], start=1):
            sim.schedule_in(index * 2.0 / speed, _bound(stage, s))
        return _job_id(agent, s)
    upto, ending = _ENDINGS.get((agent, name), (name, None))
    with st.lock:
        for stage_name, stage in story:
            stage(st, s)
            if stage_name == upto:
                break
        if ending is not None:
            ending(st, s)
    return _job_id(agent, s)
