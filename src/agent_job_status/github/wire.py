"""The values the GitHub client hands around: counts, limits, policies, answers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3


class Stats:
    requests: int = 0  # HTTP requests sent to the API
    counted: int = 0  # of those, the ones that count against the rate limit
    not_modified: int = 0  # 304 answers: free
    retries: int = 0


@dataclass
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None


@dataclass
class RetryPolicy:
    attempts: int = 8
    budget: float = 120.0  # seconds: a persistent outage ends within this
    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff."""
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


@dataclass
class Response:
    status: int
    data: Any
    headers: Mapping[str, str]
    fresh: bool  # False when answered from the ETag cache (304)


@dataclass(frozen=True)
class Answer:
    status: int  # 304 when the cache revalidated its copy, which `text` then holds
    headers: dict[str, str]
    text: str
    request: Any  # what the cache keys the answer by
    revalidated: bool


@dataclass(frozen=True)
class Again:
    """One attempt failed in a way worth another: what, and the server's wait if it named one."""

    problem: str
    wait: float | None = None
    kind: str = ""  # "shape": valid JSON of another shape
    unreachable: bool = False  # no HTTP answer at all (DNS, refused, TLS, timeout)


def no_answer(exc: BaseException) -> bool:
    """No connection was ever made (DNS, refused, connect timeout, TLS): the URL or
    the network is the likely culprit, unlike a reset or a read timeout."""
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(
        reason, urllib3.exceptions.ConnectTimeoutError | urllib3.exceptions.SSLError
    )


class MalformedType:
    pass


MALFORMED = MalformedType()


def next_link(link: str) -> str | None:
    for part in link.split(","):
        section = part.split(";")
        if len(section) >= 2 and any(s.strip() == 'rel="next"' for s in section[1:]):
            return section[0].strip().strip("<>")
    return None
