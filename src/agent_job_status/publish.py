"""Publishing reports: step outputs, the full log file, the job summary.

The writing edge for the runner's files. GitHub's limits are enforced here:
the `log` output is cut to `log_max_bytes` (the whole log goes to a file),
and all outputs together stay under 1 MB whatever any field holds; when
something had to be left out, every full report goes to `reports_path`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from agent_job_status.report import Report, combined_outputs, worst
from agent_job_status.runner import Runner
from agent_job_status.settings import Gate, Publishing
from agent_job_status.status import Status
from agent_job_status.text import neutral

OUTPUTS_LIMIT = 1_000_000  # bytes: GitHub's cap on a job's outputs in all
PATH_ROOM = 4_096  # bytes kept for the `reports_file` output's path
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


def write_log_files(
    reports: list[Report], settings: Publishing, warn: Callable[[str], None]
) -> list[Report]:
    """Write each job's whole log under the workspace; note the path in `log_file`.
    A log that cannot be written (a directory or file in the way) is warned
    about and left out: it never costs the status and outputs."""
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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(report.log, encoding="utf-8", errors="replace")
        except OSError as exc:
            warn(f"log_path: could not write {neutral(relative, 200)} ({exc.strerror or exc})")
            written.append(report)
            continue
        written.append(replace(report, log_file=relative))
    return written


def outputs_for(reports: list[Report], settings: Publishing) -> tuple[dict[str, str], list[str]]:
    """Every output, logs cut, within GitHub's 1 MB for a job's outputs; and a
    note for each thing left out to fit (`publish` then writes every full
    report to `reports_path`, so nothing is lost).

    In order, until the outputs fit: `jobs` leaves out the logs (each is in
    its log_file), then the file lists (the worst job's are in
    changed_files); then, when `jobs` is still the larger part (many jobs),
    it keeps only ids and statuses; then the longest text field of any report
    is cut (to half, never below `MIN_FIELD` characters, with a visible
    marker; the log keeps its tail), so every output built from it, JSON
    included, stays whole; then the worst job's file list is halved; last,
    `jobs` keeps only ids and statuses.
    """
    cut = [replace(r, log=cut_log(r.log, settings.log_max_bytes)) for r in reports]
    originals = {(i, name): getattr(r, name) for i, r in enumerate(reports) for name in _TEXT}
    level, notes, cut_names = 0, list[str](), set[str]()
    outputs = _outputs(cut, level)
    while _size(outputs) > _FITS and level < len(_JOBS_LEAVE_OUT):
        level += 1
        outputs = _outputs(cut, level)
        notes.append(
            f"The 'jobs' output leaves out the jobs' {_JOBS_LEAVE_OUT[level - 1][0]} to stay "
            "under GitHub's 1 MB for a job's outputs"
        )
    if _size(outputs) > _FITS and 2 * _size({"jobs": outputs["jobs"]}) > _size(outputs):
        level = COMPACT  # many jobs: their full reports are in the reports file
        outputs = _outputs(cut, level)
    while _size(outputs) > _FITS and _cut_longest(cut, originals, cut_names):
        outputs = _outputs(cut, level)
    if cut_names:
        notes.append(f"Outputs cut to stay under GitHub's 1 MB: {', '.join(sorted(cut_names))}")
    # Past the levels above, `jobs` holds no file list: only the worst job's counts.
    shown = cut.index(worst(cut))
    count = len(cut[shown].changed_files)
    while _size(outputs) > _FITS and cut[shown].changed_files:
        files = cut[shown].changed_files
        cut[shown] = replace(cut[shown], changed_files=files[: len(files) // 2])
        outputs = _outputs(cut, level)
    if len(cut[shown].changed_files) < count:
        notes.append(
            f"changed_files of job {neutral(cut[shown].id, 80)} cut to its first "
            f"{len(cut[shown].changed_files):,} of {count:,} files to stay under GitHub's 1 MB"
        )
    if _size(outputs) > _FITS and level != COMPACT:
        level = COMPACT
        outputs = _outputs(cut, level)
    if level == COMPACT:
        notes.append("The 'jobs' output holds only ids and statuses to stay under 1 MB")
    return outputs, notes


# What `jobs` leaves out, one step at a time, to fit.
_JOBS_LEAVE_OUT: tuple[tuple[str, dict[str, Any]], ...] = (
    ("logs", {"log": ""}),
    ("changed files", {"log": "", "changed_files": []}),
)
COMPACT = len(_JOBS_LEAVE_OUT) + 1  # the level at which `jobs` holds only ids and statuses
_FITS = OUTPUTS_LIMIT - PATH_ROOM
# Report fields that are text (cut, largest first, when an output is huge).
_TEXT = tuple(f.name for f in fields(Report) if f.type in ("str", "str | None"))
MIN_FIELD = 1_000  # characters a text field keeps when cut
FIELD_CUT_MARKER = (
    "… [agent-job-status: cut to its first {kept:,} of {total:,} characters to fit "
    "GitHub's 1 MB for outputs]"
)


def _outputs(reports: list[Report], level: int) -> dict[str, str]:
    if level == COMPACT:
        jobs = [{"id": r.id, "status": r.status.value} for r in reports]
        return combined_outputs(reports, json.dumps(jobs, ensure_ascii=False))
    if level:
        blank = _JOBS_LEAVE_OUT[level - 1][1]
        jobs = [{**r.to_dict(), **blank} for r in reports]
        return combined_outputs(reports, json.dumps(jobs, ensure_ascii=False))
    return combined_outputs(reports)


def _cut_longest(
    reports: list[Report], originals: dict[tuple[int, str], Any], cut_fields: set[str]
) -> bool:
    """Cut every text field to half the longest one that can still shrink (not
    below MIN_FIELD): the largest are cut first, few rebuilds. False: none can."""
    for longest in sorted({len(getattr(r, n) or "") for r in reports for n in _TEXT}, reverse=True):
        if longest <= MIN_FIELD:
            return False
        cap = max(MIN_FIELD, longest // 2)
        shrunk = False
        for index, report in enumerate(reports):
            changes: dict[str, Any] = {}
            for name in _TEXT:
                value = getattr(report, name) or ""
                if len(value) > cap:
                    new = _cut_text(name, originals[(index, name)], cap)
                    if len(new) < len(value):
                        changes[name] = new
            if changes:
                reports[index] = replace(report, **changes)
                cut_fields.update(changes)
                shrunk = True
        if shrunk:
            return True
    return False


def _cut_text(name: str, original: str, keep: int) -> str:
    if name == "log":
        return cut_log(original, keep)  # the tail is what tells why a job failed
    return original[:keep] + FIELD_CUT_MARKER.format(kept=keep, total=len(original))


def _size(outputs: dict[str, str]) -> int:
    return sum(len(k) + len(v.encode("utf-8", errors="replace")) for k, v in outputs.items())


def write_reports_file(reports: list[Report], settings: Publishing) -> str:
    """Every full report, as the `jobs` output would hold them, in one JSON file
    under the workspace; its relative path ("" when `reports_path` is empty)."""
    if not settings.reports_path:
        return ""
    root = settings.workspace.resolve()
    path = (root / settings.reports_path).resolve()
    if root not in path.parents:  # checked as an input; this is a second lock
        return ""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="replace") as out:
        json.dump([r.to_dict() for r in reports], out, ensure_ascii=False)
    return settings.reports_path


def publish(reports: list[Report], settings: Publishing, runner: Runner) -> list[Report]:
    """Write the log files, outputs and summary; returns reports with `log_file` set."""
    reports = write_log_files(reports, settings, runner.warning)
    outputs, notes = outputs_for(reports, settings)
    if notes:  # something was left out of the outputs: nothing is lost
        try:
            written = write_reports_file(reports, settings)
        except OSError as exc:
            runner.warning(f"reports_path: could not write it ({exc.strerror or exc})")
            written = ""
        outputs["reports_file"] = written
        notes.append(
            f"Every full report is in {neutral(written, 200)} (the reports_file output)"
            if written
            else "The full reports were not written: "
            + ("reports_path is empty" if not settings.reports_path else "see the warning")
        )
    runner.set_outputs(outputs)
    for note in notes:
        runner.notice(note)
    if settings.summary:
        from agent_job_status.render import render_summary  # Jinja2: only for a summary

        runner.append_summary(render_summary(reports, settings.summary_template))
    return reports


def exit_code(reports: list[Report], gate: Gate) -> int:
    """1 when a job ended in a `fail_on` status; else 3 when a job's status is
    unknown (it may be anything, so neither a pass nor a timeout speaks for
    it); else 1 when the wait timed out; else 0."""
    if any(r.status in gate.fail_on for r in reports):
        return 1
    if any(r.status is Status.UNKNOWN for r in reports):
        return 3
    if gate.fail_on_timeout and any(r.timed_out for r in reports):
        return 1
    return 0
