"""What the GitHub source looks at: the repository and how jobs map to branches and runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """What to look at: the repository and how jobs map to branches and runs."""

    repository: str
    branch_prefix: str = "job/"
    workflow: str = "run-job.yml"
    own_run_id: int | None = None
    server_url: str = "https://github.com"
    log_dir: str = "logs/{job_id}"

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def api_path(self) -> str:
        """The repository's REST path, which every read starts from."""
        return f"/repos/{self.repository}"

    def branch_of(self, job_id: str) -> str:
        return f"{self.branch_prefix}{job_id}"


class Memo:
    """Results keyed by immutable ids (a sha, a run attempt): each fetched once."""

    def __init__(self) -> None:
        self._kept: dict[tuple[object, ...], object] = {}

    def once(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]  # type: ignore[return-value]
