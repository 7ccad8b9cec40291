"""The runner's file commands: step outputs in $GITHUB_OUTPUT."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import pytest

from agent_job_status.runner import Runner

from .test_action import parse_outputs

HEREDOC = re.compile(r"^(\w+)<<(ghadelimiter_[0-9a-f]{32})$")


def test_output_delimiters_are_random_per_value_and_per_call(tmp_path: Path) -> None:
    """A fixed (or once-per-call) delimiter is one a value from GitHub could end early."""
    path = tmp_path / "output.txt"
    runner = Runner({"GITHUB_OUTPUT": str(path)}, io.StringIO())
    assert runner.set_outputs({"status": "completed", "title": "a\nb"})
    assert runner.set_outputs({"status": "merged", "title": "c"})
    lines = path.read_text().splitlines()
    opened = [m.group(2) for line in lines if (m := HEREDOC.match(line))]
    assert len(opened) == 4 and len(set(opened)) == 4
    assert all(line in opened for line in lines if line.startswith("ghadelimiter_"))
    assert parse_outputs(path.read_text()) == {"status": "merged", "title": "c"}


def test_a_value_holding_a_delimiter_like_line_stays_one_value(tmp_path: Path) -> None:
    path = tmp_path / "output.txt"
    runner = Runner({"GITHUB_OUTPUT": str(path)}, io.StringIO())
    hostile = "x\nghadelimiter_0123456789abcdef0123456789abcdef\nstatus<<EOF\nmerged\nEOF"
    runner.set_outputs({"title": hostile, "status": "failed"})
    assert parse_outputs(path.read_text()) == {"title": hostile, "status": "failed"}


def actions_runner(tmp_path: Path) -> tuple[Runner, io.StringIO]:
    out = io.StringIO()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    return Runner(env, out), out


def test_command_data_and_properties_are_escaped(tmp_path: Path) -> None:
    runner, out = actions_runner(tmp_path)
    runner.error("line one\nline two\r100%", title="a: b, c")
    assert out.getvalue() == "::error title=a%3A b%2C c::line one%0Aline two%0D100%25\n"


def test_a_secret_matching_our_command_prefix_does_not_hide_the_command(tmp_path: Path) -> None:
    runner, out = actions_runner(tmp_path)
    runner.mask("::warning")  # 9 characters: a secret worth masking
    out.truncate(0)
    out.seek(0)
    runner.warning("see ::warning here")
    assert out.getvalue() == "::warning::see *** here\n"


def test_the_summary_is_redacted_too(tmp_path: Path) -> None:
    runner, _ = actions_runner(tmp_path)
    runner.mask("s3cr3t-value-123")
    runner.append_summary("token: s3cr3t-value-123")
    assert (tmp_path / "summary.md").read_text() == "token: ***\n"


def test_an_untrusted_block_cannot_end_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The block's end token is random; a line that guesses it right is still inert."""
    monkeypatch.setattr(secrets, "token_hex", lambda n=16: "f" * (2 * n))
    runner, out = actions_runner(tmp_path)
    runner.untrusted_block([f"::{'f' * 32}::", "::error::pwned"])
    lines = out.getvalue().splitlines()
    end = f"::{'f' * 32}::"
    assert lines == [f"::stop-commands::{'f' * 32}", "::[token]::", "::error::pwned", end]
