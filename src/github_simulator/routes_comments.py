"""Routes for issue comments, and the GraphQL endpoint's place in the route table."""

from __future__ import annotations

import re

from github_simulator import payloads
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.routing import _route, paginate
from github_simulator.wire import DOCS, Identity, _Ctx, _HTTPError, _not_found, _Resp


def _issue_number(sim: Simulator, m: re.Match[str]) -> int:
    number = int(m["number"])
    if number not in sim.state.pulls and number not in sim.state.issues:
        raise _not_found(doc=f"{DOCS}/issues/comments#list-issue-comments")
    return number


@_route("GET", r"{REPO}/issues/(?P<number>\d+)/comments", "pulls")
def _list_comments(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    number = _issue_number(sim, m)
    items = sorted(
        (c for c in sim.state.comments.values() if c.issue_number == number), key=lambda c: c.id
    )
    page, headers = paginate(ctx, items)
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
    author = ctx.identity.login if ctx.identity is not None else Identity().login
    cid = sim.state.add_comment(number, _comment_body(ctx), user=author)
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


@_route("POST", r"(?:/api)?/graphql")
def _graphql(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    """GitHub's GraphQL endpoint. When it is served (graphql-core and GitHub's schema
    are there, see ``graphql_gate``), ``handler._answer`` hands it to
    ``graphql_api`` before routing, for its own rate limit; without them it is a
    path the simulator does not know."""
    raise _not_found()
