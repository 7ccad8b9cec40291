"""One observation of a set of jobs: facts -> resolve -> report, per job.

The engine knows facts only through `FactSource`; where they come from (and
what reading them costs) is the source's business (`github.GitHubFacts`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from agent_job_status.facts import JobFacts
from agent_job_status.report import Report
from agent_job_status.resolve import resolve


class FactSource(Protocol):
    """Where the facts of agent jobs come from."""

    def status_facts(self, job_ids: tuple[str, ...]) -> Iterator[JobFacts]:
        """What each job's status needs, in `job_ids` order; lazily, so a source
        may read one job's facts only when the previous job is done with."""
        ...

    def settled(self, facts: JobFacts) -> JobFacts:
        """`facts`, never behind what this source saw before (lists lag)."""
        ...

    def details(self, facts: JobFacts, *, failed: bool) -> JobFacts:
        """`facts` plus what a report shows beyond the status (files, config, log)."""
        ...

    def all_job_ids(self) -> tuple[str, ...]:
        """Every job that exists now."""
        ...


def observe_one(source: FactSource, job_id: str, *, detail: bool) -> Report:
    return observe(source, (job_id,), detail=detail)[0]


def _report(source: FactSource, facts: JobFacts, *, detail: bool) -> Report:
    # A source may bring its own rule table (an agent profile, issue 16).
    decide: Callable[[JobFacts], Report] = getattr(source, "resolve", resolve)
    facts = source.settled(facts)  # facts never go backwards when a list lags
    report = decide(facts)
    if detail:
        # Details never change the status (the branch, the only status fact
        # among them, was already asked when it matters), only fill fields.
        report = decide(source.details(facts, failed=report.status == "failed"))
    return report


def observe(source: FactSource, job_ids: tuple[str, ...], *, detail: bool) -> list[Report]:
    return [_report(source, facts, detail=detail) for facts in source.status_facts(job_ids)]
