"""Publishing reports: step outputs, the full log file, the job summary.

The writing edge for the runner's files. GitHub's limits are enforced here:
the `log` output is cut to `log_max_bytes` (the whole log goes to a file),
and all outputs together stay under 1 MB.
"""

from __future__ import annotations

import json
from dataclasses import replace

from agent_job_status.render import render_summary
from agent_job_status.report import Report, combined_outputs
from agent_job_status.runner import Runner
from agent_job_status.settings import Gate, Publishing

OUTPUTS_LIMIT = 1_000_000  # bytes: GitHub's cap on a job's outputs in all
LOG_CUT_MARKER = "[agent-job-status: log cut to its last {kept} of {total} bytes; see log_file]\n"


def cut_log(log: str, max_bytes: int) -> str:
    """The log's tail within `max_bytes` (UTF-8), with a visible marker when cut."""
    data = log.encode("utf-8", errors="replace")
    if len(data) <= max_bytes:
        return log
    marker = LOG_CUT_MARKER.format(kept=max_bytes, total=len(data))
    room = max(0, max_bytes - len(marker.encode()))
    tail = data[len(data) - room :].decode("utf-8", errors="ignore") if room else ""
    # Start at a line boundary when one is near, so no line is half shown.
    newline = tail.find("\n")
    if 0 <= newline < 200:
        tail = tail[newline + 1 :]
    return (marker + tail) if room else marker[:max_bytes]


def write_log_files(reports: list[Report], settings: Publishing) -> list[Report]:
    """Write each job's whole log under the workspace; note the path in `log_file`."""
    if not settings.log_path:
        return reports
    written = []
    root = settings.workspace.resolve()
    for report in reports:
        relative = settings.log_path.replace("{job_id}", report.id.replace("/", "_"))
        path = (root / relative).resolve()
        if root not in path.parents:  # ids are checked; this is a second lock
            written.append(report)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.log, encoding="utf-8", errors="replace")
        written.append(replace(report, log_file=relative))
    return written


def outputs_for(reports: list[Report], settings: Publishing) -> tuple[dict[str, str], list[str]]:
    """Every output, logs cut, within GitHub's 1 MB for a job's outputs; and a
    note for each thing left out to fit."""
    cut = [replace(r, log=cut_log(r.log, settings.log_max_bytes)) for r in reports]
    outputs = combined_outputs(cut)
    notes: list[str] = []
    # `jobs` repeats every report: drop its logs first (each is in its log_file),
    # then its file lists (the worst job's are in changed_files).
    for dropped, blank in (
        ("logs", {"log": ""}),
        ("changed files", {"log": "", "changed_files": []}),
    ):
        if _size(outputs) <= OUTPUTS_LIMIT:
            break
        outputs["jobs"] = json.dumps([{**r.to_dict(), **blank} for r in cut], ensure_ascii=False)
        notes.append(
            f"The 'jobs' output leaves out the jobs' {dropped} to stay under "
            f"GitHub's 1 MB for a job's outputs"
        )
    return outputs, notes


def _size(outputs: dict[str, str]) -> int:
    return sum(len(k) + len(v.encode("utf-8")) for k, v in outputs.items())


def publish(reports: list[Report], settings: Publishing, runner: Runner) -> list[Report]:
    """Write the log files, outputs and summary; returns reports with `log_file` set."""
    reports = write_log_files(reports, settings)
    outputs, notes = outputs_for(reports, settings)
    runner.set_outputs(outputs)
    for note in notes:
        runner.notice(note)
    if settings.summary:
        runner.append_summary(render_summary(reports, settings.summary_template))
    return reports


def exit_code(reports: list[Report], gate: Gate) -> int:
    """1 when a job ended in a `fail_on` status or the wait timed out, else 0."""
    if any(r.status in gate.fail_on for r in reports):
        return 1
    if gate.fail_on_timeout and any(r.timed_out for r in reports):
        return 1
    return 0
