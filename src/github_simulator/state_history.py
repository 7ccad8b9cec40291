"""A repository's history: many past agent jobs, older than anything made after."""

from __future__ import annotations

from datetime import datetime, timedelta

from github_simulator.records import PullRequestState, RunAttempt, RunState
from github_simulator.state_pulls import PullsState


def add_history(
    state: PullsState, n: int, prefix: str = "job/past-", spacing: float = 600.0
) -> None:
    """`n` past agent jobs, each a completed run and a merged PR whose branch is
    gone (one every `spacing` seconds, the last a day ago)."""
    with state.lock:
        now = state.clock.now()
        base = state.branches[state.default_branch]
        for i in range(n):
            at = now - timedelta(days=1, seconds=spacing * (n - i))
            done = at + timedelta(seconds=spacing / 2)
            branch = f"{prefix}{i}"
            _past_run(state, branch, base, at, done)
            state.pulls[state._next_issue] = PullRequestState(
                number=state._next_issue,
                id=state._next_pr_id,
                head_ref=branch,
                head_sha=base,
                base_ref=state.default_branch,
                base_sha=base,
                title=f"Past job {i}",
                body="",
                user="github-actions[bot]",
                created_at=at,
                updated_at=done,
                state="closed",
                merged=True,
                merged_at=done,
                closed_at=done,
                merge_commit_sha=base,
            )
            state._next_issue += 1
            state._next_pr_id += 1


def _past_run(state: PullsState, branch: str, sha: str, at: datetime, done: datetime) -> None:
    run = RunState(
        id=state._next_run_id,
        workflow_file="run-job.yml",
        workflow_id=state._workflow_id("run-job.yml"),
        name="Run Job",
        run_number=state.workflow_run_numbers.get("run-job.yml", 0) + 1,
        head_branch=branch,
        head_sha=sha,
        event="push",
        created_at=at,
        job_spec={},
    )
    run.attempts.append(RunAttempt(1, "completed", at, done, at, [], "success"))
    state.workflow_run_numbers["run-job.yml"] = run.run_number
    state.runs[run.id] = run
    state._next_run_id += 1
