"""The settings of one run, composed of typed parts, each built once.

Every default is in `defaults.py`, in the input form action.yml declares.
The parts are built from strings by the `*_from` functions below, which use
the validators in `inputs.py`; the action builds them from `INPUT_*`
(`from_inputs`), the CLI from its parsed flags (`commands.py`), `serve` from
its own flags (it reuses `Api` and `Target`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agent_job_status.defaults import DEFAULTS, INPUT_NAMES
from agent_job_status.errors import InputError
from agent_job_status.inputs import (
    MAX_LOG_BYTES,
    WAIT_FOR,
    check_api_url,
    check_comment_header,
    check_comment_mode,
    check_log_path,
    check_reports_path,
    check_repository,
    check_workflow,
    parse_bool,
    parse_duration,
    parse_int,
    parse_job_ids,
    parse_prefixes,
    parse_statuses,
    server_url_for,
    shown,
    template_path,
    workspace_path,
)
from agent_job_status.profiles import Profile, builtin, choose

HOSTED_JOB_LIMIT = 6 * 3600  # seconds a job may run on a GitHub-hosted runner


@dataclass(frozen=True)
class Api:
    """How to reach GitHub."""

    url: str
    token: str = field(repr=False)
    server_url: str  # the web host, for links
    cache_dir: Path | None = None  # the conditional cache's home; None: in memory


CACHE_NAME = "agent-job-status"


def cache_dir_for(env: Mapping[str, str], *, action: bool = False) -> Path | None:
    """Where the conditional cache outlives the process: for the action, the
    runner's temp directory (later steps of the same job reuse it; the runner
    empties it after the job); else the user's cache directory (XDG)."""
    if action and env.get("RUNNER_TEMP", "").strip():
        return Path(env["RUNNER_TEMP"]) / f"{CACHE_NAME}-cache"
    base = env.get("XDG_CACHE_HOME", "").strip()
    if base and Path(base).is_absolute():  # the XDG spec ignores a relative one
        return Path(base) / CACHE_NAME
    home = env.get("HOME", "").strip()
    return Path(home) / ".cache" / CACHE_NAME if home else None


@dataclass(frozen=True)
class Target:
    """What to look at: the repository and how jobs map to branches and runs."""

    repository: str
    # Tried in order; the first whose branch, PR or run exists names the job's branch.
    branch_prefixes: tuple[str, ...] = parse_prefixes(DEFAULTS["branch_prefix"])
    workflow: str = DEFAULTS["workflow"]  # the agent's workflow file; "" for any workflow
    own_run_id: int | None = None  # never the run this action is part of
    server_url: str = "https://github.com"
    log_dir: str = "logs/{job_id}"

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def api_path(self) -> str:
        """The repository's REST path, which every read starts from."""
        return f"/repos/{self.repository}"

    @property
    def branch_prefix(self) -> str:
        """The first prefix: it names a job's branch until one is found."""
        return self.branch_prefixes[0]

    def branches_of(self, job_id: str) -> tuple[str, ...]:
        """The job's branch under each prefix, in the order they are tried."""
        return tuple(f"{prefix}{job_id}" for prefix in self.branch_prefixes)

    def branch_of(self, job_id: str) -> str:
        return self.branches_of(job_id)[0]


@dataclass(frozen=True)
class Jobs:
    """Which jobs: ids, or every job (`*`)."""

    ids: tuple[str, ...]  # empty when `every`
    every: bool = False


@dataclass(frozen=True)
class WaitPolicy:
    enabled: bool
    wait_for: str  # "finished" or "merged"
    timeout: float
    poll_interval: float
    start_timeout: float


@dataclass(frozen=True)
class Gate:
    """When the step fails (exit 1)."""

    fail_on: frozenset[str]
    fail_on_timeout: bool


@dataclass(frozen=True)
class Publishing:
    """What the run writes besides its exit code."""

    workspace: Path
    summary: bool = False
    summary_template: Path | None = None
    comment: bool = False
    comment_pr: int | None = None
    comment_template: Path | None = None
    comment_header: str = ""  # a name for a separate sticky comment ("" the default one)
    comment_mode: str = DEFAULTS["comment_mode"]  # update | recreate | hide-older
    log_path: str = ""  # "" writes no log files
    log_max_bytes: int = int(DEFAULTS["log_max_bytes"])
    reports_path: str = ""  # where every full report goes when the outputs cannot hold them
    step_log: bool = False  # per-job lines and failed logs in the step log


@dataclass(frozen=True)
class Settings:
    jobs: Jobs
    api: Api
    target: Target
    wait: WaitPolicy
    gate: Gate
    publish: Publishing
    # The agent whose traces are read (issue 16); popebot is the built-in engine.
    profile: Profile = field(default_factory=lambda: builtin("popebot"))


def api_from(
    raw_url: str, token: str, env: Mapping[str, str], cache_dir: Path | None = None
) -> Api:
    url = check_api_url(raw_url or env.get("GITHUB_API_URL", "") or DEFAULTS["api_url"])
    return Api(
        url=url, token=token.strip(), server_url=server_url_for(url, env), cache_dir=cache_dir
    )


def target_from(
    repository: str, branch_prefix: str, workflow: str, api: Api, own_run_id: int | None = None
) -> Target:
    return Target(
        repository=check_repository(repository),
        branch_prefixes=parse_prefixes(branch_prefix),
        workflow=check_workflow(workflow),
        own_run_id=own_run_id,
        server_url=api.server_url,
    )


