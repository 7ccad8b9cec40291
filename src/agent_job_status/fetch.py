"""Gathering the facts of agent jobs from GitHub (the reading edge).

Cheap by construction: the status facts (run, PR, the run's jobs) are
conditional requests that cost nothing when unchanged; the branch is asked
only when neither a run nor a PR exists, or for the details; the expensive
extras (changed files, the log, the job config) are keyed by immutable
things (a commit sha, a run attempt), so each is fetched once.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

from agent_job_status.client import GitHubClient, NotFound, next_link
from agent_job_status.errors import ConfigError, GitHubError
from agent_job_status.facts import (
    BranchFact,
    JobConfig,
    JobFact,
    JobFacts,
    PullFact,
    RunFact,
    StepFact,
)
from agent_job_status.resolve import QUEUED

MAX_LOG_CHARS = 10 * 1024 * 1024
BATCH_FROM = 4  # jobs; fewer are cheaper asked one by one (filtered queries)
LIST_PAGES = 10  # pages of 100 runs or PRs read per poll before asking per job
PROGRESS_UP_TO = 5  # jobs whose step progress is read on every poll
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?", re.MULTILINE)
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


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _opt(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def run_fact(data: Mapping[str, Any], jobs: tuple[JobFact, ...] = ()) -> RunFact:
    return RunFact(
        id=int(data["id"]),
        attempt=int(data.get("run_attempt") or 1),
        status=_str(data, "status"),
        conclusion=_opt(data, "conclusion"),
        html_url=_str(data, "html_url"),
        workflow_path=_str(data, "path"),
        head_sha=_str(data, "head_sha"),
        created_at=parse_time(data.get("created_at")),
        started_at=parse_time(data.get("run_started_at")),
        updated_at=parse_time(data.get("updated_at")),
        jobs=jobs,
    )


def job_fact(data: Mapping[str, Any]) -> JobFact:
    steps = tuple(
        StepFact(
            number=int(step.get("number") or 0),
            name=_str(step, "name"),
            status=_str(step, "status"),
            conclusion=_opt(step, "conclusion"),
        )
        for step in data.get("steps") or []
        if isinstance(step, dict)
    )
    return JobFact(
        id=int(data["id"]),
        name=_str(data, "name"),
        status=_str(data, "status"),
        conclusion=_opt(data, "conclusion"),
        steps=steps,
    )


def pull_fact(data: Mapping[str, Any]) -> PullFact:
    head = data.get("head") if isinstance(data.get("head"), dict) else {}
    merged_at = parse_time(data.get("merged_at"))
    return PullFact(
        number=int(data["number"]),
        state=_str(data, "state"),
        merged=bool(data.get("merged")) or merged_at is not None,
        html_url=_str(data, "html_url"),
        title=_str(data, "title"),
        body=_str(data, "body"),
        head_sha=_str(head or {}, "sha"),
        created_at=parse_time(data.get("created_at")),
        closed_at=parse_time(data.get("closed_at")),
        merged_at=merged_at,
    )


def branch_fact(data: Mapping[str, Any]) -> BranchFact:
    commit = data.get("commit") if isinstance(data.get("commit"), dict) else {}
    inner = (commit or {}).get("commit")
    committer = inner.get("committer") if isinstance(inner, dict) else None
    return BranchFact(
        name=_str(data, "name"),
        sha=_str(commit or {}, "sha"),
        committed_at=parse_time(committer.get("date")) if isinstance(committer, dict) else None,
    )


def _records(items: Any, key: str, word: str) -> bool:
    """A list whose every entry has an integer `key` and a string `word`: the facts
    need both (an id and a status or state); anything less is a malformed answer."""
    return isinstance(items, list) and all(_record(i, key, word) for i in items)


def _record(item: Any, key: str, word: str) -> bool:
    return isinstance(item, dict) and type(item.get(key)) is int and isinstance(item.get(word), str)


def _is_runs(data: Any) -> bool:
    return isinstance(data, dict) and _records(data.get("workflow_runs"), "id", "status")


def _is_jobs(data: Any) -> bool:
    return isinstance(data, dict) and _records(data.get("jobs"), "id", "status")


def _is_pulls(data: Any) -> bool:
    return _records(data, "number", "state")


def _is_pull(data: Any) -> bool:
    return _record(data, "number", "state")


def _behind(listed: PullFact | None, seen: PullFact) -> bool:
    """Whether a list's answer knows less than an earlier one did (see `settled`)."""
    if listed is None or listed.number < seen.number:
        return True
    return listed.number == seen.number and (
        (seen.merged and not listed.merged) or (seen.state == "closed" and listed.state == "open")
    )


