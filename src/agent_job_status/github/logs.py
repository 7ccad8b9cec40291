"""The run's log archive: download it, and find the failing step's text in the zip.

GitHub's archive layouts (all read here): per-step files `<job>/<n>_<step>.txt`
beside job files `<n>_<job>.txt`; job files only, with `<job>/system.txt`
(cli/cli#10551); legacy job files `-<id>_<job>.txt`; and job names rewritten
for paths. The matching rules are a port of the GitHub CLI's, which match
the server's rewriting (cli/cli@1ccc1ca59f79bb6d732b4ad325308d4fffc5a508,
pkg/cmd/run/view/logs.go: getJobNameForLogFilename, jobLogFilenameRegexp,
legacyJobLogFilenameRegexp, stepLogFilenameRegexp, truncateAsUTF16).
"""

from __future__ import annotations

import io
import re
import zipfile

from agent_job_status.errors import GitHubError
from agent_job_status.facts import JobFact, RunFact, StepFact
from agent_job_status.github.answers import OffHost
from agent_job_status.github.client import GitHubClient

MAX_LOG_CHARS = 10 * 1024 * 1024
JOB_NAME_MAX = 90  # UTF-16 code units: the server's cut (gh's JOB_NAME_MAX_LENGTH)
FAILED = ("failure", "cancelled", "timed_out")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?", re.MULTILINE)
_GROUP = "##[group]"


def run_log(client: GitHubClient, repo: str, run: RunFact) -> tuple[str, str]:
    """(the failing step's text, '') or ('', why not: 'expired' or 'broken_archive').

    The API answers with a 302 to the archive on another host; 404 and 410
    mean the logs expired (retention) or were deleted. Other errors raise."""
    try:
        resp = client.request(
            "GET", f"{repo}/actions/runs/{run.id}/attempts/{run.attempt}/logs", raw=True
        )
    except GitHubError as exc:
        if exc.status in (404, 410):
            return "", "expired"
        raise
    location = resp.headers.get("location", "")
    if resp.status != 302 or not location:
        return "", "broken_archive"
    try:
        archive = zipfile.ZipFile(io.BytesIO(client.download(location)))
        return failing_step_text(archive, run.jobs), ""
    except OffHost:
        raise
    except (zipfile.BadZipFile, GitHubError, OSError, EOFError):
        return "", "broken_archive"


def log_name(name: str) -> str:
    """A job's name as the archive spells it: `/` and `:` removed, cut to 90
    UTF-16 code units (as C#'s Substring does, maybe mid-character), trimmed."""
    cleaned = name.replace("/", "").replace(":", "")
    units = cleaned.encode("utf-16-le", errors="surrogatepass")
    if len(units) > 2 * JOB_NAME_MAX:
        cleaned = units[: 2 * JOB_NAME_MAX].decode("utf-16-le", errors="replace")
    return cleaned.strip()


def _find(names: list[str], pattern: str) -> str | None:
    regex = re.compile(pattern)
    return next((n for n in names if regex.fullmatch(n)), None)


def _step_file(names: list[str], job: JobFact, step: StepFact) -> str | None:
    return _find(names, rf"{re.escape(log_name(job.name))}/{step.number}_.*\.txt")


def _job_file(names: list[str], job: JobFact) -> str | None:
    name = re.escape(log_name(job.name))
    return _find(names, rf"\d+_{name}\.txt") or _find(names, rf"-\d+_{name}\.txt")


def failing_step_text(archive: zipfile.ZipFile, jobs: tuple[JobFact, ...]) -> str:
    """The first failed job's failing step: its own file when the archive has
    one, else its section of the job's file (gh shows the whole job file then)."""
    names = archive.namelist()
    for job in jobs:
        if job.conclusion not in FAILED:
            continue
        failing = [s for s in job.steps if s.conclusion in FAILED]
        for step in failing:
            found = _step_file(names, job, step)
            if found:
                return _read(archive, found)
        whole = _job_file(names, job)
        if whole:
            text = _read(archive, whole)
            return step_section(text, failing[0], job.steps) if failing else text
    return ""


def _read(archive: zipfile.ZipFile, name: str) -> str:
    with archive.open(name) as file:
        text = file.read(MAX_LOG_CHARS).decode("utf-8", errors="replace")
    return _TIMESTAMP.sub("", text)


def _opens(line: str, step: StepFact) -> bool:
    """Whether `line` is the runner's `##[group]` header of `step`'s section."""
    if not line.startswith(_GROUP):
        return False
    title = line[len(_GROUP) :].strip()
    return bool(step.name) and title in (step.name, f"Run {step.name}")


def step_section(text: str, step: StepFact, steps: tuple[StepFact, ...]) -> str:
    """`step`'s part of a job's log: from its `##[group]` header to the next
    step's header; the whole log when no header names it (a named step's
    header shows its command, not its name)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _opens(line, step)), None)
    if start is None:
        return text
    later = [s for s in steps if s.number > step.number]
    end = next(
        (i for i in range(start + 1, len(lines)) if any(_opens(lines[i], s) for s in later)),
        len(lines),
    )
    return "".join(lines[start:end])
