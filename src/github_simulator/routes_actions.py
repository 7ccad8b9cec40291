"""Routes for workflows, workflow runs, jobs, annotations and run logs."""

from __future__ import annotations

import re
import secrets
from typing import Any

from github_simulator import payloads
from github_simulator.archive import log_zip
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.records import RunAttempt
from github_simulator.routing import _route, paginate
from github_simulator.wire import DOCS, _Ctx, _HTTPError, _not_found, _Resp

FILTERS_CAPPED = ("actor", "branch", "check_suite_id", "created", "event", "head_sha", "status")
FILTERED_CAP = 1_000


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
    if any(q.get(name) for name in FILTERS_CAPPED):
        # "This endpoint will return up to 1,000 results for each search when
        # using the following parameters" (docs of both runs lists): a filtered
        # query never reaches runs past the 1,000 newest.
        runs = runs[:FILTERED_CAP]
    page, headers = paginate(ctx, runs)
    body = {
        "total_count": len(runs),
        "workflow_runs": [payloads.workflow_run(st, ctx.api, r) for r in page],
    }
    return _Resp(200, body, headers)


@_route("GET", "{REPO}/actions/workflows", "actions")
def _list_workflows(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    st = sim.state
    items = sorted(st.workflows.items(), key=lambda kv: kv[1])
    page, headers = paginate(ctx, items)
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
    page, headers = paginate(ctx, att.jobs)
    body = {
        "total_count": len(att.jobs),
        "jobs": [payloads.job(sim.state, ctx.api, run, att, j) for j in page],
    }
    return _Resp(200, body, headers)


@_route("GET", r"{REPO}/check-runs/(?P<job>\d+)/annotations", "actions")
def _annotations(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    """A job's check-run annotations (`gh run watch` asks them); the simulator has none."""
    jobs = {j.id for r in sim.state.runs.values() for a in r.attempts for j in a.jobs}
    if int(m["job"]) not in jobs:
        raise _not_found(doc=f"{DOCS}/checks/runs#list-check-run-annotations")
    return _Resp(200, [])


@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/logs", "actions")
@_route("GET", r"{REPO}/actions/runs/(?P<run>\d+)/attempts/(?P<attempt>\d+)/logs", "actions")
def _get_logs(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    run, att = _find_attempt(sim, m)
    doc = f"{DOCS}/actions/workflow-runs#download-workflow-run-logs"
    if run.logs_gone == 410:  # past the retention period, or deleted
        raise _HTTPError(410, "Gone", doc)
    if att.status != "completed" or run.logs_gone is not None:
        raise _not_found(doc=doc)
    name = secrets.token_hex(16) + ".zip"
    with sim._lock:
        sim._blobs[name] = log_zip(att, run.log_layout)
    location = f"http://localhost:{ctx.port}/_sim/blobs/{name}"
    return _Resp(302, None, {"Location": location})
