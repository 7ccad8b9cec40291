"""GitHub-shaped JSON for the simulator's state (call with the state lock held).

``api`` is the API base URL the client used (e.g. ``http://127.0.0.1:8080/api/v3``) so
that ``url`` fields can be followed; ``html_url`` fields point at https://github.com.
By resource: `common` (users, the repository, commits, branches, refs, workflows),
`runs` (workflow runs and jobs), `pulls` (pull requests, files, contents, comments).
"""

from github_simulator.payloads.common import (
    WEB,
    Json,
    branch,
    commit,
    git_ref,
    git_user,
    node_id,
    repo_api,
    repo_web,
    repository,
    ts,
    user,
    workflow,
)
from github_simulator.payloads.pulls import (
    comment,
    comparison,
    content_entry,
    content_file,
    diff_entry,
    dir_sha,
    pull_full,
    pull_simple,
)
from github_simulator.payloads.runs import job, workflow_run

__all__ = [
    "WEB",
    "Json",
    "branch",
    "comment",
    "commit",
    "comparison",
    "content_entry",
    "content_file",
    "diff_entry",
    "dir_sha",
    "git_ref",
    "git_user",
    "job",
    "node_id",
    "pull_full",
    "pull_simple",
    "repo_api",
    "repo_web",
    "repository",
    "ts",
    "user",
    "workflow",
    "workflow_run",
]
