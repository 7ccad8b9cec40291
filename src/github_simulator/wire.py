"""What the simulator's HTTP side is made of: requests it records, rate limit and
fault records, a response, a request context, token identities, GitHub-like errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOCS = "https://docs.github.com/rest"
_REQUEST_ID = "0000:0000:0000000:0000000:00000000"
_RATE_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    f"If you reach out to GitHub Support for help, please include the request ID {_REQUEST_ID}."
)
SECONDARY_DOC = f"{_RATE_DOC}#about-secondary-rate-limits"
PRIMARY_MESSAGE = (
    "API rate limit exceeded for installation ID 12345678. If you reach out to GitHub Support "
    f"for help, please include the request ID {_REQUEST_ID}."
)
PRIMARY_DOC = f"{_RATE_DOC}#about-the-primary-rate-limit"
Json = dict[str, Any]


@dataclass
class RecordedRequest:
    """One API request the simulator answered (``/_sim/*`` paths are not recorded)."""

    method: str
    path: str  # decoded, without query string and without an /api/v3 prefix
    query: dict[str, str]
    status: int  # 0 when the connection was reset without an answer
    counted: bool  # whether it consumed primary rate limit (REST's, or GraphQL's points)
    headers: dict[str, str]
    at: float = 0.0  # the simulator's clock when it was answered


@dataclass
class RateLimit:
    """Primary (core) rate limit. Attributes are freely settable."""

    limit: int = 5000
    remaining: int = 5000
    reset: int = 0

    @property
    def used(self) -> int:
        return max(0, self.limit - self.remaining)


@dataclass
class Fault:
    """Fault injection: requests whose method matches ``method`` (``*`` = any) and whose
    path matches the regex ``path`` (``re.search``) get ``kind`` instead of a normal answer.

    kinds: ``status:<code>``, ``reset``, ``slow:<seconds>`` (then answered normally),
    ``truncated`` (normal headers, half the body), ``secondary`` (403 + retry-after),
    and those in :data:`FAULT_KINDS`. ``times`` is decremented on each hit and the fault
    removed at 0; None = forever. ``query`` (a regex, ``re.search`` on the raw query
    string) narrows the match, e.g. ``r"page=2"`` for one page of a list; ``skip`` lets
    that many matching requests through first (a fault that starts "one poll later").
    """

    method: str
    path: str
    kind: str
    times: int | None = 1
    query: str | None = None
    skip: int = 0


FAULT_KINDS = {
    "status:<code>": "a GitHub-like JSON error with that status (500, 502, 503, 504, 401...)",
    "reset": "the connection is closed with RST, no answer",
    "slow:<seconds>": "real sleep, then a normal answer (beyond a client's read timeout)",
    "truncated": "normal headers incl. full Content-Length, half the body, then close",
    "malformed": "200 with a body that is not JSON",
    "shape": "200 with JSON of the wrong shape (list keys dropped, or list <-> object)",
    "body:<json>": "200 with exactly that JSON",
    "secondary": "403 secondary rate limit with Retry-After: 1",
    "secondary:<seconds>": "403 secondary rate limit with Retry-After: <seconds>",
    "secondary-no-retry-after": "403 secondary rate limit without Retry-After",
    "429": "429 Too Many Requests with Retry-After: 1",
    "429-no-retry-after": "429 Too Many Requests without Retry-After",
    "primary:<seconds>": "403 primary limit exhausted, X-RateLimit-Reset that far away",
    "stale": "a lagging list: the previous different answer to the same URL, if any",
    "link:<url>": "a normal answer whose Link header says rel=next is <url>",
    "redirect:<code>:<url>": "that status (301, 302, 307) with Location <url>",
}


@dataclass
class _Resp:
    status: int
    body: Any = None  # JSON-able, bytes, or None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class _Ctx:
    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    api: str  # e.g. http://127.0.0.1:1234 or http://127.0.0.1:1234/api/v3
    port: int
    identity: Identity | None = None  # who the request's token acts as


@dataclass(frozen=True)
class Identity:
    """Who a token acts as: the author of what it writes.

    An installation token (`GITHUB_TOKEN`, a GitHub App's) writes as a bot
    (`github-actions[bot]`, `<app-slug>[bot]`) and gets 403 "Resource not
    accessible by integration" from `GET /user`; a user token gets its user.
    """

    login: str = "github-actions[bot]"
    user_token: bool = False


class _HTTPError(Exception):
    def __init__(
        self, status: int, message: str, doc: str = DOCS, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.resp = _Resp(status, {"message": message, "documentation_url": doc}, headers or {})


def _not_found(message: str = "Not Found", doc: str = DOCS) -> _HTTPError:
    return _HTTPError(404, message, doc)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
