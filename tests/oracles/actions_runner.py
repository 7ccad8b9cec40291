"""Oracle: which workflow commands the real GitHub Actions runner would act on.

A faithful Python port of how the runner's worker turns a step's stdout and
stderr into workflow commands, so tests can ask the real rules (not our own
line-start regex) whether text we print forges a command.

Ported from github.com/actions/runner at commit
258d6c857db3519913f7deb6004b60172f8043ae:

- src/Runner.Sdk/ProcessInvoker.cs, ``StartReadStream``: every stdout/stderr
  line comes from ``StreamReader.ReadLine()``, which ends a line at "\\r",
  "\\n" or "\\r\\n" (and nowhere else: not U+0085, U+2028, U+2029).
- src/Runner.Worker/Handlers/OutputManager.cs, ``OnDataReceived``: a line
  that contains "##[" or "::" goes to ``TryProcessCommand`` (the container,
  script and node handlers all wire both streams through an OutputManager).
- src/Runner.Worker/ActionCommandManager.cs, ``Initialize`` /
  ``TryProcessCommand`` / ``ValidateStopToken``: the registered command
  names, the ``stop-commands`` state machine and its resume token.
- src/Runner.Common/ActionCommand.cs, ``TryParseV2`` / ``TryParse`` /
  ``Unescape*``: the two command syntaxes, ``::name k=v,...::data`` after
  leading white space and ``##[name k=v;...]data`` ANYWHERE in the line.
- src/Runner.Common/ExtensionManager.cs, ``GetExtensions``: the command
  extensions the worker registers.

One deviation, on purpose: ``StartsWith(string)`` and ``IndexOf(string)``
without a StringComparison are culture-sensitive in .NET, which on Linux
means ICU collation, where "ignorable" code points (U+00AD, U+200B, ...) are
skipped. This port searches ordinally (``search=`` takes another search).
Under ICU, a match with ignorables inside shifts the parser's offsets so the
name starts with "#", "[" or ":" and is not registered, except the "::"
that ends a V2 command: "::warning:\\u00ad:x" may be a warning under ICU
and is not here. Treat soft hyphens and other ignorables inside "::" as
unsafe whatever this oracle says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

UPSTREAM = "actions/runner@258d6c857db3519913f7deb6004b60172f8043ae"

# ExtensionManager.GetExtensions<IActionCommandExtension>, minus
# internal-set-repo-path, which ActionCommandManager.Initialize leaves out
# (it is only registered while a runner plugin runs).
REGISTERED_COMMANDS = (
    "set-env", "set-output", "save-state", "add-path", "add-mask", "add-matcher",
    "remove-matcher", "warning", "error", "notice", "debug", "group", "endgroup", "echo",
)
STOP_COMMAND = "stop-commands"

# System.Char.IsWhiteSpace: Unicode White_Space (U+200B and U+180E are not).
DOTNET_WHITE_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)

# ActionCommand._escapeMappings / _escapeDataMappings / _escapePropertyMappings,
# in source order (Unescape replaces in that order, so "%253B" -> "%3B").
_ESCAPE = ((";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25"))
_ESCAPE_DATA = (("\r", "%0D"), ("\n", "%0A"), ("%", "%25"))
_ESCAPE_PROPERTY = (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25"))

Search = Callable[[str, str, int], int]


@dataclass(frozen=True)
class Command:
    """A command the runner acted on: its name as written, properties, data."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""
    syntax: str = "::"  # "::" (TryParseV2) or "##[" (TryParse)


