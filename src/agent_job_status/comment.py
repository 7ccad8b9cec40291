"""The sticky PR comment: one comment per job (or one for all), edited in place.

Our comment is the one that starts with the hidden marker line
`render.marker()` puts first AND was written by the identity our token acts
as: anyone can type the marker, so a comment by someone else is never
edited or deleted. Who we are, asked once per run:

- `GET /user` answers (a user's token): that login;
- it fails (an installation token, the `GITHUB_TOKEN` or a GitHub App's,
  gets 403 "Resource not accessible by integration"): the author of the
  first comment we create (its `user.login`, e.g. `my-app[bot]`), and until
  then `github-actions[bot]`, the author of every `GITHUB_TOKEN` comment.
  An app's token thus creates one comment in a new run before it knows its
  own older one; the tidy-up below keeps the older one. Trusting
  `github-actions[bot]` meanwhile gives nothing away: only this repository's
  workflows write as it, and their token may edit any comment anyway.
Each body is remembered per (PR, key): an unchanged body costs no request at
all, so a wait loop updates the comment on status changes only. Listing uses
the client's conditional GETs, so an unchanged list answers 304 for free.

Two runs at once: after creating, the list is read again, the oldest marked
comment is kept and newer ones are deleted; if ours was the one deleted, the
oldest gets our body. A comment is never worth failing the step: 403/404 (a
fork PR's read-only token, missing `permissions`) warns once and stops trying
for that PR; any other GitHub error warns and is retried on the next change.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from agent_job_status.errors import GitHubError
from agent_job_status.github.answers import NotFound, RateLimitExhausted, permission_hint
from agent_job_status.github.client import GitHubClient, graphql_url
from agent_job_status.render import marker, render_comment
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import Settings
from agent_job_status.text import neutral

FORK_NOTE = "fork PRs get a read-only token"
# Rendering at a fixed moment gives a body that changes only when the reports
# do: templates show `now` ("last checked ..."), which must not cost a write.
_FIXED_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_ATTEMPTS = 3  # a comment deleted under us between list and edit: look again
GITHUB_TOKEN_LOGIN = "github-actions[bot]"  # noqa: S105 - a login, not a secret; who a workflow's GITHUB_TOKEN writes as

MINIMIZE = (
    "mutation($subjectId: ID!, $classifier: ReportedContentClassifiers!) {"
    " minimizeComment(input: {subjectId: $subjectId, classifier: $classifier}) {"
    " minimizedComment { isMinimized } } }"
)


def _is_comment(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("id"), int)


def _body_of(comment: dict[str, Any]) -> str:
    body = comment.get("body")
    return body if isinstance(body, str) else ""


def author_of(comment: dict[str, Any]) -> str:
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else ""


def _id_of(comment: dict[str, Any]) -> int:
    cid = comment.get("id")
    return cid if isinstance(cid, int) else 0


class StickyComments:
    """Keeps the sticky comment(s) for a run's reports up to date."""

    def __init__(self, client: GitHubClient, settings: Settings, runner: Runner) -> None:
        self.client = client
        self.settings = settings
        self.runner = runner
        self._issues = f"/repos/{settings.target.repository}/issues"
        self._last: dict[tuple[int, str], str] = {}  # (pr, key) -> body at _FIXED_NOW
        self._blocked: set[int] = set()  # PRs we may not comment on in this run
        self._told: set[str] = set()  # jobs already noticed as having no PR
        self._posted: dict[tuple[int, str], int] = {}  # recreate/hide-older: this run's comment
        self._graphql = graphql_url(client.api_url)
        self._me: str | None = None  # the login our token writes as, once known
        self._asked = False  # GET /user tried

    # -- the one entry point ----------------------------------------------
    def update(self, reports: list[Report]) -> None:
        """Bring every comment for `reports` up to date; never raises a GitHubError."""
        for pr, key, group in self._targets(reports):
            if pr in self._blocked:
                continue
            stable = self._render(group, key, _FIXED_NOW)
            if self._last.get((pr, key)) == stable:
                continue
            body = self._render(group, key, None)
            try:
                self._sync(pr, key, body)
            except GitHubError as exc:
                self._failed(pr, exc)
                continue
            self._last[(pr, key)] = stable

    # -- what goes where ----------------------------------------------------
    def _targets(self, reports: list[Report]) -> list[tuple[int, str, list[Report]]]:
        if not reports:
            return []
        jobs, pr = self.settings.jobs, self.settings.publish.comment_pr
        if pr is not None:
            key = "*" if jobs.every else ",".join(sorted(jobs.ids or {r.id for r in reports}))
            return [(pr, key, list(reports))]
        targets: list[tuple[int, str, list[Report]]] = []
        for report in reports:
            if report.pr_number is not None:
                targets.append((report.pr_number, report.id, [report]))
            elif report.terminal or report.timed_out:
                if report.id not in self._told:
                    self._told.add(report.id)
                    self.runner.notice(
                        f"No pull request for agent job {neutral(report.id, 200)} and no "
                        "comment_pr: there is nothing to comment on"
                    )
            else:
                self.runner.debug(
                    f"agent job {neutral(report.id, 200)} has no pull request yet; no comment"
                )
        return targets

    def _render(self, group: list[Report], key: str, now: datetime | None) -> str:
        return render_comment(
            group,
            self.settings.publish.comment_template,
            repository=self.settings.target.repository,
            job_key=key,
            header=self.settings.publish.comment_header,
            now=now,
        )

    # -- who we are -------------------------------------------------------------
    def _identity(self) -> str:
        """The login our comments carry (see the module docstring)."""
        if not self._asked:
            self._asked = True
            try:
                data = self.client.get("/user", shape=lambda d: isinstance(d, dict)).data
            except GitHubError:
                data = {}  # an installation token may not read /user
            self._me = author_of({"user": data}) or None
        return self._me or GITHUB_TOKEN_LOGIN

    def _learn(self, created: dict[str, Any]) -> None:
        self._me = author_of(created) or self._me

    # -- talking to GitHub ----------------------------------------------------
    def _marked(self, pr: int, key: str) -> list[dict[str, Any]]:
        """Our comments on `pr` (every page), oldest first: marked, and by us."""
        mark = marker(self.settings.target.repository, key, self.settings.publish.comment_header)
        items, _ = self.client.get_all(f"{self._issues}/{pr}/comments")
        me = self._identity()
        mine = [
            item
            for item in items
            if isinstance(item, dict)
            and _id_of(item)
            and author_of(item) == me
            and (_body_of(item) == mark or _body_of(item).startswith(mark + "\n"))
        ]
        return sorted(mine, key=_id_of)

    def _sync(self, pr: int, key: str, body: str) -> None:
        for attempt in range(_ATTEMPTS):
            try:
                self._sync_once(pr, key, body)
                return
            except NotFound as exc:
                # The PR itself is missing: the list says so. A comment that
                # vanished (another run deleted it) is worth another look.
                if "/comments/" not in exc.message or attempt == _ATTEMPTS - 1:
                    raise

    def _sync_once(self, pr: int, key: str, body: str) -> None:
        if self.settings.publish.comment_mode != "update":
            self._sync_new(pr, key, body)
            return
        mine = self._marked(pr, key)
        if mine:
            keep = mine[0]
            self._delete(mine[1:])
            self._edit(keep, body)
            return
        created = self.client.request(
            "POST", f"{self._issues}/{pr}/comments", body={"body": body}, shape=_is_comment
        ).data
        self._learn(created)
        self.runner.info(f"Commented on PR #{pr}")
        # Another run may have created its own at the same time: keep the oldest.
        again = self._marked(pr, key)
        if not again:
            return
        keep = again[0]
        self._delete(again[1:])
        if _id_of(keep) != _id_of(created):
            self._edit(keep, body)  # ours was deleted in favour of an older one

    def _sync_new(self, pr: int, key: str, body: str) -> None:
        """recreate / hide-older: the run's first write posts a comment at the bottom
        and deletes or hides our earlier ones; later changes in the run edit it."""
        mine = self._marked(pr, key)
        posted = self._posted.get((pr, key))
        current = [c for c in mine if _id_of(c) == posted]
        if current:
            self._edit(current[0], body)
            return
        created = self.client.request(
            "POST", f"{self._issues}/{pr}/comments", body={"body": body}, shape=_is_comment
        ).data
        self._posted[(pr, key)] = _id_of(created)
        self.runner.info(f"Commented on PR #{pr}")
        if self.settings.publish.comment_mode == "recreate":
            self._delete(mine)
        else:
            for comment in mine:
                self._hide(comment)

    def _hide(self, comment: dict[str, Any]) -> None:
        """Minimise as outdated (GraphQL; REST has no such call). Hiding twice is
        harmless, so earlier runs' comments are simply hidden again."""
        node = comment.get("node_id")
        if not isinstance(node, str) or not node:
            return
        answer = self.client.request(
            "POST",
            self._graphql,
            body={"query": MINIMIZE, "variables": {"subjectId": node, "classifier": "OUTDATED"}},
            shape=lambda d: isinstance(d, dict),
        ).data
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if not isinstance(errors, list) or not errors:
            return
        first = errors[0] if isinstance(errors[0], dict) else {}
        kind, message = first.get("type"), first.get("message")
        if kind == "NOT_FOUND":
            return  # deleted meanwhile: nothing left to hide
        raise GitHubError(
            f"GraphQL minimizeComment failed: {message if isinstance(message, str) else kind}",
            403 if kind == "FORBIDDEN" else None,
        )

    def _edit(self, comment: dict[str, Any], body: str) -> None:
        if _body_of(comment) == body:
            return
        self.client.request(
            "PATCH",
            f"{self._issues}/comments/{_id_of(comment)}",
            body={"body": body},
            shape=_is_comment,
        )

    def _delete(self, comments: list[dict[str, Any]]) -> None:
        for comment in comments:
            # Already gone is fine: another run tidied it up.
            with contextlib.suppress(NotFound):
                self.client.request("DELETE", f"{self._issues}/comments/{_id_of(comment)}")

    def _failed(self, pr: int, exc: GitHubError) -> None:
        if exc.status in (403, 404) and not isinstance(exc, RateLimitExhausted):
            self._blocked.add(pr)
            reason = neutral(exc.problem, 300)
            # A 404 names no permission; commenting needs the same one as a 403's.
            hint = exc.hint or permission_hint(f"{self._issues}/{pr}/comments")
            self.runner.warning(f"Could not comment on PR #{pr}: {reason} ({hint}; {FORK_NOTE})")
        else:
            reason = neutral(exc.message, 300)
            self.runner.warning(
                f"Could not update the comment on PR #{pr}: {reason}; will try again on the "
                "next change"
            )
