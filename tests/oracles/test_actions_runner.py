"""The runner port against the runner's own L0 test vectors, plus hostile cases.

Vectors from actions/runner@258d6c857db3519913f7deb6004b60172f8043ae:
src/Test/L0/Worker/ActionCommandL0.cs (CommandParserTest, CommandParserV2Test)
and src/Test/L0/Worker/ActionCommandManagerL0.cs (StopProcessCommand*,
EchoProcessCommand, IssueCommandInvalidColumns parse step, AddMask*).
"""

from __future__ import annotations

import pytest

from tests.oracles.actions_runner import (
    ActionCommandManager,
    Command,
    RunnerStdout,
    StopTokenRejectedError,
    commands_in,
    dotnet_split,
    read_lines,
    trim_start,
    try_parse,
    try_parse_v2,
)

DO = {"DO-SOMETHING"}  # HashSet(OrdinalIgnoreCase) {"do-something"}

# ActionCommandL0.CommandParserTest: (message, data, properties)
PARSE_V1 = [
    ("##[do-something k1=v1;]msg", "msg", {"k1": "v1"}),
    ("##[do-something]", "", {}),
    ("##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D", ";-\r-\n-]", {"k1": ";=\r=\n=]"}),
    ("##[do-something k1=%253B=%250D=%250A=%255D;]%253B-%250D-%250A-%255D",
     "%3B-%0D-%0A-%5D", {"k1": "%3B=%0D=%0A=%5D"}),
    ("##[do-something k1=;k2=;]", "", {}),
    (">>>   ##[do-something k1=v1;]msg", "msg", {"k1": "v1"}),
]

# ActionCommandL0.CommandParserV2Test: (message, data, properties)
PARSE_V2 = [
    ("::do-something k1=v1,::msg", "msg", {"k1": "v1"}),
    ("::do-something::", "", {}),
    ("::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,", ";-\r-\n-]-:-,",
     {"k1": ";=,=\r=\n=]=:"}),
    ("::do-something k1=;=%252C=%250D=%250A=]=%253A,::;-%250D-%250A-]-:-,",
     ";-%0D-%0A-]-:-,", {"k1": ";=%2C=%0D=%0A=]=%3A"}),
    ("::do-something k1=,k2=,::", "", {}),
    ("::do-something k1=v1::", "", {"k1": "v1"}),
    ("   ::do-something k1=v1,::msg", "msg", {"k1": "v1"}),
]


@pytest.mark.parametrize(("message", "data", "props"), PARSE_V1)
def test_upstream_try_parse(message: str, data: str, props: dict[str, str]) -> None:
    assert try_parse(message, DO) == Command("do-something", props, data, "##[")


@pytest.mark.parametrize(("message", "data", "props"), PARSE_V2)
def test_upstream_try_parse_v2(message: str, data: str, props: dict[str, str]) -> None:
    assert try_parse_v2(message, DO) == Command("do-something", props, data, "::")


def test_upstream_v2_needs_the_keyword_first() -> None:
    assert try_parse_v2("   >>>   ::do-something k1=v1,::msg", DO) is None


# ActionCommandManagerL0.IssueCommandInvalidColumns, the parsing half.
@pytest.mark.parametrize(("message", "props"), [
    ("::warning line=1,endLine=2,col=1,endColumn=2::this is a warning",
     {"line": "1", "endLine": "2", "col": "1", "endColumn": "2"}),
    ("::warning line=,endLine=3::this is a warning", {"endLine": "3"}),
    ("::warning line=1,col=1,file=test.txt::this is a warning",
     {"line": "1", "col": "1", "file": "test.txt"}),
])
def test_upstream_issue_properties(message: str, props: dict[str, str]) -> None:
    assert commands_in(message) == [Command("warning", props, "this is a warning")]


def test_upstream_stop_process_command() -> None:
    """ActionCommandManagerL0.StopProcessCommand (set-env is registered)."""
    m = ActionCommandManager()
    assert m.try_process("##[stop-commands]stopToken") is not None
    assert m.try_process("##[set-env name=foo]bar") is None
    assert m.try_process("##[stopToken]") is not None
    assert m.try_process("##[set-env name=foo]bar") is not None


def test_upstream_stop_process_command_accepts_valid_token() -> None:
    m = ActionCommandManager()
    assert m.try_process("::stop-commands::randomToken") is not None
    assert m.try_process("##[set-env name=foo]bar") is None
    assert m.try_process("::randomToken::") is not None
    assert m.try_process("##[set-env name=foo]bar") is not None


@pytest.mark.parametrize("token", ["stop-commands", "", "set-env"])
def test_upstream_invalid_stop_tokens_throw(token: str) -> None:
    with pytest.raises(StopTokenRejectedError):
        ActionCommandManager().try_process(f"::stop-commands::{token}")


