"""Realistic sample reports, for template previews, golden files and screenshots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from agent_job_status.errors import ConfigError
from agent_job_status.report import Report
from agent_job_status.status import WORDS, Status, status_of

SAMPLE_REPOSITORY = "acme/agents"
SAMPLE_ID = "3f2b8c1e-9d4a-4c7b-a6e2-1b5d9f0c7a34"
SAMPLE_NOW = datetime(2025, 1, 15, 10, 30, 0, tzinfo=UTC)
_T0 = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)
_GH = f"https://github.com/{SAMPLE_REPOSITORY}"
_SAMPLE_FILES = (
    "src/webhooks/sender.py",
    "src/webhooks/retry.py",
    "tests/test_retry.py",
    "docs/webhooks.md",
)
_SAMPLE_LOG = "\n".join(
    [
        "2025-01-15T10:01:05Z Starting agent (model claude-sonnet-4)",
        "2025-01-15T10:01:09Z Reading src/webhooks/sender.py",
        "2025-01-15T10:03:40Z Writing src/webhooks/retry.py",
        "2025-01-15T10:08:12Z Running pytest: 48 passed",
        "2025-01-15T10:09:30Z Committed 3 files to job/" + SAMPLE_ID,
    ]
)
_FAILED_LOG = "\n".join(
    [
        "2025-01-15T10:01:05Z Starting agent (model claude-sonnet-4)",
        "2025-01-15T10:03:40Z Writing src/webhooks/retry.py",
        "2025-01-15T10:08:12Z Running pytest",
        "FAILED tests/test_retry.py::test_backoff_caps_at_max - AssertionError: 64 != 30",
        "2025-01-15T10:09:30Z Error: tests failed, giving up after 3 attempts",
    ]
)


def sample_report(status: str) -> Report:
    """A realistic report for `status` (a status word), for previews."""
    if status not in WORDS:
        raise ConfigError(f"Unknown status '{status}': expected one of {', '.join(WORDS)}")
    branch = f"job/{SAMPLE_ID}"
    base = Report(
        id=SAMPLE_ID,
        status=status_of(status),
        reason="",
        branch=branch,
        source_repository=SAMPLE_REPOSITORY,
        branch_exists=True,
        branch_url=f"{_GH}/tree/{branch}",
        run_url=f"{_GH}/actions/runs/12873409561",
        run_id=12873409561,
        run_attempt=1,
        model="claude-sonnet-4",
        title="Add retry with exponential backoff to the webhook sender",
        created_at=_T0,
        log_source=f"logs/{SAMPLE_ID}/session.jsonl",
    )
    done = _T0 + timedelta(minutes=9, seconds=48)
    started = _T0 + timedelta(seconds=12)
    if status == "pending":
        return replace(base, run_status="queued", log_source="")
    if status == "running":
        return replace(
            base,
            run_status="in_progress",
            started_at=started,
            current_step="Run agent",
            steps_completed=3,
            steps_total=7,
            log="\n".join(_SAMPLE_LOG.splitlines()[:3]),
        )
    finished = replace(
        base,
        run_status="completed",
        conclusion="success",
        started_at=started,
        finished_at=done,
        steps_completed=7,
        steps_total=7,
        changed_files=_SAMPLE_FILES,
        log=_SAMPLE_LOG,
        pr_url=f"{_GH}/pull/42",
        pr_number=42,
        pr_title="Add retry with exponential backoff to the webhook sender",
        pr_state="open",
    )
    if status == "completed":
        return finished
    if status == "failed":
        return replace(
            finished,
            reason="failure",
            conclusion="failure",
            log=_FAILED_LOG,
            steps_completed=5,
        )
    if status == "merged":
        merged = done + timedelta(minutes=4, seconds=30)
        return replace(
            finished,
            pr_state="merged",
            branch_exists=False,
            merged_at=merged,
            closed_at=merged,
            archived_at=merged,
        )
    if status == "closed":
        closed = done + timedelta(hours=2, minutes=5)
        return replace(finished, pr_state="closed", closed_at=closed, archived_at=closed)
    nothing = Report(
        id=SAMPLE_ID,
        status=Status.NOT_FOUND,
        reason="",
        branch=branch,
        source_repository=SAMPLE_REPOSITORY,
        branch_exists=False,
    )
    if status == "unknown":  # the newest run was listed unreadable: nothing else is known
        return replace(
            nothing,
            status=Status.UNKNOWN,
            reason="unreadable_run",
            branch_exists=None,
            branch_url=f"{_GH}/tree/{branch}",
        )
    return nothing
