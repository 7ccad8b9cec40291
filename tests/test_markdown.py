"""Escaping untrusted text: unit tests and render-through-Markdown properties."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from agent_job_status.markdown import (
    MAX_SPAN_FENCE,
    cell,
    cell_code,
    code_block,
    code_span,
    inline,
    link,
    safe_url,
)
from agent_job_status.text import ZWSP, neutralise_commands, strip_ansi
from agent_job_status.text import clean as clean_text

from .oracles.gfm import inspect

try:
    from tests.hostile import HOSTILE, HOSTILE_URLS, INVALID_UTF8
except ImportError:  # tests/ is on sys.path instead of the project root
    from hostile import HOSTILE, HOSTILE_URLS, INVALID_UTF8  # type: ignore[no-redef]

MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def plain(value: str, limit: int = 300) -> str:
    """What `inline` must render as: cleaned, one line, collapsed, cut."""
    text = re.sub(r"\s+", " ", clean_text(value, newlines=False)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rendered_text(fragment: str) -> str:
    out = MD.renderInline(fragment)
    assert "<" not in out, out  # no tag at all: every < is an entity
    return html.unescape(out).replace(ZWSP, "")


# ---------------------------------------------------------------- clean


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[31mred\x1b[0m") == "red"
    assert strip_ansi("\x1b]0;title\x07x") == "x"
    assert strip_ansi("a\x1b[2Kb\x1b[1;32mc") == "abc"


def test_clean_text() -> None:
    assert clean_text("a\r\nb\rc") == "a\nb\nc"
    assert clean_text("a\r\nb", newlines=False) == "a b"
    assert clean_text("nul\x00\x07\x7f\x9fend\x85") == "nulend\n"
    assert clean_text("\u202eabc\u202c") == "abc"
    assert clean_text(INVALID_UTF8).count("\ufffd") == 6
    assert clean_text(None) == ""
    assert clean_text(b"caf\xc3") == "caf\ufffd"
    assert clean_text(42) == "42"


# ---------------------------------------------------------------- inline


def test_inline_html_is_entities() -> None:
    out = inline("<script>alert('x')</script> & \"q\"")
    assert "<" not in out and ">" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out and "&quot;" in out and "&#39;" in out


def test_inline_mentions_and_refs_do_not_ping() -> None:
    assert inline("@octocat") == "@" + ZWSP + "octocat"
    assert "@" + ZWSP + "acme/secret" in inline("@acme/secret-team")
    assert inline("#123") == "\\#" + ZWSP + "123"
    assert inline("a # b") == "a \\# b"


def test_inline_markdown_punctuation_is_escaped() -> None:
    out = inline("[link](javascript:alert(1)) ![img](x) *a* _b_ `c` ~d~ | e")
    assert "\\[link\\]\\(javascript\\:alert\\(1\\)\\)" in out
    assert "\\!\\[img\\]" in out and "\\*a\\*" in out and "\\`c\\`" in out and "\\|" in out


def test_inline_one_line_and_limit() -> None:
    assert inline("a\nb\r\n  c\t d") == "a b c d"
    out = inline("x" * 10000)
    assert out == "x" * 299 + "…"
    assert inline("abcdef", limit=4) == "abc…"
    assert inline("") == ""
    assert inline(None) == ""


def test_inline_no_autolink_and_no_command() -> None:
    out = inline("https://evil.example www.evil.example")
    assert "https\\:" in out and "www\\.evil" in out
    for value in ("::error::boom", "  ::add-mask::x", "##[error]x"):
        assert not inline(value).lstrip().startswith(("::", "##["))


@pytest.mark.parametrize("value", HOSTILE)
def test_inline_renders_as_the_literal_text(value: str) -> None:
    assert rendered_text(inline(value)) == plain(value)


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_inline_round_trip_any_text(value: str) -> None:
    assert rendered_text(inline(value)) == plain(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_cell_cannot_break_a_table_row(value: str) -> None:
    out = cell(value)
    assert "\n" not in out
    assert not re.search(r"(?<!\\)\|", out.replace("\\\\", ""))
    table = MD.render(f"| a | b |\n|---|---|\n| {out} | {cell_code(value)} |\n")
    assert table.count("<td>") == 2 and table.count("<tr>") == 2
    assert html.unescape(re.sub(r"<[^>]+>", "", table.split("<td>")[1])).replace(
        ZWSP, ""
    ).strip() == plain(value)


# ---------------------------------------------------------------- code


@pytest.mark.parametrize("value", HOSTILE)
def test_code_span_renders_as_the_literal_text(value: str) -> None:
    out = code_span(value)
    assert "\n" not in out
    if "`" * MAX_SPAN_FENCE in value:  # no span can hold it: escaped text
        assert out == inline(value)
        return
    rendered = MD.renderInline(out)
    match = re.fullmatch(r"<code>(.*)</code>", rendered, re.DOTALL)
    assert match, rendered
    expected = clean_text(value, newlines=False)
    expected = expected if len(expected) <= 300 else expected[:299] + "…"
    assert html.unescape(match.group(1)) == (expected or " ")


def test_code_span_fences() -> None:
    assert code_span("a") == "`a`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("") == "` `"
    assert cell_code("a|b") == "`a\\|b`"


@pytest.mark.parametrize("value", HOSTILE)
def test_code_block_cannot_be_closed_from_inside(value: str) -> None:
    block = code_block(value, "text")
    assert block.endswith("\n")
    tokens = MD.parse(block + "</details>\n\nafter\n")
    assert [t.type for t in tokens][:1] == ["fence"]
    expected = clean_text(value)
    if expected and not expected.endswith("\n"):
        expected += "\n"
    assert tokens[0].content.replace(ZWSP, "") == expected
    assert tokens[1].type == "html_block" and tokens[1].content == "</details>\n"
    for line in block.splitlines():
        assert not line.lstrip(" \t").startswith(("::", "##["))


def test_code_block_fence_length_and_lang() -> None:
    assert code_block("a") == "```\na\n```\n"
    assert code_block("") == "```\n```\n"
    assert code_block("````x").startswith("`````\n")
    assert code_block("x", "py`\n<b>") == "```pyb\nx\n```\n"
    assert code_block("\x1b[31mred\x1b[0m\r\n") == "```\nred\n```\n"


def test_neutralise_commands() -> None:
    text = "ok\n::error::x\n  ::add-mask::y\n##[group]z\nmid ::x::"
    out = neutralise_commands(text)
    assert [line.lstrip().startswith(("::", "##[")) for line in out.splitlines()] == [False] * 5
    assert out.replace(ZWSP, "") == text


# ---------------------------------------------------------------- links


def test_link_http_only() -> None:
    assert link("PR", "https://github.com/a/b/pull/1") == "[PR](https://github.com/a/b/pull/1)"
    assert link("x", 'http://h/a b(c)<d>"e') == "[x](http://h/a%20b%28c%29%3Cd%3E%22e)"
    for url in HOSTILE_URLS:
        out = link("label", url)
        assert out == "label"
        assert safe_url(url) is None
    assert link("label", None) == "label"


@pytest.mark.parametrize("value", HOSTILE)
def test_link_label_is_escaped(value: str) -> None:
    out = MD.renderInline(link(value, "https://github.com/acme/agents/pull/1"))
    hrefs = re.findall(r'href="([^"]*)"', out)
    assert hrefs == ["https://github.com/acme/agents/pull/1"]
    assert out.count("<") == 2  # <a ...> and </a> only


def test_link_url_cannot_escape_destination() -> None:
    out = MD.renderInline(link("x", "https://github.com/a) [y](javascript:alert(1)"))
    assert re.findall(r"<a ", out) == ["<a "]
    assert "javascript" not in re.findall(r'href="([^"]*)"', out)[0].split(":")[0]


@pytest.mark.parametrize(
    "url",
    [
        "javascript://%0aalert(1)",
        "JavaScript://%0Aalert(document.domain)",
        "ftp://example.com/payload",
        "data://text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript://msgbox(1)",
        "httpx://example.com",
        "git+https://example.com/x",
        " https ://example.com",
    ],
)
def test_link_with_any_other_scheme_before_slashes_is_only_its_label(url: str) -> None:
    """Every hostile URL above has `://`, so only the scheme check can refuse it."""
    assert safe_url(url) is None
    assert link("label", url) == "label"
    assert 'href="' not in MD.renderInline(link("label", url))


@pytest.mark.parametrize("url", ["http://example.com/a", "HTTPS://github.com/a/b/pull/1"])
def test_link_http_and_https_in_any_case(url: str) -> None:
    assert safe_url(url) == url and link("label", url) == f"[label]({url})"


@pytest.mark.parametrize("run", [79, 80, 81, 255])
def test_code_span_around_cmark_gfm_s_backtick_limit(run: int) -> None:
    """cmark-gfm (the oracle) opens no span with a fence over 80: a run of 80
    inside needs one, so such text must be escaped rather than fenced."""
    value = f"{'`' * run} <img src=x onerror=alert(1)> @octocat"
    found = inspect(code_span(value))
    assert found.raw_html == [] and found.mentions == []


@pytest.mark.parametrize("run", [254, 255, 256, 300])
def test_code_block_around_cmark_gfm_s_fence_cap(run: int) -> None:
    """cmark-gfm stores a fence's length capped at 255: a line of 255 backticks
    inside must never meet a fence it could close."""
    value = f"{'`' * run}\n<img src=x onerror=alert(1)>\n@octocat"
    found = inspect(code_block(value))
    assert found.raw_html == [] and found.mentions == []


@pytest.mark.parametrize("text", ["GH-123", "see gh-7.", "(GH-42)"])
def test_gh_references_do_not_link(text: str) -> None:
    assert inspect(inline(text)).issue_refs == []
    assert not re.search(r"(?i)gh\\?-\d", inline(text))
