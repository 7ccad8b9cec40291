"""Every endpoint's JSON body parses with the matching githubkit (GitHub OpenAPI) model."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from githubkit_schemas.latest import models as m
from pydantic import BaseModel, TypeAdapter

from github_simulator import SimClock, Simulator

from .conftest import REPO


@dataclass
class Scripted:
    run_running: int
    run_failed: int
    run_rerun: int
    pr_open: int
    pr_merged: int
    pr_closed: int
    comment: int
    head_sha: str


@pytest.fixture
def scripted(sim: Simulator, clock: SimClock) -> Scripted:
    st = sim.state
    st.create_branch(
        "job/abc",
        files={
            "logs/abc/job.config.json": '{"model": "claude", "title": "Fix"}',
            "logs/abc/session-1.jsonl": '{"type": "system"}\n',
        },
        message="start",
    )
    clock.advance(5)
    head = st.commit(
        "job/abc",
        files={"src/app.py": "print('hi')\n", "README.md": "# agents\n\nchanged\n"},
        message="work",
    )
    run_running = st.start_run(
        "job/abc", jobs={"build": ["Set up job", "Build"], "agent": ["Set up job", "Run agent"]}
    )
    st.set_run_status(run_running, "in_progress")
    st.advance_step(run_running)
    clock.advance(5)
    run_failed = st.start_run("job/abc", workflow="run-job.yml")
    st.advance_step(run_failed)
    st.advance_step(run_failed)
    st.finish_run(run_failed, "failure", failed_log="boom")
    run_rerun = st.start_run("job/abc", event="workflow_dispatch")
    st.finish_run(run_rerun, "cancelled")
    st.rerun(run_rerun)
    pr_open = st.open_pr("job/abc", title="Fix", body="body")
    comment = st.add_comment(pr_open, "hello", user="octocat")
    st.create_branch("job/m", files={"m.txt": "m"})
    pr_merged = st.open_pr("job/m", title="M", body=None)
    st.merge_pr(pr_merged, delete_branch=True)
    st.create_branch("job/c", files={"c.bin": b"\x00\xff\x00"})
    pr_closed = st.open_pr("job/c", title="C")
    st.close_pr(pr_closed)
    return Scripted(
        run_running, run_failed, run_rerun, pr_open, pr_merged, pr_closed, comment, head
    )


def _check(http: requests.Session, url: str, model: Any, status: int = 200) -> Any:
    resp = http.get(url)
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    data = resp.json()
    if isinstance(model, type) and issubclass(model, BaseModel):
        model.model_validate(data)
    else:
        TypeAdapter(model).validate_python(data)
    return data


def test_repository(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(http, sim.url + REPO, m.FullRepository)
    assert data["default_branch"] == "main"
    assert data["full_name"] == "acme/agents"


def test_branches_and_refs(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(http, f"{sim.url}{REPO}/branches/job/abc", m.BranchWithProtection)
    assert data["commit"]["sha"] == scripted.head_sha
    _check(http, f"{sim.url}{REPO}/branches", list[m.ShortBranch])
    refs = _check(http, f"{sim.url}{REPO}/git/matching-refs/heads/job/", list[m.GitRef])
    assert [r["ref"] for r in refs] == ["refs/heads/job/abc", "refs/heads/job/c"]
    _check(http, f"{sim.url}{REPO}/git/ref/heads/job/abc", m.GitRef)
    err = _check(http, f"{sim.url}{REPO}/branches/job/m", m.BasicError, 404)
    assert err["message"] == "Branch not found"


def test_runs(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(
        http,
        f"{sim.url}{REPO}/actions/workflows/run-job.yml/runs?branch=job/abc",
        m.ReposOwnerRepoActionsWorkflowsWorkflowIdRunsGetResponse200,
    )
    assert data["total_count"] == 3
    runs = data["workflow_runs"]
    assert [r["id"] for r in runs] == [
        scripted.run_rerun,
        scripted.run_failed,
        scripted.run_running,
    ]
    assert runs[0]["run_attempt"] == 2 and runs[0]["status"] == "queued"
    assert runs[1]["conclusion"] == "failure"
    assert runs[2]["status"] == "in_progress"
    assert runs[2]["path"] == ".github/workflows/run-job.yml"
    assert runs[2]["html_url"] == f"https://github.com/acme/agents/actions/runs/{runs[2]['id']}"
    assert runs[0]["pull_requests"][0]["number"] == scripted.pr_open
    _check(http, f"{sim.url}{REPO}/actions/runs", m.ReposOwnerRepoActionsRunsGetResponse200)
    one = _check(http, f"{sim.url}{REPO}/actions/runs/{scripted.run_rerun}", m.WorkflowRun)
    assert one["run_attempt"] == 2
    first = _check(
        http, f"{sim.url}{REPO}/actions/runs/{scripted.run_rerun}/attempts/1", m.WorkflowRun
    )
    assert first["run_attempt"] == 1 and first["conclusion"] == "cancelled"


def test_jobs(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(
        http,
        f"{sim.url}{REPO}/actions/runs/{scripted.run_running}/jobs",
        m.ReposOwnerRepoActionsRunsRunIdJobsGetResponse200,
    )
    assert data["total_count"] == 2
    build = data["jobs"][0]
    assert build["status"] == "in_progress"
    assert [s["status"] for s in build["steps"]] == ["in_progress", "queued"]
    assert data["jobs"][1]["status"] == "queued"
    failed = _check(
        http,
        f"{sim.url}{REPO}/actions/runs/{scripted.run_failed}/attempts/1/jobs",
        m.ReposOwnerRepoActionsRunsRunIdAttemptsAttemptNumberJobsGetResponse200,
    )
    steps = failed["jobs"][0]["steps"]
    assert [s["conclusion"] for s in steps] == ["success", "failure", "skipped"]
    assert failed["jobs"][0]["conclusion"] == "failure"


def test_pulls(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    all_prs = _check(http, f"{sim.url}{REPO}/pulls?state=all", list[m.PullRequestSimple])
    assert [p["number"] for p in all_prs] == [
        scripted.pr_closed,
        scripted.pr_merged,
        scripted.pr_open,
    ]
    open_prs = _check(http, f"{sim.url}{REPO}/pulls", list[m.PullRequestSimple])
    assert [p["number"] for p in open_prs] == [scripted.pr_open]
    by_head = _check(
        http, f"{sim.url}{REPO}/pulls?state=all&head=acme:job/m", list[m.PullRequestSimple]
    )
    assert [p["number"] for p in by_head] == [scripted.pr_merged]
    assert by_head[0]["merged_at"] is not None
    for n in (scripted.pr_open, scripted.pr_merged, scripted.pr_closed):
        pr = _check(http, f"{sim.url}{REPO}/pulls/{n}", m.PullRequest)
        assert pr["merged"] is (n == scripted.pr_merged)
    files = _check(http, f"{sim.url}{REPO}/pulls/{scripted.pr_open}/files", list[m.DiffEntry])
    assert {f["filename"]: f["status"] for f in files} == {
        "README.md": "modified",
        "logs/abc/job.config.json": "added",
        "logs/abc/session-1.jsonl": "added",
        "src/app.py": "added",
    }
    merged_files = _check(
        http, f"{sim.url}{REPO}/pulls/{scripted.pr_merged}/files", list[m.DiffEntry]
    )
    assert [f["filename"] for f in merged_files] == ["m.txt"]
    binary = _check(http, f"{sim.url}{REPO}/pulls/{scripted.pr_closed}/files", list[m.DiffEntry])
    assert "patch" not in binary[0]


def test_compare(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(http, f"{sim.url}{REPO}/compare/main...job/abc", m.CommitComparison)
    assert data["status"] == "diverged"  # main moved on when job/m was merged
    assert data["ahead_by"] == 2 and data["behind_by"] == 1
    assert len(data["files"]) == 4
    same = _check(http, f"{sim.url}{REPO}/compare/main...main", m.CommitComparison)
    assert same["status"] == "identical" and same["files"] == []


def test_contents(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    root = _check(http, f"{sim.url}{REPO}/contents?ref=job/abc", list[m.ContentDirectoryItems])
    assert {(e["name"], e["type"]) for e in root} == {
        ("README.md", "file"),
        ("logs", "dir"),
        ("src", "dir"),
    }
    listing = _check(
        http, f"{sim.url}{REPO}/contents/logs/abc?ref=job/abc", list[m.ContentDirectoryItems]
    )
    assert [e["name"] for e in listing] == ["job.config.json", "session-1.jsonl"]
    f = _check(
        http,
        f"{sim.url}{REPO}/contents/logs/abc/job.config.json?ref={scripted.head_sha}",
        m.ContentFile,
    )
    assert base64.b64decode(f["content"]) == b'{"model": "claude", "title": "Fix"}'
    _check(http, f"{sim.url}{REPO}/contents/nope?ref=job/abc", m.BasicError, 404)


def test_comments(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    url = f"{sim.url}{REPO}/issues/{scripted.pr_open}/comments"
    data = _check(http, url, list[m.IssueComment])
    assert [c["body"] for c in data] == ["hello"]
    created = http.post(url, json={"body": "status: running"})
    assert created.status_code == 201
    m.IssueComment.model_validate(created.json())
    assert created.json()["user"]["login"] == "github-actions[bot]"
    cid = created.json()["id"]
    patched = http.patch(f"{sim.url}{REPO}/issues/comments/{cid}", json={"body": "done"})
    assert patched.status_code == 200
    m.IssueComment.model_validate(patched.json())
    assert patched.json()["body"] == "done"
    one = _check(http, f"{sim.url}{REPO}/issues/comments/{cid}", m.IssueComment)
    assert one["body"] == "done"
    deleted = http.delete(f"{sim.url}{REPO}/issues/comments/{cid}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert len(http.get(url).json()) == 1


def test_rate_limit_and_errors(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    data = _check(http, f"{sim.url}/rate_limit", m.RateLimitOverview)
    assert data["resources"]["core"]["limit"] == 5000
    err = _check(http, f"{sim.url}/user", m.BasicError, 403)
    assert err["message"] == "Resource not accessible by integration"
    _check(http, f"{sim.url}{REPO}/nope", m.BasicError, 404)
    _check(http, f"{sim.url}/repos/other/repo/pulls", m.BasicError, 404)


def test_workflows(sim: Simulator, http: requests.Session, scripted: Scripted) -> None:
    one = _check(http, f"{sim.url}{REPO}/actions/workflows/run-job.yml", m.Workflow)
    assert one["path"] == ".github/workflows/run-job.yml"
    by_id = _check(http, f"{sim.url}{REPO}/actions/workflows/{one['id']}", m.Workflow)
    assert by_id == one
    listed = _check(
        http, f"{sim.url}{REPO}/actions/workflows", m.ReposOwnerRepoActionsWorkflowsGetResponse200
    )
    assert listed["total_count"] == 2
