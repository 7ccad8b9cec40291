"""Which jobs exist: for `job_id: '*'`."""

from __future__ import annotations

from urllib.parse import quote

from agent_job_status.github.client import GitHubClient
from agent_job_status.github.payloads import text_of
from agent_job_status.settings import Target


def all_job_ids(client: GitHubClient, target: Target) -> tuple[str, ...]:
    """Every job whose branch exists or whose PR is open."""
    prefix = target.branch_prefix
    refs, _ = client.get_all(f"{target.api_path}/git/matching-refs/heads/{quote(prefix)}")
    ids: set[str] = set()
    for ref in refs:
        name = text_of(ref, "ref").removeprefix("refs/heads/") if isinstance(ref, dict) else ""
        if name.startswith(prefix) and len(name) > len(prefix):
            ids.add(name[len(prefix) :])
    pulls, _ = client.get_all(f"{target.api_path}/pulls", {"state": "open"})
    for pull in pulls:
        head = pull.get("head") if isinstance(pull, dict) else None
        ref = text_of(head, "ref") if isinstance(head, dict) else ""
        if ref.startswith(prefix) and len(ref) > len(prefix):
            ids.add(ref[len(prefix) :])
    return tuple(sorted(ids))
