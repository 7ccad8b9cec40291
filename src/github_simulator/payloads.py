"""GitHub-shaped JSON for the simulator's state (call with the state lock held).

``api`` is the API base URL the client used (e.g. ``http://127.0.0.1:8080/api/v3``) so
that ``url`` fields can be followed; ``html_url`` fields point at https://github.com.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

from github_simulator.state import (
    CommentState,
    CommitObj,
    FileChange,
    JobState,
    PullRequestState,
    RunAttempt,
    RunState,
    SimState,
)

Json = dict[str, Any]
WEB = "https://github.com"


def ts(value: datetime | None) -> str | None:
    """GitHub's timestamp format: ``2026-01-01T00:00:00Z``."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(prefix: str, value: int | str) -> str:
    return prefix + "_" + base64.b64encode(str(value).encode()).decode().rstrip("=")


def _user_id(login: str) -> int:
    known = {"github-actions[bot]": 41898282}
    if login in known:
        return known[login]
    return 1_000_000 + int(hashlib.sha1(login.encode(), usedforsecurity=False).hexdigest()[:6], 16)


def user(api: str, login: str, kind: str | None = None) -> Json:
    """A SimpleUser."""
    uid = _user_id(login)
    if kind is None:
        kind = "Bot" if login.endswith("[bot]") else "User"
    ulogin = quote(login)
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("U", uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": f"{api}/users/{ulogin}",
        "html_url": f"{WEB}/{ulogin}" if kind != "Bot" else f"{WEB}/apps/{ulogin[:-5]}",
        "followers_url": f"{api}/users/{ulogin}/followers",
        "following_url": f"{api}/users/{ulogin}/following{{/other_user}}",
        "gists_url": f"{api}/users/{ulogin}/gists{{/gist_id}}",
        "starred_url": f"{api}/users/{ulogin}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/users/{ulogin}/subscriptions",
        "organizations_url": f"{api}/users/{ulogin}/orgs",
        "repos_url": f"{api}/users/{ulogin}/repos",
        "events_url": f"{api}/users/{ulogin}/events{{/privacy}}",
        "received_events_url": f"{api}/users/{ulogin}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def repo_api(st: SimState, api: str) -> str:
    return f"{api}/repos/{st.owner}/{st.repo}"


def repo_web(st: SimState) -> str:
    return f"{WEB}/{st.owner}/{st.repo}"


def repository(st: SimState, api: str, full: bool = True) -> Json:
    """A repository object valid as FullRepository, Repository and MinimalRepository."""
    r = repo_api(st, api)
    full_name = f"{st.owner}/{st.repo}"
    body: Json = {
        "id": st.repo_id,
        "node_id": node_id("R", st.repo_id),
        "name": st.repo,
        "full_name": full_name,
        "owner": user(api, st.owner, "Organization"),
        "private": True,
        "html_url": repo_web(st),
        "description": "Autonomous agent jobs",
        "fork": False,
        "url": r,
        "archive_url": f"{r}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{r}/assignees{{/user}}",
        "blobs_url": f"{r}/git/blobs{{/sha}}",
        "branches_url": f"{r}/branches{{/branch}}",
        "collaborators_url": f"{r}/collaborators{{/collaborator}}",
        "comments_url": f"{r}/comments{{/number}}",
        "commits_url": f"{r}/commits{{/sha}}",
        "compare_url": f"{r}/compare/{{base}}...{{head}}",
        "contents_url": f"{r}/contents/{{+path}}",
        "contributors_url": f"{r}/contributors",
        "deployments_url": f"{r}/deployments",
        "downloads_url": f"{r}/downloads",
        "events_url": f"{r}/events",
        "forks_url": f"{r}/forks",
        "git_commits_url": f"{r}/git/commits{{/sha}}",
        "git_refs_url": f"{r}/git/refs{{/sha}}",
        "git_tags_url": f"{r}/git/tags{{/sha}}",
        "git_url": f"git://github.com/{full_name}.git",
        "issue_comment_url": f"{r}/issues/comments{{/number}}",
        "issue_events_url": f"{r}/issues/events{{/number}}",
        "issues_url": f"{r}/issues{{/number}}",
        "keys_url": f"{r}/keys{{/key_id}}",
        "labels_url": f"{r}/labels{{/name}}",
        "languages_url": f"{r}/languages",
        "merges_url": f"{r}/merges",
        "milestones_url": f"{r}/milestones{{/number}}",
        "notifications_url": f"{r}/notifications{{?since,all,participating}}",
        "pulls_url": f"{r}/pulls{{/number}}",
        "releases_url": f"{r}/releases{{/id}}",
        "ssh_url": f"git@github.com:{full_name}.git",
        "stargazers_url": f"{r}/stargazers",
        "statuses_url": f"{r}/statuses/{{sha}}",
        "subscribers_url": f"{r}/subscribers",
        "subscription_url": f"{r}/subscription",
        "tags_url": f"{r}/tags",
        "teams_url": f"{r}/teams",
        "trees_url": f"{r}/git/trees{{/sha}}",
        "clone_url": f"{WEB}/{full_name}.git",
        "mirror_url": None,
        "hooks_url": f"{r}/hooks",
        "svn_url": repo_web(st),
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 128,
        "default_branch": st.default_branch,
        "open_issues_count": sum(1 for p in st.pulls.values() if p.state == "open"),
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "pushed_at": ts(st.pushed_at),
        "created_at": ts(st.created_at),
        "updated_at": ts(st.created_at),
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "allow_forking": False,
        "web_commit_signoff_required": False,
        "license": None,
        "forks": 0,
        "open_issues": sum(1 for p in st.pulls.values() if p.state == "open"),
        "watchers": 0,
    }
    if full:
        body.update(
            {
                "subscribers_count": 1,
                "network_count": 0,
                "allow_squash_merge": True,
                "allow_merge_commit": True,
                "allow_rebase_merge": True,
                "allow_auto_merge": True,
                "delete_branch_on_merge": True,
            }
        )
    return body


def git_user(c: CommitObj) -> Json:
    name = c.author
    return {
        "name": name,
        "email": "41898282+github-actions[bot]@users.noreply.github.com",
        "date": ts(c.timestamp),
    }


def commit(st: SimState, api: str, sha: str) -> Json:
    """A Commit (as in branches and compare)."""
    c = st.commits[sha]
    r = repo_api(st, api)
    author = user(api, c.author)
    return {
        "sha": sha,
        "node_id": node_id("C", sha),
        "commit": {
            "author": git_user(c),
            "committer": git_user(c),
            "message": c.message,
            "tree": {"sha": c.tree_sha, "url": f"{r}/git/trees/{c.tree_sha}"},
            "url": f"{r}/git/commits/{sha}",
            "comment_count": 0,
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "url": f"{r}/commits/{sha}",
        "html_url": f"{repo_web(st)}/commit/{sha}",
        "comments_url": f"{r}/commits/{sha}/comments",
        "author": author,
        "committer": author,
        "parents": [
            {"sha": p, "url": f"{r}/commits/{p}", "html_url": f"{repo_web(st)}/commit/{p}"}
            for p in c.parents
        ],
    }


def branch(st: SimState, api: str, name: str) -> Json:
    """BranchWithProtection."""
    r = repo_api(st, api)
    enc = quote(name, safe="")
    return {
        "name": name,
        "commit": commit(st, api, st.branches[name]),
        "_links": {"self": f"{r}/branches/{enc}", "html": f"{repo_web(st)}/tree/{name}"},
        "protected": False,
        "protection": {
            "enabled": False,
            "required_status_checks": {
                "enforcement_level": "off",
                "contexts": [],
                "checks": [],
            },
        },
        "protection_url": f"{r}/branches/{enc}/protection",
    }


def git_ref(st: SimState, api: str, name: str) -> Json:
    r = repo_api(st, api)
    sha = st.branches[name]
    return {
        "ref": f"refs/heads/{name}",
        "node_id": node_id("REF", f"refs/heads/{name}"),
        "url": f"{r}/git/refs/heads/{name}",
        "object": {"sha": sha, "type": "commit", "url": f"{r}/git/commits/{sha}"},
    }


# ---------------------------------------------------------------- actions
def workflow(st: SimState, api: str, file: str, wid: int) -> Json:
    r = repo_api(st, api)
    stem = file.rsplit(".", 1)[0]
    return {
        "id": wid,
        "node_id": node_id("W", wid),
        "name": stem.replace("-", " ").replace("_", " ").title(),
        "path": f".github/workflows/{file}",
        "state": "active",
        "created_at": ts(st.created_at),
        "updated_at": ts(st.created_at),
        "url": f"{r}/actions/workflows/{wid}",
        "html_url": f"{repo_web(st)}/blob/{st.default_branch}/.github/workflows/{file}",
        "badge_url": f"{repo_web(st)}/workflows/{quote(stem)}/badge.svg",
    }


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
        "head_commit": {
            "id": c.sha,
            "tree_id": c.tree_sha,
            "message": c.message,
            "timestamp": ts(c.timestamp),
            "author": {
                "name": c.author,
                "email": "41898282+github-actions[bot]@users.noreply.github.com",
            },
            "committer": {
                "name": c.author,
                "email": "41898282+github-actions[bot]@users.noreply.github.com",
            },
        },
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
def _links(st: SimState, api: str, pr: PullRequestState) -> Json:
    r = repo_api(st, api)
    return {
        "self": {"href": f"{r}/pulls/{pr.number}"},
        "html": {"href": f"{repo_web(st)}/pull/{pr.number}"},
        "issue": {"href": f"{r}/issues/{pr.number}"},
        "comments": {"href": f"{r}/issues/{pr.number}/comments"},
        "review_comments": {"href": f"{r}/pulls/{pr.number}/comments"},
        "review_comment": {"href": f"{r}/pulls/comments{{/number}}"},
        "commits": {"href": f"{r}/pulls/{pr.number}/commits"},
        "statuses": {"href": f"{r}/statuses/{pr.head_sha}"},
    }


def _test_merge_sha(pr: PullRequestState) -> str | None:
    """GitHub gives an open PR the sha of a test merge commit; closed unmerged, none."""
    if pr.state != "open":
        return None
    seed = f"test-merge:{pr.number}:{pr.head_sha}".encode()
    return hashlib.sha1(seed, usedforsecurity=False).hexdigest()


def pull_simple(st: SimState, api: str, pr: PullRequestState) -> Json:
    r = repo_api(st, api)
    repo_obj = repository(st, api, full=False)
    owner = user(api, st.owner, "Organization")
    return {
        "url": f"{r}/pulls/{pr.number}",
        "id": pr.id,
        "node_id": node_id("PR", pr.id),
        "html_url": f"{repo_web(st)}/pull/{pr.number}",
        "diff_url": f"{repo_web(st)}/pull/{pr.number}.diff",
        "patch_url": f"{repo_web(st)}/pull/{pr.number}.patch",
        "issue_url": f"{r}/issues/{pr.number}",
        "commits_url": f"{r}/pulls/{pr.number}/commits",
        "review_comments_url": f"{r}/pulls/{pr.number}/comments",
        "review_comment_url": f"{r}/pulls/comments{{/number}}",
        "comments_url": f"{r}/issues/{pr.number}/comments",
        "statuses_url": f"{r}/statuses/{pr.head_sha}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(api, pr.user),
        "body": pr.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": ts(pr.created_at),
        "updated_at": ts(pr.updated_at),
        "closed_at": ts(pr.closed_at),
        "merged_at": ts(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha or _test_merge_sha(pr),
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {
            "label": f"{st.owner}:{pr.head_ref}",
            "ref": pr.head_ref,
            "sha": pr.head_sha,
            "user": owner,
            "repo": repo_obj,
        },
        "base": {
            "label": f"{st.owner}:{pr.base_ref}",
            "ref": pr.base_ref,
            "sha": pr.base_sha,
            "user": owner,
            "repo": repo_obj,
        },
        "_links": _links(st, api, pr),
        "author_association": "NONE" if pr.user.endswith("[bot]") else "MEMBER",
        "auto_merge": None,
        "draft": pr.draft,
    }


def pull_full(st: SimState, api: str, pr: PullRequestState) -> Json:
    body = pull_simple(st, api, pr)
    files = st.pr_files(pr.number)
    base = st.branches.get(pr.base_ref, pr.base_sha)
    if pr.merged and pr.merge_commit_sha is not None:
        base = st.commits[pr.merge_commit_sha].parents[0]
    mb = st.merge_base(base, pr.head_sha)
    ahead = st.ancestors(pr.head_sha)
    n_commits = ahead.index(mb) if mb in ahead else len(ahead)
    body.update(
        {
            "merged": pr.merged,
            "mergeable": True if pr.state == "open" else None,
            "rebaseable": True if pr.state == "open" else None,
            "mergeable_state": "clean" if pr.state == "open" else "unknown",
            "merged_by": user(api, "github-actions[bot]") if pr.merged else None,
            "comments": sum(1 for c in st.comments.values() if c.issue_number == pr.number),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": n_commits,
            "additions": sum(f.additions for f in files),
            "deletions": sum(f.deletions for f in files),
            "changed_files": len(files),
        }
    )
    return body


def diff_entry(st: SimState, api: str, f: FileChange, commit_sha: str) -> Json:
    r = repo_api(st, api)
    path = quote(f.filename)
    entry: Json = {
        "sha": f.sha,
        "filename": f.filename,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": f"{repo_web(st)}/blob/{commit_sha}/{path}",
        "raw_url": f"{repo_web(st)}/raw/{commit_sha}/{path}",
        "contents_url": f"{r}/contents/{path}?ref={commit_sha}",
    }
    if f.patch is not None:
        entry["patch"] = f.patch
    return entry


def comparison(
    st: SimState, api: str, base_spec: str, head_spec: str, base: str, head: str
) -> Json:
    r = repo_api(st, api)
    mb = st.merge_base(base, head)
    head_anc = st.ancestors(head)
    base_anc = st.ancestors(base)
    ahead_list = head_anc[: head_anc.index(mb)] if mb in head_anc else head_anc
    behind = base_anc.index(mb) if mb in base_anc else len(base_anc)
    ahead = len(ahead_list)
    if ahead and behind:
        status = "diverged"
    elif ahead:
        status = "ahead"
    elif behind:
        status = "behind"
    else:
        status = "identical"
    spec = f"{base_spec}...{head_spec}"
    return {
        "url": f"{r}/compare/{spec}",
        "html_url": f"{repo_web(st)}/compare/{spec}",
        "permalink_url": f"{repo_web(st)}/compare/{st.owner}:{base[:7]}...{st.owner}:{head[:7]}",
        "diff_url": f"{repo_web(st)}/compare/{spec}.diff",
        "patch_url": f"{repo_web(st)}/compare/{spec}.patch",
        "base_commit": commit(st, api, base),
        "merge_base_commit": commit(st, api, mb),
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": ahead,
        "commits": [commit(st, api, s) for s in reversed(ahead_list)],
        "files": [diff_entry(st, api, f, head) for f in st.diff(mb, head)],
    }


# ---------------------------------------------------------------- contents
def _content_links(st: SimState, api: str, path: str, sha: str, ref: str, kind: str) -> Json:
    r = repo_api(st, api)
    qpath = quote(path)
    return {
        "self": f"{r}/contents/{qpath}?ref={quote(ref, safe='')}",
        "git": f"{r}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}",
        "html": f"{repo_web(st)}/{'blob' if kind == 'file' else 'tree'}/{ref}/{qpath}",
    }


def content_entry(
    st: SimState, api: str, path: str, kind: str, sha: str, size: int, ref: str, commit_sha: str
) -> Json:
    links = _content_links(st, api, path, sha, ref, kind)
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": links["self"],
        "git_url": links["git"],
        "html_url": links["html"],
        "download_url": (
            f"https://raw.githubusercontent.com/{st.owner}/{st.repo}/{commit_sha}/{quote(path)}"
            if kind == "file"
            else None
        ),
        "_links": links,
    }


def content_file(
    st: SimState, api: str, path: str, blob_sha: str, ref: str, commit_sha: str
) -> Json:
    data = st.blobs[blob_sha]
    body = content_entry(st, api, path, "file", blob_sha, len(data), ref, commit_sha)
    encoded = base64.b64encode(data).decode()
    body["encoding"] = "base64"
    body["content"] = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    return body


def dir_sha(tree: dict[str, str], prefix: str) -> str:
    items = sorted((p, s) for p, s in tree.items() if p.startswith(prefix))
    return hashlib.sha1(
        "".join(f"{p}\0{s}\n" for p, s in items).encode(), usedforsecurity=False
    ).hexdigest()


# ---------------------------------------------------------------- comments
def comment(st: SimState, api: str, c: CommentState) -> Json:
    r = repo_api(st, api)
    return {
        "id": c.id,
        "node_id": node_id("IC", c.id),
        "url": f"{r}/issues/comments/{c.id}",
        "html_url": f"{repo_web(st)}/pull/{c.issue_number}#issuecomment-{c.id}",
        "body": c.body,
        "user": user(api, c.user),
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "issue_url": f"{r}/issues/{c.issue_number}",
        "author_association": "NONE" if c.user.endswith("[bot]") else "MEMBER",
        "performed_via_github_app": None,
        "reactions": {
            "url": f"{r}/issues/comments/{c.id}/reactions",
            "total_count": 0,
            "+1": 0,
            "-1": 0,
            "laugh": 0,
            "hooray": 0,
            "confused": 0,
            "heart": 0,
            "rocket": 0,
            "eyes": 0,
        },
    }
