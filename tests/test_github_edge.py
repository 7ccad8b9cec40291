"""The GitHub edge's seams: the engine knows only its protocol, and the client's
one retry loop also carries the log archive download (in virtual time)."""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent_job_status.errors import GitHubError
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.wire import RetryPolicy

ENGINE = Path(__file__).parent.parent / "src" / "agent_job_status" / "engine.py"
TOKEN = "ghs_edgetesttoken"


def test_the_engine_imports_nothing_from_the_github_package() -> None:
    imported: list[str] = []
    for node in ast.walk(ast.parse(ENGINE.read_text())):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported += [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
    assert imported, "the AST walk found no imports at all"
    assert not [name for name in imported if "github" in name.split(".")]


class VirtualClock:
    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Blobs:
    """A loopback server: answers `statuses` in turn (then the last one), records headers."""

    def __init__(self) -> None:
        self.statuses: list[int] = [200]
        self.seen: list[tuple[str, str, dict[str, str]]] = []  # (host, path, headers)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.seen.append((self.headers.get("Host", ""), self.path, dict(self.headers)))
                status = owner.statuses.pop(0) if len(owner.statuses) > 1 else owner.statuses[0]
                if self.path == "/hop":  # a 302 to another host, like the logs endpoint's
                    status = 302
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", f"http://localhost:{owner.port}/blob")
                body = b"PK-archive" if status == 200 else b""
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def blobs() -> Iterator[Blobs]:
    server = Blobs()
    yield server
    server.server.shutdown()
    server.server.server_close()


def client_for(blobs: Blobs, clock: VirtualClock, policy: RetryPolicy) -> GitHubClient:
    retries: list[str] = []
    client = GitHubClient(
        f"http://127.0.0.1:{blobs.port}",
        TOKEN,
        retry=policy,
        clock=clock.time,
        sleep=clock.sleep,
        on_retry=retries.append,
    )
    client.retried = retries  # type: ignore[attr-defined]
    return client


def test_a_download_stops_at_the_attempt_limit(blobs: Blobs) -> None:
    blobs.statuses = [503]
    clock = VirtualClock()
    client = client_for(blobs, clock, RetryPolicy(attempts=3, budget=10_000.0))
    with pytest.raises(GitHubError) as info:
        client.download(f"http://localhost:{blobs.port}/blob")
    assert info.value.message == "HTTP 503 downloading the log archive"
    assert len(blobs.seen) == 3 and len(clock.slept) == 2
    assert client.stats.retries == 2 and len(client.retried) == 2  # type: ignore[attr-defined]


def test_a_download_stops_within_the_time_budget(blobs: Blobs) -> None:
    blobs.statuses = [502]
    clock = VirtualClock()
    policy = RetryPolicy(attempts=1_000, budget=20.0, base=1.0, cap=4.0)
    client = client_for(blobs, clock, policy)
    with pytest.raises(GitHubError):
        client.download(f"http://localhost:{blobs.port}/blob")
    assert clock.now - 1_000.0 <= 20.0 and 1 < len(blobs.seen) < 1_000


def test_a_download_recovers_after_transient_failures(blobs: Blobs) -> None:
    blobs.statuses = [500, 504, 200]
    clock = VirtualClock()
    client = client_for(blobs, clock, RetryPolicy(attempts=5))
    assert client.download(f"http://localhost:{blobs.port}/blob") == b"PK-archive"
    assert len(blobs.seen) == 3


@pytest.mark.parametrize("status", [403, 404, 410])
def test_a_download_4xx_is_final(blobs: Blobs, status: int) -> None:
    blobs.statuses = [status]
    clock = VirtualClock()
    client = client_for(blobs, clock, RetryPolicy(attempts=5))
    with pytest.raises(GitHubError) as info:
        client.download(f"http://localhost:{blobs.port}/blob")
    assert info.value.status == status and len(blobs.seen) == 1 and not clock.slept


def test_a_download_over_the_cap_is_refused(blobs: Blobs) -> None:
    clock = VirtualClock()
    client = client_for(blobs, clock, RetryPolicy(attempts=5))
    with pytest.raises(GitHubError, match="larger than 4 bytes"):
        client.download(f"http://localhost:{blobs.port}/blob", max_bytes=4)
    assert len(blobs.seen) == 1


def test_the_redirect_target_host_gets_no_authorization(blobs: Blobs) -> None:
    """The API host gets the token; the 302's target (another host name) never does."""
    clock = VirtualClock()
    client = client_for(blobs, clock, RetryPolicy(attempts=2))
    resp = client.request("GET", "/hop", raw=True)
    assert resp.status == 302
    assert client.download(resp.headers["location"]) == b"PK-archive"
    (api_host, _, api_headers), (blob_host, path, blob_headers) = blobs.seen
    assert api_host.startswith("127.0.0.1") and api_headers["Authorization"] == f"token {TOKEN}"
    assert blob_host.startswith("localhost") and path == "/blob"
    assert "Authorization" not in blob_headers and TOKEN not in str(blob_headers)
