"""Waiting until jobs end: the polling loop, its clock and its log lines.

The loop only decides *when* to look; what a look finds is `observe`'s job
and what it means is `resolve`'s. Conditional requests make an unchanged
poll free, so the interval stays short and the end is noticed quickly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from agent_job_status.cancel import Cancelled
from agent_job_status.display import describe, elapsed_text
from agent_job_status.errors import GitHubError
from agent_job_status.github.answers import RateLimitExhausted
from agent_job_status.github.wire import RateLimit, Stats
from agent_job_status.report import Report
from agent_job_status.settings import WaitPolicy
from agent_job_status.status import Status
from agent_job_status.text import neutral

HEARTBEAT = 300.0  # seconds between "still waiting" lines
LOW_BUDGET = 0.2  # below this share of the limit, polls are spaced out


class Clock(Protocol):
    def time(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class Budget(Protocol):
    """What the loop reads of the client: its rate limit and request counts."""

    @property
    def rate(self) -> RateLimit: ...
    @property
    def stats(self) -> Stats: ...


class WallClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def ends_wait(report: Report, wait_for: str) -> bool:
    """Whether this report is final for the wait (after the start grace)."""
    return report.status.ends_wait(wait_for)


def not_started(report: Report) -> bool:
    return report.status is Status.NOT_FOUND or report.reason == "waiting_for_run"


def after_grace(report: Report) -> Report:
    """A job that never started within `start_timeout`: failed, or still not found."""
    if report.reason == "waiting_for_run":
        return replace(report, status=Status.FAILED, reason="never_started")
    return report


# observe(detail) -> reports; detail=True adds files, log and config.
Observe = Callable[[bool], list[Report]]


def wait_until_done(
    observe: Observe,
    client: Budget,
    policy: WaitPolicy,
    *,
    clock: Clock,
    log: Callable[[str], None],
    on_change: Callable[[list[Report]], None] | None = None,
) -> list[Report]:
    """Poll until every job ends (or the timeout); reports carry `timed_out`.

    On `Cancelled`, the exception leaves with the last reports seen, marked."""
    start = clock.time()
    last: list[Report] = []

    def watched(detail: bool) -> list[Report]:
        last[:] = observe(detail)
        return list(last)

    try:
        return _poll(watched, client, policy, clock=clock, log=log, on_change=on_change)
    except Cancelled as exc:
        waited = clock.time() - start
        if waited >= policy.start_timeout:
            last[:] = [after_grace(r) if not_started(r) else r for r in last]
        exc.reports = [replace(r, cancelled=not ends_wait(r, policy.wait_for)) for r in last]
        log(f"[{elapsed_text(waited)}] cancelled ({exc.name}): publishing the last status seen")
        raise


def _poll(
    observe: Observe,
    client: Budget,
    policy: WaitPolicy,
    *,
    clock: Clock,
    log: Callable[[str], None],
    on_change: Callable[[list[Report]], None] | None = None,
) -> list[Report]:
    poller = _Poller(client, policy, clock, log)
    while True:
        reports = poller.look(observe)
        if reports is None:
            continue  # the look failed in a way worth another; it slept already
        waited = clock.time() - poller.start
        if waited >= policy.start_timeout:
            reports = [after_grace(r) if not_started(r) else r for r in reports]
        if poller.narrate(reports, waited) and on_change is not None:
            on_change(reports)
        done = [
            r
            for r in reports
            if ends_wait(r, policy.wait_for)
            and (waited >= policy.start_timeout or not not_started(r))
        ]
        now = clock.time()
        timed_out = now >= poller.deadline and len(done) < len(reports)
        if len(done) == len(reports) or timed_out:
            if timed_out:
                poller.say(f"timed out after {elapsed_text(policy.timeout)}")
            reports = _final(observe, reports, policy, waited, timed_out=timed_out)
            poller.say(
                f"done waiting: {client.stats.requests} requests, "
                f"{client.stats.counted} counted against the rate limit"
            )
            return reports
        poller.pace(now, len(reports) - len(done))


class _Poller:
    """The wait's bookkeeping: its clock, what was said, and how fast to look."""

    def __init__(
        self, client: Budget, policy: WaitPolicy, clock: Clock, log: Callable[[str], None]
    ) -> None:
        self.client, self.policy, self.clock, self.log = client, policy, clock, log
        self.start = clock.time()
        self.deadline = self.start + policy.timeout
        self.last_line = self.start
        self.stretched = False  # polls spaced out for a low rate-limit budget
        self.seen: dict[str, str] = {}
        self.per_poll = 0  # requests the last look counted

    def say(self, line: str) -> None:
        self.log(f"[{elapsed_text(self.clock.time() - self.start)}] {line}")

    def look(self, observe: Observe) -> list[Report] | None:
        """One light look; None (after sleeping) when it should simply be tried again."""
        now = self.clock.time()
        before = self.client.stats.counted
        try:
            return observe(False)
        except RateLimitExhausted as exc:
            if exc.reset_at >= self.deadline:
                raise GitHubError(
                    "GitHub API rate limit exhausted until after the wait's timeout; "
                    "use a longer poll_interval or another token"
                ) from None
            self.say(f"rate limit exhausted; sleeping {exc.reset_at - now:.0f}s until it resets")
            self.clock.sleep(max(0.0, exc.reset_at - now) + 1)
        except GitHubError as exc:
            if exc.status in (401, 403, 404) or self.clock.time() >= self.deadline:
                raise
            # Retries inside the client are exhausted: a longer outage. Keep
            # the last facts (never guess) and look again on the next poll.
            self.say(f"GitHub unavailable ({exc.message}); will retry")
            left = max(0.0, self.deadline - self.clock.time())
            self.clock.sleep(min(self.policy.poll_interval, left))
        finally:
            self.per_poll = self.client.stats.counted - before
        return None

    def narrate(self, reports: list[Report], waited: float) -> bool:
        """Log each job whose line changed; whether any did."""
        changed = False
        for report in reports:
            line = describe(report)
            if self.seen.get(report.id) != line:
                self.seen[report.id] = line
                changed = True
                who = f"{neutral(report.id, 80)}: " if len(reports) > 1 else ""
                self.log(f"[{elapsed_text(waited)}] {who}{line}")
                self.last_line = self.clock.time()
        return changed

    def pace(self, now: float, pending: int) -> None:
        """The heartbeat, the budget's spacing, and the sleep until the next look."""
        stats, interval = self.client.stats, self.policy.poll_interval
        if now - self.last_line >= HEARTBEAT:
            self.say(
                f"still waiting for {pending} job(s); "
                f"{stats.requests} requests, {stats.counted} counted"
            )
            self.last_line = now
        spaced = next_interval(interval, self.client, now, self.per_poll)
        if (spaced > interval) != self.stretched:
            self.stretched = not self.stretched
            left = self.client.rate.remaining
            self.say(
                f"rate limit low ({left} requests left): polling every {spaced:.0f}s"
                if self.stretched
                else f"rate limit recovered: polling every {interval:.0f}s"
            )
        self.clock.sleep(max(0.0, min(spaced, self.deadline - now)))


def _final(
    observe: Observe, last: list[Report], policy: WaitPolicy, waited: float, *, timed_out: bool
) -> list[Report]:
    """One detailed look at the end (files, log); the last light look if it fails."""
    try:
        reports = observe(True)
    except GitHubError:
        reports = last
    if waited >= policy.start_timeout:
        reports = [after_grace(r) if not_started(r) else r for r in reports]
    if timed_out:
        reports = [replace(r, timed_out=not ends_wait(r, policy.wait_for)) for r in reports]
    return reports


def next_interval(interval: float, client: Budget, now: float, per_poll: int = 1) -> float:
    """Space polls out when the rate-limit budget runs low; `per_poll`: what the
    last poll counted (many jobs' polls cost more than one request each)."""
    rate = client.rate
    if rate.limit and rate.remaining is not None and rate.reset_at:
        share = rate.remaining / rate.limit
        if share < LOW_BUDGET:
            until_reset = max(0.0, rate.reset_at - now)
            # Spread what is left evenly over the time to the reset.
            polls_left = rate.remaining / max(per_poll, 1)
            return max(interval, until_reset / max(polls_left, 1))
    return interval
