"""SimState's issues, comments and timeline events."""

from __future__ import annotations

from github_simulator.records import (
    CommentState,
    IssueState,
    TimelineEvent,
)
from github_simulator.state_pulls import PullsState


class CommentsState(PullsState):
    """Plain issues, issue/PR comments and timeline events."""

    # ------------------------------------------------------------------ comments
    def add_comment(self, number: int, body: str, user: str = "github-actions[bot]") -> int:
        """Add an issue comment on PR/issue ``number``. Returns the comment id."""
        with self.lock:
            if number not in self.pulls and number not in self.issues:
                raise KeyError(number)
            now = self.clock.now()
            cid = self._next_comment_id
            self._next_comment_id += 1
            self.comments[cid] = CommentState(cid, number, body, user, now, now)
            return cid

    # ------------------------------------------------------------------ issues
    def open_issue(self, title: str, user: str = "octocat") -> int:
        """Open a plain issue (numbers are shared with PRs). Returns its number."""
        with self.lock:
            number = self._next_issue
            self._next_issue += 1
            self.issues[number] = IssueState(number, title, user, self.clock.now())
            return number

    def add_timeline_event(
        self, number: int, event: str, actor: str = "Copilot", app: str | None = None
    ) -> int:
        """Append an event to PR/issue ``number``'s timeline. Returns its id."""
        with self.lock:
            if number not in self.pulls and number not in self.issues:
                raise KeyError(number)
            eid = self._next_event_id
            self._next_event_id += 1
            events = self.timeline.setdefault(number, [])
            events.append(TimelineEvent(eid, event, actor, self.clock.now(), app))
            return eid

    def edit_comment(self, comment_id: int, body: str) -> None:
        with self.lock:
            c = self.comments[comment_id]
            c.body = body
            c.updated_at = self.clock.now()

    def delete_comment(self, comment_id: int) -> None:
        with self.lock:
            del self.comments[comment_id]
