"""A profile's facts -> the generic fact words -> a report. Pure: no I/O.

`AgentFacts` is `JobFacts` plus what agents other than thepopebot leave:
whether the PR is a draft and who opened it, the newest progress marker
(timeline event, tracking comment, commit message) and a compare link.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from agent_job_status.facts import JobFacts
from agent_job_status.profiles.model import Profile
from agent_job_status.profiles.rules import decide
from agent_job_status.report import Report
from agent_job_status.resolve import GOOD_CONCLUSIONS, QUEUED, progress, resolve
from agent_job_status.status import Status


@dataclass(frozen=True)
class AgentFacts(JobFacts):
    pull_draft: bool = False
    pull_author: str = ""
    progress: str = "none"  # a phase word of the newest marker, or "none"
    progress_source: str = ""  # e.g. "timeline:copilot_work_finished"
    compare_url: str | None = None


def words(profile: Profile, facts: JobFacts) -> dict[str, str]:
    """The generic fact words the rule table tests."""
    pull, run = facts.pull, facts.run
    draft = isinstance(facts, AgentFacts) and facts.pull_draft
    author = facts.pull_author if isinstance(facts, AgentFacts) else ""
    if pull is None:
        pr, pr_author, wip = "none", "none", "no"
    else:
        pr = "merged" if pull.merged else "closed" if pull.state == "closed" else "open"
        if pr == "open" and draft and profile.pull.draft_means == "draft":
            pr = "draft"
        authors = {a.lower() for a in profile.pull.authors}
        pr_author = "expected" if not authors or author.lower() in authors else "other"
        wip = "yes" if any(m in pull.title for m in profile.pull.title_markers) else "no"
    if run is None:
        run_word = "none"
    elif run.status == "completed":
        run_word = "success" if run.conclusion in GOOD_CONCLUSIONS else "failure"
    else:
        run_word = "queued" if run.status in QUEUED else "in_progress"
    branch = "exists" if facts.branch is not None else "missing"
    if facts.branch is None and not facts.branch_checked:
        branch = "unknown"
    return {
        "pr": pr,
        "pr_author": pr_author,
        "wip": wip,
        "run": run_word,
        "progress": facts.progress if isinstance(facts, AgentFacts) else "none",
        "branch": branch,
    }


def resolve_with(profile: Profile, facts: JobFacts) -> Report:
    """The report: every field as for thepopebot, the status from the profile's rules."""
    base = resolve(facts)
    run = facts.run
    conclusion = run.conclusion if run else None
    if facts.unreadable:  # rule 0 holds for every agent: its newest item may be anything
        status, reason = base.status, base.reason
    else:
        status, reason, _ = decide(profile.rules, words(profile, facts), conclusion)
    return replace(
        base,
        status=status,
        reason=reason,
        current_step=progress(run)[0] if status is Status.RUNNING else None,
        agent=profile.name,
        agent_label=profile.label,
        compare_url=facts.compare_url if isinstance(facts, AgentFacts) else None,
    )
