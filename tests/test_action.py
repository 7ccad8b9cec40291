"""`agent-job-status action` exactly as the runner runs it: INPUT_* and GITHUB_* in,
workflow commands on stdout, outputs and summary in the runner's files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent_job_status.cli import main
from github_simulator import Simulator, scenarios

from .conftest import TOKEN, runner_env


def parse_outputs(text: str) -> dict[str, str]:
    """The runner's parser for `name<<delimiter` blocks in $GITHUB_OUTPUT."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = re.fullmatch(r"([A-Za-z_][\w-]*)<<(.+)", lines[i])
        if not match:
            i += 1
            continue
        name, delimiter = match.groups()
        end = lines.index(delimiter, i + 1)
        outputs[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return outputs


class Action:
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> None:
        self.tmp = tmp_path
        self.mp = monkeypatch
        self.output = tmp_path / "output.txt"
        self.summary = tmp_path / "summary.md"
        runner_env(
            monkeypatch,
            tmp_path,
            sim.url,
            GITHUB_SERVER_URL="https://github.com",
            GITHUB_RUN_ID="1",
            INPUT_BRANCH_PREFIX="job/",
            INPUT_WORKFLOW="run-job.yml",
        )

    def run(
        self, capsys: pytest.CaptureFixture[str], **inputs: str
    ) -> tuple[int, str, dict[str, str]]:
        for name, value in inputs.items():
            self.mp.setenv(f"INPUT_{name.upper()}", value)
        code = main(["action"])
        out = capsys.readouterr()
        outputs = parse_outputs(self.output.read_text()) if self.output.exists() else {}
        return code, out.out + out.err, outputs


@pytest.fixture
def action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> Action:
    return Action(tmp_path, monkeypatch, sim)


EXPECTED_OUTPUTS = {
    "status",
    "branch",
    "pr_url",
    "run_url",
    "log",
    "changed_files",
    "id",
    "lifecycle",
    "model",
    "title",
    "source_repository",
    "source_ref",
    "created_at",
    "archived_at",
    "pr_number",
    "pr_state",
    "run_id",
    "run_attempt",
    "conclusion",
    "reason",
    "current_step",
    "steps_completed",
    "steps_total",
    "timed_out",
    "log_file",
    "merge_commit_sha",
    "head_sha",
    "json",
    "jobs",
    "reports_file",
}


def test_completed_job_writes_every_output(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    code, out, outputs = action.run(capsys, job_id="j1")
    assert code == 0
    assert set(outputs) == EXPECTED_OUTPUTS
    assert outputs["status"] == "completed" and outputs["lifecycle"] == "completed"
    assert outputs["pr_url"] == "https://github.com/acme/agents/pull/1"
    assert json.loads(outputs["changed_files"])[-1] == "notes/j1.md"
    assert json.loads(outputs["json"])["status"] == "completed"
    assert [j["id"] for j in json.loads(outputs["jobs"])] == ["j1"]
    assert (action.tmp / outputs["log_file"]).read_text() == outputs["log"]
    assert "Agent job" in action.summary.read_text()
    assert out.splitlines()[0] == f"::add-mask::{TOKEN}"  # masked before anything else
    assert out.count(TOKEN) == 1


def test_failed_job_exits_1_with_one_error_line(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "failed", job_id="j1")
    code, out, outputs = action.run(capsys, job_id="j1")
    assert code == 1 and outputs["status"] == "failed" and outputs["reason"] == "failure"
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "j1" in errors[0]


def test_fail_on_none_and_custom(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "failed", job_id="j1")
    assert action.run(capsys, job_id="j1", fail_on="none")[0] == 0
    scenarios.apply(sim, "closed", job_id="j2")
    assert action.run(capsys, job_id="j2", fail_on="failed, closed")[0] == 1


def test_log_is_cut_with_a_marker(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.state.create_branch(
        "job/j1", files={"logs/j1/s.jsonl": "".join(f"line {i} é\n" for i in range(5000))}
    )
    code, _, outputs = action.run(capsys, job_id="j1", log_max_bytes="1024")
    assert code == 0
    assert len(outputs["log"].encode()) <= 1024
    assert outputs["log"].startswith("[agent-job-status: log cut") and "line 4999" in outputs["log"]
    assert (action.tmp / outputs["log_file"]).read_text().count("\n") == 5000


def test_job_id_from_the_event(
    action: Action, sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "completed", job_id="from-event")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"head_branch": "job/from-event"}}))
    action.mp.setenv("GITHUB_EVENT_NAME", "workflow_run")
    action.mp.setenv("GITHUB_EVENT_PATH", str(event))
    code, out, outputs = action.run(capsys)
    assert code == 0 and outputs["id"] == "from-event" and "from the workflow_run event" in out


