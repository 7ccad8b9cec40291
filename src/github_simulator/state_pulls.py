"""SimState's pull requests: open, files, commits, merge, close, reopen."""

from __future__ import annotations

from github_simulator.records import (
    FileChange,
    PullRequestState,
)
from github_simulator.state_runs import RunsState


class PullsState(RunsState):
    """Pull requests."""

    def open_pr(
        self,
        branch: str,
        title: str = "",
        body: str | None = "",
        base: str | None = None,
        user: str = "github-actions[bot]",
        draft: bool = False,
    ) -> int:
        """Open a PR from ``branch`` into ``base`` (default branch). Returns its number."""
        with self.lock:
            base = base or self.default_branch
            now = self.clock.now()
            number = self._next_issue
            self._next_issue += 1
            pr = PullRequestState(
                number=number,
                id=self._next_pr_id,
                head_ref=branch,
                head_sha=self.branches[branch],
                base_ref=base,
                base_sha=self.branches[base],
                title=title or branch,
                body=body,
                user=user,
                created_at=now,
                updated_at=now,
                draft=draft,
            )
            self._next_pr_id += 1
            self.pulls[number] = pr
            return number

    def pr_files(self, number: int) -> list[FileChange]:
        with self.lock:
            pr = self.pulls[number]
            base = self.branches.get(pr.base_ref, pr.base_sha)
            if pr.merged and pr.merge_commit_sha is not None:
                base = self.commits[pr.merge_commit_sha].parents[0]
            return self.diff(self.merge_base(base, pr.head_sha), pr.head_sha)

    def pr_commits(self, number: int) -> list[str]:
        """The PR's commits, oldest first (as GitHub lists them)."""
        with self.lock:
            pr = self.pulls[number]
            base = self.branches.get(pr.base_ref, pr.base_sha)
            if pr.merged and pr.merge_commit_sha is not None:
                base = self.commits[pr.merge_commit_sha].parents[0]
            on_base = set(self.ancestors(base))
            return [sha for sha in reversed(self.ancestors(pr.head_sha)) if sha not in on_base]

    def merge_pr(self, number: int, delete_branch: bool = False, message: str | None = None) -> str:
        """Merge: a merge commit on the base branch. Returns the merge commit sha."""
        with self.lock:
            pr = self.pulls[number]
            if pr.state != "open":
                raise ValueError(f"PR #{number} is not open")
            base_head = self.branches[pr.base_ref]
            files: dict[str, str | bytes | None] = {}
            for change in self.diff(self.merge_base(base_head, pr.head_sha), pr.head_sha):
                files[change.filename] = (
                    None if change.status == "removed" else self.blobs[change.sha]
                )
            msg = (
                message
                or f"Merge pull request #{number} from {self.owner}/{pr.head_ref}\n\n{pr.title}"
            )
            sha = self._make_commit(
                self.commits[base_head].tree, files, [base_head, pr.head_sha], msg
            )
            self.branches[pr.base_ref] = sha
            now = self.clock.now()
            pr.base_sha = base_head
            pr.state = "closed"
            pr.merged = True
            pr.merged_at = now
            pr.closed_at = now
            pr.updated_at = now
            pr.merge_commit_sha = sha
            if delete_branch and pr.head_ref in self.branches:
                self.delete_branch(pr.head_ref)
            return sha

    def close_pr(self, number: int) -> None:
        with self.lock:
            pr = self.pulls[number]
            now = self.clock.now()
            pr.state = "closed"
            pr.closed_at = now
            pr.updated_at = now

    def reopen_pr(self, number: int) -> None:
        with self.lock:
            pr = self.pulls[number]
            if pr.merged:
                raise ValueError("a merged PR cannot be reopened")
            pr.state = "open"
            pr.closed_at = None
            pr.updated_at = self.clock.now()
            self._sync_prs(pr.head_ref)
