"""GitHub's JSON, parsed into the fact types; and the shape checks that come first.

Every value is hostile text: a field of the wrong type reads as empty. A
list answer of the wrong shape is malformed (the client retries it); an
item that lacks an id or a status (`status: null`) is unreadable: it is
never turned into facts, and `items.newest` decides what it costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from agent_job_status.facts import BranchFact, JobFact, PullFact, RunFact, StepFact

HAS_STEPS = ("in_progress", "completed")  # a queued run has no steps to read yet


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def text_of(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def opt_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def run_fact(data: Mapping[str, Any], jobs: tuple[JobFact, ...] = ()) -> RunFact:
    return RunFact(
        id=int(data["id"]),
        attempt=int(data.get("run_attempt") or 1),
        status=text_of(data, "status"),
        conclusion=opt_text(data, "conclusion"),
        html_url=text_of(data, "html_url"),
        workflow_path=text_of(data, "path"),
        head_sha=text_of(data, "head_sha"),
        created_at=parse_time(data.get("created_at")),
        started_at=parse_time(data.get("run_started_at")),
        updated_at=parse_time(data.get("updated_at")),
        jobs=jobs,
    )


def job_fact(data: Mapping[str, Any]) -> JobFact:
    steps = tuple(
        StepFact(
            number=int(step.get("number") or 0),
            name=text_of(step, "name"),
            status=text_of(step, "status"),
            conclusion=opt_text(step, "conclusion"),
        )
        for step in data.get("steps") or []
        if isinstance(step, dict)
    )
    return JobFact(
        id=int(data["id"]),
        name=text_of(data, "name"),
        status=text_of(data, "status"),
        conclusion=opt_text(data, "conclusion"),
        steps=steps,
    )


def pull_fact(data: Mapping[str, Any]) -> PullFact:
    head = data.get("head") if isinstance(data.get("head"), dict) else {}
    merged_at = parse_time(data.get("merged_at"))
    return PullFact(
        number=int(data["number"]),
        state=text_of(data, "state"),
        merged=bool(data.get("merged")) or merged_at is not None,
        html_url=text_of(data, "html_url"),
        title=text_of(data, "title"),
        body=text_of(data, "body"),
        head_sha=text_of(head or {}, "sha"),
        merge_commit_sha=text_of(data, "merge_commit_sha"),
        created_at=parse_time(data.get("created_at")),
        closed_at=parse_time(data.get("closed_at")),
        merged_at=merged_at,
    )


def branch_fact(data: Mapping[str, Any]) -> BranchFact:
    commit = data.get("commit") if isinstance(data.get("commit"), dict) else {}
    inner = (commit or {}).get("commit")
    committer = inner.get("committer") if isinstance(inner, dict) else None
    parents = (commit or {}).get("parents")
    first = parents[0] if isinstance(parents, list) and parents else None
    return BranchFact(
        name=text_of(data, "name"),
        sha=text_of(commit or {}, "sha"),
        committed_at=parse_time(committer.get("date")) if isinstance(committer, dict) else None,
        message=text_of(inner, "message") if isinstance(inner, dict) else "",
        parent=text_of(first, "sha") if isinstance(first, dict) else "",
    )


def _record(item: Any, key: str, word: str) -> bool:
    """An item with an integer `key` and a string `word`: the facts need both
    (an id and a status or state)."""
    return isinstance(item, dict) and type(item.get(key)) is int and isinstance(item.get(word), str)


def is_runs(data: Any) -> bool:
    """The runs list's shape; each item is checked on its own (`is_run`)."""
    return isinstance(data, dict) and isinstance(data.get("workflow_runs"), list)


def is_jobs(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("jobs"), list)


def is_pulls(data: Any) -> bool:
    return isinstance(data, list)


def is_job(data: Any) -> bool:
    return _record(data, "id", "status")


def is_pull(data: Any) -> bool:
    return _record(data, "number", "state")


def is_run(data: Any) -> bool:
    return _record(data, "id", "status")


def is_list(data: Any) -> bool:
    return isinstance(data, list)


def is_dict(data: Any) -> bool:
    return isinstance(data, dict)
