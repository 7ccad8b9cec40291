"""The one guard against lagging lists: what was once seen is never un-seen."""

from __future__ import annotations

from dataclasses import replace

from agent_job_status.facts import JobFacts, PullFact, RunFact
from agent_job_status.github.payloads import HAS_STEPS, is_pull, is_run, pull_fact, run_fact
from agent_job_status.github.reads import StatusReads
from agent_job_status.resolve import QUEUED

# How far a run attempt has got; a list showing less for the same attempt lags.
_RUN_PROGRESS = {**dict.fromkeys(QUEUED, 0), "in_progress": 1, "completed": 2}


def _behind(listed: PullFact | None, seen: PullFact) -> bool:
    """Whether a list's answer knows less than an earlier one did (see `settled`)."""
    if listed is None or listed.number < seen.number:
        return True
    return listed.number == seen.number and (
        (seen.merged and not listed.merged) or (seen.state == "closed" and listed.state == "open")
    )


def _run_behind(listed: RunFact | None, seen: RunFact) -> bool:
    """Whether a runs list knows less than an earlier answer did (see `settled`)."""
    if listed is None or listed.id < seen.id:  # run ids grow with time
        return True
    if listed.id > seen.id or listed.attempt != seen.attempt:
        return listed.id == seen.id and listed.attempt < seen.attempt
    return _RUN_PROGRESS.get(listed.status, 1) < _RUN_PROGRESS.get(seen.status, 1)


class LagGuard:
    """Remembers, per branch, the newest PR and run seen; reads the resource itself
    when a list knows less (see `settled`)."""

    def __init__(self, reads: StatusReads) -> None:
        self.reads = reads
        self.client = reads.client
        self._repo = reads.target.api_path
        self._pulls_seen: dict[str, PullFact] = {}  # branch -> newest PR seen
        self._runs_seen: dict[str, RunFact] = {}  # branch -> newest run seen

    def settled(self, facts: JobFacts) -> JobFacts:
        """The one guard against lagging lists: what was once seen is never un-seen.

        GitHub's lists are eventually consistent: just after a merge the PR list
        can still say `open` (or miss a new PR), and just after a run ends the
        runs list can still say `in_progress`. Facts that went backwards would
        turn `merged` into `completed` (or `completed` into `running`) mid-wait,
        or end a wait on a state already left behind. So when a list knows less
        than an earlier answer did, the resource itself (GET /pulls/{n} or
        /actions/runs/{id}, authoritative) decides. A merge never goes back; a
        closed PR may really be reopened, and the direct read says so. A re-run
        is a new attempt, which a list shows as more, not less.
        """
        if facts.unreadable:
            return facts  # unknown whatever was seen: the newest item may be anything
        name = facts.branch_name
        seen = self._pulls_seen.get(name)
        if seen is not None and _behind(facts.pull, seen):
            direct = self.client.get_or_none(f"{self._repo}/pulls/{seen.number}", shape=is_pull)
            facts = replace(facts, pull=pull_fact(direct.data) if direct is not None else seen)
        if facts.pull is not None:
            self._pulls_seen[name] = facts.pull
        seen_run = self._runs_seen.get(name)
        if seen_run is not None and _run_behind(facts.run, seen_run):
            direct = self.client.get_or_none(
                f"{self._repo}/actions/runs/{seen_run.id}", shape=is_run
            )
            run = run_fact(direct.data) if direct is not None else seen_run
            if run.status in HAS_STEPS:
                run = replace(run, jobs=self.reads.run_jobs(run))
            facts = replace(facts, run=run)
        if facts.run is not None:
            self._runs_seen[name] = facts.run
        return facts