@pytest.mark.parametrize(
    ("event_name", "payload", "expected"),
    [
        ("push", {"ref": "refs/heads/job/p1"}, "p1"),
        ("create", {"ref": "job/c1", "ref_type": "branch"}, "c1"),
        ("pull_request", {"pull_request": {"head": {"ref": "job/pr1"}}}, "pr1"),
        ("pull_request_target", {"pull_request": {"head": {"ref": "job/pr2"}}}, "pr2"),
        ("workflow_run", {"workflow_run": {"head_branch": "job/w1"}}, "w1"),
        ("push", {"ref": "refs/heads/main"}, None),
        ("create", {"ref": "job/t", "ref_type": "tag"}, None),
        ("pull_request", {"pull_request": "oops"}, None),
        ("push", {"ref": "refs/heads/job/../x"}, None),
    ],
)
def test_event_derivation(
    event_name: str, payload: dict[str, object], expected: str | None
) -> None:
    from agent_job_status.event import job_id_from_event

    assert job_id_from_event(event_name, payload, ("job/",)) == expected


def test_several_jobs_worst_status(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "merged", job_id="a")
    scenarios.apply(sim, "running", job_id="b")
    scenarios.apply(sim, "completed", job_id="c")
    code, _, outputs = action.run(capsys, job_id="a, b\nc", fail_on="none")
    assert code == 0 and outputs["status"] == "running" and outputs["id"] == "b"
    assert [j["status"] for j in json.loads(outputs["jobs"])] == ["merged", "running", "completed"]


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        ({"job_id": ""}, "job_id"),
        ({"job_id": "a..b"}, "job_id"),
        ({"job_id": "a b"}, "job_id"),
        ({"job_id": "x\x07"}, "job_id"),
        ({"job_id": "x" * 201}, "job_id"),
        ({"job_id": "a", "repository": "not a repo"}, "repository"),
        ({"job_id": "a", "wait": "maybe"}, "wait"),
        ({"job_id": "a", "timeout": "soon"}, "timeout"),
        ({"job_id": "a", "poll_interval": "0.5s"}, "poll_interval"),
        ({"job_id": "a", "log_max_bytes": "-1"}, "log_max_bytes"),
        ({"job_id": "a", "fail_on": "failed,exploded"}, "fail_on"),
        ({"job_id": "a", "wait_for": "forever"}, "wait_for"),
        ({"job_id": "a", "comment_pr": "twelve"}, "comment_pr"),
        ({"job_id": "a", "summary_template": "../../etc/passwd"}, "summary_template"),
        ({"job_id": "a", "api_url": "ftp://x"}, "api_url"),
    ],
)
def test_bad_input_exits_2_naming_it(
    action: Action, capsys: pytest.CaptureFixture[str], inputs: dict[str, str], named: str
) -> None:
    code, out, _ = action.run(capsys, **inputs)
    assert code == 2
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and f"'{named}'" in errors[0]
    assert "Traceback" not in out and TOKEN not in out.replace(f"::add-mask::{TOKEN}", "")


