"""Bodies for pull requests, their files, comparisons, contents and comments."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from github_simulator.payloads.common import (
    Json,
    commit,
    node_id,
    repo_api,
    repo_web,
    repository,
    ts,
    user,
)
from github_simulator.state import (
    CommentState,
    FileChange,
    PullRequestState,
    SimState,
)


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


def _pull_urls(st: SimState, api: str, pr: PullRequestState) -> Json:
    r, web = repo_api(st, api), repo_web(st)
    return {
        "url": f"{r}/pulls/{pr.number}",
        "html_url": f"{web}/pull/{pr.number}",
        "diff_url": f"{web}/pull/{pr.number}.diff",
        "patch_url": f"{web}/pull/{pr.number}.patch",
        "issue_url": f"{r}/issues/{pr.number}",
        "commits_url": f"{r}/pulls/{pr.number}/commits",
        "review_comments_url": f"{r}/pulls/{pr.number}/comments",
        "review_comment_url": f"{r}/pulls/comments{{/number}}",
        "comments_url": f"{r}/issues/{pr.number}/comments",
        "statuses_url": f"{r}/statuses/{pr.head_sha}",
    }


def pull_simple(st: SimState, api: str, pr: PullRequestState) -> Json:
    repo_obj = repository(st, api, full=False)
    owner = user(api, st.owner, "Organization")
    return {
        **_pull_urls(st, api, pr),
        "id": pr.id,
        "node_id": node_id("PR", pr.id),
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
