"""`serve`'s app on an ephemeral port in a thread: for the tests and benchmarks/serve_load.py."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from agent_job_status.serve import uvicorn_server

if TYPE_CHECKING:
    from starlette.applications import Starlette


@contextmanager
def background(
    app: Starlette, host: str = "127.0.0.1", *, access_log: bool = False
) -> Iterator[str]:
    """Serve `app` from a thread on an ephemeral port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn_server(app, host, port, access_log=access_log)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="serve", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
