"""The run's log archive: download it, and find the failing step's text in the zip."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from agent_job_status.errors import GitHubError
from agent_job_status.facts import JobFact, RunFact
from agent_job_status.github.client import GitHubClient

MAX_LOG_CHARS = 10 * 1024 * 1024
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?", re.MULTILINE)


def run_log(client: GitHubClient, repo: str, run: RunFact, warn: Callable[[str], None]) -> str:
    """The failing step's text from the run's own log archive ('' when there is none).

    The API answers with a 302 to the archive on another host; a broken
    archive warns and gives no log, never an error (the status stands)."""
    resp = client.request(
        "GET", f"{repo}/actions/runs/{run.id}/attempts/{run.attempt}/logs", raw=True
    )
    location = resp.headers.get("location", "")
    if resp.status != 302 or not location:
        return ""
    try:
        archive = zipfile.ZipFile(io.BytesIO(client.download(location)))
    except (zipfile.BadZipFile, GitHubError) as exc:
        warn(f"could not read the run's log archive: {exc}")
        return ""
    return failing_step_text(archive, run.jobs)


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
