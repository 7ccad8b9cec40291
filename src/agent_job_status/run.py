"""The imperative shell's one path: settings -> facts -> resolve -> reports.

Used by the action, the CLI and the demo alike; only the publishing differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent_job_status.engine import FactSource, observe
from agent_job_status.github.client import GitHubClient, RetryPolicy, Stats
from agent_job_status.github.source import GitHubFacts
from agent_job_status.github.target import Target
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import Settings
from agent_job_status.wait import Clock, WaitPolicy, WallClock, wait_until_done


@dataclass
class Outcome:
    reports: list[Report]
    stats: Stats


def target_of(settings: Settings) -> Target:
    return Target(
        repository=settings.repository,
        branch_prefix=settings.branch_prefix,
        workflow=settings.workflow,
        own_run_id=settings.own_run_id,
        server_url=settings.server_url,
    )


def nothing_found(settings: Settings) -> Report:
    """The report for `*` when no job branch or open job PR exists."""
    return Report(
        id="*",
        status="not_found",
        lifecycle=None,
        reason="no_jobs",
        branch=f"{settings.branch_prefix}*",
        source_repository=settings.repository,
    )


def make_client(
    settings: Settings,
    runner: Runner,
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> GitHubClient:
    """The run's one client: every request (status, comment) shares its cache and counts."""
    clock = clock or WallClock()
    return GitHubClient(
        settings.api_url,
        settings.token,
        retry=retry,
        clock=clock.time,
        sleep=clock.sleep,
        on_retry=lambda message: runner.info(f"retry: {message}"),
    )


def usage_line(stats: Stats) -> str:
    return (
        f"GitHub: {stats.requests} requests, {stats.counted} counted against the "
        f"rate limit, {stats.not_modified} answered 304 Not Modified"
    )


def check(
    settings: Settings,
    runner: Runner,
    *,
    client: GitHubClient | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    on_change: Callable[[list[Report]], None] | None = None,
) -> Outcome:
    clock = clock or WallClock()
    client = client or make_client(settings, runner, clock=clock, retry=retry)
    source: FactSource = GitHubFacts(client, target_of(settings), warn=runner.warning)

    seen: set[str] = set()

    def look(detail: bool) -> list[Report]:
        if settings.job_ids:
            ids = settings.job_ids
        else:
            # `*`: a job once seen stays in the set, though a merge deletes its
            # branch and closes its PR (the two things that list it).
            seen.update(source.all_job_ids())
            ids = tuple(sorted(seen))
        return observe(source, ids, detail=detail) or [nothing_found(settings)]

    if settings.wait:
        policy = WaitPolicy(
            wait_for=settings.wait_for,
            timeout=settings.timeout,
            poll_interval=settings.poll_interval,
            start_timeout=settings.start_timeout,
        )
        reports = wait_until_done(
            look, client, policy, clock=clock, log=runner.info, on_change=on_change
        )
    else:
        reports = look(True)
    return Outcome(reports, client.stats)
