"""Planning the final detailed look against the rate limit that is left.

The details of many jobs can cost more requests than a token has left (a
`GITHUB_TOKEN` has about 1,000 an hour). What is read is chosen in order of
use: failed jobs' logs first (why it failed), then every job's changed
files, then configs (model, title, and a finished job's own log). What does
not fit is named, never dropped in silence: `Details` records it as missing
with the reason `over_budget`.

Costs are upper bounds in requests counted against the limit (a 304 or a
memoised read costs nothing, so the real cost is often lower).
"""

from __future__ import annotations

from collections.abc import Sequence

from agent_job_status.facts import JobFacts

LOG, FILES, CONFIG = "log", "files", "config"
# log: run's steps, log folder, log file, run log archive; files: branch, a
# page of files (or default branch + compare); config: steps, folder, two files.
COST = {LOG: 4, FILES: 3, CONFIG: 4}
RESERVE = 5  # requests kept for publishing (the sticky comment)


def plan(jobs: Sequence[tuple[JobFacts, bool]], remaining: int | None) -> list[frozenset[str]]:
    """For each (facts, failed) job, the details to read within `remaining`
    requests (None: the limit is unknown, so read everything)."""
    wanted = [(i, LOG) for i, (_, failed) in enumerate(jobs) if failed]
    wanted += [(i, FILES) for i in range(len(jobs))]
    wanted += [(i, CONFIG) for i in range(len(jobs))]
    allowed: list[set[str]] = [set() for _ in jobs]
    left = None if remaining is None else remaining - RESERVE
    for index, kind in wanted:
        if left is not None:
            if COST[kind] > left:
                continue
            left -= COST[kind]
        allowed[index].add(kind)
    return [frozenset(kinds) for kinds in allowed]
