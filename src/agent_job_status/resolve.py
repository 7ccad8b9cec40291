"""From facts to a report: the status rules of docs/design.md, and nothing else.

Pure: no I/O, no clock. The rule table is the single place where a status
is decided; every other module reads `Report.status`.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from agent_job_status.facts import JobFacts, RunFact
from agent_job_status.report import Report
from agent_job_status.status import Lifecycle, Status
from agent_job_status.thepopebot import generation_of

QUEUED = frozenset({"queued", "requested", "waiting", "pending"})
GOOD_CONCLUSIONS = frozenset({"success", "neutral"})


def decide(facts: JobFacts) -> tuple[Status, str]:
    """The rule table: (status, reason). First match wins."""
    if facts.unreadable:
        return Status.UNKNOWN, f"unreadable_{facts.unreadable}"  # 0: the newest may be anything
    run, pull = facts.run, facts.pull
    failed_run = (
        run is not None and run.status == "completed" and run.conclusion not in GOOD_CONCLUSIONS
    )
    failure = (run.conclusion or "failure") if run is not None and failed_run else ""
    if facts.failed_mark and not failed_run:
        failure = "agent_reported_failure"
    if pull is not None and pull.merged:
        if failure and facts.logs_only:
            return Status.FAILED, failure  # 1a: only the failed agent's logs were merged
        return Status.MERGED, ""  # 1: work landed; outranks a failed run
    if failure:
        return Status.FAILED, failure  # 2: the run failed, or the agent says it did
    if pull is not None and pull.state == "closed":
        return Status.CLOSED, ""  # 3
    if run is not None and run.status in QUEUED:
        return Status.PENDING, ""  # 4
    if run is not None and run.status == "in_progress":
        return Status.RUNNING, ""  # 5
    if run is not None and run.status == "completed":
        return Status.COMPLETED, "" if pull is not None else "no_pull_request"  # 6
    if run is not None:
        # A status GitHub may add later: not finished, so treat as running.
        return Status.RUNNING, f"unknown_run_status:{run.status}"
    if pull is not None:
        return Status.COMPLETED, "no_run_record"  # 7
    if facts.branch is not None and facts.generation == 2:
        return Status.RUNNING, "no_run_record"  # 8a: the agent runs outside Actions
    if facts.branch is not None:
        return Status.PENDING, "waiting_for_run"  # 8
    return Status.NOT_FOUND, ""  # 9


def progress(run: RunFact | None) -> tuple[str | None, int | None, int | None]:
    """(current step name, steps completed, steps in all) over the run's jobs."""
    if run is None or not run.jobs:
        return None, None, None
    steps = [step for job in run.jobs for step in job.steps]
    done = sum(1 for step in steps if step.status == "completed")
    current = next((s.name for s in steps if s.status == "in_progress"), None)
    return current, done, len(steps)


def earliest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def resolve(facts: JobFacts) -> Report:
    status, reason = decide(facts)
    run, pull, branch = facts.run, facts.pull, facts.branch
    current, done, total = progress(run)
    pr_state = None
    if pull is not None:
        pr_state = "merged" if pull.merged else pull.state
    branch_exists: bool | None = branch is not None if facts.branch_checked else None
    finished = run.updated_at if run is not None and run.status == "completed" else None
    found = run is not None or pull is not None or branch is not None
    generation = facts.generation or generation_of(facts.branch_name, facts.config.file)
    return Report(
        id=facts.job_id,
        status=status,
        reason=reason,
        branch=facts.branch_name,
        source_repository=facts.repository,
        branch_exists=branch_exists,
        branch_url=(
            f"{facts.server_url}/{facts.repository}/tree/{quote(facts.branch_name, safe='/')}"
            if branch_exists is not False
            else None
        ),
        pr_url=pull.html_url if pull else None,
        pr_number=pull.number if pull else None,
        pr_state=pr_state,
        pr_title=pull.title if pull else None,
        merge_commit_sha=(pull.merge_commit_sha or None) if pull and pull.merged else None,
        head_sha=(branch.sha if branch else "")
        or (pull.head_sha if pull else "")
        or (run.head_sha if run else "")
        or None,
        run_url=run.html_url if run else None,
        run_id=run.id if run else None,
        run_attempt=run.attempt if run else None,
        run_status=run.status if run else None,
        conclusion=run.conclusion if run else None,
        log=facts.log,
        log_source=facts.log_source,
        changed_files=facts.changed_files,
        model=facts.config.model,
        title=facts.config.title or (pull.title if pull else None),
        created_at=earliest(
            branch.committed_at if branch else None,
            run.created_at if run else None,
            pull.created_at if pull else None,
        ),
        started_at=(run.started_at or run.created_at) if run else None,
        finished_at=finished,
        merged_at=pull.merged_at if pull else None,
        closed_at=pull.closed_at if pull else None,
        # Mintlify: archivedAt is null while the job is active (a re-run of a closed PR's job).
        archived_at=pull.closed_at if pull and status.lifecycle is not Lifecycle.ACTIVE else None,
        current_step=current if status is Status.RUNNING else None,
        steps_completed=done,
        steps_total=total,
        missing=tuple(f"{detail}: {why}" for detail, why in facts.missing),
        generation=generation if found else None,
        merged_logs_only=bool(pull and pull.merged and status is Status.FAILED),
    )
