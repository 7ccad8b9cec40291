"""The report: what `resolve` says about one agent job, and its views.

The views are the public contract: `outputs()` gives the action's step
outputs, `popebot()` and `mintlify()` the exact response shapes of the two
reference job-status APIs, `to_dict()` the whole report (the `json` output).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from agent_job_status.status import Lifecycle, Status


def iso(moment: datetime | None) -> str | None:
    """GitHub's timestamp form: UTC, seconds, trailing Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Report:
    id: str
    status: Status
    reason: str
    branch: str
    source_repository: str
    branch_exists: bool | None = None
    branch_url: str | None = None
    pr_url: str | None = None
    pr_number: int | None = None
    pr_state: str | None = None  # open | closed | merged
    pr_title: str | None = None
    merge_commit_sha: str | None = None  # only once merged
    head_sha: str | None = None  # the branch's last commit, else the PR's or run's head
    run_url: str | None = None
    run_id: int | None = None
    run_attempt: int | None = None
    run_status: str | None = None
    conclusion: str | None = None
    log: str = ""
    log_source: str = ""
    changed_files: tuple[str, ...] = ()
    model: str | None = None
    title: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None
    current_step: str | None = None
    steps_completed: int | None = None
    steps_total: int | None = None
    timed_out: bool = False
    cancelled: bool = False  # the wait was cancelled (SIGINT/SIGTERM): not a final status
    log_file: str | None = None
    # Details that could not be read, as "detail: reason" (e.g. "log: expired");
    # the status stands without them. See README, "Missing details".
    missing: tuple[str, ...] = ()
    generation: int | None = None  # thepopebot's generation (1: job/ + Actions, 2: agent-job/)
    merged_logs_only: bool = False  # failed although merged: the PR carried only its logs
    # Which agent's profile decided (issue 16); label = icon and name, shown in
    # the summary heading ("" for the default thepopebot engine).
    agent: str = "popebot"
    agent_label: str = ""
    compare_url: str | None = None  # a "Create PR" link when the agent opens no PR

    @property
    def source_ref(self) -> str:
        return self.branch

    @property
    def lifecycle(self) -> Lifecycle | None:
        return self.status.lifecycle

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready values (times as ISO strings)."""
        # Shallow (no nested dataclasses): `asdict` deep-copies every file list.
        lifecycle = self.lifecycle
        # `lifecycle` is derived from the status, and listed right after it.
        data: dict[str, Any] = {
            "id": self.id,
            "status": self.status.value,
            "lifecycle": lifecycle.value if lifecycle is not None else None,
        }
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = iso(value)
            elif isinstance(value, tuple):
                value = list(value)
            data.setdefault(name, value)
        data["source_ref"] = self.source_ref
        return data

    def popebot(self) -> dict[str, Any]:
        """Exactly the job status API's response body."""
        return {
            "status": self.status.traits.popebot,
            "branch": self.branch,
            "pr_url": self.pr_url,
            "run_url": self.run_url,
            "log": self.log,
            "changed_files": list(self.changed_files),
        }

    def mintlify(self) -> dict[str, Any]:
        """Exactly the agent job API's response body (lifecycle vocabulary)."""
        return {
            "id": self.id,
            "status": self.lifecycle.value if self.lifecycle is not None else None,
            "source": {"repository": self.source_repository, "ref": self.source_ref},
            "model": self.model,
            "prLink": self.pr_url,
            "createdAt": iso(self.created_at),
            "archivedAt": iso(self.archived_at),
        }

    def outputs(self) -> dict[str, str]:
        """The step outputs: every value a string, as the runner stores them."""
        data = self.to_dict()
        out: dict[str, str] = {}
        for name in OUTPUT_FIELDS:
            out[name] = output_text(data.get(name))
        out["changed_files"] = json.dumps(list(self.changed_files))
        out["json"] = json.dumps(data, ensure_ascii=False)
        return out


# `fields()` once: `to_dict` runs for every job of every look.
_FIELD_NAMES = tuple(f.name for f in fields(Report))

# Output names written for one report, in the order docs/design.md lists them.
# `json` and `jobs` are added by `outputs()` and `combined_outputs()`.
OUTPUT_FIELDS = (
    "status", "branch", "pr_url", "run_url", "log", "changed_files",
    "id", "lifecycle", "model", "title", "source_repository", "source_ref",
    "created_at", "archived_at", "pr_number", "pr_state", "run_id", "run_attempt",
    "conclusion", "reason", "current_step", "steps_completed", "steps_total",
    "timed_out", "log_file", "merge_commit_sha", "head_sha",
)  # fmt: skip


def output_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def worst(reports: list[Report]) -> Report:
    """The report that speaks for a set of jobs (the most severe status)."""
    if not reports:
        raise ValueError("no reports")
    return min(reports, key=lambda r: r.status.traits.severity)


def combined_outputs(reports: list[Report], jobs: str | None = None) -> dict[str, str]:
    """Outputs for one or several jobs: the worst job's fields, plus `jobs`
    (every whole report, unless the caller gives a smaller form)."""
    out = worst(reports).outputs()
    if len(reports) > 1:
        out["timed_out"] = output_text(any(r.timed_out for r in reports))
    if jobs is None:
        jobs = json.dumps([r.to_dict() for r in reports], ensure_ascii=False)
    out["jobs"] = jobs
    out["reports_file"] = ""  # set by `publish` when the outputs cannot hold every report
    return out
