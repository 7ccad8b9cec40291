"""Details, once per change and at the end: the branch, changed files, the job config, the log.

The expensive ones are keyed by immutable things (a commit sha, a run
attempt), so each is fetched once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar
from urllib.parse import quote

from agent_job_status.errors import GitHubError
from agent_job_status.facts import BranchFact, JobConfig, JobFact, JobFacts, RunFact
from agent_job_status.github.answers import MISSING_REASONS, NotFound, OffHost, missing_reason
from agent_job_status.github.budget import CONFIG, FILES, LOG
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.logs import MAX_LOG_CHARS, run_log
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import HAS_STEPS, is_dict, is_list, text_of
from agent_job_status.github.reads import StatusReads
from agent_job_status.thepopebot import config_file_in, parse_config

T = TypeVar("T")
ALL = frozenset({LOG, FILES, CONFIG})


class Details:
    """Fills in what a report shows beyond the status; never changes the status facts.

    A detail that cannot be read is recorded in `JobFacts.missing` with its
    reason (`answers.MISSING_REASONS`) and never raises: once the status is
    known, a detail costs nothing but itself. Transient failures were already
    retried by the client; permanent ones (404, 410, a wrong shape) are not.
    """

    def __init__(self, reads: StatusReads) -> None:
        self.reads = reads
        self.client: GitHubClient = reads.client
        self.target = reads.target
        self._repo = reads.target.api_path
        self._memo = Memo()

    def details(self, facts: JobFacts, *, failed: bool, allowed: frozenset[str] = ALL) -> JobFacts:
        """Add the branch, the run's steps, changed files, the job config and the log
        (those of them in `allowed`; the rest are missing as `over_budget`)."""
        missing: list[tuple[str, str]] = [
            (kind, "over_budget") for kind in (LOG, FILES, CONFIG) if kind not in allowed
        ]
        if not failed:
            missing = [m for m in missing if m[0] != LOG]

        def read(name: str, load: Callable[[], T], default: T) -> T:
            try:
                return load()
            except OffHost:
                raise
            except GitHubError as exc:
                missing.append((name, missing_reason(exc)))
                return default

        run = facts.run
        wants_steps = LOG in allowed or CONFIG in allowed
        if wants_steps and run is not None and not run.jobs and run.status in HAS_STEPS:
            # Batch polls skip steps; the report (and the failing step's log) needs them.
            no_jobs: tuple[JobFact, ...] = ()
            jobs = read("steps", lambda: self.reads.run_jobs(run), no_jobs)
            facts = replace(facts, run=replace(run, jobs=jobs))
        if FILES in allowed:
            before = facts  # a failed read leaves the branch unknown, not deleted
            facts = read(
                "branch",
                lambda: replace(before, branch=self._branch(before), branch_checked=True),
                before,
            )
            no_files: tuple[str, ...] = ()
            files = read("files", lambda: self.changed_files(facts), no_files)
        else:
            files = ()
        sha = self._log_commit(facts)
        config, log, source = JobConfig(), "", ""
        if sha and (CONFIG in allowed or (failed and LOG in allowed)):
            config, log, source = read(
                "log_folder",
                lambda: self._memo.once(
                    ("logdir", facts.job_id, sha), lambda: self._log_folder(facts.job_id, sha)
                ),
                (config, log, source),
            )
            if CONFIG not in allowed:
                config = JobConfig()
        if not log and failed and LOG in allowed and facts.run is not None:
            log, why = self._run_log(facts.run)
            source = "run" if log else (f"unavailable: {MISSING_REASONS[why]}" if why else "")
            if why:
                missing.append((LOG, why))
        return replace(
            facts,
            changed_files=files,
            config=config,
            log=log[-MAX_LOG_CHARS:],
            log_source=source,
            missing=facts.missing + tuple(dict.fromkeys(missing)),
        )

    def _run_log(self, run: RunFact) -> tuple[str, str]:
        """The failing step's text from the run's archive, or why it is missing."""
        try:
            return self._memo.once(
                ("runlog", run.id, run.attempt), lambda: run_log(self.client, self._repo, run)
            )
        except OffHost:
            raise
        except GitHubError as exc:
            return "", missing_reason(exc)

    def _branch(self, facts: JobFacts) -> BranchFact | None:
        if facts.branch_checked:
            return facts.branch
        pull = facts.pull
        if facts.run is not None and pull is not None and pull.state == "open" and pull.head_sha:
            # An open PR's head is the branch (GitHub closes a PR whose head branch
            # is deleted), as the PR answer just read says: no request of its own.
            return BranchFact(name=facts.branch_name, sha=pull.head_sha)
        if pull is not None and pull.merged:
            # A merged job's branch only goes away; ask once (a 404 has no ETag).
            return self._memo.once(
                ("branch-after-merge", facts.branch_name, pull.number),
                lambda: self.reads.branch(facts.branch_name),
            )
        return self.reads.branch(facts.branch_name)

    def changed_files(self, facts: JobFacts) -> tuple[str, ...]:
        pull, branch = facts.pull, facts.branch
        if pull is not None:

            def pr_files() -> tuple[str, ...]:
                items, _ = self.client.get_all(
                    f"{self._repo}/pulls/{pull.number}/files", final_shape=True
                )
                return tuple(text_of(i, "filename") for i in items if isinstance(i, dict))

            return self._memo.once(("files", pull.number, pull.head_sha), pr_files)
        if branch is not None:

            def compared() -> tuple[str, ...]:
                base = self.default_branch()
                resp = self.client.get_or_none(
                    f"{self._repo}/compare/{quote(base, safe='')}...{quote(branch.name, safe='/')}",
                    shape=is_dict,
                    final_shape=True,
                )
                files = resp.data.get("files") if resp is not None else None
                return tuple(text_of(i, "filename") for i in files or [] if isinstance(i, dict))

            return self._memo.once(("compare", branch.sha), compared)
        return ()

    def default_branch(self) -> str:
        def load() -> str:
            return (
                text_of(
                    self.client.get(self._repo, shape=is_dict, final_shape=True).data,
                    "default_branch",
                )
                or "main"
            )

        return self._memo.once(("default_branch",), load)

    def _log_dir(self, job_id: str) -> str:
        return self.target.log_dir.replace("{job_id}", job_id)

    def _log_commit(self, facts: JobFacts) -> str:
        """The commit the PR body links to for the log, else branch head, else PR head."""
        if facts.pull is not None:
            pattern = re.compile(
                r"/tree/([0-9a-f]{7,40})/"
                + re.escape(self._log_dir(facts.job_id))
                + r"(?:[/)\s\"]|$)"
            )
            match = pattern.search(facts.pull.body)
            if match:
                return match.group(1)
        if facts.branch is not None and facts.branch.sha:
            return facts.branch.sha
        return facts.pull.head_sha if facts.pull is not None else ""

    def _log_folder(self, job_id: str, sha: str) -> tuple[JobConfig, str, str]:
        folder = self._log_dir(job_id)
        resp = self.client.get_or_none(
            f"{self._repo}/contents/{quote(folder)}", {"ref": sha}, shape=is_list, final_shape=True
        )
        if resp is None:
            return JobConfig(), "", ""
        names = sorted(
            text_of(e, "name") for e in resp.data if isinstance(e, dict) and e.get("type") == "file"
        )
        config = JobConfig()
        if config_name := config_file_in(names):  # either generation's file
            config = parse_config(config_name, self._raw(f"{folder}/{config_name}", sha))
        # The agent's session log first, then any other log-like file.
        choice = [n for n in names if n.endswith(".jsonl")] or [
            n for n in names if n.endswith((".log", ".txt", ".md")) and n != config.file
        ]
        if not choice:
            return config, "", ""
        path = f"{folder}/{choice[-1]}"
        return config, self._raw(path, sha), path

    def _raw(self, path: str, sha: str) -> str:
        try:
            resp = self.client.request(
                "GET",
                f"{self._repo}/contents/{quote(path)}",
                {"ref": sha},
                accept="application/vnd.github.raw",
                raw=True,
            )
        except NotFound:
            return ""
        return str(resp.data)[:MAX_LOG_CHARS]
