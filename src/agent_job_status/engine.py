"""One observation of a set of jobs: facts -> resolve -> report, per job."""

from __future__ import annotations

from agent_job_status.fetch import Fetcher
from agent_job_status.report import Report
from agent_job_status.resolve import resolve


def observe_one(fetcher: Fetcher, job_id: str, *, detail: bool) -> Report:
    facts = fetcher.status_facts(job_id)
    report = resolve(facts)
    if detail:
        # Details never change the status (the branch, the only status fact
        # among them, was already asked when it matters), only fill fields.
        report = resolve(fetcher.details(facts, failed=report.status == "failed"))
    return report


def observe(fetcher: Fetcher, job_ids: tuple[str, ...], *, detail: bool) -> list[Report]:
    return [observe_one(fetcher, job_id, detail=detail) for job_id in job_ids]