def ignore_case(text: str) -> str:
    """StringComparer.OrdinalIgnoreCase key: simple (1:1) upper-casing per char."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def trim_start(text: str) -> str:
    """.NET String.TrimStart(): drop leading Char.IsWhiteSpace characters."""
    i = 0
    while i < len(text) and text[i] in DOTNET_WHITE_SPACE:
        i += 1
    return text[i:]


def trim(text: str) -> str:
    """.NET String.Trim()."""
    end = len(text)
    while end > 0 and text[end - 1] in DOTNET_WHITE_SPACE:
        end -= 1
    return trim_start(text[:end])


def dotnet_split(text: str, sep: str, count: int | None = None) -> list[str]:
    """String.Split(char[]{sep}, count, RemoveEmptyEntries), per SplitWithPostProcessing.

    With a count, once count-1 entries are taken, empty entries before the
    last one are skipped and the rest of the string is the last entry.
    """
    parts = text.split(sep)
    if count is None or len(parts) <= count:
        return [p for p in parts if p]
    out: list[str] = []
    i = 0
    while i < len(parts) - 1 and len(out) < count - 1:
        if parts[i]:
            out.append(parts[i])
        i += 1
    if len(out) == count - 1:
        while i < len(parts) - 1 and not parts[i]:
            i += 1
    rest = sep.join(parts[i:])
    if rest:
        out.append(rest)
    return out


def _unescape(text: str, mappings: tuple[tuple[str, str], ...]) -> str:
    for token, replacement in mappings:
        text = text.replace(replacement, token)
    return text


def ordinal_search(text: str, needle: str, start: int = 0) -> int:
    return text.find(needle, start)


def _is_registered(name: str, registered: set[str]) -> bool:
    return ignore_case(name) in registered


def _command_name(cmd_info: str) -> tuple[str, int]:
    space = cmd_info.find(" ")  # IndexOf(char) is ordinal
    return (cmd_info if space < 0 else cmd_info[:space]), space


def _set_property(props: dict[str, str], key: str, value: str) -> None:
    # Dictionary(StringComparer.OrdinalIgnoreCase): a later key replaces the
    # value but keeps the first spelling of the key.
    for existing in props:
        if ignore_case(existing) == ignore_case(key):
            props[existing] = value
            return
    props[key] = value


def try_parse_v2(
    message: str, registered: set[str], search: Search = ordinal_search
) -> Command | None:
    """ActionCommand.TryParseV2: ``::name k=v,k2=v2::data`` after leading white space."""
    if not message:
        return None
    message = trim_start(message)
    if search(message, "::", 0) != 0:  # StartsWith("::")
        return None
    end = search(message, "::", 2)
    if end < 0:
        return None
    cmd_info = message[2:end]
    name, space = _command_name(cmd_info)
    if not _is_registered(name, registered):
        return None
    props: dict[str, str] = {}
    if space > 0:
        for prop in dotnet_split(trim(cmd_info[space + 1 :]), ","):
            pair = dotnet_split(prop, "=", count=2)
            if len(pair) == 2:
                _set_property(props, pair[0], _unescape(pair[1], _ESCAPE_PROPERTY))
    return Command(name, props, _unescape(message[end + 2 :], _ESCAPE_DATA), "::")


def try_parse(
    message: str, registered: set[str], search: Search = ordinal_search
) -> Command | None:
    """ActionCommand.TryParse: ``##[name k=v;k2=v2]data`` anywhere in the line."""
    if not message:
        return None
    prefix = search(message, "##[", 0)
    if prefix < 0:
        return None
    rb = message.find("]", prefix)  # IndexOf(char, int) is ordinal
    if rb < 0:
        return None
    cmd_info = message[prefix + 3 : rb]
    name, space = _command_name(cmd_info)
    if not _is_registered(name, registered):
        return None
    props: dict[str, str] = {}
    if space > 0:
        for prop in dotnet_split(cmd_info[space + 1 :], ";"):
            pair = dotnet_split(prop, "=", count=2)
            if len(pair) == 2:
                _set_property(props, pair[0], _unescape(pair[1], _ESCAPE))
    return Command(name, props, _unescape(message[rb + 1 :], _ESCAPE), "##[")


def read_lines(text: str) -> list[str]:
    """StreamReader.ReadLine() until end of stream: split on \\r, \\n, \\r\\n only."""
    lines: list[str] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\r\n":
            lines.append(text[start:i])
            i += 2 if ch == "\r" and text[i + 1 : i + 2] == "\n" else 1
            start = i
        else:
            i += 1
    if start < len(text):
        lines.append(text[start:])
    return lines


class StopTokenRejectedError(Exception):
    """ValidateStopToken threw: the runner fails the command (and the step)."""


