"""The one door to GitHub's REST API: PyGithub's requester plus what polling needs.

PyGithub's object layer hides ETags and retries inside urllib3, so we use
its `Requester` (auth, base URL for GitHub Enterprise, user agent) and add:
conditional requests with a per-URL ETag cache (a 304 costs no rate limit),
our own bounded, jittered retries, rate-limit bookkeeping, and request counts
for the logs and the benchmarks. Nothing here knows about agent jobs.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from github import Auth, Github

from agent_job_status import __version__
from agent_job_status.errors import GitHubError

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
MAX_BLOB_BYTES = 50 * 1024 * 1024

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RateLimitExhausted(GitHubError):
    """The primary rate limit is used up until `reset_at` (epoch seconds)."""

    def __init__(self, reset_at: float) -> None:
        when = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
        super().__init__(
            f"GitHub API rate limit exhausted until {when}; try again then, or use another token",
            status=403,
        )
        self.reset_at = reset_at


class NotFound(GitHubError):
    def __init__(self, url: str) -> None:
        super().__init__(f"Not found: {url}", status=404)


@dataclass
class Stats:
    requests: int = 0  # HTTP requests sent to the API
    counted: int = 0  # of those, the ones that count against the rate limit
    not_modified: int = 0  # 304 answers: free
    retries: int = 0


@dataclass
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None


@dataclass
class _Cached:
    etag: str
    data: Any
    link: str  # a 304 need not repeat the Link header, yet the pages go on


@dataclass
class RetryPolicy:
    attempts: int = 8
    budget: float = 120.0  # seconds: a persistent outage ends within this
    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff."""
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


@dataclass
class Response:
    status: int
    data: Any
    headers: Mapping[str, str]
    fresh: bool  # False when answered from the ETag cache (304)


