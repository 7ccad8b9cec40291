"""The engine behind the endpoints: GitHub clients in slots, answers shared per job.

A job always goes through the same GitHub client (one of a few slots, each
with its own lock, since a client is not thread-safe), so its ETag cache
turns unchanged polls into free 304s; answers are kept `ttl` seconds per
job and concurrent misses for a job coalesce into one fetch.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent_job_status.engine import FactSource, observe_one
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.wire import RetryPolicy, Stats
from agent_job_status.pipeline import source_for
from agent_job_status.profiles import Profile
from agent_job_status.report import Report
from agent_job_status.settings import Api, Target

if TYPE_CHECKING:
    pass


from agent_job_status.serve.config import MAX_JOBS, SERVE_RETRY, SLOTS, TTL

log = logging.getLogger("agent_job_status.serve")


# -- the engine behind the endpoints ------------------------------------------------
@dataclass
class _Slot:
    client: GitHubClient
    source: FactSource
    lock: threading.Lock = field(default_factory=threading.Lock)


class Observer:
    """Blocking `job_id -> Report` through a few GitHub clients, one lock each.

    A job always maps to the same slot, so its conditional requests always
    meet the ETag cache that holds their previous answers.
    """

    def __init__(
        self,
        api: Api,
        target: Target,
        profile: Profile | None = None,
        *,
        slots: int = SLOTS,
        retry: RetryPolicy | None = None,
    ) -> None:
        policy = retry or SERVE_RETRY
        self._slots = []
        for _ in range(max(1, slots)):
            client = GitHubClient(api.url, api.token, retry=policy, on_retry=_log_retry)
            self._slots.append(
                _Slot(client, source_for(target, client, log.warning, profile=profile))
            )

    def __call__(self, job_id: str) -> Report:
        slot = self._slots[hash(job_id) % len(self._slots)]
        with slot.lock:
            return observe_one(slot.source, job_id, detail=True)

    @property
    def stats(self) -> Stats:
        total = Stats()
        for slot in self._slots:
            total.requests += slot.client.stats.requests
            total.counted += slot.client.stats.counted
            total.not_modified += slot.client.stats.not_modified
            total.retries += slot.client.stats.retries
        return total


def _log_retry(message: str) -> None:
    log.info("retry: %s", message)


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    done_at: float | None = None
    report: Report | None = None
    error: BaseException | None = None


class JobCache:
    """Per-job answers kept `ttl` seconds; concurrent misses share one fetch."""

    def __init__(
        self,
        observe: Callable[[str], Report],
        *,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
        max_jobs: int = MAX_JOBS,
    ) -> None:
        self._observe = observe
        self.ttl = ttl
        self._clock = clock
        self._max_jobs = max_jobs
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self.rounds = 0  # engine calls made (each one round of GitHub requests)

    async def get(self, job_id: str) -> Report:
        from starlette.concurrency import run_in_threadpool

        entry = self._entry(job_id)
        async with entry.lock:
            if entry.done_at is None or self._clock() - entry.done_at >= self.ttl:
                self.rounds += 1
                try:
                    entry.report = await run_in_threadpool(self._observe, job_id)
                    entry.error = None
                except Exception as exc:  # shared with every waiter for `ttl`
                    entry.report, entry.error = None, exc
                entry.done_at = self._clock()
            if entry.error is not None:
                raise entry.error
            assert entry.report is not None
            return entry.report

    def _entry(self, job_id: str) -> _Entry:
        entry = self._entries.get(job_id)
        if entry is None:
            entry = self._entries[job_id] = _Entry()
            self._evict()
        else:
            self._entries.move_to_end(job_id)
        return entry

    def _evict(self) -> None:
        excess = len(self._entries) - self._max_jobs
        if excess <= 0:
            return
        idle = [k for k, e in self._entries.items() if not e.lock.locked()][:excess]
        for key in idle:
            del self._entries[key]
