"""The simulator's HTTP side: :class:`Simulator`, routing, auth, rate limit, ETags, faults."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from functools import partial
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

# Route modules register themselves on import.
from github_simulator import routes_actions as _routes_actions  # noqa: F401
from github_simulator import routes_comments as _routes_comments  # noqa: F401
from github_simulator import routes_pulls as _routes_pulls  # noqa: F401
from github_simulator import routes_repo as _routes_repo  # noqa: F401
from github_simulator.core import SimulatorCore
from github_simulator.handler import _Handler
from github_simulator.wire import DOCS, Fault, Identity, RateLimit, RecordedRequest, _Resp

__all__ = [
    "DOCS",
    "Fault",
    "Identity",
    "RateLimit",
    "RecordedRequest",
    "ScenarioSetup",
    "Simulator",
    "register_scenarios",
]


# ``POST /_sim/scenario`` runs whatever the package registered here
# (``scenarios.apply``): scenarios drive a Simulator, so this module must not
# import them back.
ScenarioSetup = Callable[["Simulator", str, str, float], None]
_scenario_setup: ScenarioSetup | None = None


def register_scenarios(setup: ScenarioSetup) -> None:
    """Make ``POST /_sim/scenario`` call ``setup(sim, name, job_id, speed)``.

    ``setup`` raises ValueError for an unknown name (answered 400).
    """
    global _scenario_setup
    _scenario_setup = setup


def _scenario_control(sim: Simulator, body: bytes) -> _Resp:
    """The answer to ``POST /_sim/scenario`` with JSON ``{name, job_id, speed}``."""
    if _scenario_setup is None:
        return _Resp(404, {"message": "no scenarios registered"})
    try:
        spec = json.loads(body or b"{}")
        _scenario_setup(
            sim,
            str(spec["name"]),
            str(spec.get("job_id") or "demo-1"),
            float(spec.get("speed") or 1.0),
        )
    except (ValueError, KeyError, TypeError) as err:
        return _Resp(400, {"message": f"bad scenario request: {err}"})
    return _Resp(200, {"ok": True})


class _Server(ThreadingHTTPServer):
    """A client that hangs up mid-answer is normal (GitHub does not mind either);
    the base class would print a traceback for it on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset, broken pipe, aborted
            return
        super().handle_error(request, client_address)


class Simulator(SimulatorCore):
    """A GitHub REST API simulator serving one repository over real HTTP on loopback.

    See the package docstring (:mod:`github_simulator`) for the full API.
    """

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """API base URL, ``http://127.0.0.1:PORT`` (``/api/v3`` may be appended)."""
        if self._server is None:
            raise RuntimeError("simulator not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        sim = self

        class Handler(_Handler):
            simulator = sim
            scenario_control = partial(_scenario_control, sim)

        server = _Server((self.host, self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="github-sim",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
