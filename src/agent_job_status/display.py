"""Short human words for a report, shared by the step log and the terminal view."""

from __future__ import annotations

from agent_job_status.report import Report
from agent_job_status.status import Status
from agent_job_status.text import neutral


def describe(report: Report) -> str:
    """`status` plus the step while running; untrusted names neutralised."""
    text = report.status.value
    if report.reason:
        text += f" ({neutral(report.reason, 60)})"
    if report.status is Status.RUNNING and report.steps_total:
        step = min((report.steps_completed or 0) + 1, report.steps_total)
        name = neutral(report.current_step or "", 120)
        text += f", step {step}/{report.steps_total}" + (f": {name}" if name else "")
    return text


def elapsed_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
