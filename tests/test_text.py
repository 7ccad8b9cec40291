"""The character-level rules of text.py, against what the real tools do."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from agent_job_status.text import ZWSP, clean, neutral, neutralise_commands, utf8_safe


def test_every_format_character_is_removed() -> None:
    """Category Cf (bidi, zero-width, tags, soft hyphen, ...) never survives."""
    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert cf
    assert clean("".join(cf)) == ""


@pytest.mark.parametrize(
    "char",
    ["\U000e0000", "\U000e0041", "\u061c", "\u00ad", "\u3164", "\u206a", "\u206f", "\ufffb"],
)
def test_invisible_characters_named_in_the_issue(char: str) -> None:
    assert clean(f"a{char}b") == "ab"


def test_legacy_commands_are_broken_anywhere_in_a_line() -> None:
    # actions/runner's ActionCommand.TryParse finds `##[` with IndexOf.
    out = neutralise_commands("Run tests ##[stop-commands]pwn")
    assert "##[" not in out
    assert out == f"Run tests ##{ZWSP}[stop-commands]pwn"


def test_v2_commands_after_dotnet_white_space() -> None:
    # .NET TrimStart removes U+00A0, U+3000, U+2028 ...; U+200B is not white space.
    for space in ("", " ", "\t", "\u00a0", "\u3000", "\u2003"):
        out = neutralise_commands(f"{space}::error::x")
        assert out == f"{space}{ZWSP}::error::x"


def test_neutral_is_one_inert_line() -> None:
    assert neutral("a\n::error::b\r\n##[group]c") == f"a ::error::b ##{ZWSP}[group]c"
    assert neutral("::warning::x").startswith(ZWSP)


def test_lone_surrogates_never_break_encoding() -> None:
    assert utf8_safe("\ud800x").encode("utf-8") == "\ufffdx".encode()
    assert clean("\udfff").encode("utf-8")
