"""`AgentSource`: the engine's `FactSource` for an agent profile other than thepopebot.

It reads what the profile names (`agent_reads`) into `AgentFacts`, and
brings the profile's rule table as its `resolve` (the engine's hook), so the
engine, the wait loop, publishing and `serve` work unchanged for every agent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from agent_job_status.engine import FactSource
from agent_job_status.errors import GitHubError
from agent_job_status.facts import JobFact, JobFacts, RunFact
from agent_job_status.github.agent_reads import (
    AgentReads,
    Marker,
    Pull,
    Tracking,
    pattern_regex,
    static_prefix,
)
from agent_job_status.github.answers import (
    MISSING_REASONS,
    OffHost,
    UnreadableItem,
    missing_reason,
)
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.items import unknown_facts
from agent_job_status.github.logs import MAX_LOG_CHARS, run_log
from agent_job_status.github.memo import Memo
from agent_job_status.github.payloads import is_jobs, job_fact, text_of
from agent_job_status.github.source import GitHubFacts
from agent_job_status.profiles.evaluate import AgentFacts, resolve_with
from agent_job_status.profiles.model import Profile
from agent_job_status.report import Report
from agent_job_status.settings import Target

_NO_TRACKING = Tracking(None, None, None)


class AgentSource:
    def __init__(
        self,
        client: GitHubClient,
        target: Target,
        profile: Profile,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self.profile = profile
        self.reads = AgentReads(client, target, profile)
        self.warn = warn or (lambda _message: None)
        self._memo = Memo()

    # -- FactSource ------------------------------------------------------------
    def status_facts(self, job_ids: tuple[str, ...]) -> Iterator[JobFacts]:
        return (self.facts(job_id) for job_id in job_ids)

    def settled(self, facts: JobFacts) -> JobFacts:
        return facts  # every read here is a filtered query, not a lagging shared list

    def resolve(self, facts: JobFacts) -> Report:
        return resolve_with(self.profile, facts)

    def exact(self, facts: list[JobFacts]) -> list[JobFacts]:
        return facts  # filtered queries only: nothing assumed

    def details(self, jobs: Sequence[tuple[JobFacts, bool]]) -> list[JobFacts]:
        return [self._details(facts, failed) for facts, failed in jobs]

    def _details(self, facts: JobFacts, failed: bool) -> JobFacts:
        """Files, steps and a failed run's log; what cannot be read is `missing`."""
        missing: list[tuple[str, str]] = []
        files: tuple[str, ...] = facts.changed_files
        if facts.pull is not None:
            number, sha = facts.pull.number, facts.pull.head_sha

            def pr_files() -> tuple[str, ...]:
                items, _ = self.client.get_all(f"{self.target.api_path}/pulls/{number}/files")
                return tuple(text_of(i, "filename") for i in items if isinstance(i, dict))

            try:
                files = self._memo.once(("files", number, sha), pr_files)
            except OffHost:
                raise
            except GitHubError as exc:
                missing.append(("files", missing_reason(exc)))
        run, log, source = facts.run, facts.log, facts.log_source
        if run is not None and run.status in ("in_progress", "completed"):
            try:
                run = replace(run, jobs=self.run_jobs(run))
                if failed and run.status == "completed":
                    text, why = run_log(self.client, self.target.api_path, run)
                    log, source = text[-MAX_LOG_CHARS:], "run" if text else ""
                    if why:
                        missing.append(("log", why))
                        source = f"unavailable: {MISSING_REASONS[why]}"
            except OffHost:
                raise
            except GitHubError as exc:
                missing.append(("log", missing_reason(exc)))
        return replace(
            facts,
            changed_files=files,
            run=run,
            log=log,
            log_source=source,
            missing=facts.missing + tuple(dict.fromkeys(missing)),
        )

    def all_job_ids(self) -> tuple[str, ...]:
        """Open PRs on the agent's branches (PR-keyed agents), else the ids its branches carry."""
        ids: set[str] = set()
        if self.profile.job_key == "pull":
            regexes = [pattern_regex(p, None) for p in self.profile.branches]
            for pull in self.reads.open_pulls():
                if any(r.fullmatch(pull.branch) for r in regexes):
                    ids.add(str(pull.fact.number))
            return tuple(sorted(ids, key=int))
        for pattern in self.profile.branches:
            regex = pattern_regex(pattern, None)
            for name in self.reads.branch_names(static_prefix(pattern, None)):
                match = regex.fullmatch(name)
                if match and match.groupdict().get("id"):
                    ids.add(match.group("id"))
        return tuple(sorted(ids))

    # -- one job -----------------------------------------------------------------
    def run_jobs(self, run: RunFact) -> tuple[JobFact, ...]:
        path = f"{self.target.api_path}/actions/runs/{run.id}/attempts/{run.attempt}/jobs"

        def load() -> tuple[JobFact, ...]:
            resp = self.client.get(path, {"per_page": 100}, shape=is_jobs)
            return tuple(job_fact(j) for j in resp.data["jobs"] if isinstance(j, dict))

        if run.status == "completed":
            return self._memo.once(("jobs", run.id, run.attempt), load)
        return load()

    def _find_pull_and_branch(self, job_id: str) -> tuple[Pull | None, str | None]:
        if self.profile.job_key != "pull":
            return None, self.reads.newest_branch(job_id)
        if job_id.isdigit():
            pull = self.reads.pull_by_number(job_id)
            return pull, pull.branch if pull else None
        # A branch name, whole or as the pattern's slug.
        for pattern in self.profile.branches:
            if pattern_regex(pattern, None).fullmatch(job_id):
                return None, job_id
        first = self.profile.branches[0].template
        return None, first.replace("{slug}", job_id).replace("{id}", job_id)

    def _shown_branch(self, job_id: str) -> str:
        """The report's branch when none exists: the first pattern, as far as known."""
        template = self.profile.branches[0].template
        prefix = static_prefix(self.profile.branches[0], job_id)
        return prefix if prefix == template.replace("{id}", job_id) else f"{prefix}*"

    def _issue(self, job_id: str, pull: Pull | None) -> str | None:
        if pull is not None:
            return str(pull.fact.number)
        return job_id if self.profile.job_key == "issue" and job_id.isdigit() else None

    def _run(self, name: str | None, tracking: Tracking, job_id: str) -> RunFact | None:
        link = self.profile.run.link
        if link == "comment":
            return self.reads.run_by_id(tracking.run_id) if tracking.run_id else None
        if link == "issue_title":
            return self.reads.run_for_issue(job_id) if job_id.isdigit() else None
        return self.reads.run_on_branch(name) if name else None

    def facts(self, job_id: str) -> AgentFacts:
        try:
            return self._facts(job_id)
        except UnreadableItem as exc:  # only this job's status is unknown
            return unknown_facts(AgentFacts, self.target, job_id, self._shown_branch(job_id), exc)

    def _facts(self, job_id: str) -> AgentFacts:
        profile, reads = self.profile, self.reads
        pull, name = self._find_pull_and_branch(job_id)
        issue = self._issue(job_id, pull)
        tracking = reads.tracking(issue) if profile.needs_comments and issue else _NO_TRACKING
        if name is None and tracking.compare_url and "..." in tracking.compare_url:
            name = tracking.compare_url.split("...", 1)[1].split("?", 1)[0] or None
        if pull is None and name is not None:
            pull = reads.pull_by_branch(name)
        elif pull is None and profile.job_key != "pull":
            pull = reads.pull_by_pattern(job_id)  # the branch went with a merge
            name = pull.branch if pull else None
        branch = reads.branch(name) if name is not None else None
        markers: list[Marker | None] = [tracking.marker]
        if profile.needs_timeline and pull is not None:
            markers.append(reads.timeline_marker(pull.fact.number))
        if profile.markers.commit and branch is not None:
            markers.append(reads.commit_marker(branch.name))
        newest = newest_marker(markers)
        return AgentFacts(
            job_id=job_id,
            repository=self.target.repository,
            branch_name=name or (pull.branch if pull else self._shown_branch(job_id)),
            server_url=self.target.server_url,
            branch=branch,
            branch_checked=True,
            run=self._run(name, tracking, job_id),
            pull=pull.fact if pull else None,
            pull_draft=pull.draft if pull else False,
            pull_author=pull.author if pull else "",
            progress=newest.phase if newest else "none",
            progress_source=newest.source if newest else "",
            compare_url=tracking.compare_url,
        )


def newest_marker(markers: list[Marker | None]) -> Marker | None:
    """The newest of the markers seen; a marker with no time counts as oldest."""
    known = [m for m in markers if m is not None]
    if not known:
        return None
    return max(known, key=lambda m: (m.at is not None, m.at.timestamp() if m.at else 0.0))


def source_for_profile(
    client: GitHubClient,
    target: Target,
    profile: Profile,
    warn: Callable[[str], None] | None,
    *,
    watch: bool = False,
) -> FactSource:
    """thepopebot's built-in engine for a `rules = "builtin"` profile, else the profile's."""
    if profile.builtin_rules:
        return GitHubFacts(client, target, warn=warn, watch=watch)
    return AgentSource(client, target, profile, warn)
