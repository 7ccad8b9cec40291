"""Details, once per change and at the end: the branch, changed files, the job config, the log.

The expensive ones are keyed by immutable things (a commit sha, a run
attempt), so each is fetched once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import quote

from agent_job_status.facts import JobConfig, JobFacts
from agent_job_status.github.answers import NotFound
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.logs import MAX_LOG_CHARS, run_log
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import HAS_STEPS, is_dict, is_list, text_of
from agent_job_status.github.reads import StatusReads
from agent_job_status.thepopebot import config_file_in, parse_config


class Details:
    """Fills in what a report shows beyond the status; never changes the status facts."""

    def __init__(self, reads: StatusReads, warn: Callable[[str], None]) -> None:
        self.reads = reads
        self.client: GitHubClient = reads.client
        self.target = reads.target
        self.warn = warn
        self._repo = reads.target.api_path
        self._memo = Memo()

    def details(self, facts: JobFacts, *, failed: bool) -> JobFacts:
        """Add the branch, the run's steps, changed files, the job config and the log."""
        run = facts.run
        if run is not None and not run.jobs and run.status in HAS_STEPS:
            # Batch polls skip steps; the report (and the failing step's log) needs them.
            facts = replace(facts, run=replace(run, jobs=self.reads.run_jobs(run)))
        if facts.branch_checked:
            branch = facts.branch
        elif facts.pull is not None and facts.pull.merged:
            # A merged job's branch only goes away; ask once (a 404 has no ETag).
            branch = self._memo.once(
                ("branch-after-merge", facts.branch_name, facts.pull.number),
                lambda: self.reads.branch(facts.branch_name),
            )
        else:
            branch = self.reads.branch(facts.branch_name)
        facts = replace(facts, branch=branch, branch_checked=True)
        files = self.changed_files(facts)
        sha = self._log_commit(facts)
        config, log, source = JobConfig(), "", ""
        if sha:
            config, log, source = self._memo.once(
                ("logdir", facts.job_id, sha), lambda: self._log_folder(facts.job_id, sha)
            )
        if not log and failed and facts.run is not None:
            run = facts.run
            log = self._memo.once(
                ("runlog", run.id, run.attempt),
                lambda: run_log(self.client, self._repo, run, self.warn),
            )
            source = "run" if log else ""
        return replace(
            facts, changed_files=files, config=config, log=log[-MAX_LOG_CHARS:], log_source=source
        )

    def changed_files(self, facts: JobFacts) -> tuple[str, ...]:
        pull, branch = facts.pull, facts.branch
        if pull is not None:

            def pr_files() -> tuple[str, ...]:
                items, _ = self.client.get_all(f"{self._repo}/pulls/{pull.number}/files")
                return tuple(text_of(i, "filename") for i in items if isinstance(i, dict))

            return self._memo.once(("files", pull.number, pull.head_sha), pr_files)
        if branch is not None:

            def compared() -> tuple[str, ...]:
                base = self.default_branch()
                resp = self.client.get_or_none(
                    f"{self._repo}/compare/{quote(base, safe='')}...{quote(branch.name, safe='/')}",
                    shape=is_dict,
                )
                files = resp.data.get("files") if resp is not None else None
                return tuple(text_of(i, "filename") for i in files or [] if isinstance(i, dict))

            return self._memo.once(("compare", branch.sha), compared)
        return ()

    def default_branch(self) -> str:
        def load() -> str:
            return (
                text_of(self.client.get(self._repo, shape=is_dict).data, "default_branch") or "main"
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
            f"{self._repo}/contents/{quote(folder)}", {"ref": sha}, shape=is_list
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
