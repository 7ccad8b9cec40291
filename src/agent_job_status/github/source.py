"""`GitHubFacts`: the GitHub implementation of the engine's `FactSource`.

It composes the reading edge's parts (status reads, the lag guard, details,
discovery) over one client and one target, and owns the one GitHub cost
choice the engine must not know: a few jobs are cheaper asked one by one
(filtered queries), many from shared list pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from agent_job_status.facts import JobFacts
from agent_job_status.github.batch import BatchReads
from agent_job_status.github.budget import plan
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.details import Details
from agent_job_status.github.discovery import all_job_ids
from agent_job_status.github.lag import LagGuard
from agent_job_status.github.listed import found_any
from agent_job_status.github.marks import Marks
from agent_job_status.report import Report
from agent_job_status.resolve import resolve
from agent_job_status.settings import Target

BATCH_FROM = 4  # jobs; fewer are cheaper asked one by one (filtered queries)


class GitHubFacts:
    """Reads facts for jobs of one target through one client."""

    def __init__(
        self,
        client: GitHubClient,
        target: Target,
        warn: Callable[[str], None] | None = None,
        *,
        watch: bool = False,
    ) -> None:
        """`watch`: the source serves one wait, look after look (see `StatusReads`)."""
        self.client = client
        self.target = target
        self.reads = BatchReads(client, target, warn, watch=watch)
        self._lag = LagGuard(self.reads)
        self._marks = Marks(self.reads)
        self._details = Details(self.reads)

    def status_facts(self, job_ids: tuple[str, ...]) -> Iterator[JobFacts]:
        """Status facts per job, in order. One by one, each job's reads happen only
        when the caller asks for its facts, so they interleave with its details."""
        if len(job_ids) < BATCH_FROM:
            return (self.reads.status_facts(job_id) for job_id in job_ids)
        return iter(self.reads.status_facts_many(job_ids))

    def settled(self, facts: JobFacts) -> JobFacts:
        """Never behind what was seen; then, on those settled facts, what the branch
        says when no agent run does (thepopebot's generation and failure marks)."""
        return self._marks.marked(self._lag.settled(facts))

    def exact(self, facts: list[JobFacts]) -> list[JobFacts]:
        """A wait assumed that a job with no ref and no PR had no run in the
        past (GraphQL located neither); for a final report, such a job that is
        still not found has its runs' past read (`BatchReads.exact_facts`)."""
        assumed = self.reads.assumed
        doubt = tuple(
            f.job_id
            for f in facts
            if not found_any(f) and assumed.intersection(self.reads.candidates(f.job_id))
        )
        if not doubt:
            return facts
        fresh = {f.job_id: self.settled(f) for f in self.reads.exact_facts(doubt)}
        return [fresh.get(f.job_id, f) for f in facts]

    def details(self, jobs: Sequence[tuple[JobFacts, bool]]) -> list[JobFacts]:
        """Details for (facts, failed) jobs, planned first against the rate limit left."""
        allowed = plan(jobs, self.client.rate.remaining)
        return [
            self._details.details(facts, failed=failed, allowed=kinds)
            for (facts, failed), kinds in zip(jobs, allowed, strict=True)
        ]

    def resolve(self, facts: JobFacts) -> Report:
        return resolve(facts)

    def all_job_ids(self) -> tuple[str, ...]:
        return all_job_ids(self.client, self.target)
