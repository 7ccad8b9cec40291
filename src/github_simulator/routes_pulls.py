"""Routes for pull requests, their files and commits."""

from __future__ import annotations

import re
from typing import Any

from github_simulator import payloads
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.routing import _route, paginate
from github_simulator.wire import DOCS, _Ctx, _not_found, _Resp


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
    page, headers = paginate(ctx, _pulls_filtered(sim, ctx))
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
    page, headers = paginate(ctx, sim.state.pr_files(pr.number))
    return _Resp(
        200, [payloads.diff_entry(sim.state, ctx.api, f, pr.head_sha) for f in page], headers
    )


@_route("GET", r"{REPO}/pulls/(?P<number>\d+)/commits", "pulls")
def _get_pull_commits(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    pr = _find_pr(sim, m)
    page, headers = paginate(ctx, sim.state.pr_commits(pr.number))
    return _Resp(200, [payloads.commit(sim.state, ctx.api, sha) for sha in page], headers)
