"""Profile files (TOML) -> a validated `Profile`; every error names its field.

A profile is user input when it comes from `profile_file`: unknown keys,
wrong types and unknown words are refused with the path of the field
(`rules[2].when.pr: unknown word 'mergd'`), never half-read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from agent_job_status.defaults import AGENTS, BUILTIN
from agent_job_status.errors import InputError
from agent_job_status.profiles.model import (
    FACT_WORDS,
    JOB_KEYS,
    PHASES,
    RUN_LINKS,
    BranchPattern,
    Evidence,
    Markers,
    Profile,
    PullSpec,
    Rule,
    RunSpec,
    TextMarker,
)
from agent_job_status.status import Status

MAX_PROFILE_BYTES = 256 * 1024
PLACEHOLDERS = ("{id}", "{n}", "{stamp}", "{slug}")
CONFIDENCE = ("high", "medium", "low", "guess")


class ProfileError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)


def _table(data: Any, where: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise ProfileError(where, "expected a table")
    for key in data:
        if key not in keys:
            raise ProfileError(where, f"unknown key {key!r} (known: {', '.join(keys)})")
    return data


def _text(data: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or len(value) > 500:
        raise ProfileError(_at(where, key), "expected a string (at most 500 characters)")
    return value


def _texts(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProfileError(_at(where, key), "expected a list of non-empty strings")
    return tuple(value)


def _word(
    data: Mapping[str, Any], key: str, where: str, words: tuple[str, ...], default: str
) -> str:
    value = _text(data, key, where, default)
    if value not in words:
        raise ProfileError(_at(where, key), f"unknown word {value!r} (one of: {', '.join(words)})")
    return value


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _branches(data: Mapping[str, Any]) -> tuple[BranchPattern, ...]:
    patterns = _texts(data, "branches", "")
    for i, template in enumerate(patterns):
        if "{id}" not in template and "{slug}" not in template:
            raise ProfileError(f"branches[{i}]", "needs an {id} (or {slug}) placeholder")
        rest = template
        for name in PLACEHOLDERS:
            rest = rest.replace(name, "")
        if "{" in rest or "}" in rest:
            raise ProfileError(f"branches[{i}]", f"placeholders are {', '.join(PLACEHOLDERS)}")
    return tuple(BranchPattern(p) for p in patterns)


def _run(data: Any) -> RunSpec:
    run = _table(data, "run", ("link", "workflow", "path_prefix"))
    return RunSpec(
        link=_word(run, "link", "run", RUN_LINKS, "branch"),
        workflow=_text(run, "workflow", "run"),
        path_prefix=_text(run, "path_prefix", "run"),
    )


def _pull(data: Any) -> PullSpec:
    pull = _table(data, "pull", ("authors", "title_markers", "draft_means"))
    return PullSpec(
        authors=_texts(pull, "authors", "pull"),
        title_markers=_texts(pull, "title_markers", "pull"),
        draft_means=_word(pull, "draft_means", "pull", ("open", "draft"), "draft"),
    )


def _text_markers(items: Any, where: str) -> tuple[TextMarker, ...]:
    if not isinstance(items, list):
        raise ProfileError(where, "expected a list of tables")
    out = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        table = _table(item, at, ("contains", "phase"))
        contains = _text(table, "contains", at)
        if not contains:
            raise ProfileError(_at(at, "contains"), "must not be empty")
        out.append(TextMarker(contains, _word(table, "phase", at, PHASES, "")))
    return tuple(out)


def _markers(data: Any) -> Markers:
    table = _table(data, "markers", ("timeline", "comment_authors", "comment", "commit"))
    raw = table.get("timeline", {})
    timeline = _table(raw, "markers.timeline", tuple(raw) if isinstance(raw, dict) else ())
    pairs = tuple(
        (event, _word(timeline, event, "markers.timeline", PHASES, "")) for event in timeline
    )
    return Markers(
        timeline=pairs,
        comment_authors=_texts(table, "comment_authors", "markers"),
        comment=_text_markers(table.get("comment", []), "markers.comment"),
        commit=_text_markers(table.get("commit", []), "markers.commit"),
    )


def _rules(items: Any) -> tuple[Rule, ...]:
    if not isinstance(items, list) or not items:
        raise ProfileError("rules", "expected a non-empty list of tables ([[rules]])")
    statuses = tuple(s.value for s in Status)
    out = []
    for i, item in enumerate(items):
        at = f"rules[{i}]"
        table = _table(item, at, ("when", "status", "reason"))
        when = _table(table.get("when", {}), f"{at}.when", tuple(FACT_WORDS))
        tests = []
        for fact in when:
            where = f"{at}.when.{fact}"
            values = _texts(when, fact, f"{at}.when")
            for value in values:
                if value not in FACT_WORDS[fact]:
                    raise ProfileError(
                        where, f"unknown word {value!r} (one of: {', '.join(FACT_WORDS[fact])})"
                    )
            tests.append((fact, values))
        reason = _text(table, "reason", at)
        if "{" in reason.replace("{conclusion}", ""):
            raise ProfileError(_at(at, "reason"), "the only placeholder is {conclusion}")
        out.append(Rule(tuple(tests), _word(table, "status", at, statuses, ""), reason))
    if out[-1].when:
        last = f"rules[{len(out) - 1}]"
        raise ProfileError(last, "the last rule must have no `when` (a catch-all)")
    return tuple(out)


def _evidence(items: Any) -> tuple[Evidence, ...]:
    if not isinstance(items, list):
        raise ProfileError("evidence", "expected a list of tables")
    out = []
    for i, item in enumerate(items):
        at = f"evidence[{i}]"
        table = _table(item, at, ("fact", "confidence"))
        confidence = _word(table, "confidence", at, CONFIDENCE, "")
        out.append(Evidence(_text(table, "fact", at), confidence))
    return tuple(out)


TOP_KEYS = (
    "name", "title", "icon", "rules", "job_key", "branches", "run", "pull", "markers",
    "evidence",
)  # fmt: skip


def profile_from(data: Mapping[str, Any]) -> Profile:
    """A validated profile from a parsed TOML document. Raises ProfileError."""
    top = _table(data, "", TOP_KEYS)
    name = _text(top, "name", "")
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 40:
        raise ProfileError("name", "expected a short name of letters, digits, '-' or '_'")
    builtin = top.get("rules") == "builtin"
    return Profile(
        name=name,
        title=_text(top, "title", "", name),
        icon=_text(top, "icon", ""),
        builtin_rules=builtin,
        job_key=_word(top, "job_key", "", JOB_KEYS, "branch"),
        branches=_branches(top),
        run=_run(top.get("run", {})),
        pull=_pull(top.get("pull", {})),
        markers=_markers(top.get("markers", {})),
        rules=() if builtin else _rules(top.get("rules")),
        evidence=_evidence(top.get("evidence", [])),
    )


def parse_profile(text: str) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError("", f"not valid TOML ({exc})") from None
    profile = profile_from(data)
    if not profile.builtin_rules and not profile.branches:
        raise ProfileError("branches", "a rules profile needs at least one branch pattern")
    return profile


@cache
def builtin(name: str) -> Profile:
    """A built-in profile by name (the files in this package)."""
    if name not in BUILTIN:
        raise InputError("agent", f"unknown agent {name!r} (one of: {', '.join(AGENTS)})")
    text = resources.files("agent_job_status.profiles").joinpath(f"{name}.toml").read_text("utf-8")
    return parse_profile(text)


def from_file(path: Path) -> Profile:
    """A user's profile file; its errors name the input and the field."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise InputError("profile_file", "cannot read the file") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise InputError("profile_file", f"larger than {MAX_PROFILE_BYTES} bytes")
    try:
        return parse_profile(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("profile_file", "not UTF-8 text") from None
    except ProfileError as exc:
        raise InputError("profile_file", str(exc)) from None


def choose(agent: str, profile_file: Path | None) -> Profile:
    """The profile for the `agent` input (and `profile_file` with `custom`)."""
    name = agent.strip().lower() or "popebot"
    if name == "custom":
        if profile_file is None:
            raise InputError("agent", "'custom' needs a profile_file")
        return from_file(profile_file)
    if profile_file is not None:
        raise InputError("profile_file", "is read only with agent 'custom'")
    return builtin(name)
