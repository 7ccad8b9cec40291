"""A profile: what one coding agent leaves on GitHub, and what it means. Data only.

Built by `profiles.load` from a TOML file (the built-in ones ship in this
package, a user may point `profile_file` at their own). Nothing here reads
GitHub; `github.agent_source` reads what a profile asks for, and
`profiles.rules` decides the status from the generic facts.
"""

from __future__ import annotations

from dataclasses import dataclass

# The generic facts a rule may test, and the words each can take.
FACT_WORDS: dict[str, tuple[str, ...]] = {
    "pr": ("none", "draft", "open", "merged", "closed"),
    "pr_author": ("none", "expected", "other"),
    "wip": ("yes", "no"),
    "run": ("none", "queued", "in_progress", "success", "failure"),
    "progress": ("none", "working", "finished", "failed"),
    "branch": ("exists", "missing", "unknown"),
}
PHASES = ("working", "finished", "failed")  # what a progress marker says
JOB_KEYS = ("branch", "pull", "issue")  # what a job id names
RUN_LINKS = ("branch", "comment", "issue_title")  # how the agent's run is found


@dataclass(frozen=True)
class BranchPattern:
    """`prefix{id}rest` with optional `{n}` (retry number) or `{stamp}` (sortable time);
    the newest branch is the one with the highest `{n}`/`{stamp}`."""

    template: str


@dataclass(frozen=True)
class RunSpec:
    link: str = "branch"  # one of RUN_LINKS
    workflow: str = ""  # the workflow file name; "" for any
    path_prefix: str = ""  # the run's `path` starts with this (dynamic runs)


@dataclass(frozen=True)
class PullSpec:
    authors: tuple[str, ...] = ()  # logins; empty means anyone
    title_markers: tuple[str, ...] = ()  # e.g. "[WIP]": the agent is still at it
    draft_means: str = "open"  # "open" or "draft": what a draft PR reads as


@dataclass(frozen=True)
class TextMarker:
    contains: str
    phase: str  # one of PHASES


@dataclass(frozen=True)
class Markers:
    """Progress and end markers; the newest one seen sets `progress`."""

    timeline: tuple[tuple[str, str], ...] = ()  # (event name, phase)
    comment_authors: tuple[str, ...] = ()  # the tracking comment's author(s)
    comment: tuple[TextMarker, ...] = ()  # first match in this order wins
    commit: tuple[TextMarker, ...] = ()  # on the branch head's commit message


@dataclass(frozen=True)
class Rule:
    when: tuple[tuple[str, tuple[str, ...]], ...]  # fact -> any of these words
    status: str
    reason: str = ""  # "{conclusion}" is the run's conclusion


@dataclass(frozen=True)
class Evidence:
    """What the profile relies on and how sure the sources are (for the README)."""

    fact: str
    confidence: str  # high | medium | low | guess


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    icon: str
    builtin_rules: bool  # True: the built-in thepopebot engine (resolve.decide)
    job_key: str = "branch"
    branches: tuple[BranchPattern, ...] = ()
    run: RunSpec = RunSpec()
    pull: PullSpec = PullSpec()
    markers: Markers = Markers()
    rules: tuple[Rule, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.icon} {self.title}".strip()

    @property
    def needs_timeline(self) -> bool:
        return bool(self.markers.timeline)

    @property
    def needs_comments(self) -> bool:
        return bool(self.markers.comment) or self.run.link == "comment"
