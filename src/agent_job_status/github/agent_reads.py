"""What an agent profile asks of GitHub: its branch, PR, run and progress markers.

Every read goes through the one `GitHubClient` (ETags: an unchanged answer
costs no rate limit), and a profile pays only for what it names: the PR
timeline only with timeline markers, issue comments only with comment
markers or a run linked from a comment. Every value is hostile text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agent_job_status.facts import BranchFact, PullFact, RunFact
from agent_job_status.github.answers import NotFound, UnreadableItem
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.items import newest_pull, newest_run
from agent_job_status.github.listed import branch_pulls, pull_branch, run_branch
from agent_job_status.github.payloads import (
    branch_fact,
    is_dict,
    is_pull,
    is_pulls,
    is_run,
    is_runs,
    parse_time,
    pull_fact,
    run_fact,
    text_of,
)
from agent_job_status.profiles.model import BranchPattern, Profile, TextMarker
from agent_job_status.settings import Target

MAX_URL = 2000
_URL_TAIL = r"[A-Za-z0-9._~%/+\-?=&:@]{1,2000}"


@dataclass(frozen=True)
class Pull:
    fact: PullFact
    branch: str
    draft: bool
    author: str


@dataclass(frozen=True)
class Marker:
    phase: str
    source: str
    at: datetime | None


@dataclass(frozen=True)
class Tracking:
    """The newest tracking comment of the agent: its phase and links."""

    marker: Marker | None
    run_id: int | None
    compare_url: str | None


def pattern_regex(pattern: BranchPattern, job_id: str | None) -> re.Pattern[str]:
    """The branch names a pattern matches (for one job id, or capturing `id`)."""
    parts = re.split(r"(\{id\}|\{n\}|\{stamp\}|\{slug\})", pattern.template)
    groups = {
        "{id}": re.escape(job_id) if job_id is not None else r"(?P<id>[A-Za-z0-9._-]+?)",
        "{n}": r"(?P<n>[0-9]{1,6})",
        "{stamp}": r"(?P<stamp>[0-9][0-9-]{0,30})",
        "{slug}": r"(?P<slug>[^\s]+)",
    }
    return re.compile("".join(groups.get(p, re.escape(p)) for p in parts))


def static_prefix(pattern: BranchPattern, job_id: str | None) -> str:
    text = pattern.template.replace("{id}", job_id) if job_id is not None else pattern.template
    return text.split("{", 1)[0]


def newest_key(match: re.Match[str]) -> tuple[int, str]:
    groups = match.groupdict()
    return int(groups.get("n") or 0), groups.get("stamp") or ""


def phase_of(text: str, markers: tuple[TextMarker, ...]) -> TextMarker | None:
    return next((m for m in markers if m.contains in text), None)


class AgentReads:
    def __init__(self, client: GitHubClient, target: Target, profile: Profile) -> None:
        self.client = client
        self.target = target
        self.profile = profile
        self._repo = target.api_path

    # -- branch ------------------------------------------------------------
    def branch_names(self, prefix: str) -> list[str]:
        refs, _ = self.client.get_all(f"{self._repo}/git/matching-refs/heads/{quote(prefix)}")
        names = [text_of(r, "ref").removeprefix("refs/heads/") for r in refs if isinstance(r, dict)]
        return [n for n in names if n]

    def newest_branch(self, job_id: str) -> str | None:
        """The job's newest branch among the profile's patterns (highest retry or stamp)."""
        best: tuple[tuple[int, str], str] | None = None
        for pattern in self.profile.branches:
            if "{id}" not in pattern.template:
                continue
            regex = pattern_regex(pattern, job_id)
            for name in self.branch_names(static_prefix(pattern, job_id)):
                match = regex.fullmatch(name)
                if match and (best is None or newest_key(match) > best[0]):
                    best = (newest_key(match), name)
        return best[1] if best else None

    def branch(self, name: str) -> BranchFact | None:
        resp = self.client.get_or_none(
            f"{self._repo}/branches/{quote(name, safe='/')}", shape=is_dict
        )
        return branch_fact(resp.data) if resp is not None else None

    def head_message(self, name: str) -> tuple[str, datetime | None]:
        resp = self.client.get_or_none(
            f"{self._repo}/branches/{quote(name, safe='/')}", shape=is_dict
        )
        commit = resp.data.get("commit") if resp is not None else None
        inner = commit.get("commit") if isinstance(commit, dict) else None
        if not isinstance(inner, dict):
            return "", None
        committer = inner.get("committer")
        when = parse_time(committer.get("date")) if isinstance(committer, dict) else None
        return text_of(inner, "message"), when

    # -- pull request ------------------------------------------------------
    @staticmethod
    def _pull(item: dict[str, Any]) -> Pull:
        head, user = item.get("head"), item.get("user")
        return Pull(
            fact=pull_fact(item),
            branch=text_of(head, "ref") if isinstance(head, dict) else "",
            draft=item.get("draft") is True,
            author=text_of(user, "login") if isinstance(user, dict) else "",
        )

    def pull_by_number(self, number: str) -> Pull | None:
        resp = self.client.get_or_none(f"{self._repo}/pulls/{number}", shape=is_pull)
        return self._pull(resp.data) if resp is not None else None

    def pull_by_branch(self, branch: str) -> Pull | None:
        resp = self.client.get(
            f"{self._repo}/pulls", branch_pulls(self.target, branch), shape=is_pulls
        )
        pick = newest_pull(branch, [i for i in resp.data if pull_branch(i) in (branch, None)])
        return self._pull(pick.item) if pick.item is not None else None

    def pull_by_pattern(self, job_id: str) -> Pull | None:
        """The newest recent PR from one of the job's branches: a merge may have
        deleted the branch, and only the PR still names it (one list page)."""
        regexes = [pattern_regex(p, job_id) for p in self.profile.branches if "{id}" in p.template]
        params: dict[str, str | int] = {
            "state": "all", "sort": "created", "direction": "desc", "per_page": 100,
        }  # fmt: skip
        resp = self.client.get(f"{self._repo}/pulls", params, shape=is_pulls)
        # An item whose branch cannot be told is nobody's (and so no job's newest).
        ours = [i for i in resp.data if any(r.fullmatch(pull_branch(i) or "") for r in regexes)]
        if not ours:
            return None
        pick = newest_pull(pull_branch(ours[0]) or "", ours)
        return self._pull(pick.item) if pick.item is not None else None

    def open_pulls(self) -> list[Pull]:
        items, _ = self.client.get_all(f"{self._repo}/pulls", {"state": "open"})
        return [self._pull(i) for i in items if is_pull(i)]

    # -- run -----------------------------------------------------------------
    def _runs_path(self) -> str:
        workflow = self.profile.run.workflow
        if workflow:
            return f"{self._repo}/actions/workflows/{quote(workflow, safe='')}/runs"
        return f"{self._repo}/actions/runs"

    def _wanted(self, item: Any) -> bool:
        if not isinstance(item, dict):
            return False
        if self.target.own_run_id is not None and item.get("id") == self.target.own_run_id:
            return False  # never the run this action is itself part of
        return text_of(item, "path").startswith(self.profile.run.path_prefix)

    def run_on_branch(self, branch: str) -> RunFact | None:
        try:
            resp = self.client.get(
                self._runs_path(), {"branch": branch, "per_page": 20}, shape=is_runs
            )
        except NotFound:
            return None  # the workflow does not exist (yet): no run
        items = [
            i
            for i in resp.data["workflow_runs"]
            if self._wanted(i) and run_branch(i) in (branch, None)
        ]
        pick = newest_run(branch, items)
        return run_fact(pick.item) if pick.item is not None else None

    def run_by_id(self, run_id: int) -> RunFact | None:
        resp = self.client.get_or_none(f"{self._repo}/actions/runs/{run_id}", shape=is_dict)
        if resp is None or not self._wanted(resp.data):
            return None
        if not is_run(resp.data):  # the job's own run, e.g. with `status: null`
            raise UnreadableItem("run", None, f"as run {run_id}")
        return run_fact(resp.data)

    def run_for_issue(self, number: str) -> RunFact | None:
        """The newest run of the workflow whose title is the issue's title."""
        issue = self.client.get_or_none(f"{self._repo}/issues/{number}", shape=is_dict)
        title = text_of(issue.data, "title") if issue is not None else ""
        if not title:
            return None
        try:
            resp = self.client.get(self._runs_path(), {"per_page": 50}, shape=is_runs)
        except NotFound:
            return None
        items = [
            i
            for i in resp.data["workflow_runs"]
            if self._wanted(i) and text_of(i, "display_title") == title
        ]
        pick = newest_run(None, items, f"for issue #{number}")
        return run_fact(pick.item) if pick.item is not None else None

    # -- progress markers ----------------------------------------------------
    def timeline_marker(self, number: int) -> Marker | None:
        """The newest timeline event the profile names (the timeline is oldest first)."""
        phases = dict(self.profile.markers.timeline)
        items, _ = self.client.get_all(f"{self._repo}/issues/{number}/timeline")
        found: Marker | None = None
        for item in items:
            event = text_of(item, "event") if isinstance(item, dict) else ""
            if event in phases:
                when = parse_time(item.get("created_at"))
                found = Marker(phases[event], f"timeline:{event}", when)
        return found

    def tracking(self, number: str) -> Tracking:
        """The newest comment by the agent's author(s) that carries a marker or a run link."""
        markers = self.profile.markers
        authors = {a.lower() for a in markers.comment_authors}
        items, _ = self.client.get_all(f"{self._repo}/issues/{number}/comments")
        web = re.escape(f"{self.target.server_url}/{self.target.repository}")
        run_link = re.compile(rf"{web}/actions/runs/([0-9]{{1,20}})")
        compare = re.compile(rf"{web}/compare/{_URL_TAIL}")
        for item in reversed(items):
            if not isinstance(item, dict):
                continue
            user = item.get("user")
            login = text_of(user, "login") if isinstance(user, dict) else ""
            if authors and login.lower() not in authors:
                continue
            body = text_of(item, "body")
            hit = phase_of(body, markers.comment)
            run = run_link.search(body)
            if hit is None and run is None:
                continue
            url = compare.search(body)
            when = parse_time(item.get("updated_at")) or parse_time(item.get("created_at"))
            return Tracking(
                marker=Marker(hit.phase, f"comment:{hit.contains}", when) if hit else None,
                run_id=int(run.group(1)) if run else None,
                compare_url=url.group(0)[:MAX_URL] if url else None,
            )
        return Tracking(None, None, None)

    def commit_marker(self, branch: str) -> Marker | None:
        message, when = self.head_message(branch)
        hit = phase_of(message, self.profile.markers.commit)
        return Marker(hit.phase, f"commit:{hit.contains}", when) if hit else None
