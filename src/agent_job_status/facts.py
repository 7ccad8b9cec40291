"""What GitHub says about one agent job, as plain immutable values.

These are the only input of `resolve`. A `FactSource` (engine.py) fills
them; `github.source.GitHubFacts` is the one that reads GitHub.
Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class BranchFact:
    name: str
    sha: str
    committed_at: datetime | None = None
    message: str = ""  # the head commit's message (thepopebot marks failure there)
    parent: str = ""  # the head commit's first parent


@dataclass(frozen=True)
class StepFact:
    number: int
    name: str
    status: str
    conclusion: str | None = None


@dataclass(frozen=True)
class JobFact:
    """One job of a workflow run (GitHub's 'job', not our agent job)."""

    id: int
    name: str
    status: str
    conclusion: str | None = None
    steps: tuple[StepFact, ...] = ()


@dataclass(frozen=True)
class RunFact:
    id: int
    attempt: int
    status: str
    conclusion: str | None
    html_url: str
    workflow_path: str = ""
    head_sha: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    jobs: tuple[JobFact, ...] = ()


@dataclass(frozen=True)
class PullFact:
    number: int
    state: str  # "open" | "closed" as GitHub says; merged is separate
    merged: bool
    html_url: str
    title: str = ""
    body: str = ""
    head_sha: str = ""
    # GitHub sets this for open PRs too (a test merge); it means a merge only when `merged`.
    merge_commit_sha: str = ""
    created_at: datetime | None = None
    closed_at: datetime | None = None
    merged_at: datetime | None = None


@dataclass(frozen=True)
class JobConfig:
    """The job's config in `logs/<job_id>/` (see `thepopebot.CONFIG_FILES`), the fields we use."""

    model: str | None = None
    title: str | None = None
    file: str = ""  # which file it came from ("" when none was found)


@dataclass(frozen=True)
class JobFacts:
    job_id: str
    repository: str
    branch_name: str
    server_url: str = "https://github.com"
    # None with branch_checked=False means "not asked": a run or PR said enough.
    branch: BranchFact | None = None
    branch_checked: bool = True
    run: RunFact | None = None
    pull: PullFact | None = None
    changed_files: tuple[str, ...] = ()
    log: str = ""
    log_source: str = ""
    config: JobConfig = field(default_factory=JobConfig)
    # Details that could not be read: (detail, reason), e.g. ("log", "expired");
    # the words are `github.answers.MISSING_REASONS`'s. The status never depends on them.
    missing: tuple[tuple[str, str], ...] = ()
    # Read only when no agent run says enough (see `github.marks`):
    generation: int | None = None  # thepopebot's 1 or 2, when the status needs it
    failed_mark: bool = False  # a "🤖 Agent Job: … (failed)" commit on the branch
    logs_only: bool = False  # the merged PR changed nothing outside logs/<id>/
    # "run" or "pull_request" when GitHub listed an item of that kind that may
    # be the job's newest but lacks what a status needs (e.g. `status: null`).
    unreadable: str = ""


# What each `JobFacts.unreadable` kind is called in words (messages, summary).
UNREADABLE_ITEMS = {"run": "workflow run", "pull_request": "pull request"}
