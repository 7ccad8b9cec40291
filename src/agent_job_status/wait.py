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
from agent_job_status.github.client import RateLimit, Stats
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
    start = clock.time()
    deadline = start + policy.timeout
    seen: dict[str, str] = {}
    last_line = start
    stretched = False  # polls spaced out for a low rate-limit budget
    reports: list[Report] = []
    while True:
        now = clock.time()
        try:
            reports = observe(False)
        except RateLimitExhausted as exc:
            if exc.reset_at >= deadline:
                raise GitHubError(
                    "GitHub API rate limit exhausted until after the wait's timeout; "
                    "use a longer poll_interval or another token"
                ) from None
            log(
                f"[{elapsed_text(now - start)}] rate limit exhausted; "
                f"sleeping {exc.reset_at - now:.0f}s until it resets"
            )
            clock.sleep(max(0.0, exc.reset_at - now) + 1)
            continue
        except GitHubError as exc:
            if exc.status in (401, 403, 404) or clock.time() >= deadline:
                raise
            # Retries inside the client are exhausted: a longer outage. Keep
            # the last facts (never guess) and look again on the next poll.
            log(f"[{elapsed_text(now - start)}] GitHub unavailable ({exc.message}); will retry")
            clock.sleep(min(policy.poll_interval, max(0.0, deadline - clock.time())))
            continue
        waited = clock.time() - start
        if waited >= policy.start_timeout:
            reports = [after_grace(r) if not_started(r) else r for r in reports]
        changed = False
        for report in reports:
            line = describe(report)
            if seen.get(report.id) != line:
                seen[report.id] = line
                changed = True
                who = f"{neutral(report.id, 80)}: " if len(reports) > 1 else ""
                log(f"[{elapsed_text(waited)}] {who}{line}")
                last_line = clock.time()
        if changed and on_change is not None:
            on_change(reports)
        done = [
            r
            for r in reports
            if ends_wait(r, policy.wait_for)
            and (waited >= policy.start_timeout or not not_started(r))
        ]
        now = clock.time()
        timed_out = now >= deadline and len(done) < len(reports)
        if len(done) == len(reports) or timed_out:
            if timed_out:
                log(f"[{elapsed_text(now - start)}] timed out after {elapsed_text(policy.timeout)}")
            reports = _final(observe, reports, policy, waited, timed_out=timed_out)
            log(
                f"[{elapsed_text(clock.time() - start)}] done waiting: {client.stats.requests} "
                f"requests, {client.stats.counted} counted against the rate limit"
            )
            return reports
        if now - last_line >= HEARTBEAT:
            pending = len(reports) - len(done)
            log(
                f"[{elapsed_text(now - start)}] still waiting for {pending} job(s); "
                f"{client.stats.requests} requests, {client.stats.counted} counted"
            )
            last_line = now
        interval = next_interval(policy.poll_interval, client, now)
        if (interval > policy.poll_interval) != stretched:
            stretched = not stretched
            left = client.rate.remaining
            log(
                f"[{elapsed_text(now - start)}] rate limit low ({left} requests left): "
                f"polling every {interval:.0f}s"
                if stretched
                else f"[{elapsed_text(now - start)}] rate limit recovered: "
                f"polling every {policy.poll_interval:.0f}s"
            )
        clock.sleep(max(0.0, min(interval, deadline - now)))


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


def next_interval(interval: float, client: Budget, now: float) -> float:
    """Space polls out when the rate-limit budget runs low."""
    rate = client.rate
    if rate.limit and rate.remaining is not None and rate.reset_at:
        share = rate.remaining / rate.limit
        if share < LOW_BUDGET:
            until_reset = max(0.0, rate.reset_at - now)
            # Spread what is left evenly over the time to the reset.
            return max(interval, until_reset / max(rate.remaining, 1))
    return interval
