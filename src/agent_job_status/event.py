"""Which job the triggering event is about, when `job_id` is not given.

The payload at GITHUB_EVENT_PATH is read as untrusted data: anything of the
wrong shape simply names no job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent_job_status.errors import InputError
from agent_job_status.inputs import check_job_id

MAX_EVENT_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB


def branch_of_event(event_name: str, payload: Mapping[str, Any]) -> str | None:
    """The branch an event is about, or None."""
    ref: object = None
    if event_name in ("push", "create", "delete"):
        ref = payload.get("ref")
        if event_name != "push" and payload.get("ref_type") not in (None, "branch"):
            return None
    elif event_name.startswith("pull_request"):
        pull = payload.get("pull_request")
        head = pull.get("head") if isinstance(pull, Mapping) else None
        ref = head.get("ref") if isinstance(head, Mapping) else None
    elif event_name == "workflow_run":
        run = payload.get("workflow_run")
        ref = run.get("head_branch") if isinstance(run, Mapping) else None
    elif event_name == "workflow_dispatch":
        ref = payload.get("ref")
    if not isinstance(ref, str):
        return None
    return ref.removeprefix("refs/heads/")


def job_id_from_event(
    event_name: str, payload: Mapping[str, Any], prefixes: tuple[str, ...]
) -> str | None:
    branch = branch_of_event(event_name, payload)
    prefix = next((p for p in prefixes if p and branch and branch.startswith(p)), None)
    if not branch or prefix is None:
        return None
    try:
        return check_job_id(branch[len(prefix) :])
    except InputError:
        return None


def load_event(env: Mapping[str, str]) -> tuple[str, Mapping[str, Any]]:
    """(event name, payload); an unreadable payload is an empty one."""
    name = env.get("GITHUB_EVENT_NAME", "")
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return name, {}
    try:
        # Read at most the cap: a size from stat() means nothing for a FIFO or /dev/zero.
        with Path(path).open("rb") as file:
            data = file.read(MAX_EVENT_BYTES + 1)
        if len(data) > MAX_EVENT_BYTES:
            return name, {}
        payload = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return name, {}
    return name, payload if isinstance(payload, dict) else {}
