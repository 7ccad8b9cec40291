"""One observation of a set of jobs: facts -> resolve -> report, per job.

The engine knows facts only through `FactSource`; where they come from (and
what reading them costs) is the source's business (`github.GitHubFacts`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from agent_job_status.facts import JobFacts
from agent_job_status.report import Report
from agent_job_status.status import Status


class FactSource(Protocol):
    """Where the facts of agent jobs come from."""

    def status_facts(self, job_ids: tuple[str, ...]) -> Iterator[JobFacts]:
        """What each job's status needs, in `job_ids` order; lazily, so a source
        may read one job's facts only when the previous job is done with."""
        ...

    def settled(self, facts: JobFacts) -> JobFacts:
        """`facts`, never behind what this source saw before (lists lag)."""
        ...

    def details(self, jobs: Sequence[tuple[JobFacts, bool]]) -> list[JobFacts]:
        """Each (facts, failed) job's facts plus what a report shows beyond the status
        (files, config, log), in order. Never raises for a detail: what could
        not be read is listed in `JobFacts.missing`. All jobs are given at
        once, so the source can plan what it reads against what it may spend."""
        ...

    def exact(self, facts: list[JobFacts]) -> list[JobFacts]:
        """`facts` for a final report: whatever a wait assumed to save requests is
        read again (a source that assumes nothing returns them as they are)."""
        ...

    def all_job_ids(self) -> tuple[str, ...]:
        """Every job that exists now."""
        ...

    def resolve(self, facts: JobFacts) -> Report:
        """The report the source's rule table gives (thepopebot's: `resolve.resolve`)."""
        ...


def observe_one(source: FactSource, job_id: str, *, detail: bool) -> Report:
    return observe(source, (job_id,), detail=detail)[0]


def observe(source: FactSource, job_ids: tuple[str, ...], *, detail: bool) -> list[Report]:
    return reports_for(source, status_facts(source, job_ids), detail=detail)


def status_facts(source: FactSource, job_ids: tuple[str, ...]) -> list[JobFacts]:
    """Each job's status facts, settled: they never go backwards when a list lags."""
    return [source.settled(f) for f in source.status_facts(job_ids)]


def reports_for(source: FactSource, facts: list[JobFacts], *, detail: bool) -> list[Report]:
    """The reports of these status facts; with `detail`, what they show beyond it."""
    reports = [source.resolve(f) for f in facts]
    if not detail:
        return reports
    # Details never change the status (the branch, the only status fact among
    # them, was already asked when it matters), only fill fields. A job whose
    # status is unknown has nothing for them to explain: none are read.
    known = [i for i, r in enumerate(reports) if r.status is not Status.UNKNOWN]
    jobs = [(facts[i], reports[i].status is Status.FAILED) for i in known]
    detailed = dict(zip(known, source.details(jobs), strict=True))
    return [source.resolve(detailed[i]) if i in detailed else r for i, r in enumerate(reports)]