def _shape_any(_: Any) -> bool:
    return True


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
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeouts = (connect_timeout, read_timeout)
        self._host = urlsplit(self.api_url).netloc
        self._gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=self.api_url,
            timeout=max(1, int(read_timeout)),
            user_agent=f"agent-job-status/{__version__}",
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            per_page=100,
        )
        self._requester = self._gh.requester
        # PyGithub accepts only an int timeout but hands it to requests, which
        # takes (connect, read): a dead host should fail fast, a slow answer not.
        if hasattr(self._requester, "_Requester__timeout"):
            self._requester._Requester__timeout = self.timeouts
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.on_retry = on_retry
        self.stats = Stats()
        self.rate = RateLimit()
        self._cache: dict[str, _Cached] = {}

    # -- the one request loop ---------------------------------------------
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
    ) -> Response:
        """Send one API request, conditional for GETs, with bounded retries.

        `shape` checks a 200 body; a body of the wrong shape is treated like
        a transient failure (never turned into facts).
        """
        url = self._absolute(path, params)
        key = f"{accept} {url}"
        started = self.clock()
        attempt = 0
        while True:
            headers = {"Accept": accept, "X-GitHub-Api-Version": "2022-11-28"}
            cached = self._cache.get(key) if verb == "GET" else None
            if cached is not None:
                headers["If-None-Match"] = cached.etag
            problem: str
            retry_after: float | None = None
            try:
                status, resp_headers, text = self._requester.requestJson(
                    verb, url, headers=headers, input=body
                )
            except (requests.RequestException, OSError, ValueError) as exc:
                problem = f"{type(exc).__name__} on {verb} {self._shown(url)}"
                self.stats.requests += 1
            except RuntimeError:
                # PyGithub's answer to a 301 to another host or scheme: final.
                raise GitHubError(
                    f"GitHub redirected {verb} {self._shown(url)} to another host; "
                    "check the 'api_url' input"
                ) from None
            else:
                self._count(url, status, resp_headers)
                if status == 304 and cached is not None:
                    kept = {**resp_headers, "link": resp_headers.get("link") or cached.link}
                    return Response(304, cached.data, kept, fresh=False)
                if status < 300 or (status == 302 and raw):
                    data: Any = text
                    if not raw and status != 204 and text:
                        try:
                            data = json.loads(text)
                        except ValueError:
                            data = _Malformed
                    if data is not _Malformed and (raw or not text or shape(data)):
                        etag = resp_headers.get("etag")
                        if verb == "GET" and etag and status == 200:
                            self._cache[key] = _Cached(etag, data, resp_headers.get("link", ""))
                        return Response(status, data, resp_headers, fresh=True)
                    problem = f"malformed answer to {verb} {self._shown(url)}"
                else:
                    retry_after = self._raise_or_wait(status, resp_headers, text, url)
                    problem = f"HTTP {status} on {verb} {self._shown(url)}"
            attempt += 1
            elapsed = self.clock() - started
            delay = retry_after if retry_after is not None else self.retry.delay(attempt)
            if attempt >= self.retry.attempts or elapsed + delay > self.retry.budget:
                raise GitHubError(
                    f"GitHub did not answer properly after {attempt} tries in {elapsed:.0f}s "
                    f"({problem}); check GitHub's status page and try again"
                )
            self.stats.retries += 1
            if self.on_retry:
                self.on_retry(f"{problem}; retrying in {delay:.1f}s")
            self.sleep(delay)

    def get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        shape: Callable[[Any], bool] = _shape_any,
    ) -> Response:
        return self.request("GET", path, params, shape=shape)

    def get_or_none(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        shape: Callable[[Any], bool] = _shape_any,
    ) -> Response | None:
        try:
            return self.get(path, params, shape=shape)
        except NotFound:
            return None

    def get_all(
        self, path: str, params: Mapping[str, str | int] | None = None, *, limit: int = 3000
    ) -> tuple[list[Any], bool]:
        """Every item of a paginated list (Link rel=next): (items, any page fresh).

        A failing page raises: a list is never returned incomplete.
        """
        items: list[Any] = []
        fresh = False
        url: str | None = self._absolute(path, {**(params or {}), "per_page": 100})
        while url is not None and len(items) < limit:
            resp = self.request("GET", url, shape=lambda d: isinstance(d, list))
            items.extend(resp.data)
            fresh = fresh or resp.fresh
            url = next_link(resp.headers.get("link", ""))
        return items[:limit], fresh

    def download(self, url: str, max_bytes: int = MAX_BLOB_BYTES) -> bytes:
        """Fetch a redirect target (log archive). The token never leaves the API host."""
        headers = {"User-Agent": f"agent-job-status/{__version__}"}
        started = self.clock()
        attempt = 0
        while True:
            try:
                with requests.get(
                    url,
                    headers=headers,
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
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                # A cut-off archive fails in urllib3's read, below requests.
                problem = f"{type(exc).__name__} downloading the log archive"
            attempt += 1
            delay = self.retry.delay(attempt)
            if attempt >= self.retry.attempts or self.clock() - started + delay > self.retry.budget:
                raise GitHubError(problem)
            self.sleep(delay)

    # -- helpers -----------------------------------------------------------
    def url_for(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        return self._absolute(path, params)

    def _absolute(self, path: str, params: Mapping[str, str | int] | None) -> str:
        url = path if path.startswith(("http://", "https://")) else self.api_url + path
        if urlsplit(url).netloc != self._host:
            raise GitHubError(f"refusing to send the token to another host: {self._shown(url)}")
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
        try:
            if "x-ratelimit-limit" in headers:
                self.rate.limit = int(float(headers["x-ratelimit-limit"]))
            if "x-ratelimit-remaining" in headers:
                self.rate.remaining = int(float(headers["x-ratelimit-remaining"]))
            if "x-ratelimit-reset" in headers:
                self.rate.reset_at = float(headers["x-ratelimit-reset"])
        except ValueError:
            pass

    def _raise_or_wait(
        self, status: int, headers: Mapping[str, str], text: str, url: str
    ) -> float | None:
        """Raise for a final answer; return a wait (or None for backoff) when worth retrying."""
        message = _message(text)
        where = self._shown(url)
        if status in TRANSIENT_STATUSES:
            return None
        if status in (403, 429):
            retry_after = headers.get("retry-after", "")
            if retry_after.strip().isdigit():
                return float(retry_after)
            if "secondary rate limit" in message.lower() or status == 429:
                return None  # secondary limit without retry-after: back off
            if headers.get("x-ratelimit-remaining") == "0":
                reset = float(headers.get("x-ratelimit-reset", "0") or 0)
                wait = reset - self.clock() + 1
                if 0 <= wait <= self.retry.budget:
                    return wait
                raise RateLimitExhausted(reset)
        if status == 401:
            raise GitHubError(
                "Unauthorized: GitHub rejected the token (401 Bad credentials); "
                "check the 'token' input or GITHUB_TOKEN",
                status=401,
            )
        if status == 403:
            raise GitHubError(
                f"Forbidden: {message or 'access denied'} on {where}; {permission_hint(where)}",
                status=403,
            )
        if status == 404:
            raise NotFound(where)
        raise GitHubError(f"GitHub answered HTTP {status} on {where}: {message}", status=status)


class _MalformedType:
    pass


_Malformed = _MalformedType()


def permission_hint(path: str) -> str:
    """Which `permissions:` entry the workflow needs for a path."""
    if "/actions/" in path:
        return "the workflow needs 'permissions: actions: read'"
    if "/issues/" in path and "comments" in path:
        return "the workflow needs 'permissions: pull-requests: write'"
    if "/pulls" in path:
        return "the workflow needs 'permissions: pull-requests: read'"
    return "the workflow needs 'permissions: contents: read'"


def _message(text: str) -> str:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return " ".join(str(message).split())[:200] if message else ""


def next_link(link: str) -> str | None:
    for part in link.split(","):
        section = part.split(";")
        if len(section) >= 2 and any(s.strip() == 'rel="next"' for s in section[1:]):
            return section[0].strip().strip("<>")
    return None
