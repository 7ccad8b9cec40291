"""Bodies for workflow runs and their jobs."""

from __future__ import annotations

from github_simulator.payloads.common import Json, node_id, repo_api, repo_web, repository, ts, user
from github_simulator.state import (
    CommitObj,
    JobState,
    PullRequestState,
    RunAttempt,
    RunState,
    SimState,
)


def _attempt(run: RunState, n: int | None) -> RunAttempt:
    if n is None:
        return run.latest
    return run.attempts[n - 1]


def _pr_minimal(st: SimState, api: str, pr: PullRequestState) -> Json:
    r = repo_api(st, api)
    repo_min = {"id": st.repo_id, "url": r, "name": st.repo}
    return {
        "id": pr.id,
        "number": pr.number,
        "url": f"{r}/pulls/{pr.number}",
        "head": {"ref": pr.head_ref, "sha": pr.head_sha, "repo": repo_min},
        "base": {"ref": pr.base_ref, "sha": pr.base_sha, "repo": repo_min},
    }


def _head_commit(c: CommitObj) -> Json:
    who = {"name": c.author, "email": "41898282+github-actions[bot]@users.noreply.github.com"}
    return {
        "id": c.sha,
        "tree_id": c.tree_sha,
        "message": c.message,
        "timestamp": ts(c.timestamp),
        "author": who,
        "committer": dict(who),
    }


def workflow_run(st: SimState, api: str, run: RunState, attempt: int | None = None) -> Json:
    """A WorkflowRun (latest attempt unless ``attempt`` is given)."""
    att = _attempt(run, attempt)
    r = repo_api(st, api)
    c = st.commits[run.head_sha]
    repo_obj = repository(st, api, full=False)
    prs = [
        _pr_minimal(st, api, p)
        for p in st.pulls.values()
        if p.head_ref == run.head_branch and p.state == "open"
    ]
    base = f"{r}/actions/runs/{run.id}"
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WFR", run.id),
        "check_suite_id": run.id + 7_000_000_000,
        "check_suite_node_id": node_id("CS", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path or f".github/workflows/{run.workflow_file}",
        "run_number": run.run_number,
        "run_attempt": att.number,
        "event": run.event,
        "status": None if run.status_null else att.status,
        "conclusion": att.conclusion,
        "workflow_id": run.workflow_id,
        "url": base,
        "html_url": f"{repo_web(st)}/actions/runs/{run.id}",
        "pull_requests": prs,
        "created_at": ts(run.created_at),
        "updated_at": ts(att.updated_at),
        "actor": user(api, "github-actions[bot]"),
        "triggering_actor": user(api, "github-actions[bot]"),
        "run_started_at": ts(att.run_started_at),
        "jobs_url": f"{base}/jobs",
        "logs_url": f"{base}/logs",
        "check_suite_url": f"{r}/check-suites/{run.id + 7_000_000_000}",
        "artifacts_url": f"{base}/artifacts",
        "cancel_url": f"{base}/cancel",
        "rerun_url": f"{base}/rerun",
        "previous_attempt_url": f"{base}/attempts/{att.number - 1}" if att.number > 1 else None,
        "workflow_url": f"{r}/actions/workflows/{run.workflow_id}",
        "head_commit": _head_commit(c),
        "repository": repo_obj,
        "head_repository": repo_obj,
        "display_title": run.display_title
        or (c.message.splitlines()[0] if c.message else run.name),
    }


def job(st: SimState, api: str, run: RunState, att: RunAttempt, j: JobState) -> Json:
    r = repo_api(st, api)
    started = j.started_at is not None
    return {
        "id": j.id,
        "run_id": run.id,
        "run_url": f"{r}/actions/runs/{run.id}",
        "run_attempt": att.number,
        "node_id": node_id("CR", j.id),
        "head_sha": run.head_sha,
        "url": f"{r}/actions/jobs/{j.id}",
        "html_url": f"{repo_web(st)}/actions/runs/{run.id}/job/{j.id}",
        "status": j.status,
        "conclusion": j.conclusion,
        "created_at": ts(j.created_at),
        "started_at": ts(j.started_at or j.created_at),
        "completed_at": ts(j.completed_at),
        "name": j.name,
        "steps": [
            {
                "name": s.name,
                "status": s.status,
                "conclusion": s.conclusion,
                "number": s.number,
                "started_at": ts(s.started_at),
                "completed_at": ts(s.completed_at),
            }
            for s in j.steps
        ],
        "check_run_url": f"{r}/check-runs/{j.id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1 if started else None,
        "runner_name": "GitHub Actions 1" if started else None,
        "runner_group_id": 0 if started else None,
        "runner_group_name": "GitHub Actions" if started else None,
        "workflow_name": run.name,
        "head_branch": run.head_branch,
    }


# ---------------------------------------------------------------- pulls
