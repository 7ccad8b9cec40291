"""The statuses of an agent job, each with every property it has.

One table: adding a status means adding one row here (and the rule that
yields it in `resolve.decide`); a test checks that every status defines
every property. `Status` is a `StrEnum`, so a status compares equal to its
word, prints as it, and serialises to JSON as it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Lifecycle(StrEnum):
    """The second reference API's vocabulary (the `lifecycle` output)."""

    ACTIVE = "active"
    COMPLETED = "completed"
    FAILED = "failed"
    ARCHIVED = "archived"


# A NamedTuple, not a dataclass: the CLI's parser needs WORDS, and `dataclasses`
# (with `inspect`) would double what `--help` imports.
class Traits(NamedTuple):
    lifecycle: Lifecycle | None  # None: nothing exists to have a lifecycle
    terminal: bool  # ends a `wait_for: finished` wait
    landed_or_final: bool  # ends a `wait_for: merged` wait (completed may still merge)
    severity: int  # of several jobs the lowest speaks for them all
    popebot: str  # the first reference API's word (it knows five)
    emoji: str  # summary and comment
    symbol: str  # terminal view
    colour: str  # ANSI SGR colour of the terminal view


class Status(StrEnum):
    traits: Traits

    def __new__(cls, word: str, traits: Traits) -> Status:
        member = str.__new__(cls, word)
        member._value_ = word
        member.traits = traits
        return member

    # The first reference API's clients poll until completed, failed or
    # merged, so our two extra terminal statuses map onto words that end the
    # poll: a closed PR is work that did not land, and an id with nothing on
    # GitHub must not be polled forever (`--wait` gives it `start_timeout`).
    PENDING = "pending", Traits(Lifecycle.ACTIVE, False, False, 4, "pending", "⏳", "…", "33")
    RUNNING = "running", Traits(Lifecycle.ACTIVE, False, False, 5, "running", "🏃", "▶", "36")
    COMPLETED = (
        "completed",
        Traits(Lifecycle.COMPLETED, True, False, 6, "completed", "✅", "✔", "32"),
    )
    FAILED = "failed", Traits(Lifecycle.FAILED, True, True, 0, "failed", "❌", "✖", "31")
    MERGED = "merged", Traits(Lifecycle.COMPLETED, True, True, 7, "merged", "🟣", "⛙", "35")
    CLOSED = "closed", Traits(Lifecycle.ARCHIVED, True, True, 3, "failed", "🚫", "⊘", "90")
    NOT_FOUND = "not_found", Traits(None, True, True, 2, "failed", "❔", "?", "90")
    # GitHub listed an item that may be the job's newest in a shape we cannot
    # read (e.g. a run with `status: null`): the job may be in any state, so
    # it is never terminal (a wait looks again), it outranks every known
    # status but failed among several jobs, and it ends the step with exit 3.
    # The first reference API's clients keep polling it (`serve` answers 500).
    UNKNOWN = "unknown", Traits(None, False, False, 1, "pending", "⚠️", "!", "93")

    @property
    def lifecycle(self) -> Lifecycle | None:
        return self.traits.lifecycle

    @property
    def terminal(self) -> bool:
        return self.traits.terminal

    def ends_wait(self, wait_for: str) -> bool:
        """Whether the status is final for a wait (`finished` or `merged`)."""
        return self.traits.landed_or_final if wait_for == "merged" else self.traits.terminal


STATUSES: tuple[Status, ...] = tuple(Status)
WORDS: tuple[str, ...] = tuple(s.value for s in Status)
_BY_WORD = {status.value: status for status in Status}


def status_of(word: str) -> Status:
    """The status named by `word` (KeyError for an unknown word)."""
    return _BY_WORD[word]
