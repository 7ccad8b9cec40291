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

from agent_job_status.runner import neutralise_commands

ZWSP = "\u200b"
ELLIPSIS = "…"
REPLACEMENT = "\ufffd"

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes,
# and the 8-bit CSI form. Matched before control characters are removed so
# that their parameters ("[31m") do not survive as text.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?         # CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC, ended by BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?  # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]?               # other escapes (ESC ( B, ESC =, ...)
    | \x9b[0-?]*[ -/]*[@-~]?         # 8-bit CSI
    """,
    re.VERBOSE,
)
_SURROGATES = re.compile("[\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# C0 except \t and \n, DEL, C1, bidi embeddings/overrides/isolates.
# Controls, bidi overrides and zero-width characters: invisible in a page,
# so untrusted text could use them to look like something it is not.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_BACKTICKS = re.compile("`+")
_LANG = re.compile(r"[^A-Za-z0-9_+.#-]")

# Characters replaced in `inline` text. HTML specials become entities; ASCII
# punctuation that could start Markdown constructs is backslash-escaped.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_PUNCT = frozenset("\\`*_{}[]()#+-.!|~:=$^")
_URL_UNSAFE = frozenset(" ()<>\"'`\\|{}^[]")


def strip_ansi(text: str) -> str:
    """Remove ANSI/VT escape sequences (colours, cursor moves, titles)."""
    return _ANSI.sub("", text)


def as_text(value: object) -> str:
    """Any value as text: None is empty, bytes are decoded (invalid -> U+FFFD)."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def clean_text(value: object, *, newlines: bool = True) -> str:
    """Text without escapes, control characters or lone surrogates.

    Line ends become `\\n`; with `newlines=False` every line end and tab
    becomes a space. Lone surrogates (e.g. bytes decoded with
    surrogateescape) become U+FFFD.
    """
    text = _SURROGATES.sub(REPLACEMENT, as_text(value))
    text = strip_ansi(text)
    text = _NEWLINES.sub("\n", text)
    text = _CONTROLS.sub("", text)
    if not newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, ending with `…` when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


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
    text = _SPACES.sub(" ", clean_text(value, newlines=False)).strip()
    text = shorten(text, limit)
    out: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else ""
        out.append(_escape_char(char, following))
    return "".join(out)


def cell(value: object, limit: int = 300) -> str:
    """Text safe in a GFM table cell: `inline`, so `|` is `\\|`, on one line."""
    return inline(value, limit)


def _fence_for(text: str, minimum: int) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(minimum, longest + 1)


def code_span(value: object, limit: int = 300, *, table: bool = False) -> str:
    """Inline code that cannot be closed early; newlines become spaces.

    With `table=True`, `|` becomes `\\|` so the span can sit in a table cell
    (GFM removes that backslash, even inside code).
    """
    text = shorten(clean_text(value, newlines=False), limit)
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return "` `"
    fence = _fence_for(text, 1)
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


def code_block(value: object, lang: str = "") -> str:
    """A fenced code block that cannot be closed from inside.

    The fence is a backtick run longer than any in the text (at least three),
    the block always ends with its closing fence and a newline, and lines
    that would start a workflow command are neutralised.
    """
    text = clean_text(value)
    fence = _fence_for(text, 3)
    info = _LANG.sub("", as_text(lang))[:30]
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{fence}{info}\n{neutralise_commands(text)}{fence}\n"


def safe_url(value: object) -> str | None:
    """The URL when it is absolute http(s), percent-encoding unsafe characters."""
    url = clean_text(value, newlines=False).strip()
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
