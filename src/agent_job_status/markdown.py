"""Escaping untrusted text for GitHub-flavoured Markdown.

Everything that comes from an agent job (PR titles, branch names, file names,
logs, model and step names) is hostile: an autonomous agent, or whoever
prompted it, wrote it. These small pure functions turn such text into
Markdown that renders as the literal text and nothing else:

- no raw HTML (`<details>` closed early, `<script>`, `<img onerror>`),
- no links, images, emphasis, headings, lists, tables broken open,
- no `@user` / `@org/team` mentions and no `#123` references that ping or link
  (a zero-width space, U+200B, follows the `@` / `#`),
- no bare-URL autolinks (`:` and `.` are backslash-escaped),
- no ANSI escapes, control characters, bidi overrides or lone surrogates,
- no line that starts with a workflow command (`::cmd::` or `##[cmd]`), so
  that printing the Markdown to a runner's stdout cannot run commands.
"""

from __future__ import annotations

import re

from agent_job_status.text import ZWSP, as_text, clean, neutralise_commands, shorten

_BACKTICKS = re.compile("`+")
_TILDES = re.compile("~+")
_LANG = re.compile(r"[^A-Za-z0-9_+.#-]")
_SPACES = re.compile(r"\s+")
# GitHub links `GH-123` to an issue; a zero-width space after the dash stops it.
_GH_REFERENCE = re.compile(r"(?i)(?<![A-Za-z0-9])(gh-)(?=\d)")
# cmark-gfm (src/inlines.c, MAXBACKTICKS): a backtick run longer than 80 opens
# no code span; so a span's fence is at most 80, and text holding a run of 80
# or more is escaped instead.
MAX_SPAN_FENCE = 80
# cmark-gfm (src/blocks.c) stores a code fence's length in 8 bits, capped at
# 255: any run of 255 closes a longer fence, so no fence may need more.
MAX_BLOCK_FENCE = 255
_RUN_BREAK = 200  # long runs inside a block are broken (invisibly) this often

# Characters replaced in `inline` text. HTML specials become entities; ASCII
# punctuation that could start Markdown constructs is backslash-escaped.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_PUNCT = frozenset("\\`*_{}[]()#+-.!|~:=$^")
_URL_UNSAFE = frozenset(" ()<>\"'`\\|{}^[]")


def _escape_char(char: str, following: str) -> str:
    if char in _HTML:
        return _HTML[char]
    if char == "@":
        return "@" + ZWSP
    if char == "#":
        return "\\#" + ZWSP if following.isalnum() else "\\#"
    if char in _PUNCT:
        return "\\" + char
    return char


def inline(value: object, limit: int = 300) -> str:
    """Text safe in a Markdown paragraph, list item, heading or link label.

    Whitespace runs (line ends included) collapse to one space; the value is
    cut to `limit` characters (ending with `…`) before escaping, so an escape
    is never cut in half.
    """
    text = _SPACES.sub(" ", clean(value, newlines=False)).strip()
    text = _GH_REFERENCE.sub(lambda m: m.group(1) + ZWSP, shorten(text, limit))
    out: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else ""
        out.append(_escape_char(char, following))
    return "".join(out)


def cell(value: object, limit: int = 300) -> str:
    """Text safe in a GFM table cell: `inline`, so `|` is `\\|`, on one line."""
    return inline(value, limit)


def _longest(runs: re.Pattern[str], text: str) -> int:
    return max((len(run) for run in runs.findall(text)), default=0)


def code_span(value: object, limit: int = 300, *, table: bool = False) -> str:
    """Inline code that cannot be closed early; newlines become spaces.

    With `table=True`, `|` becomes `\\|` so the span can sit in a table cell
    (GFM removes that backslash, even inside code). Text with a backtick run
    no span can hold (see MAX_SPAN_FENCE) is shown as escaped plain text.
    """
    text = shorten(clean(value, newlines=False), limit)
    longest = _longest(_BACKTICKS, text)
    if longest >= MAX_SPAN_FENCE:
        return inline(text, limit)
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return "` `"
    fence = "`" * (longest + 1)
    # CommonMark drops one space at each end when both ends have one (unless
    # the content is all spaces), so pad a text that starts or ends with a
    # backtick, or that would lose its own spaces.
    spaced = text[0] == " " and text[-1] == " " and text.strip(" ") != ""
    if text[0] == "`" or text[-1] == "`" or spaced:
        text = f" {text} "
    return f"{fence}{text}{fence}"


def cell_code(value: object, limit: int = 300) -> str:
    """`code_span` for a table cell."""
    return code_span(value, limit, table=True)


def _block_fence(text: str) -> tuple[str, str]:
    """(fence, text): a fence longer than any run of its character inside.

    Backticks; tildes when the text holds a backtick run that would need a
    fence over cmark-gfm's 255; when tildes cannot do either, the long runs
    inside are broken with zero-width spaces so that no line can close it.
    """
    for char, runs in (("`", _BACKTICKS), ("~", _TILDES)):
        longest = _longest(runs, text)
        if longest < MAX_BLOCK_FENCE:
            return char * max(3, longest + 1), text
    text = re.sub(f"`{{{_RUN_BREAK}}}", lambda m: m.group(0) + ZWSP, text)
    return "`" * (_RUN_BREAK + 1), text


def code_block(value: object, lang: str = "") -> str:
    """A fenced code block that cannot be closed from inside.

    The fence is longer than any run of its character in the text (at least
    three, at most 255), the block always ends with its closing fence and a
    newline, and workflow commands in it are neutralised.
    """
    fence, text = _block_fence(clean(value))
    info = _LANG.sub("", as_text(lang))[:30]
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{fence}{info}\n{neutralise_commands(text)}{fence}\n"


def safe_url(value: object) -> str | None:
    """The URL when it is absolute http(s), percent-encoding unsafe characters."""
    url = clean(value, newlines=False).strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or rest[0] in "/\\":
        return None
    out: list[str] = []
    for char in url:
        if char in _URL_UNSAFE or ord(char) > 0x7E or ord(char) <= 0x20:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def link(label: object, url: object, limit: int = 300) -> str:
    """`[label](url)` with an escaped label; only the label unless url is http(s)."""
    text = inline(label, limit)
    target = safe_url(url)
    if target is None:
        return text
    if not text:
        text = inline(target, limit)
    return f"[{text}]({target})"
