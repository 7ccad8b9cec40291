"""Checking input values: every rule for what an input may hold, in one place.

Pure functions of strings. Each raises `InputError` naming the input at
fault; the CLI re-spells that name as its flag (see `commands.flag_error`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from agent_job_status.errors import InputError
from agent_job_status.status import WORDS

WAIT_FOR = ("finished", "merged")
COMMENT_MODES = ("update", "recreate", "hide-older")
_HEADER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
MAX_JOB_ID = 200
# Characters git refuses in ref names, plus controls and any Unicode white
# space (git allows U+00A0 or U+1680 in a ref, but in a job id it is a paste
# mistake that would only ever find nothing). Spelled out, not `\s`, so that
# serve's OpenAPI pattern (ECMA regex, whose `\s` differs) says the same.
BAD_ID_CHARS = (
    r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    r"~^:?*\[\\"
)
_BAD_ID_CHARS = re.compile(f"[{BAD_ID_CHARS}]")
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
# ASCII digits only: Python's \d (and int, float) also take other scripts' digits.
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
MAX_LOG_BYTES = 900_000  # job outputs are 1 MB in all; leave room for the rest


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(name, f"expected true or false, got {shown(raw)}")


def parse_duration(name: str, raw: str) -> float:
    """`90s`, `15m`, `2h`, `1h30m`, `500ms` or plain seconds."""
    text = raw.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text or pos != len(text):
        raise InputError(
            name, f"expected a duration like 90s, 15m, 2h or seconds, got {shown(raw)}"
        )
    return total


def parse_int(name: str, raw: str, *, minimum: int, maximum: int) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise InputError(name, f"expected a whole number, got {shown(raw)}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise InputError(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


def parse_statuses(name: str, raw: str) -> frozenset[str]:
    items = [part.strip().lower() for part in re.split(r"[,\n]", raw) if part.strip()]
    if items == ["none"] or not items:
        return frozenset()
    unknown = [item for item in items if item not in WORDS]
    if unknown:
        raise InputError(
            name,
            f"unknown status {shown(unknown[0])}; use 'none' or a list of {', '.join(WORDS)}",
        )
    return frozenset(items)


def check_job_id(job_id: str, name: str = "job_id") -> str:
    if not job_id:
        raise InputError(name, "is empty")
    if len(job_id) > MAX_JOB_ID:
        raise InputError(name, f"is longer than {MAX_JOB_ID} characters")
    if ".." in job_id or "@{" in job_id:
        raise InputError(name, f"must not contain '..' or '@{{': {shown(job_id)}")
    if _BAD_ID_CHARS.search(job_id):
        raise InputError(
            name, f"contains whitespace, a control or a forbidden character: {shown(job_id)}"
        )
    if job_id.startswith(("/", "-", ".")) or job_id.endswith(("/", ".", ".lock")):
        raise InputError(name, f"is not a valid branch name part: {shown(job_id)}")
    return job_id


def parse_job_ids(name: str, raw: str) -> tuple[tuple[str, ...], bool]:
    """One id, a comma/newline list, or `*`. Returns (ids, all_jobs)."""
    items = [part.strip() for part in re.split(r"[,\n]", raw)]
    items = [item for item in items if item]
    if items == ["*"]:
        return (), True
    if "*" in items:
        raise InputError(name, "'*' stands alone; it cannot be mixed with ids")
    seen: dict[str, None] = {}
    for item in items:
        seen[check_job_id(item, name)] = None
    return tuple(seen), False


def check_prefix(raw: str) -> str:
    if len(raw) > 100 or _BAD_ID_CHARS.search(raw) or ".." in raw or raw.startswith(("/", "-")):
        raise InputError("branch_prefix", f"is not a valid branch name prefix: {shown(raw)}")
    return raw


def parse_prefixes(raw: str) -> tuple[str, ...]:
    """Branch prefixes, a comma or newline list in the order they are tried."""
    items = [item.strip() for item in re.split(r"[,\n]", raw)]
    prefixes = tuple(dict.fromkeys(check_prefix(item) for item in items if item))
    if not prefixes or len(prefixes) > 10:
        raise InputError("branch_prefix", f"expected 1 to 10 prefixes, got {shown(raw)}")
    return prefixes


def check_repository(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise InputError("repository", "is empty; give OWNER/REPO")
    if not _REPO.fullmatch(value):
        raise InputError("repository", f"expected OWNER/REPO, got {shown(value)}")
    return value


def check_api_url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InputError("api_url", f"expected an http(s) URL, got {shown(raw)}")
    if parts.username or parts.password:
        raise InputError("api_url", "must not carry credentials")
    return value


def server_url_for(api_url: str, env: Mapping[str, str]) -> str:
    """The web URL: GITHUB_SERVER_URL, else derived from the API URL."""
    given = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    if given.startswith(("http://", "https://")):
        return given
    parts = urlsplit(api_url)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    if parts.path.endswith("/api/v3"):  # GitHub Enterprise Server
        return f"{parts.scheme}://{parts.netloc}"
    return "https://github.com"


def check_workflow(raw: str) -> str:
    value = raw.strip()
    if value and (
        len(value) > 200
        or "/" in value.replace(".github/workflows/", "", 1)
        or _BAD_ID_CHARS.search(value)
        or ".." in value
    ):
        raise InputError(
            "workflow", f"expected a workflow file name like run-job.yml, got {shown(raw)}"
        )
    return value.removeprefix(".github/workflows/")


def workspace_path(name: str, raw: str, workspace: Path) -> Path | None:
    """A path given relative to the workspace; it must stay inside it."""
    value = raw.strip()
    if not value:
        return None
    if "\x00" in value or len(value) > 1000:
        raise InputError(name, "is not a valid path")
    root = workspace.resolve()
    path = (root / value).resolve()
    if path != root and root not in path.parents:
        raise InputError(name, f"must be a path inside the workspace, got {shown(value)}")
    return path


def check_comment_header(raw: str) -> str:
    """A name for a separate sticky comment; it becomes part of the hidden marker."""
    value = raw.strip()
    if value and not _HEADER.fullmatch(value):
        raise InputError(
            "comment_header",
            f"expected up to 50 letters, digits, '.', '_' or '-', got {shown(value)}",
        )
    return value


def check_comment_mode(raw: str) -> str:
    value = raw.strip().lower()
    if value not in COMMENT_MODES:
        raise InputError("comment_mode", f"expected {', '.join(COMMENT_MODES)}; got {shown(raw)}")
    return value


def template_path(name: str, raw: str, workspace: Path) -> Path | None:
    """A template file inside the workspace: named here, not later as a read error."""
    path = workspace_path(name, raw, workspace)
    if path is not None and not path.is_file():
        raise InputError(name, f"no template file at {shown(raw.strip())} in the workspace")
    return path


def check_log_path(raw: str, workspace: Path) -> str:
    value = raw.strip()
    if not value:
        return ""
    if "{job_id}" not in value and "{" in value:
        raise InputError("log_path", "the only placeholder is {job_id}")
    # The job id itself is checked to hold no '..' or '/' escapes below.
    path = workspace_path("log_path", value.replace("{job_id}", "x"), workspace)
    if "{job_id}" not in value:
        not_a_directory("log_path", path, value)
    return value


def check_reports_path(raw: str, workspace: Path) -> str:
    value = raw.strip()
    if "{" in value:
        raise InputError("reports_path", "takes no placeholder (one file holds every job)")
    if value:
        not_a_directory("reports_path", workspace_path("reports_path", value, workspace), value)
    return value


def not_a_directory(name: str, path: Path | None, value: str) -> None:
    """A file to write must not be a directory already (said now, not at the end)."""
    if path is not None and path.is_dir():
        raise InputError(name, f"names a directory in the workspace, not a file: {shown(value)}")


def shown(value: object) -> str:
    """A value quoted for an error message: short, one line, no controls."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
