"""SimState's repository part: blobs, commits, branches, diffs, workflow files."""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections.abc import Mapping

from github_simulator.clock import Clock, RealClock
from github_simulator.records import (
    CommentState,
    CommitObj,
    FileChange,
    IssueState,
    Permissions,
    PullRequestState,
    RunState,
    TimelineEvent,
    _git_blob_sha,
    _to_bytes,
)


class GitState:
    """The repository's data (all of it, for the subclasses) and its git history."""

    def __init__(
        self,
        owner: str = "acme",
        repo: str = "agents",
        default_branch: str = "main",
        clock: Clock | None = None,
    ) -> None:
        self.owner = owner
        self.repo = repo
        self.default_branch = default_branch
        self.clock: Clock = clock if clock is not None else RealClock()
        self.lock = threading.RLock()
        self.repo_id = 700000001
        self.created_at = self.clock.now()
        self.pushed_at = self.created_at
        self.blobs: dict[str, bytes] = {}
        self.commits: dict[str, CommitObj] = {}
        self.branches: dict[str, str] = {}
        self.runs: dict[int, RunState] = {}
        self.workflows: dict[str, int] = {}
        self.workflow_run_numbers: dict[str, int] = {}
        self.pulls: dict[int, PullRequestState] = {}
        self.comments: dict[int, CommentState] = {}
        self.issues: dict[int, IssueState] = {}  # plain issues; PRs are issues too
        self.timeline: dict[int, list[TimelineEvent]] = {}
        self._next_event_id = 9_000_000_001
        self.permissions = Permissions()
        self._serial = 0
        self._next_run_id = 10_000_000_001
        self._next_job_id = 30_000_000_001
        self._next_issue = 1
        self._next_pr_id = 2_000_000_001
        self._next_comment_id = 3_000_000_001
        root = self._make_commit(
            {}, {"README.md": f"# {repo}\n\nAgent jobs live here.\n"}, [], "Initial commit"
        )
        self.branches[default_branch] = root
        for workflow in ("run-job.yml", "auto-merge.yml"):
            self._workflow_id(workflow)

    def _make_commit(
        self,
        base_tree: Mapping[str, str],
        files: Mapping[str, str | bytes | None],
        parents: list[str],
        message: str,
    ) -> str:
        tree = dict(base_tree)
        for path, content in files.items():
            path = path.strip("/")
            if content is None:
                tree.pop(path, None)
            else:
                data = _to_bytes(content)
                sha = _git_blob_sha(data)
                self.blobs[sha] = data
                tree[path] = sha
        tree_sha = hashlib.sha1(
            "".join(f"{p}\0{s}\n" for p, s in sorted(tree.items())).encode(),
            usedforsecurity=False,
        ).hexdigest()
        self._serial += 1
        now = self.clock.now()
        sha = hashlib.sha1(
            f"tree {tree_sha}\nparents {' '.join(parents)}\n{now.isoformat()}\n"
            f"{self._serial}\n\n{message}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        self.commits[sha] = CommitObj(sha, tree, tree_sha, list(parents), message, now)
        self.pushed_at = now
        return sha

    def resolve_ref(self, ref: str | None) -> str | None:
        """A branch name, ``refs/heads/x``, ``heads/x`` or (abbreviated) sha -> commit sha."""
        with self.lock:
            if not ref:
                return self.branches[self.default_branch]
            for candidate in (ref, ref.removeprefix("refs/heads/"), ref.removeprefix("heads/")):
                if candidate in self.branches:
                    return self.branches[candidate]
            if ref in self.commits:
                return ref
            if len(ref) >= 7 and all(c in "0123456789abcdef" for c in ref.lower()):
                matches = [s for s in self.commits if s.startswith(ref.lower())]
                if len(matches) == 1:
                    return matches[0]
            return None

    def ancestors(self, sha: str) -> list[str]:
        """``sha`` and all its ancestors, breadth first (newest first)."""
        seen: list[str] = []
        queue = [sha]
        marked: set[str] = set()
        while queue:
            current = queue.pop(0)
            if current in marked:
                continue
            marked.add(current)
            seen.append(current)
            queue.extend(self.commits[current].parents)
        return seen

    def merge_base(self, base: str, head: str) -> str:
        base_set = set(self.ancestors(base))
        for sha in self.ancestors(head):
            if sha in base_set:
                return sha
        return base

    def diff(self, old_sha: str, new_sha: str) -> list[FileChange]:
        """Files changed between two commits' trees, sorted by path."""
        old = self.commits[old_sha].tree
        new = self.commits[new_sha].tree
        changes: list[FileChange] = []
        for path in sorted(set(old) | set(new)):
            a, b = old.get(path), new.get(path)
            if a == b:
                continue
            status = "added" if a is None else "removed" if b is None else "modified"
            old_data = self.blobs[a] if a else b""
            new_data = self.blobs[b] if b else b""
            patch: str | None
            try:
                old_lines = old_data.decode("utf-8").splitlines()
                new_lines = new_data.decode("utf-8").splitlines()
            except UnicodeDecodeError:
                patch, additions, deletions = None, 0, 0
            else:
                diff_lines = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=3))[2:]
                patch = "\n".join(diff_lines)
                additions = sum(
                    1 for line in diff_lines if line.startswith("+") and not line.startswith("+++")
                )
                deletions = sum(
                    1 for line in diff_lines if line.startswith("-") and not line.startswith("---")
                )
            changes.append(FileChange(path, status, b or a or "", additions, deletions, patch))
        return changes

    def _sync_prs(self, branch: str) -> None:
        head = self.branches.get(branch)
        if head is None:
            return
        now = self.clock.now()
        for pr in self.pulls.values():
            if pr.head_ref == branch and pr.state == "open" and pr.head_sha != head:
                pr.head_sha = head
                pr.updated_at = now
            if pr.base_ref == branch and pr.state == "open":
                pr.base_sha = head

    def create_branch(
        self,
        name: str,
        files: Mapping[str, str | bytes | None] | None = None,
        message: str = "start job",
        from_ref: str | None = None,
    ) -> str:
        """Create branch ``name`` from the default branch (or ``from_ref``).

        With ``files``, a commit adding them is made on the new branch. Returns the head sha.
        """
        with self.lock:
            if name in self.branches:
                raise ValueError(f"branch {name!r} already exists")
            start = self.resolve_ref(from_ref)
            if start is None:
                raise KeyError(from_ref)
            self.branches[name] = start
            if files:
                return self.commit(name, files, message)
            self.pushed_at = self.clock.now()
            return start

    def commit(
        self, branch: str, files: Mapping[str, str | bytes | None], message: str = "update"
    ) -> str:
        """Add a commit on ``branch`` (None as content deletes the path). Returns its sha."""
        with self.lock:
            parent = self.branches[branch]
            sha = self._make_commit(self.commits[parent].tree, files, [parent], message)
            self.branches[branch] = sha
            self._sync_prs(branch)
            return sha

    def delete_branch(self, name: str) -> None:
        with self.lock:
            if name == self.default_branch:
                raise ValueError("cannot delete the default branch")
            del self.branches[name]
            self.pushed_at = self.clock.now()

    # ------------------------------------------------------------------ workflow files
    def _workflow_id(self, workflow_file: str) -> int:
        if workflow_file not in self.workflows:
            self.workflows[workflow_file] = 160_000_001 + len(self.workflows)
        return self.workflows[workflow_file]
