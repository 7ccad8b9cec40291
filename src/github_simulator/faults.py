"""How injected faults change an answer: instead of it (early) or bent (late)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from github_simulator import graphql_gate
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.routing import endpoint_of
from github_simulator.wire import (
    DOCS,
    PRIMARY_DOC,
    PRIMARY_MESSAGE,
    SECONDARY_DOC,
    SECONDARY_MESSAGE,
    _Resp,
)


def _early_fault(sim: Simulator, kind: str) -> _Resp | None:
    """The answer a fault gives instead of the normal one (None: not such a fault)."""
    with sim._lock:
        rate = sim._rate_headers()
    wait = kind.partition(":")[2] if kind.startswith("secondary:") else "1"
    if kind.startswith("secondary:"):
        kind = "secondary"
    if kind in ("secondary", "secondary-no-retry-after", "429", "429-no-retry-after"):
        status = 429 if kind.startswith("429") else 403
        if status == 429:
            rate["Retry-After"] = "1"
        if kind == "secondary":
            rate["Retry-After"] = wait
        if kind.endswith("no-retry-after"):
            rate.pop("Retry-After", None)
        body = {"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOC}
        return _Resp(status, body, rate)
    if kind.startswith("primary:"):
        reset = int(sim.clock.time() + float(kind[8:]))
        rate.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
        return _Resp(403, {"message": PRIMARY_MESSAGE, "documentation_url": PRIMARY_DOC}, rate)
    if kind.startswith("status:"):
        code = int(kind[7:])
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        return _Resp(code, {"message": phrase, "documentation_url": DOCS}, rate)
    if kind == "malformed":
        return _Resp(200, b'{"workflow_runs": [{"id": 1,, <html>502 Bad Gateway', rate)
    if kind.startswith("body:"):
        return _Resp(200, kind[5:].encode(), rate)
    if kind.startswith("redirect:"):
        moved, _, location = kind[9:].partition(":")
        return _Resp(int(moved), None, {**rate, "Location": location})
    return None


def _limited(sim: Simulator, method: str, path: str, body: Any = None) -> _Resp | None:
    """GitHub's secondary limit's answer, when this request is past it
    (``points_per_minute``; GraphQL's ``graphql_points_per_minute``, 1 point a
    query, 5 with a mutation); None when it is not."""
    points = graphql_gate.secondary_points(method, path, body)
    if points is None:
        wait = sim._secondary_wait(endpoint_of(method, path), method)
        return None if wait is None else _early_fault(sim, f"secondary:{wait}")
    wait = sim._spend_points("POST graphql", points, sim.graphql_points_per_minute)
    if wait is None:
        return None
    refused = _early_fault(sim, f"secondary:{wait}")
    assert refused is not None
    with sim._lock:
        refused.headers.update(sim._rate_headers("graphql"))
    return refused


def _late_fault(sim: Simulator, kind: str, key: str, resp: _Resp) -> None:
    """Faults that bend a normal JSON answer: ``shape``, ``stale``, ``link:<url>``;
    also remembers each URL's recent answers for ``stale``."""
    if resp.body is None:
        return
    encoded = json.dumps(resp.body)
    with sim._lock:
        history = sim._served.setdefault(key, [])
        if kind == "stale":
            older = next((b for b in reversed(history) if b != encoded), None)
            if older is not None:
                resp.body = json.loads(older)  # served, not remembered: the list lags
            return
        if not history or history[-1] != encoded:
            history.append(encoded)
            del history[:-4]
    if kind == "shape":
        body = resp.body
        if isinstance(body, list):
            resp.body = {"message": "not a list", "total_count": len(body)}
        elif isinstance(body, dict):
            kept = {k: v for k, v in body.items() if not isinstance(v, list)}
            resp.body = kept if len(kept) != len(body) else [body]
    elif kind.startswith("link:"):
        resp.headers["Link"] = f'<{kind[5:]}>; rel="next"'
