"""The runner's file commands: step outputs in $GITHUB_OUTPUT."""

from __future__ import annotations

import io
import re
from pathlib import Path

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