HAS_STEPS = ("in_progress", "completed")  # a queued run has no steps to read yet
# How far a run attempt has got; a list showing less for the same attempt lags.
_RUN_PROGRESS = {**dict.fromkeys(QUEUED, 0), "in_progress": 1, "completed": 2}


def _run_behind(listed: RunFact | None, seen: RunFact) -> bool:
    """Whether a runs list knows less than an earlier answer did (see `settled`)."""
    if listed is None or listed.id < seen.id:  # run ids grow with time
        return True
    if listed.id > seen.id or listed.attempt != seen.attempt:
        return listed.id == seen.id and listed.attempt < seen.attempt
    return _RUN_PROGRESS.get(listed.status, 1) < _RUN_PROGRESS.get(seen.status, 1)


def _is_run(data: Any) -> bool:
    return _record(data, "id", "status")


def _is_list(data: Any) -> bool:
    return isinstance(data, list)


def _is_dict(data: Any) -> bool:
    return isinstance(data, dict)


class Fetcher:
    """Reads facts for jobs of one target through one client."""

    def __init__(
        self, client: GitHubClient, target: Target, warn: Callable[[str], None] | None = None
    ) -> None:
        self.client = client
        self.target = target
        self.warn = warn or (lambda _message: None)
        self._memo: dict[tuple[object, ...], object] = {}
        self._repo = f"/repos/{target.repository}"
        self._pulls_seen: dict[str, PullFact] = {}  # branch -> newest PR seen (see `settled`)
        self._runs_seen: dict[str, RunFact] = {}  # branch -> newest run seen (see `settled`)

    def _once(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """Memo for results keyed by immutable ids (a sha, a run attempt)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    # -- status facts (every poll) ------------------------------------------
    def _runs_path(self) -> str:
        """The agent workflow's runs; every workflow's when `workflow` is empty."""
        workflow = self.target.workflow
        if workflow:
            return f"{self._repo}/actions/workflows/{quote(workflow, safe='')}/runs"
        return f"{self._repo}/actions/runs"

    def latest_run(self, branch: str) -> RunFact | None:
        try:
            resp = self.client.get(
                self._runs_path(), {"branch": branch, "per_page": 10}, shape=_is_runs
            )
        except NotFound:
            self._explain_missing_workflow()
            return None
        for item in resp.data["workflow_runs"]:
            if not isinstance(item, dict) or item.get("head_branch") != branch:
                continue
            if self.target.own_run_id is not None and item.get("id") == self.target.own_run_id:
                continue  # never the run this action is itself part of
            return run_fact(item)
        return None

    def _explain_missing_workflow(self) -> None:
        try:
            self.client.get(self._repo, shape=_is_dict)
        except NotFound:
            raise GitHubError(
                f"Repository {self.target.repository} not found, or the token cannot see it"
            ) from None
        raise ConfigError(
            f"Input 'workflow': no workflow {self.target.workflow!r} in {self.target.repository}; "
            "give the agent's workflow file name, or '' for any workflow"
        )

    def run_jobs(self, run: RunFact) -> tuple[JobFact, ...]:
        path = f"{self._repo}/actions/runs/{run.id}/attempts/{run.attempt}/jobs"

        def load() -> tuple[JobFact, ...]:
            resp = self.client.get(path, {"per_page": 100}, shape=_is_jobs)
            return tuple(job_fact(j) for j in resp.data["jobs"] if isinstance(j, dict))

        if run.status == "completed":  # a finished attempt never changes
            return self._once(("jobs", run.id, run.attempt), load)
        return load()

    def newest_pull(self, branch: str) -> PullFact | None:
        params: dict[str, str | int] = {
            "head": f"{self.target.owner}:{branch}",
            "state": "all",
            "sort": "created",
            "direction": "desc",
            "per_page": 10,
        }
        resp = self.client.get(f"{self._repo}/pulls", params, shape=_is_pulls)
        for item in resp.data:
            head = item.get("head") if isinstance(item, dict) else None
            if isinstance(head, dict) and head.get("ref") == branch:
                return pull_fact(item)
        return None

    def branch(self, branch: str) -> BranchFact | None:
        resp = self.client.get_or_none(
            f"{self._repo}/branches/{quote(branch, safe='/')}", shape=_is_dict
        )
        return branch_fact(resp.data) if resp is not None else None

    def status_facts(self, job_id: str) -> JobFacts:
        """What the status needs, no more: run (+ its jobs), PR, branch if neither."""
        name = f"{self.target.branch_prefix}{job_id}"
        run = self.latest_run(name)
        if run is not None and run.status in HAS_STEPS:
            run = replace(run, jobs=self.run_jobs(run))
        pull = self.newest_pull(name)
        return self._facts(job_id, run, pull, self.branch)

    def _facts(
        self,
        job_id: str,
        run: RunFact | None,
        pull: PullFact | None,
        branch: Callable[[str], BranchFact | None],
    ) -> JobFacts:
        """Status facts; the branch is asked only when neither run nor PR says enough."""
        name = f"{self.target.branch_prefix}{job_id}"
        checked = run is None and pull is None
        return JobFacts(
            job_id=job_id,
            repository=self.target.repository,
            branch_name=name,
            server_url=self.target.server_url,
            branch=branch(name) if checked else None,
            branch_checked=checked,
            run=run,
            pull=pull,
        )

    def settled(self, facts: JobFacts) -> JobFacts:
        """The one guard against lagging lists: what was once seen is never un-seen.

        GitHub's lists are eventually consistent: just after a merge the PR list
        can still say `open` (or miss a new PR), and just after a run ends the
        runs list can still say `in_progress`. Facts that went backwards would
        turn `merged` into `completed` (or `completed` into `running`) mid-wait,
        or end a wait on a state already left behind. So when a list knows less
        than an earlier answer did, the resource itself (GET /pulls/{n} or
        /actions/runs/{id}, authoritative) decides. A merge never goes back; a
        closed PR may really be reopened, and the direct read says so. A re-run
        is a new attempt, which a list shows as more, not less.
        """
        name = facts.branch_name
        seen = self._pulls_seen.get(name)
        if seen is not None and _behind(facts.pull, seen):
            direct = self.client.get_or_none(f"{self._repo}/pulls/{seen.number}", shape=_is_pull)
            facts = replace(facts, pull=pull_fact(direct.data) if direct is not None else seen)
        if facts.pull is not None:
            self._pulls_seen[name] = facts.pull
        seen_run = self._runs_seen.get(name)
        if seen_run is not None and _run_behind(facts.run, seen_run):
            direct = self.client.get_or_none(
                f"{self._repo}/actions/runs/{seen_run.id}", shape=_is_run
            )
            run = run_fact(direct.data) if direct is not None else seen_run
            if run.status in HAS_STEPS:
                run = replace(run, jobs=self.run_jobs(run))
            facts = replace(facts, run=run)
        if facts.run is not None:
            self._runs_seen[name] = facts.run
        return facts

    def status_facts_many(self, job_ids: tuple[str, ...]) -> list[JobFacts]:
        """Status facts for many jobs from shared lists: the cost of a poll grows
        with the pages of runs and PRs, not with the number of jobs."""
        prefix = self.target.branch_prefix
        names = {job_id: f"{prefix}{job_id}" for job_id in job_ids}
        wanted = set(names.values())
        runs = self._runs_by_branch(wanted)
        pulls = self._pulls_by_branch(wanted)
        bare = [
            name for name in names.values() if runs.get(name) is None and pulls.get(name) is None
        ]
        branches = self._branches(set(bare)) if bare else {}
        progress = len(job_ids) <= PROGRESS_UP_TO
        facts = []
        for job_id, name in names.items():
            run = runs.get(name)
            if run is not None and progress and run.status == "in_progress":
                run = replace(run, jobs=self.run_jobs(run))
            facts.append(self._facts(job_id, run, pulls.get(name), branches.get))
        return facts

    def _pages(
        self,
        path: str,
        params: dict[str, str | int],
        key: str,
        wanted: set[str],
        branch_of: Callable[[dict[str, Any]], str],
    ) -> tuple[dict[str, list[dict[str, Any]]], bool]:
        """Read list pages until every wanted branch is seen or the list ends.

        Returns (items by branch, complete): complete is False when the page
        bound stopped the reading first."""
        found: dict[str, list[dict[str, Any]]] = {}
        url: str | None = self.client.url_for(path, {**params, "per_page": 100})
        pages = 0
        while url is not None:
            if pages == LIST_PAGES:
                return found, False
            resp = self.client.request("GET", url, shape=_is_pulls if not key else _is_runs)
            pages += 1
            items = resp.data[key] if key else resp.data
            for item in items:
                if isinstance(item, dict) and branch_of(item) in wanted:
                    found.setdefault(branch_of(item), []).append(item)
            if wanted <= set(found):
                return found, True
            url = next_link(resp.headers.get("link", ""))
        return found, True

    def _runs_by_branch(self, wanted: set[str]) -> dict[str, RunFact | None]:
        try:
            found, complete = self._pages(
                self._runs_path(),
                {},
                "workflow_runs",
                wanted,
                lambda item: _str(item, "head_branch"),
            )
        except NotFound:
            self._explain_missing_workflow()
            return {}
        runs: dict[str, RunFact | None] = {}
        for branch in wanted:
            items = [
                i
                for i in found.get(branch, [])
                if self.target.own_run_id is None or i.get("id") != self.target.own_run_id
            ]
            if items:
                runs[branch] = run_fact(items[0])  # the list is newest first
            elif not complete:
                runs[branch] = self.latest_run(branch)  # beyond the pages read
        return runs

    def _pulls_by_branch(self, wanted: set[str]) -> dict[str, PullFact | None]:
        def head_ref(item: dict[str, Any]) -> str:
            head = item.get("head")
            return _str(head, "ref") if isinstance(head, dict) else ""

        params: dict[str, str | int] = {"state": "all", "sort": "updated", "direction": "desc"}
        found, complete = self._pages(f"{self._repo}/pulls", params, "", wanted, head_ref)
        pulls: dict[str, PullFact | None] = {}
        for branch in wanted:
            items = [pull_fact(i) for i in found.get(branch, [])]
            if items:
                pulls[branch] = max(
                    items, key=lambda p: (p.created_at is not None, p.created_at, p.number)
                )
            elif not complete:
                pulls[branch] = self.newest_pull(branch)
        return pulls

    def _branches(self, wanted: set[str]) -> dict[str, BranchFact]:
        if len(wanted) == 1:
            name = next(iter(wanted))
            fact = self.branch(name)
            return {name: fact} if fact is not None else {}
        prefix = self.target.branch_prefix
        refs, _ = self.client.get_all(f"{self._repo}/git/matching-refs/heads/{quote(prefix)}")
        out: dict[str, BranchFact] = {}
        for ref in refs:
            if not isinstance(ref, dict):
                continue
            name = _str(ref, "ref").removeprefix("refs/heads/")
            obj = ref.get("object")
            if name in wanted:
                out[name] = BranchFact(
                    name=name, sha=_str(obj, "sha") if isinstance(obj, dict) else ""
                )
        return out

    # -- details (once per change, and at the end) -----------------------------
    def details(self, facts: JobFacts, *, failed: bool) -> JobFacts:
        """Add the branch, the run's steps, changed files, the job config and the log."""
        run = facts.run
        if run is not None and not run.jobs and run.status in HAS_STEPS:
            # Batch polls skip steps; the report (and the failing step's log) needs them.
            facts = replace(facts, run=replace(run, jobs=self.run_jobs(run)))
        if facts.branch_checked:
            branch = facts.branch
        elif facts.pull is not None and facts.pull.merged:
            # A merged job's branch only goes away; ask once (a 404 has no ETag).
            branch = self._once(
                ("branch-after-merge", facts.branch_name, facts.pull.number),
                lambda: self.branch(facts.branch_name),
            )
        else:
            branch = self.branch(facts.branch_name)
        facts = replace(facts, branch=branch, branch_checked=True)
        files = self.changed_files(facts)
        sha = self._log_commit(facts)
        config, log, source = JobConfig(), "", ""
        if sha:
            config, log, source = self._once(
                ("logdir", facts.job_id, sha), lambda: self._log_folder(facts.job_id, sha)
            )
        if not log and failed and facts.run is not None:
            run = facts.run
            log = self._once(("runlog", run.id, run.attempt), lambda: self._failed_step_log(run))
            source = "run" if log else ""
        return replace(
            facts, changed_files=files, config=config, log=log[-MAX_LOG_CHARS:], log_source=source
        )

    def changed_files(self, facts: JobFacts) -> tuple[str, ...]:
        pull, branch = facts.pull, facts.branch
        if pull is not None:

            def pr_files() -> tuple[str, ...]:
                items, _ = self.client.get_all(f"{self._repo}/pulls/{pull.number}/files")
                return tuple(_str(i, "filename") for i in items if isinstance(i, dict))

            return self._once(("files", pull.number, pull.head_sha), pr_files)
        if branch is not None:

            def compared() -> tuple[str, ...]:
                base = self.default_branch()
                resp = self.client.get_or_none(
                    f"{self._repo}/compare/{quote(base, safe='')}...{quote(branch.name, safe='/')}",
                    shape=_is_dict,
                )
                files = resp.data.get("files") if resp is not None else None
                return tuple(_str(i, "filename") for i in files or [] if isinstance(i, dict))

            return self._once(("compare", branch.sha), compared)
        return ()

    def default_branch(self) -> str:
        def load() -> str:
            return (
                _str(self.client.get(self._repo, shape=_is_dict).data, "default_branch") or "main"
            )

        return self._once(("default_branch",), load)

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
            f"{self._repo}/contents/{quote(folder)}", {"ref": sha}, shape=_is_list
        )
        if resp is None:
            return JobConfig(), "", ""
        names = sorted(
            _str(e, "name") for e in resp.data if isinstance(e, dict) and e.get("type") == "file"
        )
        config = JobConfig()
        if "job.config.json" in names:
            config = parse_config(self._raw(f"{folder}/job.config.json", sha))
        # The agent's session log first, then any other log-like file.
        choice = [n for n in names if n.endswith(".jsonl")] or [
            n for n in names if n.endswith((".log", ".txt", ".md"))
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

    def _failed_step_log(self, run: RunFact) -> str:
        """The failing step's text from the run's own log archive."""
        resp = self.client.request(
            "GET", f"{self._repo}/actions/runs/{run.id}/attempts/{run.attempt}/logs", raw=True
        )
        location = resp.headers.get("location", "")
        if resp.status != 302 or not location:
            return ""
        try:
            archive = zipfile.ZipFile(io.BytesIO(self.client.download(location)))
        except (zipfile.BadZipFile, GitHubError) as exc:
            self.warn(f"could not read the run's log archive: {exc}")
            return ""
        return failing_step_text(archive, run.jobs)

    # -- which jobs exist ------------------------------------------------------
    def all_job_ids(self) -> tuple[str, ...]:
        """Every job whose branch exists or whose PR is open."""
        prefix = self.target.branch_prefix
        refs, _ = self.client.get_all(f"{self._repo}/git/matching-refs/heads/{quote(prefix)}")
        ids: set[str] = set()
        for ref in refs:
            name = _str(ref, "ref").removeprefix("refs/heads/") if isinstance(ref, dict) else ""
            if name.startswith(prefix) and len(name) > len(prefix):
                ids.add(name[len(prefix) :])
        pulls, _ = self.client.get_all(f"{self._repo}/pulls", {"state": "open"})
        for pull in pulls:
            head = pull.get("head") if isinstance(pull, dict) else None
            ref = _str(head, "ref") if isinstance(head, dict) else ""
            if ref.startswith(prefix) and len(ref) > len(prefix):
                ids.add(ref[len(prefix) :])
        return tuple(sorted(ids))


def parse_config(text: str) -> JobConfig:
    try:
        data = json.loads(text)
    except ValueError:
        return JobConfig()
    if not isinstance(data, dict):
        return JobConfig()
    model, title = data.get("model"), data.get("title")
    return JobConfig(
        model=model if isinstance(model, str) else None,
        title=title if isinstance(title, str) else None,
    )


def failing_step_text(archive: zipfile.ZipFile, jobs: tuple[JobFact, ...]) -> str:
    """GitHub's archive holds `<job>/<n>_<step>.txt`; pick the failed step's file."""
    names = [n for n in archive.namelist() if n.endswith(".txt")]
    wanted: list[str] = []
    for job in jobs:
        if job.conclusion not in ("failure", "cancelled", "timed_out"):
            continue
        for step in job.steps:
            if step.conclusion in ("failure", "cancelled", "timed_out"):
                prefix = f"{job.name}/{step.number}_"
                wanted += [n for n in names if n.startswith(prefix)]
    chosen = wanted[0] if wanted else None
    if chosen is None:
        return ""
    with archive.open(chosen) as file:
        text = file.read(MAX_LOG_CHARS).decode("utf-8", errors="replace")
    return _TIMESTAMP.sub("", text)