class ActionCommandManager:
    """ActionCommandManager.TryProcessCommand with its stop-commands state."""

    def __init__(self, *, enhanced_annotations: bool = True, search: Search = ordinal_search,
                 allow_unsecure_stop_tokens: bool = False) -> None:
        self.registered = {ignore_case(c) for c in (STOP_COMMAND, *REGISTERED_COMMANDS)}
        self._extensions = {ignore_case(c) for c in REGISTERED_COMMANDS}
        self.enhanced_annotations = enhanced_annotations
        self.allow_unsecure_stop_tokens = allow_unsecure_stop_tokens
        self.search = search
        self.stopped = False
        self.stop_token: str | None = None
        self.masks: list[str] = []

    def try_process(self, line: str) -> Command | None:
        """The command processed for this line, or None (the line is just output).

        Raises StopTokenRejectedError where the runner's ValidateStopToken throws.
        """
        if not line:
            return None
        cmd = try_parse_v2(line, self.registered, self.search) or try_parse(
            line, self.registered, self.search)
        if cmd is None:
            return None
        if not self.enhanced_annotations and cmd.name == "notice":  # ordinal ==, as upstream
            return None
        key = ignore_case(cmd.name)
        if self.stopped:
            if self.stop_token and key == ignore_case(self.stop_token):
                self.registered.discard(ignore_case(self.stop_token))
                self.stopped, self.stop_token = False, None
                return cmd
            return None
        if key == ignore_case(STOP_COMMAND):
            self._validate_stop_token(cmd.data)
            self.stop_token, self.stopped = cmd.data, True
            self.registered.add(ignore_case(cmd.data))
            return cmd
        if key in self._extensions and key == ignore_case("add-mask") and trim(cmd.data):
            self.masks.append(cmd.data)
        return cmd  # an extension ran, or "Can't find command extension" warned

    def _validate_stop_token(self, token: str) -> None:
        invalid = (ignore_case(token) in self.registered or not token
                   or ignore_case(token) == ignore_case("pause-logging"))
        if invalid and not self.allow_unsecure_stop_tokens:
            raise StopTokenRejectedError(token)


class RunnerStdout:
    """A step's output stream as the worker reads it: lines, then commands."""

    def __init__(self, *, search: Search = ordinal_search,
                 enhanced_annotations: bool = True) -> None:
        self.manager = ActionCommandManager(enhanced_annotations=enhanced_annotations,
                                            search=search)
        self._pending = ""

    def feed(self, text: str) -> list[Command]:
        """Commands from the complete lines in ``text`` (a partial last line waits)."""
        buffered = self._pending + text
        cut = max(buffered.rfind("\r"), buffered.rfind("\n"))
        # "\r" at the very end may be the first half of "\r\n": keep it waiting.
        if cut == len(buffered) - 1 and buffered.endswith("\r"):
            cut = max(buffered.rfind("\r", 0, cut), buffered.rfind("\n", 0, cut))
        if cut < 0:
            self._pending = buffered
            return []
        self._pending = buffered[cut + 1 :]
        return self._process(read_lines(buffered[: cut + 1]))

    def close(self) -> list[Command]:
        """End of stream: the last line, even without a line break."""
        rest, self._pending = self._pending, ""
        return self._process(read_lines(rest))

    def _process(self, lines: list[str]) -> list[Command]:
        out: list[Command] = []
        for line in lines:
            # OutputManager.OnDataReceived only hands over lines with "##[" or "::".
            if self.manager.search(line, "##[", 0) < 0 and self.manager.search(line, "::", 0) < 0:
                continue
            try:
                cmd = self.manager.try_process(line)
            except StopTokenRejectedError:
                cmd = Command(STOP_COMMAND, {}, "<rejected token>", "::")
            if cmd is not None:
                out.append(cmd)
        return out


def commands_in(text: str, *, search: Search = ordinal_search) -> list[Command]:
    """Every command the runner would act on if a step printed ``text``."""
    stream = RunnerStdout(search=search)
    return stream.feed(text) + stream.close()
