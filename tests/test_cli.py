"""The CLI's other commands: `demo` and `render`, and its one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent_job_status.cli import main
from agent_job_status.demo import NO_SIMULATOR


def test_demo_follows_the_job_to_merged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--speed", "20"]) == 0
    captured = capsys.readouterr()
    assert "status             merged" in captured.out
    assert "## 🟣 Agent job `demo-1` — merged" in captured.out
    assert "] pending" in captured.err and "] merged" in captured.err


def test_demo_of_a_failed_job_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", "failed"]) == 1
    assert "status             failed" in capsys.readouterr().out


def test_demo_without_the_simulator_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in the action image, which does not ship the simulator package."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setitem(sys.modules, "github_simulator", None)  # import -> ModuleNotFoundError
    assert main(["demo", "--speed", "20"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [f"error: {NO_SIMULATOR}"]
    assert "action image" in NO_SIMULATOR and captured.out == ""


@pytest.mark.parametrize("status", ["pending", "running", "failed", "merged", "not_found"])
def test_render_previews_the_defaults(status: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--sample", status]) == 0
    assert capsys.readouterr().out.startswith("## ")
    assert main(["render", "--kind", "comment", "--sample", status]) == 0
    assert capsys.readouterr().out.startswith("<!-- agent-job-status:")


def test_render_a_custom_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.md.j2"
    good.write_text(
        "Job {{ report.id | code }} is {{ report.status }} {{ report.status | emoji }}\n"
    )
    assert main(["render", "--template", str(good), "--sample", "failed"]) == 0
    assert "is failed ❌" in capsys.readouterr().out
    bad = tmp_path / "bad.md.j2"
    bad.write_text("line 1\nline 2\n{{ report.nope }}\n")
    assert main(["render", "--template", str(bad), "--sample", "failed"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.md.j2" in err[0] and "line 3" in err[0]


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["status", "--format", "yaml", "x"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_status_needs_a_job(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["status", "--repo", "acme/agents"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: JOB_ID: give at least one JOB_ID, or --all"]
