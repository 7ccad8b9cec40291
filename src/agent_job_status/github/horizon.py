"""How far back a shared list must be read: the repository's history is not the jobs'.

The runs list is newest first by creation, the PR list (as read) by last
update. Once a read has shown that a branch had no run (or no PR) when
GitHub answered, a run of it that appears later is created (a PR updated)
after that answer, so a later read can stop at items older than that time:
it need not page through the repository's past jobs again. GitHub's own
clock (the answer's `Date` header) dates the reads, less a margin for lists
that show new items late; a branch never seen absent is read for as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

LIST_LAG = timedelta(minutes=10)  # a list may show a new item this late


def answered_at(headers: Mapping[str, str]) -> datetime | None:
    """GitHub's time of an answer, less the list lag; None without a usable Date."""
    try:
        when = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return when - LIST_LAG if when.tzinfo is not None else None


def stamp(value: object) -> datetime | None:
    """An item's ISO 8601 time (hostile text: None when it is not one)."""
    if not isinstance(value, str) or not value.endswith("Z"):
        return None
    try:
        when = datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError:
        return None
    return when


class Horizon:
    """Per list: since when each wanted branch is known to have had no item."""

    def __init__(self) -> None:
        self._absent: dict[str, datetime] = {}

    def absent(self, branches: Iterable[str], since: datetime | None) -> None:
        """These branches had no item in a read answered at `since` (the newest
        such read moves the horizon forward, so later reads stay on page 1)."""
        for branch in branches:
            if since is None:
                self._absent.pop(branch, None)
            else:
                self._absent[branch] = since

    def present(self, branches: Iterable[str]) -> None:
        for branch in branches:
            self._absent.pop(branch, None)

    def passed(self, missing: set[str], oldest: object) -> set[str]:
        """The missing branches whose horizon a page ending at an item of time
        `oldest` reaches past (so no later page can hold one of theirs)."""
        when = stamp(oldest)
        if when is None:
            return set()
        return {b for b in missing if b in self._absent and when < self._absent[b]}


def pages_left(link: str, read: int) -> int:
    """Pages of a list not read yet, from its Link rel="last" (0 without one)."""
    for part in link.split(","):
        url, _, rel = part.partition(";")
        if 'rel="last"' in rel:
            page = parse_qs(urlsplit(url.strip().strip("<>")).query).get("page", [""])[0]
            return max(0, int(page) - read) if page.isdigit() and len(page) < 7 else 0
    return 0
