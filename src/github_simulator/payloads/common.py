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
    CommitObj,
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


_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
    "hooks_url": "/hooks",
}  # fmt: skip


_REPO_FIXED: Json = {
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
    "allow_forking": False,
    "web_commit_signoff_required": False,
    "license": None,
    "forks": 0,
    "watchers": 0,
    "forks_count": 0,
    "stargazers_count": 0,
    "watchers_count": 0,
    "size": 128,
    "mirror_url": None,
    "homepage": None,
    "language": "Python",
    "private": True,
    "description": "Autonomous agent jobs",
    "fork": False,
}


_FULL_REPOSITORY: Json = {
    "subscribers_count": 1,
    "network_count": 0,
    "allow_squash_merge": True,
    "allow_merge_commit": True,
    "allow_rebase_merge": True,
    "allow_auto_merge": True,
    "delete_branch_on_merge": True,
}


def repository(st: SimState, api: str, full: bool = True) -> Json:
    """A repository object valid as FullRepository, Repository and MinimalRepository."""
    r = repo_api(st, api)
    full_name = f"{st.owner}/{st.repo}"
    body: Json = {
        **{name: r + path for name, path in _REPO_URLS.items()},
        **_REPO_FIXED,
        "id": st.repo_id,
        "node_id": node_id("R", st.repo_id),
        "name": st.repo,
        "full_name": full_name,
        "owner": user(api, st.owner, "Organization"),
        "html_url": repo_web(st),
        "url": r,
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{WEB}/{full_name}.git",
        "svn_url": repo_web(st),
        "default_branch": st.default_branch,
        "open_issues_count": sum(1 for p in st.pulls.values() if p.state == "open"),
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
        "open_issues": sum(1 for p in st.pulls.values() if p.state == "open"),
    }
    return {**body, **_FULL_REPOSITORY} if full else body


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
