"""The items of GitHub's lists that may speak for a job: the agent's, readable, newest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent_job_status.facts import JobFacts, PullFact, RunFact
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.horizon import Horizon
from agent_job_status.github.items import newest_pull, newest_run
from agent_job_status.github.locate import Located
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import (
    pull_fact,
    run_fact,
    text_of,
)
from agent_job_status.settings import Target
from agent_job_status.thepopebot import is_sibling_run


class ListedItems:
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
        self._merged: dict[str, JobFacts] = {}  # a wait's merged jobs: final, not read again
        self._located = Located()  # GraphQL's word on branches, this poll (`batch`)
        self._graphql = True  # False once GraphQL failed: the lists alone from then on
        self._ever_located: set[str] = set()  # branches GraphQL was asked about, once each
        self._exact = False  # a final look: nothing assumed (`batch.exact_facts`)
        # Branches a wait assumed had no run: neither a ref nor a PR (`batch`).
        self.assumed: set[str] = set()

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
        pick = newest_run(branch, items)
        self._skipped("workflow run", branch, pick.skipped)
        return run_fact(pick.item) if pick.item is not None else None

    def _pull_of(self, branch: str, items: list[Any]) -> PullFact | None:
        """The newest PR of `branch` (PR numbers grow with creation)."""
        pick = newest_pull(branch, items)
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


LIST_ORDER = {"workflow_runs": "created_at", "": "updated_at"}


def run_branch(item: Any) -> str | None:
    """A run item's branch; None when it has none to tell (it may be anyone's)."""
    value = item.get("head_branch") if isinstance(item, dict) else None
    return value if isinstance(value, str) and value else None


def pull_branch(item: Any) -> str | None:
    head = item.get("head") if isinstance(item, dict) else None
    value = head.get("ref") if isinstance(head, dict) else None
    return value if isinstance(value, str) and value else None


def found_any(facts: JobFacts) -> bool:
    return facts.run is not None or facts.pull is not None or facts.branch is not None


def branch_pulls(target: Target, branch: str) -> dict[str, str | int]:
    """The query for a branch's PRs in any state, newest first (GitHub filters by head)."""
    return {
        "head": f"{target.owner}:{branch}",
        "state": "all",
        "sort": "created",
        "direction": "desc",
        "per_page": 10,
    }
