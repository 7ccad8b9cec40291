"""The fact parsers and the rules on real GitHub answers.

PyGithub's source distribution carries responses recorded from the real API
(`tests/ReplayData/*.txt`). `scripts/test.sh` unpacks them into
`.venv/pygithub-replay`; without them this module is skipped. Each recording
is a run of 11-line blocks: protocol, verb, host, port, path, request
headers, request body, status, response headers, response body, blank.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agent_job_status.facts import JobFacts
from agent_job_status.github.payloads import (
    branch_fact,
    is_pull,
    is_pulls,
    is_run,
    is_runs,
    job_fact,
    pull_fact,
    run_fact,
)
from agent_job_status.resolve import progress, resolve

from .tally import TALLY

REPLAY = Path(os.environ.get("AJS_PYGITHUB_REPLAY", ".venv/pygithub-replay"))
pytestmark = pytest.mark.skipif(
    not REPLAY.is_dir(), reason="PyGithub's ReplayData not unpacked (scripts/test.sh does it)"
)


def answers(name: str) -> dict[str, Any]:
    """path -> parsed JSON body of the 200 answers in one recording."""
    lines = (REPLAY / name).read_text(encoding="utf-8").split("\n")
    out: dict[str, Any] = {}
    for i in range(0, len(lines) - 9, 11):
        verb, path, status, body = lines[i + 1], lines[i + 4], lines[i + 7], lines[i + 9]
        if verb == "GET" and status == "200":
            out[path] = json.loads(body)
    return out


def facts(**kw: Any) -> JobFacts:
    return JobFacts(job_id="x", repository="PyGithub/PyGithub", branch_name="job/x", **kw)


def every_body(marker: str) -> list[Any]:
    """Every 200 body, across all recordings, whose text holds `marker`."""
    bodies = []
    for path in sorted(REPLAY.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if marker in text:
            bodies += [body for body in answers(path.name).values() if marker in json.dumps(body)]
    return bodies


def test_workflow_runs_lists() -> None:
    runs = [run for body in every_body('"workflow_runs"') for run in body["workflow_runs"]]
    # Some recordings were trimmed to ids by PyGithub's maintainers: our item
    # check finds those unreadable (no status, no fact), so they are left out.
    trimmed = [run for run in runs if "status" not in run]
    assert not any(is_run(run) for run in trimmed)
    runs = [run for run in runs if "status" in run]
    assert is_runs({"workflow_runs": runs}) and all(map(is_run, runs)) and len(runs) >= 50
    TALLY["real payloads: workflow runs"] = len(runs)
    seen = set()
    for data in runs:
        run = run_fact(data)
        assert run.id == data["id"] and run.created_at is not None
        assert run.html_url.startswith("https://github.com/") and "/actions/runs/" in run.html_url
        report = resolve(facts(run=run))
        if data["status"] != "completed":
            expected = "running" if data["status"] == "in_progress" else "pending"
        elif data["conclusion"] in ("success", "neutral"):
            expected = "completed"
        else:
            expected = "failed"
        assert report.status == expected
        assert report.reason == ("" if expected != "failed" else data["conclusion"]) or (
            expected == "completed" and report.reason == "no_pull_request"
        )
        seen.add(report.reason or report.status)
    assert {"no_pull_request", "failure", "cancelled"} <= seen  # all three kinds met


def test_one_run_and_its_jobs() -> None:
    run = run_fact(
        answers("WorkflowRun.setUp.txt")["/repos/PyGithub/PyGithub/actions/runs/3881497935"]
    )
    jobs_body = answers("WorkflowRun.test_jobs.txt")[
        "/repos/PyGithub/PyGithub/actions/runs/3881497935/jobs"
    ]
    jobs = tuple(job_fact(j) for j in jobs_body["jobs"])
    assert run.attempt >= 1 and run.workflow_path.startswith(".github/workflows/")
    assert jobs and all(job.steps for job in jobs)
    _current, done, total = progress(run.__class__(**{**run.__dict__, "jobs": jobs}))
    assert total == sum(len(job.steps) for job in jobs) and done is not None and done <= total


def test_pull_requests() -> None:
    bodies = every_body('"merged_at"')
    pulls = [
        b
        for body in bodies
        for b in (body if isinstance(body, list) else [body])
        if isinstance(b, dict) and "number" in b and "head" in b and "merged_at" in b
    ]
    assert len(pulls) >= 50 and is_pulls(pulls) and all(map(is_pull, pulls))
    TALLY["real payloads: pull requests"] = len(pulls)
    kinds = set()
    for data in pulls:
        pull = pull_fact(data)
        assert pull.number == data["number"] and pull.head_sha == data["head"]["sha"]
        assert pull.merged == (data.get("merged_at") is not None)
        status = resolve(facts(pull=pull)).status
        if pull.merged:
            assert status == "merged"
        elif data["state"] == "closed":
            assert status == "closed"
        else:
            assert status == "completed"
        kinds.add(status)
    assert kinds == {"merged", "closed", "completed"}


def test_pull_request_files() -> None:
    files = answers("PullRequest.testGetFiles.txt")["/repos/PyGithub/PyGithub/pulls/31/files"]
    assert files and all(isinstance(f["filename"], str) and f["filename"] for f in files)


def test_branches() -> None:
    for path, data in answers("Branch.setUp.txt").items():
        if "/branches/" not in path:
            continue
        branch = branch_fact(data)
        assert len(branch.sha) == 40 and branch.name == data["name"]
        # Some recordings hold only {sha, url} for the commit: no date, no crash.
        dated = "commit" in data["commit"]
        assert (branch.committed_at is not None) == dated
        assert resolve(facts(branch=branch)).reason == "waiting_for_run"
