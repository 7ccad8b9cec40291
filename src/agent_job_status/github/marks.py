"""What the branch says when no agent run does: thepopebot's generation and failure marks.

Generation 2 runs its agent outside Actions, so its branch and PR are all
there is: the config file's name tells the generations apart, and a
"🤖 Agent Job: … (failed)" commit is the agent's own failure report. And when
a failed job's PR was merged, whether it carried only the job's logs decides
between `failed` and `merged`. Each read is needed only in those cases, and
is keyed by an immutable sha, so it is made once.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from agent_job_status.facts import BranchFact, JobFacts, PullFact
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import is_dict, is_list, text_of
from agent_job_status.github.reads import StatusReads
from agent_job_status.resolve import GOOD_CONCLUSIONS
from agent_job_status.thepopebot import (
    config_file_in,
    generation_of,
    is_done_commit,
    marks_failure,
    only_logs,
    prefix_generation,
)

MAX_PR_COMMITS = 250  # GitHub lists at most 250 commits of a PR


class Marks:
    """Adds `generation`, `failed_mark` and `logs_only` to status facts, when they matter."""

    def __init__(self, reads: StatusReads) -> None:
        self.client = reads.client
        self.target = reads.target
        self._repo = reads.target.api_path
        self._memo = Memo()

    def marked(self, facts: JobFacts) -> JobFacts:
        run, pull, branch = facts.run, facts.pull, facts.branch
        failed_run = (
            run is not None and run.status == "completed" and run.conclusion not in GOOD_CONCLUSIONS
        )
        failed_mark, generation = False, None
        if run is None and (pull is not None or branch is not None):
            sha = branch.sha if branch is not None else pull.head_sha if pull is not None else ""
            generation = self._generation(facts.job_id, facts.branch_name, sha)
            # Generation 1 reports failure through its run; generation 2 in a commit.
            if generation == 2 and pull is not None:
                failed_mark = self._pull_marked(pull)
            elif generation == 2 and branch is not None:
                failed_mark = self._branch_marked(branch)
        logs_only = (
            pull is not None
            and pull.merged
            and (failed_run or failed_mark)
            and self._logs_only(facts.job_id, pull)
        )
        return replace(facts, generation=generation, failed_mark=failed_mark, logs_only=logs_only)

    def _log_dir(self, job_id: str) -> str:
        return self.target.log_dir.replace("{job_id}", job_id)

    def _pull_marked(self, pull: PullFact) -> bool:
        def load() -> bool:
            items, _ = self.client.get_all(
                f"{self._repo}/pulls/{pull.number}/commits", limit=MAX_PR_COMMITS
            )
            return any(marks_failure(_message_of(item)) for item in items)

        return self._memo.once(("pr-marked", pull.number, pull.head_sha), load)

    def _commit(self, sha: str) -> tuple[str, str]:
        """(message, first parent) of a commit."""

        def load() -> tuple[str, str]:
            resp = self.client.get_or_none(f"{self._repo}/commits/{quote(sha)}", shape=is_dict)
            if resp is None:
                return "", ""
            parents = resp.data.get("parents")
            first = parents[0] if isinstance(parents, list) and parents else None
            return _message_of(resp.data), text_of(first, "sha") if isinstance(first, dict) else ""

        return self._memo.once(("commit", sha), load)

    def _branch_marked(self, branch: BranchFact) -> bool:
        """The head commit marks failure, or the head is "done." after one that does."""
        message, parent = branch.message, branch.parent
        if not message and branch.sha:  # a branch from a refs list carries no message
            message, parent = self._commit(branch.sha)
        if marks_failure(message):
            return True
        return is_done_commit(message) and bool(parent) and marks_failure(self._commit(parent)[0])

    def _generation(self, job_id: str, name: str, sha: str) -> int:
        """thepopebot's own prefixes name the generation (each writes its own config
        file under its own prefix); under another prefix, the config file the branch
        holds tells (one read per head commit)."""
        known = prefix_generation(name)
        if known is not None or not sha:
            return known or generation_of(name)

        def load() -> int:
            resp = self.client.get_or_none(
                f"{self._repo}/contents/{quote(self._log_dir(job_id))}",
                {"ref": sha},
                shape=is_list,
            )
            names = [text_of(e, "name") for e in resp.data if isinstance(e, dict)] if resp else []
            return generation_of(name, config_file_in(names))

        return self._memo.once(("generation", job_id, sha), load)

    def _logs_only(self, job_id: str, pull: PullFact) -> bool:
        def load() -> bool:
            items, _ = self.client.get_all(f"{self._repo}/pulls/{pull.number}/files")
            files = tuple(text_of(i, "filename") for i in items if isinstance(i, dict))
            return only_logs(files, self._log_dir(job_id))

        return self._memo.once(("logs-only", pull.number, pull.head_sha), load)


def _message_of(item: object) -> str:
    """commit.message of a commit object (as GitHub lists and shows commits)."""
    inner = item.get("commit") if isinstance(item, dict) else None
    return text_of(inner, "message") if isinstance(inner, dict) else ""
