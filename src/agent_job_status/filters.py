"""The Jinja filters for summary and comment templates: time and text helpers.

Pure functions; `render.py` registers them (see its docstring for the list).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from agent_job_status import markdown
from agent_job_status.report import iso
from agent_job_status.status import WORDS, Status, status_of
from agent_job_status.text import as_text, shorten

SUMMARY_LOG_LINES = 40
LOG_LINE_CHARS = 1_000
_LINE_END = re.compile(r"\r\n|\r|\n")


def duration(value: object, parts: int = 3) -> str:
    """Seconds or a timedelta as `1d 2h 3m 4s` (at most `parts` units)."""
    if value is None or value == "":
        return ""
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float):
        seconds = float(value)
    else:
        raise TypeError(f"duration expects seconds or a timedelta, not {type(value).__name__}")
    total = max(0, int(seconds))
    units = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
    amounts: list[tuple[int, str]] = []
    for name, size in units:
        amount, total = divmod(total, size)
        amounts.append((amount, name))
    first = next((i for i, (amount, _) in enumerate(amounts) if amount), len(amounts))
    window = amounts[first : first + max(1, parts)]
    out = [f"{amount}{name}" for amount, name in window if amount]
    return " ".join(out) or "0s"


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ago(moment: datetime | None, now: datetime) -> str:
    """`5m ago`, `in 2h 3m`, `just now`."""
    if moment is None:
        return ""
    delta = (aware(now) - aware(moment)).total_seconds()
    if abs(delta) < 1:
        return "just now"
    text = duration(abs(delta), 2)
    return f"{text} ago" if delta > 0 else f"in {text}"


def iso_filter(moment: datetime | None) -> str:
    return iso(moment) or ""


def emoji(status: object) -> str:
    known = str(status) in WORDS
    return status_of(str(status)).traits.emoji if known else Status.NOT_FOUND.traits.emoji


def tail(text: object, n: int = SUMMARY_LOG_LINES, width: int = LOG_LINE_CHARS) -> str:
    """The last `n` lines of `text`, each cut to `width` characters."""
    lines = _LINE_END.split(as_text(text))
    if lines and lines[-1] == "":
        lines.pop()
    kept = lines[-n:] if n > 0 else []
    return "\n".join(shorten(line, width) for line in kept)


def line_count(text: object) -> int:
    lines = _LINE_END.split(as_text(text))
    if lines and lines[-1] == "":
        lines.pop()
    return len(lines)


def number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else markdown.inline(value)


# --------------------------------------------------------------- marker
