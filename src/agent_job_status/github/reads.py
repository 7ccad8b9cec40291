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
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agent_job_status.errors import ConfigError, GitHubError
from agent_job_status.facts import BranchFact, JobFact, JobFacts, PullFact, RunFact
from agent_job_status.github.answers import NotFound, UnreadableItem
from agent_job_status.github.client import GitHubClient, next_link
from agent_job_status.github.horizon import Horizon, answered_at, pages_left
from agent_job_status.github.items import newest
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import (
    HAS_STEPS,
    branch_fact,
    is_dict,
    is_job,
    is_jobs,
    is_pull,
    is_pulls,
    is_run,
    is_runs,
    job_fact,
    pull_fact,
    run_fact,
    text_of,
)
from agent_job_status.settings import Target
from agent_job_status.thepopebot import is_sibling_run

LIST_PAGES = 10  # pages of 100 runs or PRs read per poll before asking per job
PROGRESS_UP_TO = 5  # jobs whose step progress is read on every poll


def _active(jobs: tuple[JobFact, ...]) -> bool:
    return any(job.status != "completed" for job in jobs)


class StatusReads:
    """The status facts of jobs of one target, one by one or from shared lists."""

    def __init__(
        self,
        client: GitHubClient,
        target: Target,
        warn: Callable[[str], None] | None = None,
        *,
        watch: bool = False,
    ) -> None:
        self.client = client
        self.target = target
        self.watch = watch
        self._repo = target.api_path
        self._memo = Memo()
        self._watched: dict[str, tuple[RunFact | None, PullFact | None]] = {}
        self._horizons = {"workflow_runs": Horizon(), "": Horizon()}  # runs, PRs
        self._warn = warn or (lambda _message: None)
        self._warned: set[str] = set()
        self._found: dict[str, str] = {}  # job id -> the branch found for it (sticky)

    def warn_once(self, message: str) -> None:
        """Warn about an unreadable item once, though every poll lists it again."""
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    def _skipped(self, what: str, branch: str, items: tuple[Any, ...]) -> None:
        for item in items:
            ident = item.get("id", item.get("number")) if isinstance(item, dict) else None
            self.warn_once(
                f"skipped an unreadable {what} (no id or status) listed for branch "
                f"{branch!r}: {str(ident)[:20]}; a newer one decides the status"
            )

    def _run_of(self, branch: str, items: list[Any]) -> RunFact | None:
        """The run that speaks for `branch`, from its items (newest first)."""
        # Never this action's own run, nor a sibling workflow's (an unreadable
        # item stays: it may be the newest, which `newest` must know).
        items = [i for i in items if not isinstance(i, dict) or self._agent_run(i)]
        pick = newest(items, is_run, "id")
        if pick.unreadable_newest:
            raise UnreadableItem("workflow run", branch)
        self._skipped("workflow run", branch, pick.skipped)
        return run_fact(pick.item) if pick.item is not None else None

    def _pull_of(self, branch: str, items: list[Any]) -> PullFact | None:
        """The newest PR of `branch` (PR numbers grow with creation)."""

        def number(item: Any) -> tuple[int, int]:
            n = item.get("number") if isinstance(item, dict) else None
            return (1, 0) if type(n) is not int else (0, n)  # unknown first: maybe newest

        pick = newest(sorted(items, key=number, reverse=True), is_pull, "number")
        if pick.unreadable_newest:
            raise UnreadableItem("pull request", branch)
        self._skipped("pull request", branch, pick.skipped)
        return pull_fact(pick.item) if pick.item is not None else None

    def _agent_run(self, item: Any) -> bool:
        """A listed run that may be the agent's: never this action's own run, nor a
        sibling workflow's (auto-merge, notices) when every workflow is listed."""
        if not isinstance(item, dict):
            return False
        if self.target.own_run_id is not None and item.get("id") == self.target.own_run_id:
            return False
        return not is_sibling_run(text_of(item, "path"))

    def candidates(self, job_id: str) -> tuple[str, ...]:
        """The branches a job may have: the one found before, else one per prefix."""
        found = self._found.get(job_id)
        return (found,) if found is not None else self.target.branches_of(job_id)

    # -- one job ---------------------------------------------------------------
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
        return self._run_of(branch, [i for i in items if _head_branch(i) in (branch, None)])

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
        params: dict[str, str | int] = {
            "head": f"{self.target.owner}:{branch}",
            "state": "all",
            "sort": "created",
            "direction": "desc",
            "per_page": 10,
        }
        resp = self.client.get(f"{self._repo}/pulls", params, shape=is_pulls)
        return self._pull_of(branch, [i for i in resp.data if _head_ref(i) in (branch, None)])

    def branch(self, branch: str) -> BranchFact | None:
        resp = self.client.get_or_none(
            f"{self._repo}/branches/{quote(branch, safe='/')}", shape=is_dict
        )
        return branch_fact(resp.data) if resp is not None else None

    def status_facts(self, job_id: str) -> JobFacts:
        """What the status needs, no more: run (+ its jobs), PR, branch if neither;
        under each prefix in turn until one of them exists. A wait, once it has
        found the job's branch, asks only what can change next."""
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
            if _exists(facts):
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
    def status_facts_many(self, job_ids: tuple[str, ...]) -> list[JobFacts]:
        """Status facts for many jobs from shared lists: the cost of a poll grows
        with the pages of runs and PRs, not with the number of jobs."""
        names = {job_id: self.candidates(job_id) for job_id in job_ids}
        wanted = {name for candidates in names.values() for name in candidates}
        runs = self._runs_by_branch(wanted)
        if self.watch:  # as one job's wait: a PR is looked for once its run has ended
            ended = {b for b in wanted if getattr(runs.get(b), "status", "") in ("", "completed")}
            pulls = self._pulls_by_branch(ended) if ended else {}
        else:
            pulls = self._pulls_by_branch(wanted)
        bare = {
            name
            for candidates in names.values()
            if all(runs.get(n) is None and pulls.get(n) is None for n in candidates)
            for name in candidates
        }
        branches = self._branches(bare) if bare else {}
        progress = len(job_ids) <= PROGRESS_UP_TO
        facts = []
        for job_id, candidates in names.items():
            found = [n for n in candidates if runs.get(n) or pulls.get(n) or branches.get(n)] or [
                candidates[0]
            ]
            name = found[0]
            if name in branches or runs.get(name) or pulls.get(name):
                self._found[job_id] = name
            run = runs.get(name)
            if run is not None and progress and run.status == "in_progress":
                run = replace(run, jobs=self.run_jobs(run))
            facts.append(self._facts(job_id, name, run, pulls.get(name), branches.get))
        return facts

    def _pages(
        self,
        path: str,
        params: dict[str, str | int],
        key: str,
        wanted: set[str],
        branch_of: Callable[[dict[str, Any]], str],
    ) -> tuple[dict[str, list[dict[str, Any]]], bool, datetime | None]:
        """Read list pages until every wanted branch is seen, the list ends, or
        the pages reach back past what earlier reads showed (`Horizon`).

        Returns (items by branch, complete, when GitHub answered): complete is
        False when the page bound stopped the reading first. Branches not found
        are remembered as absent when the read is complete (the caller records
        what its per-branch queries find)."""
        found: dict[str, list[dict[str, Any]]] = {}
        horizon = self._horizons[key]
        url: str | None = self.client.url_for(path, {**params, "per_page": 100})
        pages = 0
        answered = None
        while url is not None:
            if pages == LIST_PAGES:
                horizon.present(found)
                return found, False, answered
            resp = self.client.request("GET", url, shape=is_pulls if not key else is_runs)
            answered = answered or answered_at(resp.headers)
            pages += 1
            items = resp.data[key] if key else resp.data
            for item in items:
                if isinstance(item, dict) and branch_of(item) in wanted:
                    found.setdefault(branch_of(item), []).append(item)
                elif not isinstance(item, dict) or not branch_of(item):
                    # No branch to tell whose it is: it can be no job's newest.
                    self.warn_once(f"skipped an unreadable item of {path} (no branch)")
            missing = wanted - set(found)
            last = items[-1] if items and isinstance(items[-1], dict) else {}
            if not missing or horizon.reached(missing, last.get(_ORDER[key])):
                break
            link = resp.headers.get("link", "")
            if len(missing) < pages_left(link, pages):  # each branch's own query is cheaper
                horizon.present(found)
                return found, False, answered
            url = next_link(link)
        horizon.present(found)
        horizon.absent(wanted - set(found), answered)
        return found, True, answered

    def _runs_by_branch(self, wanted: set[str]) -> dict[str, RunFact | None]:
        try:
            found, complete, answered = self._pages(
                self._runs_path(),
                {},
                "workflow_runs",
                wanted,
                lambda item: text_of(item, "head_branch"),
            )
        except NotFound:
            self.explain_missing_workflow()
            return {}
        runs: dict[str, RunFact | None] = {}
        for branch in wanted:
            run = self._run_of(branch, found.get(branch, []))  # the list is newest first
            if run is not None:
                runs[branch] = run
            elif not complete:
                runs[branch] = self.latest_run(branch)  # beyond the pages read
                self._horizon_after("workflow_runs", branch, runs[branch], answered)
        return runs

    def _pulls_by_branch(self, wanted: set[str]) -> dict[str, PullFact | None]:
        def head_ref(item: dict[str, Any]) -> str:
            head = item.get("head")
            return text_of(head, "ref") if isinstance(head, dict) else ""

        params: dict[str, str | int] = {"state": "all", "sort": "updated", "direction": "desc"}
        found, complete, answered = self._pages(
            f"{self._repo}/pulls", params, "", wanted, head_ref
        )
        pulls: dict[str, PullFact | None] = {}
        for branch in wanted:
            pull = self._pull_of(branch, found.get(branch, []))
            if pull is not None:
                pulls[branch] = pull
            elif not complete:
                pulls[branch] = self.newest_pull(branch)
                self._horizon_after("", branch, pulls[branch], answered)
        return pulls

    def _horizon_after(
        self, key: str, branch: str, fact: object, answered: datetime | None
    ) -> None:
        """A branch's own query answered: absent as of the list read, or present."""
        if fact is None:
            self._horizons[key].absent([branch], answered)
        else:
            self._horizons[key].present([branch])

    def _branches(self, wanted: set[str]) -> dict[str, BranchFact]:
        if len(wanted) == 1:
            name = next(iter(wanted))
            fact = self.branch(name)
            return {name: fact} if fact is not None else {}
        out: dict[str, BranchFact] = {}
        for prefix in self.target.branch_prefixes:
            if not any(name.startswith(prefix) for name in wanted):
                continue
            refs, _ = self.client.get_all(f"{self._repo}/git/matching-refs/heads/{quote(prefix)}")
            for ref in refs:
                if not isinstance(ref, dict):
                    continue
                name = text_of(ref, "ref").removeprefix("refs/heads/")
                obj = ref.get("object")
                if name in wanted:
                    out[name] = BranchFact(
                        name=name, sha=text_of(obj, "sha") if isinstance(obj, dict) else ""
                    )
        return out


# The time each list is ordered by (newest first): runs by creation, PRs as read by update.
_ORDER = {"workflow_runs": "created_at", "": "updated_at"}


def _head_branch(item: Any) -> str | None:
    """A run item's branch; None when it has none to tell (it may be anyone's)."""
    value = item.get("head_branch") if isinstance(item, dict) else None
    return value if isinstance(value, str) and value else None


def _head_ref(item: Any) -> str | None:
    head = item.get("head") if isinstance(item, dict) else None
    value = head.get("ref") if isinstance(head, dict) else None
    return value if isinstance(value, str) and value else None


def _exists(facts: JobFacts) -> bool:
    return facts.run is not None or facts.pull is not None or facts.branch is not None
