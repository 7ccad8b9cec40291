"""The simulator's HTTP side: :class:`Simulator`, routing, auth, rate limit, ETags, faults."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import secrets
import socket
import struct
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

from github_simulator import payloads
from github_simulator.clock import Clock, RealClock
from github_simulator.state import RunAttempt, SimState, StepState

__all__ = [
    "Fault",
    "RateLimit",
    "RecordedRequest",
    "ScenarioSetup",
    "Simulator",
    "register_scenarios",
]

DOCS = "https://docs.github.com/rest"
_REQUEST_ID = "0000:0000:0000000:0000000:00000000"
_RATE_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    f"If you reach out to GitHub Support for help, please include the request ID {_REQUEST_ID}."
)
SECONDARY_DOC = f"{_RATE_DOC}#about-secondary-rate-limits"
PRIMARY_MESSAGE = (
    "API rate limit exceeded for installation ID 12345678. If you reach out to GitHub Support "
    f"for help, please include the request ID {_REQUEST_ID}."
)
PRIMARY_DOC = f"{_RATE_DOC}#about-the-primary-rate-limit"
Json = dict[str, Any]

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


@dataclass
class RecordedRequest:
    """One API request the simulator answered (``/_sim/*`` paths are not recorded)."""

    method: str
    path: str  # decoded, without query string and without an /api/v3 prefix
    query: dict[str, str]
    status: int  # 0 when the connection was reset without an answer
    counted: bool  # whether it consumed primary rate limit
    headers: dict[str, str]


@dataclass
class RateLimit:
    """Primary (core) rate limit. Attributes are freely settable."""

    limit: int = 5000
    remaining: int = 5000
    reset: int = 0

    @property
    def used(self) -> int:
        return max(0, self.limit - self.remaining)


@dataclass
class Fault:
    """Fault injection: requests whose method matches ``method`` (``*`` = any) and whose
    path matches the regex ``path`` (``re.search``) get ``kind`` instead of a normal answer.

    kinds: ``status:<code>``, ``reset``, ``slow:<seconds>`` (then answered normally),
    ``truncated`` (normal headers, half the body), ``secondary`` (403 + retry-after),
    and those in :data:`FAULT_KINDS`. ``times`` is decremented on each hit and the fault
    removed at 0; None = forever. ``query`` (a regex, ``re.search`` on the raw query
    string) narrows the match, e.g. ``r"page=2"`` for one page of a list; ``skip`` lets
    that many matching requests through first (a fault that starts "one poll later").
    """

    method: str
    path: str
    kind: str
    times: int | None = 1
    query: str | None = None
    skip: int = 0


FAULT_KINDS = {
    "status:<code>": "a GitHub-like JSON error with that status (500, 502, 503, 504, 401...)",
    "reset": "the connection is closed with RST, no answer",
    "slow:<seconds>": "real sleep, then a normal answer (beyond a client's read timeout)",
    "truncated": "normal headers incl. full Content-Length, half the body, then close",
    "malformed": "200 with a body that is not JSON",
    "shape": "200 with JSON of the wrong shape (list keys dropped, or list <-> object)",
    "body:<json>": "200 with exactly that JSON",
    "secondary": "403 secondary rate limit with Retry-After: 1",
    "secondary:<seconds>": "403 secondary rate limit with Retry-After: <seconds>",
    "secondary-no-retry-after": "403 secondary rate limit without Retry-After",
    "429": "429 Too Many Requests with Retry-After: 1",
    "429-no-retry-after": "429 Too Many Requests without Retry-After",
    "primary:<seconds>": "403 primary limit exhausted, X-RateLimit-Reset that far away",
    "stale": "a lagging list: the previous different answer to the same URL, if any",
    "link:<url>": "a normal answer whose Link header says rel=next is <url>",
    "redirect:<code>:<url>": "that status (301, 302, 307) with Location <url>",
}


@dataclass
class _Resp:
    status: int
    body: Any = None  # JSON-able, bytes, or None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class _Ctx:
    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    api: str  # e.g. http://127.0.0.1:1234 or http://127.0.0.1:1234/api/v3
    port: int


class _HTTPError(Exception):
    def __init__(
        self, status: int, message: str, doc: str = DOCS, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.resp = _Resp(status, {"message": message, "documentation_url": doc}, headers or {})


def _not_found(message: str = "Not Found", doc: str = DOCS) -> _HTTPError:
    return _HTTPError(404, message, doc)


Route = tuple[str, re.Pattern[str], str | None, Callable[["Simulator", _Ctx, re.Match[str]], _Resp]]


class _Server(ThreadingHTTPServer):
    """A client that hangs up mid-answer is normal (GitHub does not mind either);
    the base class would print a traceback for it on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset, broken pipe, aborted
            return
        super().handle_error(request, client_address)


class Simulator:
    """A GitHub REST API simulator serving one repository over real HTTP on loopback.

    See the package docstring (:mod:`github_simulator`) for the full API.
    """

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
        self.host = host
        self.port = port
        self.epoch = self.clock.time()
        self.rate_limit = RateLimit(reset=int(self.epoch) + 3600)
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
            self._events.append((due, self._event_seq, fn))
            self._events.sort(key=lambda e: (e[0], e[1]))

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

    def _record(self, rec: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(rec)

    def _refresh_rate_limit(self) -> None:
        now = self.clock.time()
        if now >= self.rate_limit.reset:
            self.rate_limit.remaining = self.rate_limit.limit
            self.rate_limit.reset = int(now) + 3600

    def _rate_headers(self) -> dict[str, str]:
        rl = self.rate_limit
        return {
            "X-RateLimit-Limit": str(rl.limit),
            "X-RateLimit-Remaining": str(max(0, rl.remaining)),
            "X-RateLimit-Reset": str(rl.reset),
            "X-RateLimit-Used": str(rl.used),
            "X-RateLimit-Resource": "core",
        }

    # ------------------------------------------------------------ pagination
    def _paginate(self, ctx: _Ctx, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        per_page = _int(ctx.query.get("per_page"), 30)
        per_page = 30 if per_page < 1 else min(per_page, 100)
        page = max(1, _int(ctx.query.get("page"), 1))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers: dict[str, str] = {}
        if last > 1:

            def link(n: int) -> str:
                q = dict(ctx.query)
                q["page"] = str(n)
                if "per_page" in ctx.query:
                    q["per_page"] = str(per_page)
                return f"<{ctx.api}{quote(ctx.raw_path, safe='/%:@.~-_')}?{urlencode(q)}>"

            parts: list[str] = []
            if page > 1:
                parts.append(f'{link(min(page - 1, last))}; rel="prev"')
            if page < last:
                parts.append(f'{link(page + 1)}; rel="next"')
                parts.append(f'{link(last)}; rel="last"')
            if page > 1:
                parts.append(f'{link(1)}; rel="first"')
            if parts:
                headers["Link"] = ", ".join(parts)
        return chunk, headers

    # ------------------------------------------------------------ log zips
    def _log_zip(self, attempt: RunAttempt) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for idx, job in enumerate(attempt.jobs):
                job_dir = _safe_name(job.name)
                whole: list[str] = []
                for step in job.steps:
                    text = _step_log(step, job.started_at or job.created_at)
                    whole.append(text)
                    zf.writestr(f"{job_dir}/{step.number}_{_safe_name(step.name)}.txt", text)
                zf.writestr(f"{idx}_{job_dir}.txt", "".join(whole))
        return buf.getvalue()


def _safe_name(name: str) -> str:
    return name.replace("/", "_").replace(":", "_")


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _step_log(step: StepState, fallback: datetime) -> str:
    if step.status == "queued" or step.conclusion == "skipped":
        return ""
    start = step.started_at or fallback
    lines = [f"##[group]Run {step.name}", "##[endgroup]"]
    if step.log is not None:
        lines[1:1] = step.log.splitlines()
    else:
        lines.insert(1, f"{step.name}: ok")
    if step.conclusion not in (None, "success", "skipped", "neutral"):
        lines.append("##[error]Process completed with exit code 1.")
    out = []
    for i, line in enumerate(lines):
        out.append(f"{_stamp(start + timedelta(milliseconds=10 * i))} {line}\n")
    return "".join(out)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ======================================================================== routes
_ROUTES: list[Route] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def _route(
    method: str, pattern: str, family: str | None = None
) -> Callable[
    [Callable[[Simulator, _Ctx, re.Match[str]], _Resp]],
    Callable[[Simulator, _Ctx, re.Match[str]], _Resp],
]:
    def deco(
        fn: Callable[[Simulator, _Ctx, re.Match[str]], _Resp],
    ) -> Callable[[Simulator, _Ctx, re.Match[str]], _Resp]:
        _ROUTES.append((method, re.compile(pattern.replace("{REPO}", _REPO) + r"/?$"), family, fn))
        return fn

    return deco


@_route("GET", "/user")
def _get_user(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    raise _HTTPError(
        403,
        "Resource not accessible by integration",
        f"{DOCS}/users/users#get-the-authenticated-user",
    )


@_route("GET", "/rate_limit")
def _get_rate_limit(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    rl = sim.rate_limit
    core = {
        "limit": rl.limit,
        "remaining": max(0, rl.remaining),
        "reset": rl.reset,
        "used": rl.used,
        "resource": "core",
    }
    reset = int(sim.clock.time()) + 60
    search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0, "resource": "search"}
    graphql = {
        "limit": 5000,
        "remaining": 5000,
        "reset": reset + 3540,
        "used": 0,
        "resource": "graphql",
    }
    return _Resp(
        200, {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}
    )


@_route("GET", "{REPO}")
def _get_repo(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    return _Resp(200, payloads.repository(sim.state, ctx.api))


@_route("GET", "{REPO}/branches", "contents")
def _list_branches(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    st = sim.state
    items = [
        {
            "name": name,
            "commit": {"sha": sha, "url": f"{payloads.repo_api(st, ctx.api)}/commits/{sha}"},
            "protected": False,
        }
        for name, sha in sorted(st.branches.items())
    ]
    page, headers = sim._paginate(ctx, items)
    return _Resp(200, page, headers)


@_route("GET", "{REPO}/branches/(?P<branch>.+)", "contents")
def _get_branch(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    name = m["branch"]
    if name not in sim.state.branches:
        raise _not_found("Branch not found", f"{DOCS}/branches/branches#get-a-branch")
    return _Resp(200, payloads.branch(sim.state, ctx.api, name))


@_route("GET", "{REPO}/git/matching-refs/(?P<ref>.*)", "contents")
def _matching_refs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    prefix = "refs/" + m["ref"]
    names = sorted(n for n in sim.state.branches if f"refs/heads/{n}".startswith(prefix))
    return _Resp(200, [payloads.git_ref(sim.state, ctx.api, n) for n in names])


@_route("GET", "{REPO}/git/ref/(?P<ref>.+)", "contents")
def _get_ref(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    ref = m["ref"]
    if not ref.startswith("heads/") or ref[6:] not in sim.state.branches:
        raise _not_found()
    return _Resp(200, payloads.git_ref(sim.state, ctx.api, ref[6:]))


def _runs_list(sim: Simulator, ctx: _Ctx, workflow: str | None) -> _Resp:
    st = sim.state
    runs = list(st.runs.values())
    if workflow is not None:
        if workflow not in st.workflows and workflow not in {str(v) for v in st.workflows.values()}:
            raise _not_found(doc=f"{DOCS}/actions/workflow-runs#list-workflow-runs-for-a-workflow")
        runs = [r for r in runs if workflow in (r.workflow_file, str(r.workflow_id))]
    q = ctx.query
    if q.get("branch"):
        runs = [r for r in runs if r.head_branch == q["branch"]]
    if q.get("event"):
        runs = [r for r in runs if r.event == q["event"]]
    if q.get("head_sha"):
        runs = [r for r in runs if r.head_sha == q["head_sha"]]
    if q.get("status"):
        want = q["status"]
        runs = [r for r in runs if want in (r.latest.status, r.latest.conclusion)]
    runs.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    page, headers = sim._paginate(ctx, runs)
    body = {
        "total_count": len(runs),
        "workflow_runs": [payloads.workflow_run(st, ctx.api, r) for r in page],
    }
    return _Resp(200, body, headers)


@_route("GET", "{REPO}/actions/workflows", "actions")
def _list_workflows(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    st = sim.state
    items = sorted(st.workflows.items(), key=lambda kv: kv[1])
    page, headers = sim._paginate(ctx, items)
    flows = [payloads.workflow(st, ctx.api, f, wid) for f, wid in page]
    return _Resp(200, {"total_count": len(items), "workflows": flows}, headers)


@_route("GET", "{REPO}/actions/workflows/(?P<wf>[^/]+)", "actions")
def _get_workflow(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    for file, wid in sim.state.workflows.items():
        if m["wf"] in (file, str(wid)):
            return _Resp(200, payloads.workflow(sim.state, ctx.api, file, wid))
    raise _not_found(doc=f"{DOCS}/actions/workflows#get-a-workflow")


@_route("GET", "{REPO}/actions/runs", "actions")
def _list_runs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    return _runs_list(sim, ctx, None)


@_route("GET", "{REPO}/actions/workflows/(?P<wf>[^/]+)/runs", "actions")
def _list_workflow_runs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    return _runs_list(sim, ctx, m["wf"])


def _find_attempt(sim: Simulator, m: re.Match[str]) -> tuple[Any, RunAttempt]:
    run = sim.state.runs.get(int(m["run"]))
    if run is None:
        raise _not_found()
    n = m.groupdict().get("attempt")
    if n is None:
        return run, run.latest
    idx = int(n)
    if not 1 <= idx <= len(run.attempts):
        raise _not_found()
    return run, run.attempts[idx - 1]


@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)", "actions")
@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/attempts/(?P<attempt>\d+)", "actions")
def _get_run(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    run, att = _find_attempt(sim, m)
    return _Resp(200, payloads.workflow_run(sim.state, ctx.api, run, att.number))


@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/jobs", "actions")
@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/attempts/(?P<attempt>\d+)/jobs", "actions")
def _get_jobs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    run, att = _find_attempt(sim, m)
    page, headers = sim._paginate(ctx, att.jobs)
    body = {
        "total_count": len(att.jobs),
        "jobs": [payloads.job(sim.state, ctx.api, run, att, j) for j in page],
    }
    return _Resp(200, body, headers)


@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/logs", "actions")
@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/attempts/(?P<attempt>\d+)/logs", "actions")
def _get_logs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    _, att = _find_attempt(sim, m)
    if att.status != "completed":
        raise _not_found(doc=f"{DOCS}/actions/workflow-runs#download-workflow-run-logs")
    name = secrets.token_hex(16) + ".zip"
    with sim._lock:
        sim._blobs[name] = sim._log_zip(att)
    location = f"http://localhost:{ctx.port}/_sim/blobs/{name}"
    return _Resp(302, None, {"Location": location})


def _pulls_filtered(sim: Simulator, ctx: _Ctx) -> list[Any]:
    st = sim.state
    q = ctx.query
    state = q.get("state", "open")
    prs = [p for p in st.pulls.values() if state == "all" or p.state == state]
    if q.get("head"):
        owner, _, ref = q["head"].rpartition(":")
        if owner and owner != st.owner:
            prs = []
        prs = [p for p in prs if p.head_ref == ref]
    if q.get("base"):
        prs = [p for p in prs if p.base_ref == q["base"]]
    sort = q.get("sort", "created")
    direction = q.get("direction", "desc" if sort == "created" else "asc")
    key = (
        (lambda p: (p.updated_at, p.number))
        if sort == "updated"
        else (lambda p: (p.created_at, p.number))
    )
    prs.sort(key=key, reverse=direction == "desc")
    return prs


@_route("GET", "{REPO}/pulls", "pulls")
def _list_pulls(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    page, headers = sim._paginate(ctx, _pulls_filtered(sim, ctx))
    return _Resp(200, [payloads.pull_simple(sim.state, ctx.api, p) for p in page], headers)


def _find_pr(sim: Simulator, m: re.Match[str]) -> Any:
    pr = sim.state.pulls.get(int(m["number"]))
    if pr is None:
        raise _not_found(doc=f"{DOCS}/pulls/pulls#get-a-pull-request")
    return pr


@_route("GET", r"{REPO}/pulls/(?P<number>\d+)", "pulls")
def _get_pull(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    return _Resp(200, payloads.pull_full(sim.state, ctx.api, _find_pr(sim, m)))


@_route("GET", r"{REPO}/pulls/(?P<number>\d+)/files", "pulls")
def _get_pull_files(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    pr = _find_pr(sim, m)
    page, headers = sim._paginate(ctx, sim.state.pr_files(pr.number))
    return _Resp(
        200, [payloads.diff_entry(sim.state, ctx.api, f, pr.head_sha) for f in page], headers
    )


@_route("GET", "{REPO}/compare/(?P<spec>.+)", "contents")
def _compare(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    spec = m["spec"]
    sep = "..." if "..." in spec else ".."
    base_spec, _, head_spec = spec.partition(sep)
    if not head_spec:
        raise _not_found()
    base = sim.state.resolve_ref(base_spec.rpartition(":")[2])
    head = sim.state.resolve_ref(head_spec.rpartition(":")[2])
    if base is None or head is None:
        raise _not_found()
    return _Resp(200, payloads.comparison(sim.state, ctx.api, base_spec, head_spec, base, head))


@_route("GET", "{REPO}/contents(?:/(?P<path>.*))?", "contents")
def _contents(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    st = sim.state
    path = (m["path"] or "").strip("/")
    ref = ctx.query.get("ref") or st.default_branch
    sha = st.resolve_ref(ref)
    if sha is None:
        raise _not_found(
            f"No commit found for the ref {ref}", f"{DOCS}/repos/contents#get-repository-content"
        )
    tree = st.commits[sha].tree
    raw = ".raw" in ctx.headers.get("accept", "")
    if path in tree:
        blob = tree[path]
        if raw:
            return _Resp(200, st.blobs[blob], {}, "text/plain; charset=utf-8")
        return _Resp(200, payloads.content_file(st, ctx.api, path, blob, ref, sha))
    prefix = f"{path}/" if path else ""
    children: dict[str, tuple[str, str, int]] = {}
    for p, blob in tree.items():
        if not p.startswith(prefix):
            continue
        rest = p[len(prefix) :]
        name, slash, _ = rest.partition("/")
        full = prefix + name
        if slash:
            children[name] = ("dir", payloads.dir_sha(tree, full + "/"), 0)
        else:
            children[name] = ("file", blob, len(st.blobs[blob]))
    if not children:
        raise _not_found(doc=f"{DOCS}/repos/contents#get-repository-content")
    entries = [
        payloads.content_entry(st, ctx.api, prefix + name, kind, csha, size, ref, sha)
        for name, (kind, csha, size) in sorted(children.items())
    ]
    return _Resp(200, entries)


def _issue_number(sim: Simulator, m: re.Match[str]) -> int:
    number = int(m["number"])
    if number not in sim.state.pulls:
        raise _not_found(doc=f"{DOCS}/issues/comments#list-issue-comments")
    return number


@_route("GET", r"{REPO}/issues/(?P<number>\d+)/comments", "pulls")
def _list_comments(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    number = _issue_number(sim, m)
    items = sorted(
        (c for c in sim.state.comments.values() if c.issue_number == number), key=lambda c: c.id
    )
    page, headers = sim._paginate(ctx, items)
    return _Resp(200, [payloads.comment(sim.state, ctx.api, c) for c in page], headers)


def _comment_body(ctx: _Ctx) -> str:
    body = ctx.body.get("body") if isinstance(ctx.body, dict) else None
    if not isinstance(body, str):
        raise _HTTPError(
            422, 'Invalid request.\n\nNo subschema in "anyOf" matched.', f"{DOCS}/issues/comments"
        )
    if len(body) > 65536:
        raise _HTTPError(422, "Validation Failed", f"{DOCS}/issues/comments")
    return body


@_route("POST", r"{REPO}/issues/(?P<number>\d+)/comments", "pulls_write")
def _post_comment(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    number = _issue_number(sim, m)
    cid = sim.state.add_comment(number, _comment_body(ctx), user="github-actions[bot]")
    body = payloads.comment(sim.state, ctx.api, sim.state.comments[cid])
    return _Resp(201, body, {"Location": body["url"]})


def _find_comment(sim: Simulator, m: re.Match[str]) -> int:
    cid = int(m["cid"])
    if cid not in sim.state.comments:
        raise _not_found(doc=f"{DOCS}/issues/comments")
    return cid


@_route("GET", r"{REPO}/issues/comments/(?P<cid>\d+)", "pulls")
def _get_comment(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    cid = _find_comment(sim, m)
    return _Resp(200, payloads.comment(sim.state, ctx.api, sim.state.comments[cid]))


@_route("PATCH", r"{REPO}/issues/comments/(?P<cid>\d+)", "pulls_write")
def _patch_comment(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    cid = _find_comment(sim, m)
    sim.state.edit_comment(cid, _comment_body(ctx))
    return _Resp(200, payloads.comment(sim.state, ctx.api, sim.state.comments[cid]))


@_route("DELETE", r"{REPO}/issues/comments/(?P<cid>\d+)", "pulls_write")
def _delete_comment(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    sim.state.delete_comment(_find_comment(sim, m))
    return _Resp(204, None)


_FAMILY_PERMISSION = {
    "actions": ("actions", "actions=read"),
    "contents": ("contents", "contents=read"),
    "pulls": ("pull_requests", "pull_requests=read"),
    "pulls_write": ("pull_requests_write", "issues=write; pull_requests=write"),
}


def _dispatch(sim: Simulator, ctx: _Ctx) -> _Resp:
    st = sim.state
    matched_path = False
    for method, pattern, family, fn in _ROUTES:
        m = pattern.match(ctx.path)
        if m is None:
            continue
        matched_path = True
        if method != ctx.method:
            continue
        groups = m.groupdict()
        if "owner" in groups and (groups["owner"].lower(), groups["repo"].lower()) != (
            st.owner.lower(),
            st.repo.lower(),
        ):
            raise _not_found()
        if family is not None:
            attr, header = _FAMILY_PERMISSION[family]
            if not getattr(st.permissions, attr):
                raise _HTTPError(
                    403,
                    "Resource not accessible by integration",
                    DOCS,
                    {"X-Accepted-GitHub-Permissions": header},
                )
        return fn(sim, ctx, m)
    if matched_path and ctx.method not in ("GET", "HEAD"):
        raise _not_found()
    raise _not_found()


# ======================================================================== handler
class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -------------------------------------------------------------- plumbing
    def _read_body(self) -> bytes:
        length = _int(self.headers.get("Content-Length"), 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self, resp: _Resp, truncate: bool = False, extra: dict[str, str] | None = None
    ) -> None:
        payload: bytes
        if resp.body is None:
            payload = b""
        elif isinstance(resp.body, bytes):
            payload = resp.body
        else:
            payload = json.dumps(resp.body).encode()
        self.send_response(resp.status)
        headers = dict(extra or {})
        headers.update(resp.headers)
        if resp.status not in (204, 304):
            headers.setdefault("Content-Type", resp.content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        if resp.status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if resp.status in (204, 304):
            return
        if truncate:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)

    def _reset(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _handle(self, method: str) -> None:
        sim = self.simulator
        raw_target, _, qs = self.path.partition("?")
        raw_path = raw_target
        prefix = ""
        if raw_path == "/api/v3" or raw_path.startswith("/api/v3/"):
            prefix = "/api/v3"
            raw_path = raw_path[len(prefix) :] or "/"
        path = unquote(raw_path)
        body_bytes = self._read_body()
        if path.startswith("/_sim/"):
            self._control(method, path, body_bytes)
            return
        query = {k: v[-1] for k, v in parse_qs(qs, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = self.headers.get("Host") or f"{sim.host}:{sim.port}"
        try:
            body: Any = json.loads(body_bytes) if body_bytes else None
        except ValueError:
            body = None
        ctx = _Ctx(method, path, raw_path, query, headers, body, f"http://{host}{prefix}", sim.port)

        def record(status: int, counted: bool) -> None:
            sim._record(
                RecordedRequest(method, path, query, status, counted, dict(self.headers.items()))
            )

        sim.run_due()
        truncate = False
        late = ""  # a fault applied to the normal answer: shape, stale, link
        fault = sim._take_fault(method, path, qs)
        if fault is not None:
            kind = fault.kind.replace("{port}", str(sim.port))
            early = _early_fault(sim, kind)
            if kind == "reset":
                record(0, False)
                self._reset()
                return
            if early is not None:
                record(early.status, False)
                self._send(early)
                return
            if kind.startswith("slow:"):
                time.sleep(float(kind[5:]))
            elif kind == "truncated":
                truncate = True
            elif kind in ("shape", "stale") or kind.startswith("link:"):
                late = kind

        if not self._authorized():
            resp = _Resp(401, {"message": "Bad credentials", "documentation_url": DOCS})
            record(401, False)
            self._send(resp)
            return

        with sim._lock, sim.state.lock:
            sim._refresh_rate_limit()
            counted = path != "/rate_limit"
            if counted and sim.rate_limit.remaining <= 0:
                resp = _Resp(
                    403,
                    {
                        "message": PRIMARY_MESSAGE,
                        "documentation_url": PRIMARY_DOC,
                    },
                )
                counted = False
            else:
                try:
                    resp = _dispatch(sim, ctx)
                except _HTTPError as err:
                    resp = err.resp
                except (KeyError, ValueError) as err:  # a bad id in the path and the like
                    resp = _Resp(
                        422, {"message": f"Validation Failed: {err}", "documentation_url": DOCS}
                    )
                if method == "GET" and resp.status == 200 and not isinstance(resp.body, bytes):
                    _late_fault(sim, late, f"{path}?{qs}", resp)
                if method == "GET" and resp.status == 200 and resp.body is not None:
                    payload = (
                        resp.body
                        if isinstance(resp.body, bytes)
                        else json.dumps(resp.body).encode()
                    )
                    etag = f'W/"{hashlib.sha256(payload).hexdigest()}"'
                    resp.headers["ETag"] = etag
                    resp.headers.setdefault("Cache-Control", "private, max-age=60, s-maxage=60")
                    if _etag_matches(headers.get("if-none-match", ""), etag):
                        resp = _Resp(304, None, {"ETag": etag})
                        counted = False
                    resp.body = payload if resp.status == 200 else None
                if counted:
                    sim.rate_limit.remaining = max(0, sim.rate_limit.remaining - 1)
            rate = sim._rate_headers()
        extra = dict(rate)
        extra["X-GitHub-Media-Type"] = "github.v3; format=json"
        extra["X-GitHub-Request-Id"] = secrets.token_hex(4).upper()
        # recorded before answering, so a client that got its answer sees the record
        record(resp.status, counted)
        self._send(resp, truncate=truncate, extra=extra)

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        return scheme.lower() in ("token", "bearer") and token.strip() == self.simulator.token

    def _control(self, method: str, path: str, body: bytes) -> None:
        sim = self.simulator
        if method == "GET" and path.startswith("/_sim/blobs/"):
            rec = RecordedRequest(method, path, {}, 200, False, dict(self.headers.items()))
            with sim._lock:
                sim.blob_requests.append(rec)
                data = sim._blobs.get(path[len("/_sim/blobs/") :])
            fault = sim._take_fault(method, path)
            if fault is not None and fault.kind == "reset":
                rec.status = 0
                self._reset()
                return
            if fault is not None and fault.kind.startswith("status:"):
                rec.status = int(fault.kind[7:])
                self._send(_Resp(rec.status, {"message": "BlobError"}))
                return
            if data is None:
                rec.status = 404
                self._send(_Resp(404, {"message": "BlobNotFound"}))
            else:
                truncate = fault is not None and fault.kind == "truncated"
                self._send(_Resp(200, data, {}, "application/zip"), truncate=truncate)
            return
        if method == "GET" and path == "/_sim/requests":
            with sim._lock:
                reqs = [asdict(r) for r in sim.requests]
            self._send(_Resp(200, reqs))
            return
        if method == "POST" and path == "/_sim/scenario":
            if _scenario_setup is None:
                self._send(_Resp(404, {"message": "no scenarios registered"}))
                return
            try:
                spec = json.loads(body or b"{}")
                _scenario_setup(
                    sim,
                    str(spec["name"]),
                    str(spec.get("job_id") or "demo-1"),
                    float(spec.get("speed") or 1.0),
                )
            except (ValueError, KeyError, TypeError) as err:
                self._send(_Resp(400, {"message": f"bad scenario request: {err}"}))
                return
            self._send(_Resp(200, {"ok": True}))
            return
        if method == "POST" and path == "/_sim/reset_requests":
            sim.reset_requests()
            self._send(_Resp(200, {"ok": True}))
            return
        self._send(_Resp(404, {"message": "Not Found", "documentation_url": DOCS}))


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


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))
