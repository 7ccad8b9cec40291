"""A small GitHub REST API simulator: real HTTP on loopback, one repository, scripted state.

Used by the tests and by ``agent-job-status demo``. Standard library only (GraphQL
also needs graphql-core, see ``graphql_api.py``).

Quick start::

    from datetime import UTC, datetime
    from github_simulator import Simulator, SimClock

    clock = SimClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    with Simulator(owner="acme", repo="agents", token="ghs_simtoken", clock=clock) as sim:
        st = sim.state
        st.create_branch("job/abc", files={"logs/abc/job.config.json": '{"model": "m"}'})
        run_id = st.start_run("job/abc")              # queued, run_attempt 1
        st.set_run_status(run_id, "in_progress")
        st.advance_step(run_id)
        st.finish_run(run_id, conclusion="success")
        n = st.open_pr("job/abc", title="Fix", body="...")
        auth = {"Authorization": "token ghs_simtoken"}
        requests.get(sim.url + "/repos/acme/agents/pulls", headers=auth)

Clocks (``clock.py``)
    ``SimClock(start)``: virtual time; ``now()`` (aware UTC datetime), ``time()`` (epoch float),
    ``sleep(s)`` / ``advance(s)`` move time forward instantly. ``RealClock``: wall time.
    ``Simulator(clock=None)`` uses a ``RealClock``.

Simulator (``server.py``)
    ``Simulator(owner="acme", repo="agents", token="ghs_simtoken", clock=None, host="127.0.0.1",
    port=0, default_branch="main")``; ``start()``/``stop()`` or ``with sim:``.
    ``sim.url`` is ``http://127.0.0.1:PORT``; ``sim.url + "/api/v3"`` works too (GHES style).
    ``sim.state``: the :class:`~github_simulator.state.SimState`.
    ``sim.schedule(at_seconds, fn)``: ``fn(state)`` runs once clock time >= simulator creation
    time + ``at_seconds``; ``sim.schedule_in(delay, fn)`` is relative to now. Due events run at
    the start of each API request and on ``sim.run_due()`` (returns how many ran);
    ``sim.pending_events`` counts those not yet run.
    ``sim.requests``: ``list[RecordedRequest(method, path, query, status, counted, headers,
    at)]`` (``path`` decoded, without query and without ``/api/v3``; ``status`` 0 for a reset
    connection; ``at`` the clock's time); ``sim.reset_requests()``.
    ``sim.rate_limit``: ``RateLimit(limit=5000, remaining, reset)`` with ``.used``; settable.
    The window resets (remaining = limit) once clock time passes ``reset``.
    ``sim.points_per_minute`` (900; None: off): GitHub's secondary limit per endpoint (a
    route), GET 1 point and a write 5 over a sliding minute; past it, 403 "secondary rate
    limit" with ``Retry-After`` (the seconds until the minute has room), not counted.
    ``sim.faults``: ``list[Fault(method, path_regex, kind, times=1, query=None, skip=0)]``
    (``sim.add_fault(...)`` appends one); ``method`` ``"*"`` matches any; ``times=None`` means
    forever; ``query`` is a regex on the raw query string (``r"page=2"``: one page of a list);
    ``skip`` lets that many matching requests through first. Kinds (``server.FAULT_KINDS``):
    ``status:<code>`` (GitHub-like JSON error), ``reset`` (connection closed with RST, no
    answer), ``slow:<seconds>`` (real sleep, then a normal answer), ``truncated`` (normal
    headers incl. full Content-Length, half the body, then close), ``malformed`` (200, not
    JSON), ``shape`` (200, JSON of the wrong shape: list-valued keys such as ``workflow_runs``
    dropped, or list <-> object), ``body:<json>`` (200 with that JSON), ``secondary`` (403,
    ``Retry-After: 1``, "You have exceeded a secondary rate limit"; ``secondary:<seconds>``
    says that many seconds),
    ``secondary-no-retry-after``, ``429`` (with ``Retry-After: 1``), ``429-no-retry-after``,
    ``primary:<seconds>`` (403 primary limit, remaining 0, reset that far away), ``stale`` (a
    lagging list: the previous different answer to the same URL), ``link:<url>`` (a normal
    answer with ``Link: <url>; rel="next"``), ``redirect:<code>:<url>``. ``{port}`` in a URL
    is the simulator's port (``http://localhost:{port}/...`` is "another host"). Faults that
    replace the answer apply before auth; ``shape``/``stale``/``link`` bend the normal answer.
    Faults whose regex names ``_sim`` also hit ``GET /_sim/blobs/...`` (``status:<code>``,
    ``reset``, ``truncated``); those downloads are recorded in ``sim.blob_requests``.

State mutators (``state.py``; each takes the lock and stamps times from the clock)
    ``create_branch(name, files=None, message=..., from_ref=None) -> sha`` (from the default
    branch; ``files`` path -> str | bytes, committed on the new branch);
    ``commit(branch, files, message) -> sha`` (``None`` content deletes); ``delete_branch(name)``;
    ``start_run(branch, workflow="run-job.yml", status="queued", jobs={"agent": [steps]},
    event="push", name=None, head_sha=None) -> run_id``; ``set_run_status(run_id, status)``
    (``in_progress`` also starts the first job); ``advance_step(run_id)``;
    ``finish_run(run_id, conclusion="success", failed_log=None)`` (on failure the current step
    gets the conclusion and ``failed_log`` as its log, later steps ``skipped``);
    ``rerun(run_id) -> attempt``; ``set_step_log(run_id, step_name, text)``;
    ``open_pr(branch, title, body, base=None, user="github-actions[bot]") -> number``;
    ``merge_pr(n, delete_branch=False) -> merge sha``; ``close_pr(n)``; ``reopen_pr(n)``;
    ``add_comment(n, body, user=...) -> id``; ``edit_comment(id, body)``; ``delete_comment(id)``;
    ``set_permissions(actions=, contents=, pull_requests_write=, pull_requests=)`` (``None``
    leaves a family unchanged; ``False`` -> 403 "Resource not accessible by integration").
    Workflows known up front: ``run-job.yml``, ``auto-merge.yml`` (others appear when a run
    uses them); runs of an unknown workflow file answer 404 like GitHub.

Scenarios (``scenarios.py``)
    ``scenarios.apply(sim, name, job_id="demo-1", speed=1.0)`` with ``completed``, ``failed``,
    ``lifecycle`` (0 s queued, 1-3 s running/steps, 4 s completed + PR, 6 s merged + branch
    deleted; divided by ``speed``), ``merged``, ``closed``, ``not_found``, ``pending``,
    ``running``; thepopebot's generations: ``gen1-lifecycle``, ``gen1-pending``,
    ``gen1-failed-automerged``, ``gen2-lifecycle``, ``gen2-running``, ``gen2-completed``,
    ``gen2-failed``, ``gen2-failed-automerged``, ``gen2-merged`` (see scenarios.py).

HTTP
    GitHub REST paths for one repository: repository, branches (list/one; ``job/x`` or
    ``job%2Fx``), git/matching-refs, git/ref, actions runs (list, per workflow, one, attempts,
    jobs, logs -> 302 to ``http://localhost:PORT/_sim/blobs/<id>.zip``; 404 until the attempt is
    completed, as on GitHub), pulls (list, one, files, commits), commits (one), compare,
    contents (JSON or raw with ``Accept: application/vnd.github.raw``), issue comments (list,
    create, get, edit, delete),
    ``/user`` (see below) and ``/rate_limit`` (not counted); issues and their timelines
    (``agents.py``: ``open_issue(title, user)``, ``add_timeline_event(n, event, actor, app)``;
    ``start_run(..., path=, display_title=)`` for dynamic runs; ``agent_scenarios.py``).
    ``Authorization: token|Bearer <token>``
    required (401 "Bad credentials"). JSON GETs carry ``ETag: W/"<sha256>"``; a matching
    ``If-None-Match`` answers 304 without counting. Paginated lists carry GitHub's ``Link``.
    GraphQL (``POST /graphql``, ``/api/graphql``): GitHub's published schema run by
    graphql-core (a test extra; ``graphql_api.py``): ``minimizeComment``,
    ``repository(owner, name) { ref(qualifiedName) pullRequests(...) }`` and
    ``rateLimit``; any other field is an error. ``sim.graphql_rate_limit`` (points,
    apart from ``sim.rate_limit``) and ``sim.graphql_points_per_minute`` (2,000; None:
    off; a query 1 point, a mutation 5). Without graphql-core or the schema file: 404.
    Control (no auth, not recorded): ``POST /_sim/scenario`` ``{"name", "job_id", "speed"}``,
    ``GET /_sim/requests``, ``POST /_sim/reset_requests``, ``GET /_sim/blobs/<name>``.

Tokens and authors
    ``sim.identities``: token -> ``Identity(login="github-actions[bot]", user_token=False)``;
    ``token`` is there from the start. An installation token (the default) writes comments
    as its bot login and gets 403 "Resource not accessible by integration" from ``GET
    /user``; ``Identity(login, user_token=True)`` answers ``GET /user`` with that user.
    Add another with ``sim.identities["ghs_app"] = Identity("my-app[bot]")``.

CLI: ``python -m github_simulator [--port 0] [--scenario NAME] [--job-id ID]
[--speed X] [--token T] [--owner O] [--repo R]`` prints ``SIMULATOR_URL=http://127.0.0.1:PORT``
and serves until SIGTERM/SIGINT.
"""

from github_simulator import agent_scenarios, scenarios
from github_simulator import agents as _agents  # noqa: F401 - registers its routes
from github_simulator.clock import Clock, RealClock, SimClock
from github_simulator.server import (
    Fault,
    Identity,
    RateLimit,
    RecordedRequest,
    Simulator,
    register_scenarios,
)
from github_simulator.state import SimState

# The control endpoint ``POST /_sim/scenario`` uses the built-in scenarios;
# registered here so that server.py never imports scenarios.py (no import cycle).
register_scenarios(scenarios.apply)

__all__ = [
    "Clock",
    "Fault",
    "Identity",
    "RateLimit",
    "RealClock",
    "RecordedRequest",
    "SimClock",
    "SimState",
    "Simulator",
    "agent_scenarios",
    "scenarios",
]
