"""Which jobs exist: for `job_id: '*'`."""

from __future__ import annotations

from urllib.parse import quote

from agent_job_status.github.client import GitHubClient
from agent_job_status.github.payloads import text_of
from agent_job_status.settings import Target


def all_job_ids(client: GitHubClient, target: Target) -> tuple[str, ...]:
    """Every job whose branch exists or whose PR is open, under any of the prefixes."""
    names: list[str] = []
    for prefix in target.branch_prefixes:
        refs, _ = client.get_all(f"{target.api_path}/git/matching-refs/heads/{quote(prefix)}")
        names += [
            text_of(r, "ref").removeprefix("refs/heads/") for r in refs if isinstance(r, dict)
        ]
    pulls, _ = client.get_all(f"{target.api_path}/pulls", {"state": "open"})
    for pull in pulls:
        head = pull.get("head") if isinstance(pull, dict) else None
        names.append(text_of(head, "ref") if isinstance(head, dict) else "")
    ids: set[str] = set()
    for name in names:
        for prefix in target.branch_prefixes:
            if name.startswith(prefix) and len(name) > len(prefix):
                ids.add(name[len(prefix) :])
                break
    return tuple(sorted(ids))
