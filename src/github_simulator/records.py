"""The simulator's records: commits, file changes, runs with attempts, jobs and steps,
pull requests, comments, issues, timeline events, token permissions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

RUN_STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
DEFAULT_JOBS: dict[str, list[str]] = {"agent": ["Set up job", "Run agent", "Complete job"]}


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


@dataclass
class CommitObj:
    """A commit: a full snapshot of the tree (path -> blob sha)."""

    sha: str
    tree: dict[str, str]
    tree_sha: str
    parents: list[str]
    message: str
    timestamp: datetime
    author: str = "github-actions[bot]"


@dataclass
class FileChange:
    """One file of a diff between two trees."""

    filename: str
    status: str  # added | removed | modified
    sha: str
    additions: int
    deletions: int
    patch: str | None


@dataclass
class StepState:
    number: int
    name: str
    status: str = "queued"
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    log: str | None = None


@dataclass
class JobState:
    id: int
    name: str
    steps: list[StepState]
    created_at: datetime
    status: str = "queued"
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class RunAttempt:
    number: int
    status: str
    created_at: datetime
    updated_at: datetime
    run_started_at: datetime
    jobs: list[JobState]
    conclusion: str | None = None


@dataclass
class RunState:
    id: int
    workflow_file: str
    workflow_id: int
    name: str
    run_number: int
    head_branch: str
    head_sha: str
    event: str
    created_at: datetime
    job_spec: dict[str, list[str]]
    attempts: list[RunAttempt] = field(default_factory=list)
    # How GitHub answers for this run, settable by a scenario:
    logs_gone: int | None = None  # 404 or 410: the logs expired or were deleted
    log_layout: str = "steps"  # "steps": per-step and job files; "jobs": job files only
    status_null: bool = False  # lists and reads say `"status": null` (OpenAPI allows it)
    path: str | None = None  # e.g. dynamic/copilot-swe-agent/copilot; else the workflow file's
    display_title: str | None = None  # else the head commit's first line

    @property
    def latest(self) -> RunAttempt:
        return self.attempts[-1]


@dataclass
class PullRequestState:
    number: int
    id: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    merged: bool = False
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    merge_commit_sha: str | None = None
    draft: bool = False


@dataclass
class CommentState:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime
    minimized: str | None = None  # GraphQL minimizeComment's classifier, once hidden


@dataclass
class IssueState:
    number: int
    title: str
    user: str
    created_at: datetime
    state: str = "open"


@dataclass
class TimelineEvent:
    id: int
    event: str  # e.g. copilot_work_started
    actor: str
    created_at: datetime
    app: str | None = None  # performed_via_github_app slug


@dataclass
class Permissions:
    actions: bool = True
    contents: bool = True
    pull_requests: bool = True
    pull_requests_write: bool = True
