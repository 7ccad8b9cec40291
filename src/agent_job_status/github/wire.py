"""The values the GitHub client hands around: counts, limits, policies, answers."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping
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


# GitHub's secondary limit is 900 points a minute per REST endpoint (a GET is 1
# point, a write 5); we keep every endpoint together under it, with room for
# the clocks' skew and for other steps using the same token.
PACE_POINTS = 800
PACE_WINDOW = 60.0


class Pace:
    """At most `points` of requests in any `window` seconds: bursts (a final
    look's details for thousands of jobs) are spread, never refused.

    By hand, and why: the wait's clock is injected (virtual time in tests and
    benchmarks), which the rate-limit libraries' own clocks would not follow."""

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        points: int = PACE_POINTS,
        window: float = PACE_WINDOW,
    ) -> None:
        self.clock, self.sleep, self.points, self.window = clock, sleep, points, window
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0
        self.waited = 0.0  # seconds slept to keep the pace

    def take(self, verb: str) -> None:
        """Spend one request's points, first sleeping until the window has room."""
        cost = 1 if verb in ("GET", "HEAD", "OPTIONS") else 5
        while True:
            now = self.clock()
            while self._spent and self._spent[0][0] <= now - self.window:
                self._total -= self._spent.popleft()[1]
            if self._total + cost <= self.points or not self._spent:
                break
            pause = self._spent[0][0] + self.window - now
            self.waited += pause
            self.sleep(pause)
        self._spent.append((now, cost))
        self._total += cost


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
