"""One observation of a set of jobs: facts -> resolve -> report, per job."""

from __future__ import annotations

from agent_job_status.facts import JobFacts
from agent_job_status.fetch import BATCH_FROM, Fetcher
from agent_job_status.report import Report
from agent_job_status.resolve import resolve


def observe_one(fetcher: Fetcher, job_id: str, *, detail: bool) -> Report:
    return _report(fetcher, fetcher.status_facts(job_id), detail=detail)


def _report(fetcher: Fetcher, facts: JobFacts, *, detail: bool) -> Report:
    facts = fetcher.settled(facts)  # facts never go backwards when a list lags
    report = resolve(facts)
    if detail:
        # Details never change the status (the branch, the only status fact
        # among them, was already asked when it matters), only fill fields.
        report = resolve(fetcher.details(facts, failed=report.status == "failed"))
    return report


def observe(fetcher: Fetcher, job_ids: tuple[str, ...], *, detail: bool) -> list[Report]:
    if len(job_ids) < BATCH_FROM:
        return [observe_one(fetcher, job_id, detail=detail) for job_id in job_ids]
    return [_report(fetcher, facts, detail=detail) for facts in fetcher.status_facts_many(job_ids)]