def wait_from(
    enabled: bool, wait_for: str, timeout: str, poll_interval: str, start_timeout: str
) -> WaitPolicy:
    poll = parse_duration("poll_interval", poll_interval)
    if poll < 1:
        raise InputError("poll_interval", "must be at least 1s")
    limit = parse_duration("timeout", timeout)
    if limit <= 0:
        raise InputError("timeout", "must be more than 0")
    until = wait_for.strip().lower()
    if until not in WAIT_FOR:
        raise InputError("wait_for", f"expected finished or merged, got {shown(wait_for)}")
    return WaitPolicy(
        enabled=enabled,
        wait_for=until,
        timeout=limit,
        poll_interval=poll,
        start_timeout=parse_duration("start_timeout", start_timeout),
    )


def gate_from(fail_on: str, fail_on_timeout: bool) -> Gate:
    return Gate(fail_on=parse_statuses("fail_on", fail_on), fail_on_timeout=fail_on_timeout)


def from_inputs(
    inputs: Mapping[str, str], env: Mapping[str, str], job_ids_from_event: tuple[str, ...] = ()
) -> Settings:
    """The action's settings from its input values (missing or blank: the default)."""

    def get(name: str) -> str:
        value = inputs.get(name, "")
        return value if value.strip() else DEFAULTS[name]

    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    jobs = _jobs_from(get("job_id"), job_ids_from_event)  # checked first, as before
    repository = inputs.get("repository", "").strip() or env.get("GITHUB_REPOSITORY", "")
    cached = parse_bool("cache", get("cache"))
    api = api_from(
        inputs.get("api_url", "").strip(),
        inputs.get("token", ""),
        env,
        cache_dir_for(env, action=True) if cached else None,
    )
    own_run = env.get("GITHUB_RUN_ID", "").strip()
    return Settings(
        jobs=jobs,
        api=api,
        target=target_from(
            repository,
            get("branch_prefix"),
            inputs.get("workflow", DEFAULTS["workflow"]),  # "" is a value: any workflow
            api,
            int(own_run) if own_run.isdigit() else None,
        ),
        wait=wait_from(
            parse_bool("wait", get("wait")),
            get("wait_for"),
            get("timeout"),
            get("poll_interval"),
            get("start_timeout"),
        ),
        gate=gate_from(get("fail_on"), parse_bool("fail_on_timeout", get("fail_on_timeout"))),
        publish=_publishing_from(get, inputs, workspace),
        profile=choose(
            get("agent"), workspace_path("profile_file", get("profile_file"), workspace)
        ),
    )


def _jobs_from(raw: str, from_event: tuple[str, ...]) -> Jobs:
    ids, every = parse_job_ids("job_id", raw) if raw.strip() else (from_event, False)
    if not ids and not every:
        raise InputError(
            "job_id",
            "is empty and the triggering event names no branch with the prefix; "
            "give a job id, a list, or '*'",
        )
    return Jobs(ids, every)


def _publishing_from(
    get: Callable[[str], str], inputs: Mapping[str, str], workspace: Path
) -> Publishing:
    """The action's publishing part (the paths as given: blank writes no file)."""
    log_path = inputs.get("log_path", DEFAULTS["log_path"])
    reports_path = inputs.get("reports_path", DEFAULTS["reports_path"])
    comment_pr = get("comment_pr").strip().lstrip("#")
    return Publishing(
        workspace=workspace,
        summary=parse_bool("summary", get("summary")),
        summary_template=template_path("summary_template", get("summary_template"), workspace),
        comment=parse_bool("comment", get("comment")),
        comment_pr=(
            parse_int("comment_pr", comment_pr, minimum=1, maximum=10**9) if comment_pr else None
        ),
        comment_template=template_path("comment_template", get("comment_template"), workspace),
        comment_header=check_comment_header(get("comment_header")),
        comment_mode=check_comment_mode(get("comment_mode")),
        log_path=check_log_path(log_path, workspace),
        log_max_bytes=parse_int(
            "log_max_bytes", get("log_max_bytes"), minimum=0, maximum=MAX_LOG_BYTES
        ),
        reports_path=check_reports_path(reports_path, workspace),
        step_log=True,
    )


def warnings(settings: Settings) -> list[str]:
    """What is allowed but likely a mistake; the action prints these as ::warning."""
    found = []
    if settings.wait.enabled and settings.wait.timeout > HOSTED_JOB_LIMIT:
        found.append(
            f"timeout is {settings.wait.timeout / 3600:g}h, longer than the 6h a job may run on "
            "a GitHub-hosted runner; only a self-hosted runner waits that long"
        )
    return found


def inputs_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """The action's inputs as the runner passes them: INPUT_<NAME upper-cased>."""
    return {
        name: env[f"INPUT_{name.upper()}"] for name in INPUT_NAMES if f"INPUT_{name.upper()}" in env
    }


def summary_wanted(env: Mapping[str, str]) -> bool:
    """Whether the `summary` input allows a summary, for errors before settings exist."""
    try:
        return parse_bool("summary", env.get("INPUT_SUMMARY", "").strip() or DEFAULTS["summary"])
    except InputError:
        return True  # the error being reported may be this very input
