"""The conditional cache under the client: requests-cache, set to revalidate always.

GitHub answers a GET with an ETag and `Cache-Control: max-age=60`; asking
again with `If-None-Match` costs no rate limit when nothing changed (304).
A status check must see every change at once, so nothing is served without
asking: every cached answer is revalidated (`always_revalidate`, the
server's max-age ignored), and only answers with a validator are kept.

GitHub's ETags depend on the token, so a cache is one token's: on disk, one
SQLite file per token, named by a hash of it (never the token itself), and
the Authorization header is never stored (requests-cache leaves it out of
keys and stored requests, and still honours GitHub's `Vary: Authorization`;
the simulator sends it too). On disk, a later process (the action's next
step, the next `status`) starts with every validator the last one had.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from requests_cache import EXPIRE_IMMEDIATELY, CachedSession
from requests_cache.backends.sqlite import SQLiteCache

# The headers a cached answer must match besides the URL: the same URL is
# read as JSON and as raw text.
MATCHED = ["Accept", "X-GitHub-Api-Version"]


def cache_file(cache_dir: Path, api_url: str, token: str) -> Path:
    """The token's cache file: a hash of the API host and the token names it.
    A salted SHA-256 of a random GitHub token cannot be turned back into it."""
    digest = hashlib.sha256(f"agent-job-status\0{api_url}\0{token}".encode()).hexdigest()
    return cache_dir / f"http-{digest[:32]}.sqlite"


def cached_session(api_url: str, token: str, cache_dir: Path | None) -> CachedSession:
    """A session that revalidates every cached GET; on disk under `cache_dir`, else
    in memory (also when the directory cannot hold it: a cache is never worth a failure)."""
    backend: Any = "memory"
    if cache_dir is not None:
        try:
            cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = cache_file(cache_dir, api_url, token)
            backend = SQLiteCache(path, serializer="json", wal=True, fast_save=True)
            len(backend.responses)  # opens the file now, not mid-request
        except (OSError, sqlite3.Error):
            backend = "memory"
    session = CachedSession(
        backend=backend,
        expire_after=EXPIRE_IMMEDIATELY,
        cache_control=False,
        always_revalidate=True,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        match_headers=MATCHED,
    )
    return session


def revalidated(response: Any) -> bool:
    """Whether the server said 304 and the cached copy answered."""
    return bool(getattr(response, "revalidated", False))


def forget(session: CachedSession, request: Any) -> None:
    """Drop a cached answer (one the client will not use: the next GET asks afresh)."""
    session.cache.delete(requests=[request])
