"""Status reads, every poll: a job's run (+ its jobs), newest PR and, if neither, branch.

Cheap by construction: these are conditional requests that cost nothing when
unchanged, and the branch is asked only when neither a run nor a PR exists.
While waiting (`watch`), a look after the first asks only what can change
next (see `_watched`): one conditional request per poll while nothing moves.
For many jobs, `status_facts_many` reads shared list pages instead, so the
cost of a poll grows with the pages of runs and PRs, not with the jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from agent_job_status.errors import ConfigError, GitHubError
from agent_job_status.facts import BranchFact, JobFact, JobFacts, PullFact, RunFact
from agent_job_status.github.answers import NotFound, UnreadableItem
from agent_job_status.github.items import unknown_facts
from agent_job_status.github.listed import (
    ListedItems,
    branch_pulls,
    found_any,
    pull_branch,
    run_branch,
)
from agent_job_status.github.payloads import (
    HAS_STEPS,
    branch_fact,
    is_dict,
    is_job,
    is_jobs,
    is_pulls,
    is_runs,
    job_fact,
)

LIST_PAGES = 10  # pages of 100 runs or PRs read at least, or one per job, before asking per job
PROGRESS_UP_TO = 5  # jobs whose step progress is read on every poll


def _active(jobs: tuple[JobFact, ...]) -> bool:
    return any(job.status != "completed" for job in jobs)


class StatusReads(ListedItems):
    """The status facts of one job at a time (filtered queries)."""

    def _runs_path(self) -> str:
        """The agent workflow's runs; every workflow's when `workflow` is empty."""
        workflow = self.target.workflow
        if workflow:
            return f"{self._repo}/actions/workflows/{quote(workflow, safe='')}/runs"
        return f"{self._repo}/actions/runs"

    def latest_run(self, branch: str) -> RunFact | None:
        try:
            resp = self.client.get(
                self._runs_path(), {"branch": branch, "per_page": 10}, shape=is_runs
            )
        except NotFound:
            self.explain_missing_workflow()
            return None
        items = resp.data["workflow_runs"]
        return self._run_of(branch, [i for i in items if run_branch(i) in (branch, None)])

    def explain_missing_workflow(self) -> None:
        try:
            self.client.get(self._repo, shape=is_dict)
        except NotFound:
            raise GitHubError(
                f"Repository {self.target.repository} not found, or the token cannot see it"
            ) from None
        raise ConfigError(
            f"Input 'workflow': no workflow {self.target.workflow!r} in {self.target.repository}; "
            "give the agent's workflow file name, or '' for any workflow"
        )

    def run_jobs(self, run: RunFact) -> tuple[JobFact, ...]:
        path = f"{self._repo}/actions/runs/{run.id}/attempts/{run.attempt}/jobs"

        def load() -> tuple[JobFact, ...]:
            resp = self.client.get(path, {"per_page": 100}, shape=is_jobs)
            jobs = resp.data["jobs"]
            if not all(is_job(j) for j in jobs):
                self.warn_once(f"skipped unreadable jobs (no id or status) of run {run.id}")
            return tuple(job_fact(j) for j in jobs if is_job(j))

        if run.status == "completed":  # a finished attempt never changes
            return self._memo.once(("jobs", run.id, run.attempt), load)
        return load()

    def newest_pull(self, branch: str) -> PullFact | None:
        resp = self.client.get(
            f"{self._repo}/pulls", branch_pulls(self.target, branch), shape=is_pulls
        )
        return self._pull_of(branch, [i for i in resp.data if pull_branch(i) in (branch, None)])

    def branch(self, branch: str) -> BranchFact | None:
        resp = self.client.get_or_none(
            f"{self._repo}/branches/{quote(branch, safe='/')}", shape=is_dict
        )
        return branch_fact(resp.data) if resp is not None else None

    def status_facts(self, job_id: str) -> JobFacts:
        """What the status needs, no more: run (+ its jobs), PR, branch if neither;
        under each prefix in turn until one of them exists. A wait, once it has
        found the job's branch, asks only what can change next."""
        try:
            return self._status_facts(job_id)
        except UnreadableItem as exc:
            return self.unreadable(job_id, exc)

    def unreadable(self, job_id: str, exc: UnreadableItem) -> JobFacts:
        """An item that may be the job's newest cannot be read: its status is
        unknown. The next look starts afresh (a wait's next poll reads it again)."""
        facts = unknown_facts(JobFacts, self.target, job_id, self.candidates(job_id)[0], exc)
        self._watched.pop(facts.branch_name, None)
        return facts

    def _status_facts(self, job_id: str) -> JobFacts:
        found = self._found.get(job_id)
        if self.watch and found is not None and found in self._watched:
            run, pull = self._next_look(found, *self._watched[found])
            self._watched[found] = (run, pull)
            return self._facts(job_id, found, run, pull, self.branch)
        first: JobFacts | None = None
        for name in self.candidates(job_id):
            if self.watch:  # a wait's first look: the run, and the PR if it can matter
                run = self._with_jobs(self.latest_run(name))
                pull = self.newest_pull(name) if run is None or run.status == "completed" else None
            else:
                run, pull = self._with_jobs(self.latest_run(name)), self.newest_pull(name)
            facts = self._facts(job_id, name, run, pull, self.branch)
            if found_any(facts):
                self._found[job_id] = name
                if self.watch:
                    self._watched[name] = (run, pull)
                return facts
            first = first or facts
        assert first is not None  # a target has at least one prefix
        return first

    def _with_jobs(self, run: RunFact | None) -> RunFact | None:
        if run is not None and run.status in HAS_STEPS:
            return replace(run, jobs=self.run_jobs(run))
        return run

    def _next_look(
        self, name: str, run: RunFact | None, pull: PullFact | None
    ) -> tuple[RunFact | None, PullFact | None]:
        """Ask only what can change next, each a conditional request (free when unchanged).

        While a run's jobs are active, only its jobs list: it moves with every
        step and job; the run itself is asked when no job is active any more
        (it is about to end, or it never had jobs). Otherwise the branch's newest
        run (a start, an end, a re-run or a new run shows there). The PR is
        looked for once the run has ended (or when there is no run): a PR
        merged or closed mid-run shows when the run ends."""
        jobs = run.jobs if run is not None else ()
        if run is not None and run.status == "in_progress" and _active(jobs):
            path = f"{self._repo}/actions/runs/{run.id}/attempts/{run.attempt}/jobs"
            resp = self.client.get(path, {"per_page": 100}, shape=is_jobs)
            # Compared, not judged by a 304: a fresh answer may have been read
            # by a look that then failed, before it could keep what it saw.
            jobs = tuple(job_fact(j) for j in resp.data["jobs"] if isinstance(j, dict))
            if jobs == run.jobs or _active(jobs):
                return replace(run, jobs=jobs), pull
        moved = self.latest_run(name)
        same = moved is not None and run is not None and moved.id == run.id
        if moved is not None and run is not None and jobs and same and moved.attempt == run.attempt:
            moved = replace(moved, jobs=jobs)  # this attempt's jobs, as just read
        else:
            moved = self._with_jobs(moved)
        if moved is None or moved.status == "completed":
            pull = self.newest_pull(name)
        return moved, pull

    def _facts(
        self,
        job_id: str,
        name: str,
        run: RunFact | None,
        pull: PullFact | None,
        branch: Callable[[str], BranchFact | None],
    ) -> JobFacts:
        """Status facts; the branch is asked only when neither run nor PR says enough."""
        checked = run is None and pull is None
        return JobFacts(
            job_id=job_id,
            repository=self.target.repository,
            branch_name=name,
            server_url=self.target.server_url,
            branch=branch(name) if checked else None,
            branch_checked=checked,
            run=run,
            pull=pull,
        )

    # -- many jobs, from shared list pages ---------------------------------------
