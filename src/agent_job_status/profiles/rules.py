"""The rule table of a profile: generic fact words -> (status, reason). Pure.

Rules are tried in order and the first whose every condition holds wins;
a condition holds when the fact's word is one of the rule's words for it.
A profile's last rule has no condition (load.py checks), so one always wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent_job_status.profiles.model import Rule
from agent_job_status.status import Status, status_of


def matches(rule: Rule, words: Mapping[str, str]) -> bool:
    return all(words.get(fact) in allowed for fact, allowed in rule.when)


def decide(
    rules: tuple[Rule, ...], words: Mapping[str, str], conclusion: str | None = None
) -> tuple[Status, str, int]:
    """(status, reason, index of the rule that decided)."""
    for index, rule in enumerate(rules):
        if matches(rule, words):
            reason = rule.reason.replace("{conclusion}", conclusion or "failure")
            return status_of(rule.status), reason, index
    raise ValueError("no rule matched: a profile's last rule must be a catch-all")
