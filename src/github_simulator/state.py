"""The simulator's state model: one repository with git history, runs, PRs and comments.

Every public mutator takes the state lock and stamps times from the clock. Rendering
to GitHub JSON lives in :mod:`github_simulator.payloads`.
"""

from __future__ import annotations

from github_simulator.records import (
    DEFAULT_JOBS,
    RUN_STATUSES,
    CommentState,
    CommitObj,
    FileChange,
    JobState,
    Permissions,
    PullRequestState,
    RunAttempt,
    RunState,
    StepState,
)
from github_simulator.state_comments import CommentsState
from github_simulator.state_history import add_history

__all__ = [
    "DEFAULT_JOBS",
    "RUN_STATUSES",
    "CommentState",
    "CommitObj",
    "FileChange",
    "JobState",
    "Permissions",
    "PullRequestState",
    "RunAttempt",
    "RunState",
    "SimState",
    "StepState",
]


class SimState(CommentsState):
    """All the simulated repository's data, guarded by :attr:`lock` (re-entrant).

    Built up by resource: :mod:`~github_simulator.state_git`, ``state_runs``,
    ``state_pulls``, ``state_comments``; permissions here.
    """

    # ------------------------------------------------------------------ permissions
    def add_history(self, n: int, prefix: str = "job/past-", spacing: float = 600.0) -> None:
        """`n` past agent jobs (see `state_history.add_history`)."""
        add_history(self, n, prefix, spacing)

    def set_permissions(
        self,
        actions: bool | None = None,
        contents: bool | None = None,
        pull_requests_write: bool | None = None,
        pull_requests: bool | None = None,
    ) -> None:
        """Grant/deny a permission family (None leaves it unchanged)."""
        with self.lock:
            if actions is not None:
                self.permissions.actions = actions
            if contents is not None:
                self.permissions.contents = contents
            if pull_requests_write is not None:
                self.permissions.pull_requests_write = pull_requests_write
            if pull_requests is not None:
                self.permissions.pull_requests = pull_requests
