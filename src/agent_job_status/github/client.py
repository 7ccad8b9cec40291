"""The one door to GitHub's REST API, over one `requests.Session`.

One retry loop serves every request: JSON, raw files and the log archive
download. It adds what polling needs: conditional requests through an HTTP
cache (`http_cache`: a 304 costs no rate limit; on disk it outlives the
process), bounded, jittered retries in the caller's clock (so tests run in
virtual time), rate-limit bookkeeping and request counts for the logs and
the benchmarks. Nothing here knows about agent jobs.

Why not PyGithub's `Requester`: its public `timeout` is one int for connect
and read alike, while a dead host should fail fast and a slow answer not,
so (connect, read) needs `requests` itself; it also sleeps on the wall clock
for a 202 and cannot stream a capped download. The Authorization header is
written here as PyGithub's `Auth.Token` writes it (`token <token>`), since
importing PyGithub for it costs a third of a second at every start. By hand, and why:
the 301 rule (followed on the API host only, as PyGithub did, refused
elsewhere: the token must not leave the host) and the size cap.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import urllib3

from agent_job_status import __version__
from agent_job_status.errors import GitHubError
from agent_job_status.github.answers import NotFound, OffHost, WrongShape, judge
from agent_job_status.github.http_cache import cached_session, forget, revalidated
from agent_job_status.github.wire import (
    MALFORMED,
    Again,
    Answer,
    Pace,
    RateLimit,
    Response,
    RetryPolicy,
    Stats,
    next_link,
    no_answer,
)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
MAX_BLOB_BYTES = 50 * 1024 * 1024

USER_AGENT = f"agent-job-status/{__version__}"
MAX_REDIRECTS = 5  # same-host 301s followed for one request
# A failed exchange; a cut-off archive fails in urllib3's read, below requests.
_NETWORK = (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError)

Clock = Callable[[], float]
Sleep = Callable[[float], None]
T = TypeVar("T")


def _shape_any(_: Any) -> bool:
    return True


def graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint beside the REST one (GHES: /api/v3 -> /api/graphql)."""
    base = api_url.rstrip("/")
    return base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Session auth that adds nothing: the token header is ours, never ~/.netrc's."""
    return request


class GitHubClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        retry: RetryPolicy | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        on_retry: Callable[[str], None] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        cache_dir: Path | None = None,
    ) -> None:
        """`cache_dir`: where the conditional cache lives across processes (one
        file per token); None keeps it in memory, for this client only."""
        self.api_url = api_url.rstrip("/")
        self.timeouts = (connect_timeout, read_timeout)
        self._host = urlsplit(self.api_url).netloc
        self._headers = {"User-Agent": USER_AGENT}
        if token:
            self._headers["Authorization"] = f"token {token}"
        self._session = cached_session(self.api_url, token, cache_dir)
        self._session.auth = _no_netrc
        self._plain = requests.Session()  # the log archive: another host, never cached
        self._plain.auth = _no_netrc
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.on_retry = on_retry
        self.stats = Stats()
        self.rate = RateLimit()
        self.pace = Pace(clock, sleep)

    # -- the one retry loop ------------------------------------------------
    def _retrying(
        self, once: Callable[[], T | Again], give_up: Callable[[int, float, str], GitHubError]
    ) -> T:
        """Call `once` until it answers, within the policy's attempts and time budget."""
        started = self.clock()
        attempt = 0
        while True:
            outcome = once()
            if not isinstance(outcome, Again):
                return outcome
            attempt += 1
            elapsed = self.clock() - started
            delay = outcome.wait if outcome.wait is not None else self.retry.delay(attempt)
            if attempt >= self.retry.attempts or elapsed + delay > self.retry.budget:
                raise give_up(attempt, elapsed, outcome.problem)
            self.stats.retries += 1
            if self.on_retry:
                self.on_retry(f"{outcome.problem}; retrying in {delay:.1f}s")
            self.sleep(delay)

    def request(
        self,
        verb: str,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        body: Any = None,
        accept: str = "application/vnd.github+json",
        shape: Callable[[Any], bool] = _shape_any,
        raw: bool = False,
        final_shape: bool = False,
    ) -> Response:
        """Send one API request, conditional for GETs, with bounded retries.

        `shape` checks a 200 body; a body of the wrong shape is never turned
        into facts: it is retried like a transient failure, or with
        `final_shape` (detail reads) raises `WrongShape` at once, since a
        valid JSON answer of another shape comes back the same.
        """
        url = self._absolute(path, params)

        unreachable = False

        def once() -> Response | Again:
            nonlocal unreachable
            outcome = self._once(verb, url, body, accept, shape, raw)
            unreachable = isinstance(outcome, Again) and outcome.unreachable
            if final_shape and isinstance(outcome, Again) and outcome.kind == "shape":
                raise WrongShape(f"{verb} {self._shown(url)}")
            return outcome

        def give_up(attempt: int, elapsed: float, problem: str) -> GitHubError:
            if unreachable:  # most likely our settings, not GitHub: say where we looked
                return GitHubError(
                    f"could not reach {self.api_url} after {attempt} tries in {elapsed:.0f}s "
                    f"({problem})",
                    hint="check --api-url / api_url and the network",
                )
            return GitHubError(
                f"GitHub did not answer properly after {attempt} tries in {elapsed:.0f}s "
                f"({problem})",
                hint="check GitHub's status page and try again",
            )

        return self._retrying(once, give_up)

    def _once(
        self, verb: str, url: str, body: Any, accept: str, shape: Callable[[Any], bool], raw: bool
    ) -> Response | Again:
        headers = {**self._headers, "Accept": accept, "X-GitHub-Api-Version": "2022-11-28"}
        self.pace.take(verb)
        try:
            answer = self._exchange(verb, url, headers, body)
        except _NETWORK as exc:
            self.stats.requests += 1
            return Again(
                f"{type(exc).__name__} on {verb} {self._shown(url)}", unreachable=no_answer(exc)
            )
        status, resp_headers, text = answer.status, answer.headers, answer.text
        self._count(url, status, resp_headers)
        if status < 300 or (status == 302 and raw) or answer.revalidated:
            data: Any = text
            if not raw and status != 204 and text:
                try:
                    data = json.loads(text)
                except ValueError:
                    data = MALFORMED
            if data is not MALFORMED and (raw or not text or shape(data)):
                return Response(status, data, resp_headers, fresh=status != 304)
            # Never kept: the next request asks afresh instead of revalidating it.
            forget(self._session, answer.request)
            kind = "malformed" if data is MALFORMED else "shape"
            return Again(f"malformed answer to {verb} {self._shown(url)}", kind=kind)
        where = self._shown(url)
        wait = judge(status, resp_headers, text, where, now=self.clock(), budget=self.retry.budget)
        return Again(f"HTTP {status} on {verb} {self._shown(url)}", wait)

    def _exchange(
        self, verb: str, url: str, headers: dict[str, str], body: Any, hops: int = 0
    ) -> Answer:
        """One HTTP exchange, its headers lower-cased. A 301 is
        followed on the API host only (GitHub's renamed repositories); anywhere else,
        final. A 304 comes back with the cached body and headers (Link included),
        updated by the 304's own (the rate limit)."""
        data = None
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
            data = json.dumps(body)
        resp = self._session.request(
            verb, url, headers=headers, data=data, timeout=self.timeouts, allow_redirects=False
        )
        found = {k.lower(): v for k, v in resp.headers.items()}
        target = urljoin(url, found.get("location", ""))
        if resp.status_code == 301 and "location" in found:
            same = urlsplit(target)[:2] == urlsplit(url)[:2]
            if not same or target == url or hops >= MAX_REDIRECTS:
                raise OffHost(
                    f"GitHub redirected {verb} {self._shown(url)} to another host",
                    hint="check the 'api_url' input",
                )
            return self._exchange(verb, target, headers, body, hops + 1)
        again = revalidated(resp)
        status = 304 if again else resp.status_code
        return Answer(status, found, resp.text or "", resp.request, again)

    def get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        shape: Callable[[Any], bool] = _shape_any,
        final_shape: bool = False,
    ) -> Response:
        return self.request("GET", path, params, shape=shape, final_shape=final_shape)

    def get_or_none(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        shape: Callable[[Any], bool] = _shape_any,
        final_shape: bool = False,
    ) -> Response | None:
        try:
            return self.get(path, params, shape=shape, final_shape=final_shape)
        except NotFound:
            return None

    def get_all(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        limit: int = 3000,
        final_shape: bool = False,
    ) -> tuple[list[Any], bool]:
        """Every item of a paginated list (Link rel=next): (items, any page fresh).

        A failing page raises: a list is never returned incomplete.
        """
        items: list[Any] = []
        fresh = False
        url: str | None = self._absolute(path, {**(params or {}), "per_page": 100})
        while url is not None and len(items) < limit:
            resp = self.request(
                "GET", url, shape=lambda d: isinstance(d, list), final_shape=final_shape
            )
            items.extend(resp.data)
            fresh = fresh or resp.fresh
            url = next_link(resp.headers.get("link", ""))
        return items[:limit], fresh

    def download(self, url: str, max_bytes: int = MAX_BLOB_BYTES) -> bytes:
        """Fetch a redirect target (log archive) through the same retry loop.

        The token never leaves the API host: no Authorization header is sent.
        A 4xx is final, a 5xx or a network failure is retried, and an archive
        over `max_bytes` is refused."""

        def once() -> bytes | Again:
            try:
                with self._plain.get(
                    url,
                    headers={"User-Agent": USER_AGENT},
                    timeout=self.timeouts,
                    stream=True,
                    allow_redirects=True,
                ) as resp:
                    if resp.status_code == 200:
                        data = resp.raw.read(max_bytes + 1, decode_content=True)
                        if len(data) > max_bytes:
                            raise GitHubError(f"log archive larger than {max_bytes} bytes")
                        return bytes(data)
                    problem = f"HTTP {resp.status_code} downloading the log archive"
                    if resp.status_code < 500:
                        raise GitHubError(problem, status=resp.status_code)
                    return Again(problem)
            except _NETWORK as exc:
                return Again(f"{type(exc).__name__} downloading the log archive")

        return self._retrying(once, lambda _attempt, _elapsed, problem: GitHubError(problem))

    # -- helpers -----------------------------------------------------------
    def url_for(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        return self._absolute(path, params)

    def _absolute(self, path: str, params: Mapping[str, str | int] | None) -> str:
        url = path if path.startswith(("http://", "https://")) else self.api_url + path
        if urlsplit(url).netloc != self._host:
            raise OffHost(f"refusing to send the token to another host: {self._shown(url)}")
        if params:
            url += ("&" if "?" in url else "?") + urlencode({k: str(v) for k, v in params.items()})
        return url

    def _shown(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path

    def _count(self, url: str, status: int, headers: Mapping[str, str]) -> None:
        self.stats.requests += 1
        if status == 304:
            self.stats.not_modified += 1
        elif not urlsplit(url).path.endswith("/rate_limit"):
            self.stats.counted += 1
        if headers.get("x-ratelimit-resource", "core") != "core":
            return  # GraphQL's or search's own budget: the wait spaces polls by core's
        try:
            if "x-ratelimit-limit" in headers:
                self.rate.limit = int(float(headers["x-ratelimit-limit"]))
            if "x-ratelimit-remaining" in headers:
                self.rate.remaining = int(float(headers["x-ratelimit-remaining"]))
            if "x-ratelimit-reset" in headers:
                self.rate.reset_at = float(headers["x-ratelimit-reset"])
        except ValueError:
            pass
