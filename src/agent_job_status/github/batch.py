"""Status facts for many jobs from shared list pages: cost grows with pages, not jobs."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agent_job_status.facts import BranchFact, JobFacts, PullFact, RunFact
from agent_job_status.github.answers import NotFound, UnreadableItem
from agent_job_status.github.horizon import answered_at, pages_left
from agent_job_status.github.listed import LIST_ORDER
from agent_job_status.github.locate import PER_QUERY, Located, locate
from agent_job_status.github.payloads import (
    is_pulls,
    is_runs,
    text_of,
)
from agent_job_status.github.reads import LIST_PAGES, PROGRESS_UP_TO, StatusReads
from agent_job_status.github.wire import next_link

ENDED = ("", "completed")  # a run's status after which its PR can matter ("": no run)


class BatchReads(StatusReads):
    """`StatusReads`, plus many jobs at once from the runs and PR lists."""

    def status_facts_many(self, job_ids: tuple[str, ...]) -> list[JobFacts]:
        """Status facts for many jobs from shared lists: the cost of a poll grows
        with the pages of runs and PRs, not with the number of jobs."""
        if self.watch and any(job_id in self._merged for job_id in job_ids):
            return self._besides_merged(job_ids)
        self._located = Located()  # what GraphQL said holds for this poll only
        names = {job_id: self.candidates(job_id) for job_id in job_ids}
        wanted = {name for candidates in names.values() for name in candidates}
        bad: dict[str, UnreadableItem] = {}  # branch -> its unreadable newest item
        runs = self._runs_by_branch(list(names.values()), bad)
        # A job's PR is sought on the branch its run is on, else on each of its
        # branches; while waiting, as for one job, once its run has ended.
        sought = []
        for candidates in names.values():
            on_run = [b for b in candidates if runs.get(b)]
            group = [b for b in on_run[:1] or candidates if b not in bad]
            if self.watch:
                group = [b for b in group if getattr(runs.get(b), "status", "") in ENDED]
            if group:
                sought.append(tuple(group))
        pulls = self._pulls_by_branch(sought, bad) if sought else {}
        known = {n for n in wanted if n in bad or runs.get(n) or pulls.get(n)}
        bare = {
            name
            for candidates in names.values()
            if not known.intersection(candidates)
            for name in candidates
        }
        branches = self._branches(bare) if bare else {}
        progress = len(job_ids) <= PROGRESS_UP_TO
        facts = []
        for job_id, candidates in names.items():
            found = [
                n for n in candidates if n in bad or runs.get(n) or pulls.get(n) or branches.get(n)
            ] or [candidates[0]]
            name = found[0]
            if name in bad:  # only this job's status is unknown; the others read on
                facts.append(self.unreadable(job_id, bad[name]))
                continue
            if name in branches or runs.get(name) or pulls.get(name):
                self._found[job_id] = name
            run = runs.get(name)
            if run is not None and progress and run.status == "in_progress":
                run = replace(run, jobs=self.run_jobs(run))
            facts.append(self._facts(job_id, name, run, pulls.get(name), branches.get))
            pull = pulls.get(name)
            # Final: a wait reads a PR only once its run has ended (above).
            if self.watch and pull is not None and pull.merged:
                self._merged[job_id] = facts[-1]
        return facts

    def _besides_merged(self, job_ids: tuple[str, ...]) -> list[JobFacts]:
        """A wait's merged jobs (PR merged, run ended) keep the facts last read; only
        the others are read, so a poll's pages follow the jobs still active."""
        done = {job_id: self._merged[job_id] for job_id in job_ids if job_id in self._merged}
        rest = tuple(job_id for job_id in job_ids if job_id not in done)
        # `done` is taken first: reading the rest may merge some of them.
        fresh = iter(self.status_facts_many(rest) if rest else ())
        return [done[job_id] if job_id in done else next(fresh) for job_id in job_ids]

    def _pages(
        self,
        path: str,
        params: dict[str, str | int],
        key: str,
        groups: list[tuple[str, ...]],
        branch_of: Callable[[dict[str, Any]], str],
    ) -> tuple[dict[str, list[dict[str, Any]]], set[str], datetime | None]:
        """Read list pages until every job (a group of branches, one per prefix)
        is seen on one of its branches, the list ends, or
        the pages reach back past what earlier reads showed (`Horizon`). Past
        the first page, GraphQL says where the missing jobs are (`locate`);
        without it, pages are read while no dearer than asking each missing
        branch on its own (the pages left, or the bound when the list does
        not say how many are left).

        Returns (items by branch, branches to ask one by one, when GitHub
        answered). Branches not found are remembered as absent when the read
        is complete (the caller records what its per-branch queries find)."""
        found: dict[str, list[dict[str, Any]]] = {}
        wanted = branches_of(groups)
        horizon = self._horizons[key]
        url: str | None = self.client.url_for(path, {**params, "per_page": 100})
        pages = 0
        answered = None
        settled: set[str] = set()  # missing, but read past the time they were absent
        # A page is worth reading while it is no dearer than the jobs' own queries.
        bound = max(LIST_PAGES, len(wanted))
        while url is not None:
            if pages == bound:
                horizon.present(found)
                return found, unseen(groups, found) - settled, answered
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
            last = items[-1] if items and isinstance(items[-1], dict) else {}
            missing = unseen(groups, found)
            settled |= horizon.passed(missing, last.get(LIST_ORDER[key]))
            missing -= settled
            if not missing:
                break
            link = resp.headers.get("link", "")
            url = next_link(link)
            if url is None:
                break
            left = pages_left(link, pages)
            sought = self._located_ask(key, missing, left or bound - pages)
            if sought is None and len(missing) < left:
                sought = missing  # each branch's own query is cheaper than the pages left
            if sought is not None:
                horizon.present(found)
                horizon.absent(settled, answered)
                return found, sought, answered
        horizon.present(found)
        horizon.absent(wanted - set(found), answered)
        return found, set(), answered

    def _located_ask(self, key: str, missing: set[str], left: int) -> set[str] | None:
        """The missing branches to ask one by one once GraphQL has located them
        (`locate`): those found on an earlier look or located now, not those it
        says have nothing. None when it cannot settle this list (no GraphQL; runs
        outside a wait), or when that would cost more than the `left` pages.

        For PRs its word is exact. For runs, a branch with neither a ref nor a
        PR is assumed to have had no run, which holds unless the branch was
        deleted with no PR: a wait's final look checks (`exact_facts`)."""
        if not self._graphql or (key and (not self.watch or self._exact)):
            return None
        known = missing & set(self._found.values())
        fresh = missing - known - self._ever_located  # each branch is located once
        if math.ceil(len(fresh) / PER_QUERY) + len(known) >= left:
            return None  # reading on is no dearer
        todo = fresh - self._located.asked
        if todo:
            more = locate(self.client, self.target, sorted(todo))
            if more is None:  # no GraphQL here (or not now): the lists alone, as before
                self._graphql = False
                return None
            self._located = self._located.merged(more)
            self._ever_located |= more.asked
        located = self._located
        now = missing & located.asked
        if not now:
            return None
        empty = now - (located.pulls if not key else located.pulls | located.refs.keys())
        if len(missing - empty) >= left:
            return None
        self._horizons[key].absent(empty, located.answered)
        if key:
            self.assumed.update(empty)
        return missing - empty

    def exact_facts(self, job_ids: tuple[str, ...]) -> list[JobFacts]:
        """These jobs' facts with nothing assumed: their runs' past is read."""
        branches = {b for job_id in job_ids for b in self.candidates(job_id)}
        self.assumed.difference_update(branches)
        self._horizons["workflow_runs"].present(branches)
        self._exact = True
        try:
            return self.status_facts_many(job_ids)
        finally:
            self._exact = False

    def _runs_by_branch(
        self, groups: list[tuple[str, ...]], bad: dict[str, UnreadableItem]
    ) -> dict[str, RunFact | None]:
        try:
            found, sought, answered = self._pages(
                self._runs_path(),
                {},
                "workflow_runs",
                groups,
                lambda item: text_of(item, "head_branch"),
            )
        except NotFound:
            self.explain_missing_workflow()
            return {}
        runs: dict[str, RunFact | None] = {}
        for branch in branches_of(groups):
            try:
                run = self._run_of(branch, found.get(branch, []))  # the list is newest first
                if run is not None:
                    runs[branch] = run
                elif branch in sought:
                    runs[branch] = self.latest_run(branch)  # beyond the pages read
                    self._horizon_after("workflow_runs", branch, runs[branch], answered)
            except UnreadableItem as exc:
                bad[branch] = exc
        return runs

    def _pulls_by_branch(
        self, groups: list[tuple[str, ...]], bad: dict[str, UnreadableItem]
    ) -> dict[str, PullFact | None]:
        def head_ref(item: dict[str, Any]) -> str:
            head = item.get("head")
            return text_of(head, "ref") if isinstance(head, dict) else ""

        params: dict[str, str | int] = {"state": "all", "sort": "updated", "direction": "desc"}
        found, sought, answered = self._pages(f"{self._repo}/pulls", params, "", groups, head_ref)
        pulls: dict[str, PullFact | None] = {}
        for branch in branches_of(groups):
            try:
                pull = self._pull_of(branch, found.get(branch, []))
                if pull is not None:
                    pulls[branch] = pull
                elif branch in sought:
                    pulls[branch] = self.newest_pull(branch)
                    self._horizon_after("", branch, pulls[branch], answered)
            except UnreadableItem as exc:
                bad[branch] = exc
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
        if wanted <= self._located.asked:  # GraphQL said this poll which exist
            heads = self._located.refs
            return {n: BranchFact(name=n, sha=heads[n]) for n in wanted if n in heads}
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


def unseen(groups: list[tuple[str, ...]], found: Mapping[str, object]) -> set[str]:
    """The branches of the jobs seen on none of their branches (a job's one
    found branch is its own: its other prefixes need not be sought)."""
    return {branch for group in groups if not found.keys() & set(group) for branch in group}


def branches_of(groups: list[tuple[str, ...]]) -> set[str]:
    return {branch for group in groups for branch in group}
