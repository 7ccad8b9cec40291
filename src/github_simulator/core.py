"""The simulator's state apart from its HTTP server: the repository, the clock,
scheduled events, tokens, the primary rate limit, injected faults, recorded requests.

Route and handler modules work on a :class:`SimulatorCore`; ``server.Simulator``
adds the HTTP lifecycle on top, so nothing here imports the server back.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections import deque
from collections.abc import Callable
from http.server import ThreadingHTTPServer

from github_simulator.clock import Clock, RealClock
from github_simulator.state import SimState
from github_simulator.wire import Fault, Identity, RateLimit, RecordedRequest

SECONDARY_POINTS = 900
GRAPHQL_SECONDARY_POINTS = 2000


class SimulatorCore:
    """Everything a :class:`~github_simulator.server.Simulator` holds and scripts."""

    def __init__(
        self,
        owner: str = "acme",
        repo: str = "agents",
        token: str = "ghs_simtoken",  # noqa: S107
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        default_branch: str = "main",
    ) -> None:
        self.clock: Clock = clock if clock is not None else RealClock()
        self.state = SimState(owner, repo, default_branch, self.clock)
        self.token = token
        # token -> who it acts as; `token` is the run's GITHUB_TOKEN.
        self.identities: dict[str, Identity] = {token: Identity()}
        self.host = host
        self.port = port
        self.epoch = self.clock.time()
        self.rate_limit = RateLimit(reset=int(self.epoch) + 3600)
        # GraphQL's primary limit, a budget of points apart from the REST one
        # (github_simulator.graphql_api); 5,000 an hour like a user's.
        self.graphql_rate_limit = RateLimit(reset=int(self.epoch) + 3600)
        # GitHub's secondary limit: "No more than 900 points per minute are allowed
        # for REST API endpoints" per endpoint; a GET is 1 point, a write 5
        # (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
        # None turns it off.
        self.points_per_minute: int | None = SECONDARY_POINTS
        # "no more than 2,000 points per minute are allowed for the GraphQL API
        # endpoint"; a query is 1 point, one with a mutation 5. None turns it off.
        self.graphql_points_per_minute: int | None = GRAPHQL_SECONDARY_POINTS
        self._points: dict[str, deque[tuple[float, int]]] = {}
        self.secondary_refused = 0  # requests refused for the secondary limit
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self._events: list[tuple[float, int, Callable[[SimState], object]]] = []
        self._event_seq = 0
        self._blobs: dict[str, bytes] = {}
        self._served: dict[str, list[str]] = {}  # GET URL -> recent distinct JSON answers
        # Requests outside the API (``/_sim/blobs``): where a token must never go.
        self.blob_requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ scripting
    def schedule(self, at_seconds: float, fn: Callable[[SimState], object]) -> None:
        """Apply ``fn(state)`` once clock time >= simulator creation time + ``at_seconds``."""
        self._add_event(self.epoch + at_seconds, fn)

    def schedule_in(self, delay: float, fn: Callable[[SimState], object]) -> None:
        """Apply ``fn(state)`` once ``delay`` seconds have passed from now (clock time)."""
        self._add_event(self.clock.time() + delay, fn)

    def _add_event(self, due: float, fn: Callable[[SimState], object]) -> None:
        with self._lock:
            self._event_seq += 1
            bisect.insort(self._events, (due, self._event_seq, fn), key=lambda e: e[:2])

    @property
    def pending_events(self) -> int:
        with self._lock:
            return len(self._events)

    def run_due(self) -> int:
        """Apply every scheduled event that is due, in time order. Returns how many ran."""
        ran = 0
        while True:
            with self._lock, self.state.lock:
                if not self._events or self._events[0][0] > self.clock.time():
                    return ran
                _, _, fn = self._events.pop(0)
                fn(self.state)
                ran += 1

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def add_fault(
        self,
        method: str,
        path: str,
        kind: str,
        times: int | None = 1,
        query: str | None = None,
        skip: int = 0,
    ) -> Fault:
        """Inject a fault (see :data:`FAULT_KINDS`); ``{port}`` in a URL is this port."""
        fault = Fault(method, path, kind, times, query, skip)
        with self._lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, method: str, path: str, query: str = "") -> Fault | None:
        blob = path.startswith("/_sim/")
        with self._lock:
            for i, item in enumerate(self.faults):
                fault = item if isinstance(item, Fault) else Fault(*item)
                self.faults[i] = fault
                if fault.method not in ("*", "") and fault.method.upper() != method:
                    continue
                if blob and "_sim" not in fault.path:
                    continue  # blob downloads only get faults that name them
                if not re.search(fault.path, path):
                    continue
                if fault.query is not None and not re.search(fault.query, query):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.times is not None and fault.times >= 0:
                    fault.times -= 1
                    if fault.times <= 0:
                        del self.faults[i]
                return fault
            return None

    def _secondary_wait(self, endpoint: str, method: str) -> int | None:
        """Spend a REST request's points (GET 1, a write 5) on `endpoint`, of
        `points_per_minute`; see :meth:`_spend_points`."""
        cost = 1 if method in ("GET", "HEAD", "OPTIONS") else 5
        return self._spend_points(endpoint, cost, self.points_per_minute)

    def _spend_points(self, endpoint: str, cost: int, limit: int | None) -> int | None:
        """Spend `cost` points on `endpoint`; or, when the minute's `limit` is spent,
        the seconds until it is not (the request is refused and spends none)."""
        if limit is None:
            return None
        now = self.clock.time()
        with self._lock:
            spent = self._points.setdefault(endpoint, deque())
            while spent and spent[0][0] <= now - 60:
                spent.popleft()
            if sum(points for _, points in spent) + cost > limit:
                self.secondary_refused += 1
                return max(1, math.ceil(spent[0][0] + 60 - now))
            spent.append((now, cost))
        return None

    def _record(self, rec: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(rec)

    def _refresh_rate_limit(self) -> None:
        now = self.clock.time()
        for rl in (self.rate_limit, self.graphql_rate_limit):
            if now >= rl.reset:
                rl.remaining = rl.limit
                rl.reset = int(now) + 3600

    def _rate_headers(self, resource: str = "core") -> dict[str, str]:
        """The X-RateLimit-* headers of ``core`` (REST) or ``graphql``."""
        rl = self.graphql_rate_limit if resource == "graphql" else self.rate_limit
        return {
            "X-RateLimit-Limit": str(rl.limit),
            "X-RateLimit-Remaining": str(max(0, rl.remaining)),
            "X-RateLimit-Reset": str(rl.reset),
            "X-RateLimit-Used": str(rl.used),
            "X-RateLimit-Resource": resource,
        }
