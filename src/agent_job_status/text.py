"""Making untrusted text inert: one place for every character-level rule.

Text from GitHub (titles, branch, step and file names, logs, configs) was
written by an agent or whoever prompted it. Before it reaches any channel it
goes through here:

- `clean`: no ANSI/VT escapes, control or invisible characters, lone
  surrogates (they become U+FFFD, so encoding can never fail); line ends
  become `\\n`.
- `neutralise_commands`: no workflow command the Actions runner would run.
  The runner (actions/runner, `ActionCommandManager.TryProcessCommand`)
  tries `ActionCommand.TryParseV2`, a `::` after .NET `TrimStart()` white
  space, then `ActionCommand.TryParse`, which finds `##[` *anywhere* in a
  line with `IndexOf`; the log viewer also draws `##[group]`, `##[error]` and
  the like. A zero-width space (not white space to .NET) breaks both.
- `neutral`: one line of untrusted text for the middle of one of our lines.

The Markdown layer (`markdown.py`), the runner layer (`runner.py`) and the
terminal view (`terminal.py`) all build on these.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
ELLIPSIS = "…"
REPLACEMENT = "\ufffd"

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC strings,
# other two-byte escapes, and the 8-bit CSI form. Matched before control
# characters are removed so that their parameters ("[31m") do not survive.
_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?              # CSI
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?  # OSC, ended by BEL or ST
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?       # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]?                    # other escapes (ESC ( B, ESC =, ...)
    | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
    """,
    re.VERBOSE,
)
_SURROGATES = re.compile("[\ud800-\udfff]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# C0 except \t and \n, DEL, C1; every format character (Unicode category Cf:
# soft hyphen, bidi marks and overrides, zero-width characters, tags U+E0000
# to U+E007F, interlinear annotation U+FFF9-FFFB, ...); and characters that
# render as nothing (Hangul fillers, combining grapheme joiner, Mongolian
# and Khmer invisibles). Invisible text could make a value look like
# something it is not. A test checks this covers category Cf.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)
# What .NET's Char.IsWhiteSpace accepts, i.e. what `TrimStart()` removes
# before the runner looks for `::` (U+200B is not in it).
DOTNET_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_V2_COMMAND = re.compile(f"^([{DOTNET_SPACE}]*)::", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"##\[")
_SPACES = re.compile(r"\s+")


def as_text(value: object) -> str:
    """Any value as text: None is empty, bytes are decoded (invalid -> U+FFFD)."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def strip_ansi(text: str) -> str:
    """Remove ANSI/VT escape sequences (colours, cursor moves, titles)."""
    return _ANSI.sub("", text)


def clean(value: object, *, newlines: bool = True) -> str:
    """Text without escapes, control or invisible characters or lone surrogates.

    Line ends become `\\n`; with `newlines=False` every line end and tab
    becomes a space.
    """
    text = _SURROGATES.sub(REPLACEMENT, as_text(value))
    text = _NEWLINES.sub("\n", strip_ansi(text))
    text = _INVISIBLE.sub("", text)
    if not newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def neutralise_commands(text: str) -> str:
    """Break every workflow command the runner would find in `text`."""
    text = _LEGACY_COMMAND.sub("##" + ZWSP + "[", text)
    return _V2_COMMAND.sub(lambda m: m.group(1) + ZWSP + "::", text)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, ending with `…` when cut."""
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def neutral(value: object, limit: int = 300) -> str:
    """Untrusted text for the middle of one of our log lines: one line, inert."""
    one_line = _SPACES.sub(" ", clean(value, newlines=False)).strip()
    return neutralise_commands(shorten(one_line, limit))


def utf8_safe(text: str) -> str:
    """Text that encodes as UTF-8 whatever it holds (lone surrogates -> U+FFFD)."""
    return _SURROGATES.sub(REPLACEMENT, text)
