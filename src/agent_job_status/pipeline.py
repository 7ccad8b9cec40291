"""The one path every command takes: settings -> observe -> publish -> gate.

`run` is what the action does, and what `demo` does with a runner that
captures instead of writing to a real runner; `status` runs it with no
publishing and prints the reports itself; `serve` uses `observe` for one
job at a time. Everything here is the imperative shell: the decisions are
in `resolve` (status), `wait` (when to look) and `publish` (limits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent_job_status.cancel import Cancelled
from agent_job_status.display import describe
from agent_job_status.engine import FactSource, reports_for, status_facts
from agent_job_status.facts import UNREADABLE_ITEMS, JobFacts
from agent_job_status.github.agent_source import source_for_profile
from agent_job_status.github.answers import MISSING_REASONS
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.wire import RetryPolicy, Stats
from agent_job_status.profiles import Profile, builtin
from agent_job_status.publish import exit_code, publish
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import Gate, Settings, Target
from agent_job_status.status import Status
from agent_job_status.text import neutral
from agent_job_status.wait import Clock, WallClock, wait_until_done

if TYPE_CHECKING:
    from agent_job_status.comment import StickyComments

FAILED_LOG_LINES = 30  # of a failed job's log, shown in the step log


@dataclass
class Outcome:
    reports: list[Report]
    stats: Stats
    code: int  # 0, or 1 for a fail_on status or a timeout; 128 + signal when cancelled


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
        settings.api.url,
        settings.api.token,
        retry=retry,
        clock=clock.time,
        sleep=clock.sleep,
        on_retry=lambda message: runner.info(f"retry: {message}"),
        cache_dir=settings.api.cache_dir,
    )


def nothing_found(settings: Settings) -> Report:
    """The report for `*` when no job branch or open job PR exists."""
    return Report(
        id="*",
        status=Status.NOT_FOUND,
        reason="no_jobs",
        branch=f"{settings.target.branch_prefix}*",
        source_repository=settings.target.repository,
    )


def source_for(
    target: Target,
    client: GitHubClient,
    warn: Callable[[str], None] | None = None,
    *,
    profile: Profile | None = None,
    watch: bool = False,
) -> FactSource:
    """Where the facts come from: GitHub, for `target`, through `client`, read as
    `profile` says (thepopebot's built-in rules: `GitHubFacts`); a watching source
    (a wait's) asks, after its first look, only what can change next."""
    return source_for_profile(client, target, profile or builtin("popebot"), warn, watch=watch)


def observe(
    settings: Settings,
    runner: Runner,
    client: GitHubClient | None = None,
    *,
    clock: Clock | None = None,
    on_change: Callable[[list[Report]], None] | None = None,
) -> list[Report]:
    """The jobs' reports: one look, or looks until they end (`settings.wait`)."""
    clock = clock or WallClock()
    client = client or make_client(settings, runner, clock=clock)
    source = source_for(
        settings.target,
        client,
        runner.warning,
        profile=settings.profile,
        watch=settings.wait.enabled,
    )
    seen: set[str] = set()
    # The status facts of the look just before, by job ids. Every look takes
    # them away, so a detailed look details a light look's facts only right
    # after it (a wait's final look follows its last poll at once), instead of
    # asking GitHub for the same status twice; after a failed look, none.
    light: dict[tuple[str, ...], list[JobFacts]] = {}

    def look(detail: bool) -> list[Report]:
        if not settings.jobs.every:
            ids = settings.jobs.ids
        else:
            # `*`: a job once seen stays in the set, though a merge deletes its
            # branch and closes its PR (the two things that list it).
            seen.update(source.all_job_ids())
            ids = tuple(sorted(seen))
        before = light.pop(ids, None)
        light.clear()
        facts = before if detail and before is not None else status_facts(source, ids)
        if detail:  # a final report: nothing assumed to save requests stays assumed
            facts = source.exact(facts)
        else:
            light[ids] = facts
        return reports_for(source, facts, detail=detail) or [nothing_found(settings)]

    if not settings.wait.enabled:
        reports = look(True)
    else:
        reports = wait_until_done(
            look, client, settings.wait, clock=clock, log=runner.info, on_change=on_change
        )
    line = missing_line(reports)
    if line:
        runner.warning(line)
    return reports


def missing_line(reports: list[Report], shown: int = 10) -> str:
    """One warning for every detail missing across the jobs ('' when none is)."""
    gaps = [(r.id, entry) for r in reports for entry in r.missing]
    if not gaps:
        return ""
    by_reason: dict[str, list[str]] = {}
    for job_id, entry in gaps:
        detail, _, why = entry.partition(": ")
        by_reason.setdefault(f"{detail} ({MISSING_REASONS.get(why, why)})", []).append(
            neutral(job_id, 80)
        )
    parts = []
    for what, ids in list(by_reason.items())[:shown]:
        more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
        parts.append(f"{what}: {', '.join(ids[:shown])}{more}")
    return f"Details missing (the statuses stand): {'; '.join(parts)}"


def check_templates(settings: Settings) -> None:
    """A broken custom template fails now (exit 2), not after an hour of waiting."""
    publishing = settings.publish
    summary = publishing.summary_template if publishing.summary else None
    comment = publishing.comment_template if publishing.comment else None
    if summary is None and comment is None:
        return
    from agent_job_status.render import render_preview  # Jinja2: only with a template

    if summary is not None:
        render_preview("running", summary, "summary")
    if comment is not None:
        render_preview("running", comment, "comment")


def run(
    settings: Settings,
    runner: Runner,
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> Outcome:
    """Observe, publish (outputs, log files, summary, comment) and gate."""
    check_templates(settings)
    client = make_client(settings, runner, clock=clock, retry=retry)
    comments = sticky_comments(client, settings, runner)
    try:
        reports = observe(
            settings, runner, client, clock=clock, on_change=comments.update if comments else None
        )
    except Cancelled as exc:
        return cancelled(exc, settings, runner, client.stats)
    reports = publish(reports, settings.publish, runner)
    if comments is not None:
        comments.update(reports)
    runner.detail(usage_line(client.stats))
    if settings.publish.step_log:
        log_reports(reports, runner)
    code = exit_code(reports, settings.gate)
    if code:
        runner.error(failure_line(reports, settings.gate))
    return Outcome(reports, client.stats, code)


def sticky_comments(
    client: GitHubClient, settings: Settings, runner: Runner
) -> StickyComments | None:
    """The run's sticky PR comments; None when `comment` is off."""
    if not settings.publish.comment:
        return None
    from agent_job_status.comment import StickyComments  # Jinja2: only with a comment

    return StickyComments(client, settings, runner)


def cancelled(exc: Cancelled, settings: Settings, runner: Runner, stats: Stats) -> Outcome:
    """Publish what the wait knew, at once: no final look and no comment (the
    runner kills the step seconds after the signal; the comment shows the last
    change already)."""
    if exc.reports:
        reports = publish(exc.reports, settings.publish, runner)
    else:
        reports = []
        if settings.publish.summary:
            runner.append_summary(
                "## ⚠️ agent-job-status: cancelled\n\n"
                f"The step was cancelled ({exc.name}) before the first look at the job.\n"
            )
    runner.detail(usage_line(stats))
    runner.warning(f"Cancelled ({exc.name}) while waiting: the outputs hold the last status seen")
    return Outcome(reports, stats, exc.exit_code)


def log_reports(reports: list[Report], runner: Runner) -> None:
    for report in reports:
        runner.info(f"agent job {neutral(report.id, 200)}: {describe(report)}")
        if report.status is Status.FAILED and report.log:
            # Why it failed, right in the step log; the agent wrote these lines.
            tail = report.log.splitlines()[-FAILED_LOG_LINES:]
            runner.group(
                f"Log of failed agent job {neutral(report.id, 80)} (last {len(tail)} lines)", tail
            )


def usage_line(stats: Stats) -> str:
    return (
        f"GitHub: {stats.requests} requests, {stats.counted} counted against the "
        f"rate limit, {stats.not_modified} answered 304 Not Modified"
    )


def failure_line(reports: list[Report], gate: Gate) -> str:
    bad = [r for r in reports if r.status in gate.fail_on]
    unknown = [r for r in reports if r.status is Status.UNKNOWN and r.status not in gate.fail_on]
    said = ""
    if unknown:
        item = UNREADABLE_ITEMS  # the reason is `unreadable_<kind>` (rule 0)
        names = ", ".join(
            f"{neutral(r.id, 80)} (a {item[r.reason.removeprefix('unreadable_')]} of branch "
            f"{neutral(r.branch, 120)})"
            for r in unknown[:5]
        )
        said = (
            f"Status unknown: GitHub listed an item without an id or status for {names}; "
            "try again later"
        )
    if bad:
        names = ", ".join(f"{neutral(r.id, 80)} {describe(r)}" for r in bad[:5])
        return f"Agent job ended in a fail_on status: {names}" + (f". {said}" if said else "")
    if said:
        return said
    late = [neutral(r.id, 80) for r in reports if r.timed_out]
    return f"Timed out waiting for agent job(s): {', '.join(late[:5])}"
