"""A memo for answers keyed by immutable ids: each is fetched once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Memo:
    """Results keyed by immutable ids (a sha, a run attempt): each fetched once."""

    def __init__(self) -> None:
        self._kept: dict[tuple[object, ...], object] = {}

    def once(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]  # type: ignore[return-value]
