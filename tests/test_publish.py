"""Publishing within GitHub's limits: the log output cut, outputs under 1 MB."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from agent_job_status.errors import InputError
from agent_job_status.publish import OUTPUTS_LIMIT, cut_log, exit_code, outputs_for, publish
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.samples import sample_report
from agent_job_status.settings import Gate, from_inputs

from .test_action import parse_outputs


def test_cut_log_keeps_the_tail_within_the_budget() -> None:
    log = "".join(f"line {i} — é\n" for i in range(10_000))
    cut = cut_log(log, 4096)
    assert len(cut.encode()) <= 4096
    assert cut.startswith("[agent-job-status: log cut") and cut.endswith("line 9999 — é\n")
    assert cut_log("short", 4096) == "short"
    assert cut_log(log, 0) == ""


def test_outputs_stay_under_one_megabyte(tmp_path: Path) -> None:
    files = tuple(f"src/module_{i:04}/file_with_a_long_name_{i}.py" for i in range(3000))
    log = "x" * 200_000
    reports = [
        replace(sample_report("completed"), id=f"job-{n}", log=log, changed_files=files)
        for n in range(30)
    ]
    settings = from_inputs(
        {"job_id": "a", "repository": "acme/agents"}, {"GITHUB_WORKSPACE": str(tmp_path)}
    )
    outputs, notes = outputs_for(reports, settings.publish)
    size = sum(len(k) + len(v.encode()) for k, v in outputs.items())
    assert size <= OUTPUTS_LIMIT
    jobs = json.loads(outputs["jobs"])
    assert [j["id"] for j in jobs] == [f"job-{n}" for n in range(30)]  # every job still there
    assert len(json.loads(outputs["changed_files"])) == 3000
    assert len(outputs["log"].encode()) <= 65536
    assert len(notes) == 2 and "1 MB" in notes[-1]  # said, not silent
    assert outputs_for(reports[:1], settings.publish)[1] == []


def _total(outputs: dict[str, str]) -> int:
    return sum(len(k) + len(v.encode()) for k, v in outputs.items())


def test_a_huge_title_and_model_are_cut_with_a_marker_largest_first(tmp_path: Path) -> None:
    report = replace(
        sample_report("failed"), title="t" * 1_000_000, model="m" * 1_000_000, reason="short"
    )
    settings = from_inputs(
        {"job_id": "a", "repository": "acme/agents"}, {"GITHUB_WORKSPACE": str(tmp_path)}
    )
    outputs, notes = outputs_for([report], settings.publish)
    assert _total(outputs) <= OUTPUTS_LIMIT
    for name in ("title", "model"):
        assert outputs[name].endswith("characters to fit GitHub's 1 MB for outputs]")
        assert "of 1,000,000 characters" in outputs[name]
        assert json.loads(outputs["json"])[name] == outputs[name]  # JSON stays whole
    assert outputs["reason"] == "short" and outputs["status"] == "failed"
    assert any("title" in n and "model" in n for n in notes)


def test_outputs_fit_whatever_every_field_holds(tmp_path: Path) -> None:
    big = "é" * 400_000
    report = replace(
        sample_report("running"),
        **{name: big for name in ("title", "model", "pr_title", "reason", "current_step")},
        log=big,
        log_source=big,
        changed_files=tuple(f"{i}-{'f' * 200}" for i in range(6_000)),
    )
    settings = from_inputs(
        {"job_id": "a", "repository": "acme/agents"}, {"GITHUB_WORKSPACE": str(tmp_path)}
    )
    outputs, notes = outputs_for([report, replace(report, id="b")], settings.publish)
    assert _total(outputs) <= OUTPUTS_LIMIT
    assert notes and all(json.loads(outputs[n]) is not None for n in ("json", "jobs"))


def test_one_job_in_a_fail_on_status_fails_the_step() -> None:
    done, failed = sample_report("completed"), sample_report("failed")
    late = replace(sample_report("running"), timed_out=True)
    gate = Gate(fail_on=frozenset({"failed"}), fail_on_timeout=False)
    assert exit_code([done, failed], gate) == 1
    assert exit_code([done, done], gate) == 0
    assert exit_code([done, late], gate) == 0
    assert exit_code([done, late], replace(gate, fail_on_timeout=True)) == 1


def test_cut_log_at_the_exact_budget() -> None:
    log = "é" * 3000  # 6000 bytes, two per character
    assert cut_log(log[:2048], 4096) == log[:2048]  # exactly the budget: kept whole
    for budget in (4095, 3000, 5999):
        cut = cut_log(log, budget)
        assert cut != log and len(cut.encode()) <= budget and cut.endswith("é")


# -- every full report in a file when the outputs cannot hold them (issue 14) ---------
def _published(tmp_path: Path, reports: list[Report], **inputs: str) -> tuple[dict[str, str], str]:
    settings = from_inputs(
        {"job_id": "a", "repository": "acme/agents", **inputs}, {"GITHUB_WORKSPACE": str(tmp_path)}
    )
    out = io.StringIO()
    runner = Runner({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(tmp_path / "out")}, out)
    publish(reports, settings.publish, runner)
    return parse_outputs((tmp_path / "out").read_text()), out.getvalue()


def test_every_full_report_goes_to_a_file_when_the_outputs_cannot_hold_them(
    tmp_path: Path,
) -> None:
    files = tuple(f"src/module_{i:04}/file_with_a_long_name_{i}.py" for i in range(3000))
    reports = [
        replace(sample_report("completed"), id=f"job-{n}", log="x" * 200_000, changed_files=files)
        for n in range(30)
    ]
    outputs, log = _published(tmp_path, reports)
    assert _total(outputs) <= OUTPUTS_LIMIT
    assert outputs["reports_file"] == ".agent-job-status/reports.json"
    full = json.loads((tmp_path / outputs["reports_file"]).read_text())
    assert [r["id"] for r in full] == [f"job-{n}" for n in range(30)]
    assert all(len(r["log"]) == 200_000 and len(r["changed_files"]) == 3000 for r in full)
    whole = {**json.loads(reports[0].outputs()["json"]), "log_file": ".agent-job-status/job-0.log"}
    assert full[0] == whole  # the `json` output, nothing cut
    assert "::notice::Every full report is in .agent-job-status/reports.json" in log


def test_no_reports_file_when_the_outputs_hold_everything(tmp_path: Path) -> None:
    outputs, log = _published(tmp_path, [sample_report("failed"), sample_report("completed")])
    assert outputs["reports_file"] == ""
    assert not (tmp_path / ".agent-job-status" / "reports.json").exists()
    assert "::notice" not in log


def test_an_empty_reports_path_is_said_not_silent(tmp_path: Path) -> None:
    report = replace(sample_report("completed"), title="t" * 2_000_000)
    outputs, log = _published(tmp_path, [report], reports_path="")
    assert outputs["reports_file"] == "" and _total(outputs) <= OUTPUTS_LIMIT
    assert "The full reports were not written: reports_path is empty" in log


def test_a_log_or_reports_file_that_cannot_be_written_costs_no_status(tmp_path: Path) -> None:
    """A directory where a job's log goes, a file where the reports' folder goes:
    warned about, left out; the outputs are all written (found by Hypothesis
    in tests/test_bad_input.py: an internal error, exit 3, before)."""
    (tmp_path / "logs" / "job-1.log").mkdir(parents=True)
    (tmp_path / "taken").write_text("a file, not a folder")
    big = replace(sample_report("completed"), title="t" * 600_000)  # past 1 MB: the file
    reports = [replace(big, id=f"job-{n}") for n in (0, 1)]
    outputs, log = _published(
        tmp_path, reports, log_path="logs/{job_id}.log", reports_path="taken/reports.json"
    )
    assert json.loads(outputs["jobs"])[0]["log_file"] == "logs/job-0.log"
    assert not json.loads(outputs["jobs"])[1]["log_file"]
    assert "::warning::log_path: could not write logs/job-1.log (Is a directory)" in log
    assert "::warning::reports_path: could not write it (" in log
    assert outputs["status"] == "completed" and outputs["reports_file"] == ""
    assert "The full reports were not written: see the warning" in log


@pytest.mark.parametrize("name", ["log_path", "reports_path"])
def test_a_path_that_names_a_directory_is_bad_input(tmp_path: Path, name: str) -> None:
    (tmp_path / "0").mkdir()
    with pytest.raises(InputError, match=f"Input '{name}': names a directory in the workspace"):
        from_inputs(
            {"job_id": "a", "repository": "acme/agents", name: "0"},
            {"GITHUB_WORKSPACE": str(tmp_path)},
        )


@pytest.mark.parametrize("count", [200, 5_000])
def test_outputs_fit_at_any_job_count(tmp_path: Path, count: int) -> None:
    """Realistic jobs (a PR of 40 files, a 20 kB log each), as many as a wait may follow."""
    files = tuple(f"src/pkg/module_{i}.py" for i in range(40))
    base = replace(sample_report("completed"), log="line of agent output\n" * 1_000)
    reports = [replace(base, id=f"job-{n:05}", changed_files=files) for n in range(count)]
    outputs, _ = _published(tmp_path, reports, summary="false")  # rows: test_render
    assert _total(outputs) <= OUTPUTS_LIMIT
    assert len(json.loads(outputs["jobs"])) == count  # every job is still listed
    full = json.loads((tmp_path / outputs["reports_file"]).read_text())
    assert len(full) == count and full[-1]["changed_files"] == list(files)
