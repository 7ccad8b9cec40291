"""The HTTP request handler: parses a request, applies faults, auth, the rate
limit and ETags around the route table, and serves the ``/_sim/*`` controls."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import secrets
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote

from github_simulator import graphql_gate
from github_simulator.core import SimulatorCore as Simulator
from github_simulator.faults import _early_fault, _late_fault, _limited
from github_simulator.routing import _dispatch
from github_simulator.wire import (
    DOCS,
    PRIMARY_DOC,
    PRIMARY_MESSAGE,
    Identity,
    RecordedRequest,
    _Ctx,
    _HTTPError,
    _int,
    _Resp,
)


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    # ``POST /_sim/scenario``: set by ``server.Simulator`` (scenarios drive a whole
    # Simulator, which this module must not import).
    scenario_control: Callable[[bytes], _Resp]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header in the simulator's clock (virtual time too), as GitHub's."""
        when = self.simulator.clock.time() if timestamp is None else timestamp
        return email.utils.formatdate(when, usegmt=True)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -------------------------------------------------------------- plumbing
    def _read_body(self) -> bytes:
        length = _int(self.headers.get("Content-Length"), 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self, resp: _Resp, truncate: bool = False, extra: dict[str, str] | None = None
    ) -> None:
        payload: bytes
        if resp.body is None:
            payload = b""
        elif isinstance(resp.body, bytes):
            payload = resp.body
        else:
            payload = json.dumps(resp.body).encode()
        self.send_response(resp.status)
        headers = dict(extra or {})
        headers.update(resp.headers)
        if resp.status not in (204, 304):
            headers.setdefault("Content-Type", resp.content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        if resp.status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if resp.status in (204, 304):
            return
        if truncate:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)

    def _reset(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _handle(self, method: str) -> None:
        sim = self.simulator
        raw_path, prefix, qs = _split_target(self.path)
        path = unquote(raw_path)
        body_bytes = self._read_body()
        if path.startswith("/_sim/"):
            self._control(method, path, body_bytes)
            return
        ctx = self._context(method, path, raw_path, prefix, qs, body_bytes)

        headers = dict(self.headers.items())

        def record(status: int, counted: bool) -> None:
            sim._record(
                RecordedRequest(method, path, ctx.query, status, counted, headers, sim.clock.time())
            )

        sim.run_due()
        fault = sim._take_fault(method, path, qs)
        kind = fault.kind.replace("{port}", str(sim.port)) if fault is not None else ""
        if fault is not None:
            early = _early_fault(sim, kind)
        else:
            early = _limited(sim, method, path, ctx.body)
        if kind == "reset":
            record(0, False)
            self._reset()
            return
        if early is not None:
            record(early.status, False)
            self._send(early)
            return
        if kind.startswith("slow:"):
            time.sleep(float(kind[5:]))
        # a fault applied to the normal answer: shape, stale, link
        late = kind if kind in ("shape", "stale") or kind.startswith("link:") else ""
        if not self._authorized():
            resp = _Resp(401, {"message": "Bad credentials", "documentation_url": DOCS})
            record(401, False)
            self._send(resp)
            return
        resp, counted, extra = _answer(sim, ctx, late, qs)
        extra["X-GitHub-Media-Type"] = "github.v3; format=json"
        extra["X-GitHub-Request-Id"] = secrets.token_hex(4).upper()
        # recorded before answering, so a client that got its answer sees the record
        record(resp.status, counted)
        self._send(resp, truncate=kind == "truncated", extra=extra)

    def _context(
        self, method: str, path: str, raw_path: str, prefix: str, qs: str, body_bytes: bytes
    ) -> _Ctx:
        sim = self.simulator
        query = {k: v[-1] for k, v in parse_qs(qs, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = self.headers.get("Host") or f"{sim.host}:{sim.port}"
        try:
            body: Any = json.loads(body_bytes) if body_bytes else None
        except ValueError:
            body = None
        api = f"http://{host}{prefix}"
        return _Ctx(method, path, raw_path, query, headers, body, api, sim.port, self._identity())

    def _identity(self) -> Identity | None:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return None
        return self.simulator.identities.get(token.strip())

    def _authorized(self) -> bool:
        return self._identity() is not None

    def _control(self, method: str, path: str, body: bytes) -> None:
        sim = self.simulator
        if method == "GET" and path.startswith("/_sim/blobs/"):
            self._blob(method, path)
            return
        if method == "GET" and path == "/_sim/requests":
            with sim._lock:
                reqs = [asdict(r) for r in sim.requests]
            self._send(_Resp(200, reqs))
            return
        if method == "POST" and path == "/_sim/scenario":
            self._send(self.scenario_control(body))
            return
        if method == "POST" and path == "/_sim/reset_requests":
            sim.reset_requests()
            self._send(_Resp(200, {"ok": True}))
            return
        self._send(_Resp(404, {"message": "Not Found", "documentation_url": DOCS}))

    def _blob(self, method: str, path: str) -> None:
        sim = self.simulator
        rec = RecordedRequest(method, path, {}, 200, False, dict(self.headers.items()))
        with sim._lock:
            sim.blob_requests.append(rec)
            data = sim._blobs.get(path[len("/_sim/blobs/") :])
        fault = sim._take_fault(method, path)
        if fault is not None and fault.kind == "reset":
            rec.status = 0
            self._reset()
            return
        if fault is not None and fault.kind.startswith("status:"):
            rec.status = int(fault.kind[7:])
            self._send(_Resp(rec.status, {"message": "BlobError"}))
            return
        if data is None:
            rec.status = 404
            self._send(_Resp(404, {"message": "BlobNotFound"}))
        else:
            truncate = fault is not None and fault.kind == "truncated"
            self._send(_Resp(200, data, {}, "application/zip"), truncate=truncate)


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _split_target(target: str) -> tuple[str, str, str]:
    """A request target as (path without an ``/api/v3`` prefix, that prefix or "", query)."""
    if target.startswith(("http://", "https://")):  # absolute form, through a proxy
        target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
    raw_path, _, qs = target.partition("?")
    prefix = ""
    if raw_path == "/api/v3" or raw_path.startswith("/api/v3/"):
        prefix = "/api/v3"
        raw_path = raw_path[len(prefix) :] or "/"
    return raw_path, prefix, qs


def _answer(sim: Simulator, ctx: _Ctx, late: str, qs: str) -> tuple[_Resp, bool, dict[str, str]]:
    """The routed answer under the primary rate limit: (response, counted, rate headers).
    GraphQL spends its own budget (``graphql_rate_limit``), not the REST one."""
    graphql = graphql_gate.served(ctx)
    with sim._lock, sim.state.lock:
        sim._refresh_rate_limit()
        if graphql:
            resp, counted = graphql_gate.answer(sim, ctx)
            return resp, counted, sim._rate_headers("graphql")
        counted = ctx.path != "/rate_limit"
        if counted and sim.rate_limit.remaining <= 0:
            resp = _Resp(403, {"message": PRIMARY_MESSAGE, "documentation_url": PRIMARY_DOC})
            counted = False
        else:
            try:
                resp = _dispatch(sim, ctx)
            except _HTTPError as err:
                resp = err.resp
            except (KeyError, ValueError) as err:  # a bad id in the path and the like
                resp = _Resp(
                    422, {"message": f"Validation Failed: {err}", "documentation_url": DOCS}
                )
            if ctx.method == "GET" and resp.status == 200 and not isinstance(resp.body, bytes):
                _late_fault(sim, late, f"{ctx.path}?{qs}", resp)
            if ctx.method == "GET" and resp.status == 200 and resp.body is not None:
                resp, counted = _etagged(sim, ctx, resp, counted)
            if counted:
                sim.rate_limit.remaining = max(0, sim.rate_limit.remaining - 1)
        return resp, counted, sim._rate_headers()


# GitHub's Vary on API answers: an HTTP cache must not serve one token's answer to another.
VARY = "Accept, Authorization, Cookie, X-GitHub-OTP"


def _etagged(sim: Simulator, ctx: _Ctx, resp: _Resp, counted: bool) -> tuple[_Resp, bool]:
    """A 200 with its ETag, or 304 (not counted) when ``If-None-Match`` has it."""
    payload = resp.body if isinstance(resp.body, bytes) else json.dumps(resp.body).encode()
    # As GitHub's, an ETag depends on the token too: a cache is per token.
    tagged = hashlib.sha256(sim.token.encode() + b"\0" + payload)
    etag = f'W/"{tagged.hexdigest()}"'
    resp.headers["ETag"] = etag
    resp.headers.setdefault("Cache-Control", "private, max-age=60, s-maxage=60")
    resp.headers.setdefault("Vary", VARY)
    if _etag_matches(ctx.headers.get("if-none-match", ""), etag):
        resp = _Resp(304, None, {"ETag": etag, "Vary": VARY})
        counted = False
    resp.body = payload if resp.status == 200 else None
    return resp, counted
