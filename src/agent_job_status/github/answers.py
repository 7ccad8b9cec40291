"""What GitHub's unsuccessful answers mean: a final error (with a hint) or a wait.

Messages hold our own words, the path asked and GitHub's `message` field
only: never a URL's query, a header or the token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from agent_job_status.errors import GitHubError
from agent_job_status.facts import UNREADABLE_ITEMS

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


class RateLimitExhausted(GitHubError):
    """The primary rate limit is used up until `reset_at` (epoch seconds)."""

    def __init__(self, reset_at: float) -> None:
        when = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
        super().__init__(
            f"GitHub API rate limit exhausted until {when}",
            status=403,
            hint="try again then, or use another token",
        )
        self.reset_at = reset_at


class NotFound(GitHubError):
    def __init__(self, url: str) -> None:
        super().__init__(f"Not found: {url}", status=404)


class OffHost(GitHubError):
    """A Link or redirect to another host: refused, the token stays home. Never a
    mere missing detail: it ends the check (exit 3), whatever asked."""


class WrongShape(GitHubError):
    """A 200 whose body is of another shape than asked (e.g. a file for a folder).

    Final for detail reads: GitHub answers the same again. Status reads retry
    instead (a status is never derived from a malformed answer)."""

    def __init__(self, where: str) -> None:
        super().__init__(f"GitHub answered {where} in an unexpected shape", status=200)


class UnreadableItem(GitHubError):
    """A list item that may be one agent job's newest lacks what its status needs
    (e.g. `status: null`). Caught per job: that job's status is `unknown`."""

    def __init__(self, kind: str, branch: str | None, where: str = "") -> None:
        self.kind = kind  # "run" or "pull_request": `JobFacts.unreadable`
        self.branch = branch  # None: not known from the item (`where` says what was read)
        what = UNREADABLE_ITEMS[kind]
        where = where or f"for branch {branch!r}"
        super().__init__(
            f"GitHub listed a {what} {where} without an id or status; that job's status is unknown",
            hint="try again later; GitHub may still be creating it",
        )


# Why a detail is missing: the report's `missing` entries use these words only.
MISSING_REASONS = {
    "expired": "the run's logs expired or were deleted",
    "not_found": "GitHub answered 404",
    "forbidden": "the token may not read it",
    "unexpected_shape": "GitHub answered in an unexpected shape",
    "broken_archive": "the run's log archive could not be read",
    "unavailable": "GitHub did not answer after retries",
    "rate_limited": "the rate limit is exhausted",
    "over_budget": "not read: over the remaining rate-limit budget",
}


def missing_reason(exc: GitHubError) -> str:
    """The `MISSING_REASONS` word for why a detail read failed."""
    if isinstance(exc, RateLimitExhausted):
        return "rate_limited"
    if isinstance(exc, WrongShape):
        return "unexpected_shape"
    if exc.status in (404, 410):
        return "not_found"
    if exc.status in (401, 403):
        return "forbidden"
    return "unavailable"


def judge(
    status: int, headers: Mapping[str, str], text: str, where: str, *, now: float, budget: float
) -> float | None:
    """Raise for a final answer; return a wait (or None for backoff) when worth retrying.

    `where` is the path asked (never a URL with a query); `budget` the most
    worth waiting for a primary rate limit's reset."""
    message = _message(text)
    if status in TRANSIENT_STATUSES:
        return None
    if status in (403, 429):
        retry_after = headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            return float(retry_after)
        if "secondary rate limit" in message.lower() or status == 429:
            return None  # secondary limit without retry-after: back off
        if headers.get("x-ratelimit-remaining") == "0":
            reset = float(headers.get("x-ratelimit-reset", "0") or 0)
            wait = reset - now + 1
            if 0 <= wait <= budget:
                return wait
            raise RateLimitExhausted(reset)
    if status == 401:
        raise GitHubError(
            "Unauthorized: GitHub rejected the token (401 Bad credentials)",
            status=401,
            hint="check the 'token' input or GITHUB_TOKEN",
        )
    if status == 403:
        raise GitHubError(
            f"Forbidden: {message or 'access denied'} on {where}",
            status=403,
            hint=permission_hint(where),
        )
    if status == 404:
        raise NotFound(where)
    raise GitHubError(f"GitHub answered HTTP {status} on {where}: {message}", status=status)


def permission_hint(path: str) -> str:
    """Which `permissions:` entry the workflow needs for a path."""
    if "/actions/" in path:
        return "the workflow needs 'permissions: actions: read'"
    if "/issues/" in path and "comments" in path:
        return "the workflow needs 'permissions: pull-requests: write'"
    if "/pulls" in path:
        return "the workflow needs 'permissions: pull-requests: read'"
    return "the workflow needs 'permissions: contents: read'"


def _message(text: str) -> str:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return " ".join(str(message).split())[:200] if message else ""