@pytest.mark.parametrize("token", ["stop-commands", "", "set-env"])
def test_upstream_invalid_stop_tokens_allowed_by_env(token: str) -> None:
    m = ActionCommandManager(allow_unsecure_stop_tokens=True)
    assert m.try_process(f"::stop-commands::{token}") is not None


@pytest.mark.parametrize("line", ["::echo::on", "::echo::off", "::echo::ON", "::echo::Off   ",
                                  "::echo::invalid", "::echo::"])
def test_upstream_echo_is_processed(line: str) -> None:
    assert ActionCommandManager().try_process(line) is not None


def test_upstream_add_mask_multiline() -> None:
    m = ActionCommandManager()
    m.try_process("::add-mask::abc%0Ddef%0Aghi%0D%0Ajkl")
    m.try_process("::add-mask:: %0D  %0A   %0D%0A    %0D")
    assert m.masks == ["abc\rdef\nghi\r\njkl"]


# --- Beyond upstream's vectors: what our hostile-text tests must respect.

@pytest.mark.parametrize("line", [
    "Run tests ##[warning]pwn",
    "`x` ##[error file=a]pwn",
    "| step | ##[set-output name=x]y |",
    "\u2003::warning::pwn",        # EM SPACE is .NET white space
    "\x85::warning::pwn",           # NEL too
    "\u3000\u205f::error::pwn",
    "::WARNING::pwn",               # names are case-insensitive
    "##[Add-Mask]x",
])
def test_forged(line: str) -> None:
    assert len(commands_in(line)) == 1


@pytest.mark.parametrize("line", [
    "\u200b::warning::pwn",         # ZERO WIDTH SPACE is not white space in .NET
    "\u180e::warning::pwn",
    "x ::warning::pwn",
    "::warning pwn",
    "##[warning pwn",
    "##[nope]x",
    "::nope::x",
    "## [warning]x",
    "::internal-set-repo-path::x",  # only registered while a plugin runs
])
def test_inert(line: str) -> None:
    assert commands_in(line) == []


def test_middle_of_line_takes_the_first_prefix() -> None:
    # IndexOf finds the first "##[", and "]" after it ends the name.
    assert commands_in("a ##[nope] b ##[warning]c") == []
    want = [Command("warning", {}, "b ##[error]c", "##[")]
    assert commands_in("a ##[warning]b ##[error]c") == want


def test_stop_commands_then_resume() -> None:
    text = ("::stop-commands::tok3n\n::warning::hidden\n##[error]hidden\n"
            "::TOK3N::\n::warning::live\n")
    got = commands_in(text)
    assert [c.name for c in got] == ["stop-commands", "TOK3N", "warning"]
    assert got[2].data == "live"


def test_a_step_name_can_stop_commands() -> None:
    got = commands_in("Run tests ##[stop-commands]pwn\n::error::hidden\n##[pwn]\n::error::x")
    assert [c.name for c in got] == ["stop-commands", "pwn", "error"]


@pytest.mark.parametrize(("text", "lines"), [
    ("a\nb", ["a", "b"]), ("a\r\nb\r\n", ["a", "b"]), ("a\rb", ["a", "b"]),
    ("a\n\nb", ["a", "", "b"]), ("a\u2028b\x85c\fd", ["a\u2028b\x85c\fd"]), ("", []),
])
def test_read_lines(text: str, lines: list[str]) -> None:
    assert read_lines(text) == lines


def test_carriage_return_starts_a_command_line() -> None:
    assert [c.data for c in commands_in("progress 50%\r::error::pwn")] == ["pwn"]


def test_feed_keeps_partial_lines_and_split_crlf() -> None:
    s = RunnerStdout()
    assert s.feed("::warn") == []
    assert s.feed("ing::a\r") == []  # ReadLine waits to see whether "\n" follows
    assert s.feed("\n::error::b") == [Command("warning", {}, "a")]
    assert s.close() == [Command("error", {}, "b")]


def test_trim_start_is_dotnet_white_space() -> None:
    assert trim_start("\t\v\f\xa0\u1680\u2000\u200a\u202f x") == "x"
    assert trim_start("\u200bx") == "\u200bx"


@pytest.mark.parametrize(("text", "parts"), [
    ("a==b", ["a", "b"]), ("k=v=w", ["k", "v=w"]), ("=v", ["v"]), ("k=", ["k"]),
    ("k==", ["k"]), ("a=b", ["a", "b"]),
])
def test_dotnet_split_with_count(text: str, parts: list[str]) -> None:
    assert dotnet_split(text, "=", count=2) == parts


def test_properties_are_case_insensitive_first_spelling_wins() -> None:
    got = commands_in("::warning File=a,file=b::x")
    assert got == [Command("warning", {"File": "b"}, "x")]


def test_notice_needs_enhanced_annotations() -> None:
    assert ActionCommandManager(enhanced_annotations=False).try_process("::notice::x") is None
    assert ActionCommandManager().try_process("::notice::x") is not None
