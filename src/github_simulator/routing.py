"""The route table: route modules register handlers with :func:`_route`;
:func:`_dispatch` finds the one for a request and checks repository and permission."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from github_simulator.core import SimulatorCore
from github_simulator.wire import DOCS, _Ctx, _HTTPError, _int, _not_found, _Resp

Route = tuple[
    str, re.Pattern[str], str | None, Callable[[SimulatorCore, _Ctx, re.Match[str]], _Resp]
]
_ROUTES: list[Route] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


def _route(
    method: str, pattern: str, family: str | None = None
) -> Callable[
    [Callable[[SimulatorCore, _Ctx, re.Match[str]], _Resp]],
    Callable[[SimulatorCore, _Ctx, re.Match[str]], _Resp],
]:
    def deco(
        fn: Callable[[SimulatorCore, _Ctx, re.Match[str]], _Resp],
    ) -> Callable[[SimulatorCore, _Ctx, re.Match[str]], _Resp]:
        _ROUTES.append((method, re.compile(pattern.replace("{REPO}", _REPO) + r"/?$"), family, fn))
        return fn

    return deco


def paginate(ctx: _Ctx, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` as `per_page`/`page` ask, with GitHub's Link header."""
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


_FAMILY_PERMISSION = {
    "actions": ("actions", "actions=read"),
    "contents": ("contents", "contents=read"),
    "pulls": ("pull_requests", "pull_requests=read"),
    "pulls_write": ("pull_requests_write", "issues=write; pull_requests=write"),
}


def endpoint_of(method: str, path: str) -> str:
    """The endpoint a request is for (its route), as GitHub's per-endpoint limits count."""
    for verb, pattern, _family, _fn in _ROUTES:
        if verb == method and pattern.match(path):
            return f"{verb} {pattern.pattern}"
    return f"{method} {path}"


def _dispatch(sim: SimulatorCore, ctx: _Ctx) -> _Resp:
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
