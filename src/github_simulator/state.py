"""The simulator's state model: one repository with git history, runs, PRs and comments.

Every public mutator takes the state lock and stamps times from the clock. Rendering
to GitHub JSON lives in :mod:`github_simulator.payloads`.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from github_simulator.clock import Clock, RealClock

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

RUN_STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
DEFAULT_JOBS: dict[str, list[str]] = {"agent": ["Set up job", "Run agent", "Complete job"]}


def _git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


@dataclass
class CommitObj:
    """A commit: a full snapshot of the tree (path -> blob sha)."""

    sha: str
    tree: dict[str, str]
    tree_sha: str
    parents: list[str]
    message: str
    timestamp: datetime
    author: str = "github-actions[bot]"


@dataclass
class FileChange:
    """One file of a diff between two trees."""

    filename: str
    status: str  # added | removed | modified
    sha: str
    additions: int
    deletions: int
    patch: str | None


@dataclass
class StepState:
    number: int
    name: str
    status: str = "queued"
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    log: str | None = None


@dataclass
class JobState:
    id: int
    name: str
    steps: list[StepState]
    created_at: datetime
    status: str = "queued"
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class RunAttempt:
    number: int
    status: str
    created_at: datetime
    updated_at: datetime
    run_started_at: datetime
    jobs: list[JobState]
    conclusion: str | None = None


@dataclass
class RunState:
    id: int
    workflow_file: str
    workflow_id: int
    name: str
    run_number: int
    head_branch: str
    head_sha: str
    event: str
    created_at: datetime
    job_spec: dict[str, list[str]]
    attempts: list[RunAttempt] = field(default_factory=list)
    # How GitHub answers for this run, settable by a scenario:
    logs_gone: int | None = None  # 404 or 410: the logs expired or were deleted
    log_layout: str = "steps"  # "steps": per-step and job files; "jobs": job files only
    status_null: bool = False  # lists and reads say `"status": null` (OpenAPI allows it)
    path: str | None = None  # e.g. dynamic/copilot-swe-agent/copilot; else the workflow file's
    display_title: str | None = None  # else the head commit's first line

    @property
    def latest(self) -> RunAttempt:
        return self.attempts[-1]


@dataclass
class PullRequestState:
    number: int
    id: int
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    merged: bool = False
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    merge_commit_sha: str | None = None
    draft: bool = False


@dataclass
class CommentState:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime
    minimized: str | None = None  # GraphQL minimizeComment's classifier, once hidden


@dataclass
class IssueState:
    number: int
    title: str
    user: str
    created_at: datetime
    state: str = "open"


@dataclass
class TimelineEvent:
    id: int
    event: str  # e.g. copilot_work_started
    actor: str
    created_at: datetime
    app: str | None = None  # performed_via_github_app slug


@dataclass
class Permissions:
    actions: bool = True
    contents: bool = True
    pull_requests: bool = True
    pull_requests_write: bool = True


class SimState:
    """All the simulated repository's data, guarded by :attr:`lock` (re-entrant)."""

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

    # ------------------------------------------------------------------ git
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

    # ------------------------------------------------------------------ runs
    def _workflow_id(self, workflow_file: str) -> int:
        if workflow_file not in self.workflows:
            self.workflows[workflow_file] = 160_000_001 + len(self.workflows)
        return self.workflows[workflow_file]

    def _new_jobs(self, spec: Mapping[str, list[str]]) -> list[JobState]:
        now = self.clock.now()
        jobs: list[JobState] = []
        for job_name, step_names in spec.items():
            steps = [StepState(i + 1, s) for i, s in enumerate(step_names)]
            jobs.append(JobState(self._next_job_id, job_name, steps, now))
            self._next_job_id += 1
        return jobs

    def start_run(
        self,
        branch: str,
        workflow: str = "run-job.yml",
        status: str = "queued",
        jobs: Mapping[str, list[str]] | None = None,
        event: str = "push",
        name: str | None = None,
        head_sha: str | None = None,
        path: str | None = None,
        display_title: str | None = None,
    ) -> int:
        """Start a workflow run on ``branch`` (at its head, or ``head_sha``). Returns the run id."""
        with self.lock:
            if status not in RUN_STATUSES or status == "completed":
                raise ValueError(f"bad initial status {status!r}")
            sha = head_sha or self.branches[branch]
            now = self.clock.now()
            run_id = self._next_run_id
            self._next_run_id += 1
            number = self.workflow_run_numbers.get(workflow, 0) + 1
            self.workflow_run_numbers[workflow] = number
            spec = {k: list(v) for k, v in (jobs if jobs is not None else DEFAULT_JOBS).items()}
            if name is None:
                stem = workflow.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                name = stem.replace("-", " ").replace("_", " ").title()
            run = RunState(
                id=run_id,
                workflow_file=workflow,
                workflow_id=self._workflow_id(workflow),
                name=name,
                run_number=number,
                head_branch=branch,
                head_sha=sha,
                event=event,
                created_at=now,
                job_spec=spec,
                path=path,
                display_title=display_title,
            )
            run.attempts.append(RunAttempt(1, "queued", now, now, now, self._new_jobs(spec)))
            self.runs[run_id] = run
            if status != "queued":
                self.set_run_status(run_id, status)
            return run_id

    def set_run_status(self, run_id: int, status: str) -> None:
        """Set a (non-terminal) status; ``in_progress`` also starts the first job."""
        with self.lock:
            if status == "completed":
                self.finish_run(run_id)
                return
            if status not in RUN_STATUSES:
                raise ValueError(f"unknown status {status!r}")
            att = self.runs[run_id].latest
            now = self.clock.now()
            att.status = status
            att.updated_at = now
            if status == "in_progress":
                job = self._current_job(att)
                if job is not None and job.status != "in_progress":
                    job.status = "in_progress"
                    job.started_at = now
            elif status in ("waiting", "pending", "requested"):
                for job in att.jobs:
                    if job.status == "queued":
                        job.status = status if status != "requested" else "queued"

    @staticmethod
    def _current_job(att: RunAttempt) -> JobState | None:
        for job in att.jobs:
            if job.status != "completed":
                return job
        return None

    def advance_step(self, run_id: int) -> str | None:
        """Complete the running step (success) and start the next one.

        Works on the first unfinished job; a job whose last step completes is completed
        with success. The run becomes ``in_progress``. Returns the new current step name.
        """
        with self.lock:
            att = self.runs[run_id].latest
            now = self.clock.now()
            att.status = "in_progress"
            att.updated_at = now
            job = self._current_job(att)
            if job is None:
                return None
            if job.status != "in_progress":
                job.status = "in_progress"
                job.started_at = now
            for step in job.steps:
                if step.status == "in_progress":
                    step.status = "completed"
                    step.conclusion = "success"
                    step.completed_at = now
            for step in job.steps:
                if step.status == "queued":
                    step.status = "in_progress"
                    step.started_at = now
                    return step.name
            job.status = "completed"
            job.conclusion = "success"
            job.completed_at = now
            nxt = self._current_job(att)
            if nxt is not None:
                nxt.status = "in_progress"
                nxt.started_at = now
                if nxt.steps:
                    nxt.steps[0].status = "in_progress"
                    nxt.steps[0].started_at = now
                    return nxt.steps[0].name
            return None

    def finish_run(
        self, run_id: int, conclusion: str = "success", failed_log: str | None = None
    ) -> None:
        """Complete the run. On a non-success conclusion the current step gets it (with
        ``failed_log`` as its log) and the remaining steps are skipped."""
        with self.lock:
            att = self.runs[run_id].latest
            now = self.clock.now()
            ok = conclusion in ("success", "neutral", "skipped")
            for job in att.jobs:
                if job.status == "completed":
                    continue
                if job.started_at is None:
                    job.started_at = now
                failed_here = False
                for step in job.steps:
                    if step.status == "completed":
                        continue
                    if ok:
                        step.conclusion = conclusion if conclusion != "neutral" else "success"
                    elif not failed_here and (
                        step.status == "in_progress"
                        or all(s.status != "in_progress" for s in job.steps)
                    ):
                        step.conclusion = conclusion
                        step.log = failed_log if failed_log is not None else step.log
                        failed_here = True
                    else:
                        step.conclusion = "skipped"
                    if step.started_at is None:
                        step.started_at = now
                    step.status = "completed"
                    step.completed_at = now
                job.status = "completed"
                job.conclusion = conclusion if (ok or failed_here) else "skipped"
                job.completed_at = now
                if not ok:
                    for rest in att.jobs:
                        if rest.status != "completed":
                            rest.status = "completed"
                            rest.conclusion = "skipped"
                            rest.started_at = rest.started_at or now
                            rest.completed_at = now
                            for step in rest.steps:
                                step.status = "completed"
                                step.conclusion = "skipped"
                    break
            att.status = "completed"
            att.conclusion = conclusion
            att.updated_at = now

    def rerun(self, run_id: int) -> int:
        """Re-run all jobs: a new attempt (queued, fresh steps). Returns its number."""
        with self.lock:
            run = self.runs[run_id]
            now = self.clock.now()
            number = run.latest.number + 1
            run.attempts.append(
                RunAttempt(number, "queued", now, now, now, self._new_jobs(run.job_spec))
            )
            return number

    def set_step_log(
        self, run_id: int, step_name: str, text: str, attempt: int | None = None
    ) -> None:
        """Set the log text of a step (first job having a step of that name)."""
        with self.lock:
            run = self.runs[run_id]
            att = run.attempts[(attempt or run.latest.number) - 1]
            for job in att.jobs:
                for step in job.steps:
                    if step.name == step_name:
                        step.log = text
                        return
            raise KeyError(step_name)

    def add_history(self, n: int, prefix: str = "job/past-", spacing: float = 600.0) -> None:
        """`n` past agent jobs, each a completed run and a merged PR whose branch is
        gone, older than anything made after (one every `spacing` seconds, the last
        a day ago): a repository with a history, as real ones have."""
        with self.lock:
            now = self.clock.now()
            base = self.branches[self.default_branch]
            for i in range(n):
                at = now - timedelta(days=1, seconds=spacing * (n - i))
                done = at + timedelta(seconds=spacing / 2)
                branch = f"{prefix}{i}"
                run = RunState(
                    id=self._next_run_id,
                    workflow_file="run-job.yml",
                    workflow_id=self._workflow_id("run-job.yml"),
                    name="Run Job",
                    run_number=self.workflow_run_numbers.get("run-job.yml", 0) + 1,
                    head_branch=branch,
                    head_sha=base,
                    event="push",
                    created_at=at,
                    job_spec={},
                )
                run.attempts.append(RunAttempt(1, "completed", at, done, at, [], "success"))
                self.workflow_run_numbers["run-job.yml"] = run.run_number
                self.runs[run.id] = run
                self._next_run_id += 1
                self.pulls[self._next_issue] = PullRequestState(
                    number=self._next_issue,
                    id=self._next_pr_id,
                    head_ref=branch,
                    head_sha=base,
                    base_ref=self.default_branch,
                    base_sha=base,
                    title=f"Past job {i}",
                    body="",
                    user="github-actions[bot]",
                    created_at=at,
                    updated_at=done,
                    state="closed",
                    merged=True,
                    merged_at=done,
                    closed_at=done,
                    merge_commit_sha=base,
                )
                self._next_issue += 1
                self._next_pr_id += 1

    # ------------------------------------------------------------------ pulls
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

    # ------------------------------------------------------------------ comments
    def add_comment(self, number: int, body: str, user: str = "github-actions[bot]") -> int:
        """Add an issue comment on PR/issue ``number``. Returns the comment id."""
        with self.lock:
            if number not in self.pulls and number not in self.issues:
                raise KeyError(number)
            now = self.clock.now()
            cid = self._next_comment_id
            self._next_comment_id += 1
            self.comments[cid] = CommentState(cid, number, body, user, now, now)
            return cid

    # ------------------------------------------------------------------ issues
    def open_issue(self, title: str, user: str = "octocat") -> int:
        """Open a plain issue (numbers are shared with PRs). Returns its number."""
        with self.lock:
            number = self._next_issue
            self._next_issue += 1
            self.issues[number] = IssueState(number, title, user, self.clock.now())
            return number

    def add_timeline_event(
        self, number: int, event: str, actor: str = "Copilot", app: str | None = None
    ) -> int:
        """Append an event to PR/issue ``number``'s timeline. Returns its id."""
        with self.lock:
            if number not in self.pulls and number not in self.issues:
                raise KeyError(number)
            eid = self._next_event_id
            self._next_event_id += 1
            events = self.timeline.setdefault(number, [])
            events.append(TimelineEvent(eid, event, actor, self.clock.now(), app))
            return eid

    def edit_comment(self, comment_id: int, body: str) -> None:
        with self.lock:
            c = self.comments[comment_id]
            c.body = body
            c.updated_at = self.clock.now()

    def delete_comment(self, comment_id: int) -> None:
        with self.lock:
            del self.comments[comment_id]

    # ------------------------------------------------------------------ permissions
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
