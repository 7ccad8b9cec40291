"""Which item of a list speaks for one agent job, when some items are unreadable.

GitHub's lists may hold an item of unexpected shape (the OpenAPI description
allows `status: null` on a run). Such an item never becomes a fact, and it
hurts only the job it belongs to: other branches' items are read as usual.
For the job itself, an unreadable item older than a readable one changes
nothing (the newest item decides) and is only warned about; one that may be
the newest leaves the job's status `unknown` (`UnreadableItem`, caught per
job; exit 3 once every job is published), since falling back to an older
item could report a state the job has left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agent_job_status.facts import JobFacts
from agent_job_status.github.answers import UnreadableItem
from agent_job_status.github.payloads import is_pull, is_run
from agent_job_status.settings import Target

F = TypeVar("F", bound=JobFacts)


@dataclass(frozen=True)
class Pick:
    item: dict[str, Any] | None  # the newest readable item, if any
    unreadable_newest: bool = False  # an unreadable item may be newer than `item`
    skipped: tuple[Any, ...] = field(default=())  # unreadable items known to be older


def newest(items: list[Any], readable: Callable[[Any], bool], order: str) -> Pick:
    """The newest readable item of one job's `items`, listed newest first.

    `order` names the integer field that grows with creation (a run's `id`,
    a PR's `number`); an unreadable item older than the pick by that field,
    or listed after it, is skipped."""
    good = [i for i in items if readable(i)]
    bad = [i for i in items if not readable(i)]
    if not good:
        return Pick(None, unreadable_newest=bool(bad))
    pick = good[0]
    at = items.index(pick)
    older = []
    for item in bad:
        number = item.get(order) if isinstance(item, dict) else None
        # By the creation order when the item has it, else by its place in the list.
        known_older = number < pick[order] if type(number) is int else items.index(item) > at
        if not known_older:
            return Pick(pick, unreadable_newest=True)
        older.append(item)
    return Pick(pick, skipped=tuple(older))


def newest_run(branch: str | None, items: list[Any], where: str = "") -> Pick:
    """The newest readable run of one job's runs (listed newest first); raises
    `UnreadableItem` when an unreadable one may be newer."""
    pick = newest(items, is_run, "id")
    if pick.unreadable_newest:
        raise UnreadableItem("run", branch, where)
    return pick


def newest_pull(branch: str, items: list[Any]) -> Pick:
    """The newest readable PR of `branch`'s PRs in any order (numbers grow with
    creation); raises `UnreadableItem` when an unreadable one may be newer."""

    def number(item: Any) -> tuple[int, int]:
        n = item.get("number") if isinstance(item, dict) else None
        return (1, 0) if type(n) is not int else (0, n)  # unknown first: maybe newest

    pick = newest(sorted(items, key=number, reverse=True), is_pull, "number")
    if pick.unreadable_newest:
        raise UnreadableItem("pull_request", branch)
    return pick


def unknown_facts(
    kind: type[F], target: Target, job_id: str, branch: str, exc: UnreadableItem
) -> F:
    """The facts of a job whose newest item `exc` could not be read: its status
    is unknown (rule 0), and nothing else about it is taken as known."""
    return kind(
        job_id=job_id,
        repository=target.repository,
        branch_name=exc.branch or branch,
        server_url=target.server_url,
        branch_checked=False,
        unreadable=exc.kind,
    )
