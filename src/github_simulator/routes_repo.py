"""Routes for the user, rate limit, repository, branches, refs, commits, compare and contents."""

from __future__ import annotations

import re

from github_simulator import payloads
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.routing import _route, paginate
from github_simulator.wire import DOCS, _Ctx, _HTTPError, _not_found, _Resp


@_route("GET", "/user")
def _get_user(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    if ctx.identity is not None and ctx.identity.user_token:
        return _Resp(200, payloads.user(ctx.api, ctx.identity.login, "User"))
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
    gql = sim.graphql_rate_limit
    graphql = {
        "limit": gql.limit,
        "remaining": max(0, gql.remaining),
        "reset": gql.reset,
        "used": gql.used,
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
    page, headers = paginate(ctx, items)
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


@_route("GET", "{REPO}/commits/(?P<ref>[^/]+)", "contents")
def _get_commit(sim: Simulator, ctx: _Ctx, m: re.Match[str]) -> _Resp:
    sha = sim.state.resolve_ref(m["ref"])
    if sha is None:
        raise _not_found(f"No commit found for SHA: {m['ref']}")
    return _Resp(200, payloads.commit(sim.state, ctx.api, sha))


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