def test_unauthorized_exits_3(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = action.run(capsys, job_id="j1", token="ghs_wrong_token_value")
    assert code == 3 and "Unauthorized" in out and "Traceback" not in out


def test_forbidden_says_which_permission(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.state.set_permissions(actions=False)
    code, out, _ = action.run(capsys, job_id="j1")
    assert code == 3 and "permissions: actions: read" in out


def test_cli_status_formats(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    base = ["status", "j1", "--repo", "acme/agents", "--api-url", sim.url]
    assert main([*base, "--format", "popebot"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert list(body) == ["status", "branch", "pr_url", "run_url", "log", "changed_files"]
    assert main([*base, "--format", "mintlify"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "completed"
    assert main([*base, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "completed" in text and "\x1b[" not in text  # no colour when not a TTY
    assert main([*base, "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("## ")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_bad")
    assert main([*base, "--format", "json"]) == 3


@pytest.mark.parametrize(
    ("event_name", "payload", "scenario", "status"),
    [
        (
            "workflow_run",
            {
                "action": "completed",
                "workflow_run": {"head_branch": "job/ev", "conclusion": "failure"},
            },
            "failed",
            "failed",
        ),
        (
            "pull_request",
            {"action": "closed", "pull_request": {"merged": True, "head": {"ref": "job/ev"}}},
            "merged",
            "merged",
        ),
    ],
)
def test_event_driven_recipe(
    action: Action,
    sim: Simulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    event_name: str,
    payload: dict[str, object],
    scenario: str,
    status: str,
) -> None:
    """A workflow triggered by the agent's run ending (or its PR closing) runs the
    action once, with no job_id and no wait: one look, few requests."""
    scenarios.apply(sim, scenario, job_id="ev")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    action.mp.setenv("GITHUB_EVENT_NAME", event_name)
    action.mp.setenv("GITHUB_EVENT_PATH", str(event))
    sim.reset_requests()
    code, _, outputs = action.run(capsys, fail_on="none")
    assert code == 0 and outputs["id"] == "ev" and outputs["status"] == status
    assert len(sim.requests) <= 9


def test_failed_log_tail_cannot_issue_workflow_commands(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The agent's log is hostile: shown in the step log, its commands stay inert."""
    hostile = "\n".join(
        [
            "::set-output name=status::completed",
            "::add-mask::everything",
            "::error::forged error",
            "::endgroup::",
            "::stop-commands::guess",
            "\x1b[31mred\x1b[0m",
            "model returned no usable patch",
        ]
    )
    st = sim.state
    st.create_branch("job/j1", files={"logs/j1/s.jsonl": hostile + "\n"})
    run_id = st.start_run("job/j1")
    st.set_run_status(run_id, "in_progress")
    st.finish_run(run_id, "failure")
    code, out, outputs = action.run(capsys, job_id="j1")
    assert code == 1 and outputs["status"] == "failed"
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].split("::")[2]
    end = lines.index(f"::{token}::")
    assert lines[start - 1].startswith("::group::Log of failed agent job j1")
    assert lines[end + 1] == "::endgroup::"
    assert "model returned no usable patch" in lines[end - 1]
    assert token not in hostile and "\x1b" not in out
    # Outside the stopped block, the only commands are ours.
    ours = [line for line in lines[:start] + lines[end + 1 :] if line.startswith("::")]
    assert [line.split("::")[1].split(" ")[0] for line in ours] == [
        "add-mask",
        "group",
        "endgroup",
        "error",
    ]


def test_cli_text_cannot_issue_workflow_commands() -> None:
    """`status --format text` may run in a workflow step: job text stays inert."""
    from dataclasses import replace

    from agent_job_status.samples import sample_report
    from agent_job_status.terminal import format_text

    report = replace(
        sample_report("failed"),
        log="ok\n  ::set-output name=x::y\n##[error]forged",
        title="::add-mask::x",
        changed_files=("::error::f",),
    )
    for line in format_text([report], colour=False).splitlines():
        assert not line.lstrip(" \t").startswith(("::", "##["))


def test_cli_text_is_coloured_only_on_a_terminal(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from agent_job_status import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    scenarios.apply(sim, "failed", job_id="j1")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    screen = Terminal()
    monkeypatch.setattr(cli.sys, "stdout", screen)
    assert main(["status", "j1", "--repo", "acme/agents", "--api-url", sim.url]) == 1
    assert "\x1b[31m" in screen.getvalue()  # failed in red


def test_a_broken_template_fails_before_any_request(
    action: Action, sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "summary.md.j2").write_text("ok\n{% if %}\n")
    sim.reset_requests()
    code, out, _ = action.run(capsys, job_id="j1", wait="true", summary_template="summary.md.j2")
    assert code == 2 and len(sim.requests) == 0
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "summary.md.j2" in errors[0] and "line 2" in errors[0]


def test_the_summary_says_why_when_the_status_cannot_be_had(
    action: Action, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = action.run(capsys, job_id="j1", token="ghs_wrong_token_value")
    assert code == 3
    summary = action.summary.read_text()
    assert summary.startswith("## ❌ agent-job-status: could not get the status")
    assert "Unauthorized" in summary and "ghs_wrong_token_value" not in summary
    code, _, _ = action.run(capsys, job_id="a..b", summary="false")
    assert code == 2 and action.summary.read_text() == summary  # summary: false is honoured
