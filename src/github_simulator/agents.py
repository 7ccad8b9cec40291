"""What coding agents other than thepopebot leave on GitHub, over HTTP: issues and
PR/issue timelines (``GET /issues/{n}``, ``GET /issues/{n}/timeline``).

Registered on the simulator's route table when the package is imported. The
shapes follow GitHub's REST reference (issues, timeline events); a timeline
event names its ``event``, ``actor``, ``created_at`` and, for an app,
``performed_via_github_app``.
"""

from __future__ import annotations

import re

from github_simulator import payloads
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.payloads import Json
from github_simulator.records import TimelineEvent
from github_simulator.routing import _route, paginate
from github_simulator.state import SimState
from github_simulator.wire import DOCS, _Ctx, _not_found, _Resp


def _number(sim: Simulator, m: re.Match[str]) -> int:
    number = int(m["number"])
    if number not in sim.state.pulls and number not in sim.state.issues:
        raise _not_found(doc=f"{DOCS}/issues/issues#get-an-issue")
    return number


def issue(st: SimState, api: str, number: int) -> Json:
    r = payloads.repo_api(st, api)
    pr = st.pulls.get(number)
    plain = st.issues.get(number)
    title = pr.title if pr is not None else plain.title if plain is not None else ""
    login = pr.user if pr is not None else plain.user if plain is not None else ""
    state = pr.state if pr is not None else plain.state if plain is not None else "open"
    body: Json = {
        "id": 4_000_000_000 + number,
        "number": number,
        "url": f"{r}/issues/{number}",
        "html_url": f"{payloads.repo_web(st)}/{'pull' if pr else 'issues'}/{number}",
        "title": title,
        "state": state,
        "user": payloads.user(api, login),
        "comments": sum(1 for c in st.comments.values() if c.issue_number == number),
    }
    if pr is not None:
        body["pull_request"] = {"url": f"{r}/pulls/{number}"}
    return body


def event(st: SimState, api: str, e: TimelineEvent) -> Json:
    app = (
        {"id": 1_143_301, "slug": e.app, "name": e.app, "owner": payloads.user(api, "github")}
        if e.app
        else None
    )
    return {
        "id": e.id,
        "node_id": payloads.node_id("TE", e.id),
        "url": f"{payloads.repo_api(st, api)}/issues/events/{e.id}",
        "actor": payloads.user(api, e.actor),
        "event": e.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": payloads.ts(e.created_at),
        "performed_via_github_app": app,
    }


@_route("GET", r"{REPO}/issues/(?P<number>\d+)", "pulls")
def _get_issue(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    return _Resp(200, issue(sim.state, ctx.api, _number(sim, m)))


@_route("GET", r"{REPO}/issues/(?P<number>\d+)/timeline", "pulls")
def _get_timeline(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    number = _number(sim, m)
    items = list(sim.state.timeline.get(number, []))
    page, headers = paginate(ctx, items)
    return _Resp(200, [event(sim.state, ctx.api, e) for e in page], headers)
