"""What each action input may do, written from the README's input table (not
from the validators): for a value, the outcomes allowed when it is the only
input set besides job_id and token, against a simulator holding one finished
job `j1` (run succeeded, PR open).

An outcome is (exit code, `status` output or None). `BAD` is exit 2 with one
error line naming the input. A value's set holding only BAD must fail; a set
without BAD must not; a set with BAD and more is a value this model does not
decide (arbitrary text), and the run must still be one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from agent_job_status.status import WORDS

Outcome = tuple[int, str | None]
BAD: Outcome = (2, None)
DONE: Outcome = (0, "completed")  # the status for the default values
NO_ANSWER: Outcome = (3, None)  # GitHub could not be asked (wrong token, host)
BOOLS = {"true", "false", "yes", "no", "on", "off", "1", "0"}
# Inputs that may change the status itself; the others change only exit code and side effects.
STATUS_INPUTS = ("job_id", "repository", "token", "api_url", "branch_prefix", "workflow")
_DURATION = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d)?)+")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}
_SIMPLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,40}")


def seconds(raw: str) -> float | None:
    text = raw.strip().lower().replace(" ", "")
    if not _DURATION.fullmatch(text):
        return None
    parts = re.findall(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?", text)
    return sum(float(n) * _UNITS[u] for n, u in parts)


def whole(raw: str, low: int, high: int) -> set[Outcome]:
    text = raw.strip()
    if re.fullmatch(r"[0-9]{1,12}", text):
        return {DONE} if low <= int(text) <= high else {BAD}
    return {BAD}


def expected(name: str, value: str, url: str, token: str, workspace: Path) -> set[Outcome]:
    """The outcomes allowed for `name: value` (see the module docstring)."""
    v = value.strip()
    blank = not v
    if name == "job_id":
        ids = [i.strip() for i in re.split(r"[,\n]", value) if i.strip()]
        if not ids:
            return {BAD}  # and no event to take it from
        if ids == ["*"] or set(ids) == {"j1"}:
            return {DONE}
        if "*" in ids or any(
            ".." in i or "@{" in i or len(i) > 200 or re.search(r"[\s~^:?*\[\\\x00-\x1f\x7f]", i)
            for i in ids
        ):
            return {BAD}
        found = {(0, "completed"), (0, "not_found")} if "j1" in ids else {(0, "not_found")}
        return found if all(_SIMPLE.fullmatch(i) for i in ids) else found | {BAD}
    if name == "repository":
        if blank or v.lower() == "acme/agents":
            return {DONE}  # blank: GITHUB_REPOSITORY
        if v.count("/") != 1:
            return {BAD}
        owner, repo = v.split("/")
        ok = _SIMPLE.fullmatch(owner) and re.fullmatch(r"[A-Za-z0-9._-]{1,100}", repo)
        return {NO_ANSWER} if ok and not owner.startswith("-") else {BAD, NO_ANSWER}
    if name == "token":
        if value == token:
            return {DONE}
        return {NO_ANSWER, DONE, BAD} if v == token else {NO_ANSWER, BAD}
    if name == "api_url":
        if blank or v.rstrip("/") in (url, url + "/api/v3"):
            return {DONE}  # blank: GITHUB_API_URL
        if "://" not in v or not v.lower().startswith(("http://", "https://")) or "@" in v:
            return {BAD}
        return {BAD, NO_ANSWER}
    if name == "branch_prefix":
        # A comma/newline list tried in order; the default finds j1 under job/.
        items = [i.strip() for i in re.split(r"[,\n]", value) if i.strip()]
        if blank:
            return {DONE}
        bad = [
            i
            for i in items
            if ".." in i or i.startswith(("/", "-")) or re.search(r"[\s~^:?*\[\\]", i)
        ]
        if bad or len(dict.fromkeys(items)) > 10:
            return {BAD}
        found = {DONE} if "job/" in items else {(0, "not_found")}
        return found if all(_SIMPLE.fullmatch(i.rstrip("/")) for i in items) else found | {BAD}
    if name == "cache":
        return {DONE} if blank or v.lower() in BOOLS else {BAD}
    if name == "agent":
        # Another agent's profile reads the facts its own way: any status, same gate.
        if blank or v.lower() == "popebot":
            return {DONE}
        if v.lower() in ("copilot", "claude", "openhands"):
            return {(0, w) for w in WORDS if w != "failed"} | {(1, "failed")}
        return {BAD}  # unknown, or custom without a profile_file
    if name == "profile_file":
        return {DONE} if blank else {BAD}  # read only with agent: custom
    if name == "comment_header":
        return {DONE} if blank or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}", v) else {BAD}
    if name == "comment_mode":
        return {DONE} if blank or v.lower() in ("update", "recreate", "hide-older") else {BAD}
    if name == "workflow":
        # "" means any workflow; a workflow the repository lacks is named as bad input.
        return {DONE} if v in ("", "run-job.yml", ".github/workflows/run-job.yml") else {BAD}
    if name in ("wait", "fail_on_timeout", "summary", "comment"):
        return {DONE} if blank or v.lower() in BOOLS else {BAD}
    if name == "wait_for":
        return {DONE} if blank or v.lower() in ("finished", "merged") else {BAD}
    if name in ("timeout", "poll_interval", "start_timeout"):
        if blank:
            return {DONE}
        took = seconds(value)
        least = {"timeout": 1e-9, "poll_interval": 1.0, "start_timeout": 0.0}[name]
        return {DONE} if took is not None and took >= least else {BAD}
    if name == "fail_on":
        items = [i.strip().lower() for i in re.split(r"[,\n]", value) if i.strip()]
        if blank or items == ["none"]:
            return {DONE}
        if any(i not in WORDS for i in items):
            return {BAD}
        return {(1 if "completed" in items else 0, "completed")}  # only the exit code moves
    if name in ("summary_template", "comment_template"):
        if blank or v == "tpl.md.j2":
            return {DONE}
        inside = (workspace / v).is_file() and ".." not in v and not v.startswith("/")
        return {BAD, DONE} if inside else {BAD}
    if name == "comment_pr":
        return {DONE} if blank else whole(v.lstrip("#"), 1, 10**9)
    if name == "log_max_bytes":
        return {DONE} if blank else whole(v, 0, 900_000)
    if name == "log_path":
        if blank:
            return {DONE}
        if "{" in v.replace("{job_id}", "") or v.startswith("/") or ".." in v.split("/"):
            return {BAD}
        if v.split("/")[0] in ("link-dir", "link-out"):
            return {BAD}  # symlinks out of the workspace
        simple = all(_SIMPLE.fullmatch(p.replace("{job_id}", "j")) for p in v.split("/"))
        return {DONE} if simple and not (workspace / v).exists() else {BAD, DONE}
    if name == "reports_path":
        if blank:
            return {DONE}
        if "{" in v or v.startswith("/") or ".." in v.split("/"):
            return {BAD}
        if v.split("/")[0] in ("link-dir", "link-out"):
            return {BAD}  # symlinks out of the workspace
        simple = all(_SIMPLE.fullmatch(p) for p in v.split("/"))
        return {DONE} if simple and not (workspace / v).exists() else {BAD, DONE}
    raise AssertionError(f"no contract for input {name!r}")
