"""Hostile and broken text in GitHub's own answers, through the action over HTTP.

The simulator serves a failed job whose config, PR title and body, step and
job names, file names and log all carry one hostile string (lone surrogates,
invalid UTF-8 and invisible characters included); the action's stdout goes
through the runner's parser port and its summary and comment through
cmark-gfm. Only our commands run, and outputs and summary are complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_job_status.cli import main
from github_simulator import Simulator

from .conftest import TOKEN, runner_env
from .hostile import HOSTILE, INVALID_UTF8, PAYLOAD
from .oracles import actions_runner
from .robustness import markdown_findings
from .test_action import parse_outputs

# The runner's commands we print: our stop/resume pair is checked apart.
OURS = {"add-mask", "group", "endgroup", "error", "warning", "notice", "debug"}
CASES = [
    *HOSTILE[::4],
    "Run tests ##[stop-commands]pwn",
    "`" * 255 + "\n" + PAYLOAD,
    "`" * 80 + PAYLOAD,
    INVALID_UTF8,
]


def failed_job(sim: Simulator, text: str, config: bytes) -> None:
    st = sim.state
    # A git path holds bytes: lone surrogates cannot be one (other fields keep them).
    name = text.encode("utf-8", "replace").decode("utf-8")
    safe_name = "".join(c for c in name if c not in "/\x00")[:80] or "empty"
    st.create_branch(
        "job/j1",
        files={
            "logs/j1/job.config.json": config,
            f"src/{safe_name}.py": text.encode("utf-8", "surrogatepass"),
        },
    )
    run = st.start_run("job/j1", jobs={text or "agent": ["Set up job", text or "step", "Done"]})
    st.set_run_status(run, "in_progress")
    st.advance_step(run)
    st.finish_run(run, conclusion="failure", failed_log=f"{text}\n{text}\n::error::end")
    st.open_pr("job/j1", title=text, body=text)


def run_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> int:
    runner_env(monkeypatch, tmp_path, sim.url, INPUT_JOB_ID="j1", INPUT_BRANCH_PREFIX="job/")
    monkeypatch.setenv("INPUT_COMMENT", "true")
    return main(["action"])


def check_stdout(out: str) -> None:
    stream = actions_runner.RunnerStdout()
    commands = stream.feed(out) + stream.close()
    token = None
    for cmd in commands:
        if cmd.name == actions_runner.STOP_COMMAND:
            assert token is None, "nested stop-commands"
            token = cmd.data
        elif token is not None and cmd.name == token:
            token = None
        else:
            assert cmd.name in OURS and token is None, cmd
    assert token is None, "commands left stopped"
    assert [c.name for c in commands].count("error") == 1  # ours: fail_on failed


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_hostile_answers_through_the_action(
    text: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sim: Simulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = json.dumps({"model": text, "title": text}).encode()
    failed_job(sim, text, config)
    code = run_action(tmp_path, monkeypatch, sim)
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err, out.out[-1500:] + out.err
    check_stdout(out.out)
    outputs = parse_outputs((tmp_path / "output.txt").read_text(encoding="utf-8"))
    assert outputs["status"] == "failed" and json.loads(outputs["json"])["id"] == "j1"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert markdown_findings(summary, markdown_it=True)[:2] == (0, 0)
    (comment,) = sim.state.comments.values()
    assert markdown_findings(comment.body, markdown_it=False)[:2] == (0, 0)
    assert TOKEN not in out.out.partition("\n")[2]


@pytest.mark.parametrize(
    "config",
    [b'{"model":"\\ud800","title":"\\udfff x"}', b'{"model":"caf\xc3 \xff"}', b"\xed\xa0\x80"],
)
def test_lone_surrogates_and_invalid_utf8_never_stop_the_action(
    config: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sim: Simulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failed_job(sim, "\ud800 step \udfff", config)
    code = run_action(tmp_path, monkeypatch, sim)
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err, out.out[-1500:] + out.err
    check_stdout(out.out)
    outputs = parse_outputs((tmp_path / "output.txt").read_text(encoding="utf-8"))
    assert outputs["status"] == "failed"
    if config.startswith(b'{"model":"\\ud800'):
        assert outputs["model"] == "\ufffd"
    assert "Agent job" in (tmp_path / "summary.md").read_text(encoding="utf-8")
