"""The cmark-gfm oracle: real engine behaviour our markdown-it model misses."""

from __future__ import annotations

import pytest

from tests.oracles.gfm import inspect, render

TICKS80, TICKS81 = "`" * 80, "`" * 81


def test_a_code_span_of_80_backticks_is_code() -> None:
    found = inspect(f"{TICKS80} <img src=x> {TICKS80}")
    assert found.raw_html == []
    assert "<code>&lt;img src=x&gt;</code>" in found.html


def test_a_code_span_of_81_backticks_is_not_code() -> None:
    found = inspect(f"{TICKS81} <img src=x> {TICKS81}")
    assert found.raw_html == ["img"]
    assert found.outside_links == ["x"]


def test_a_255_backtick_line_closes_a_256_backtick_fence() -> None:
    md = ("<details>\n\n" + "`" * 256 + "\nx\n" + "`" * 255 + "\n</details>\n"
          + "`" * 256 + "\n\n</details>\n")
    found = inspect(md)
    assert found.raw_html == ["details"]  # the opening one is raw HTML too
    assert not found.details_balanced


def test_a_255_backtick_fence_holds() -> None:
    md = "<details>\n\n" + "`" * 255 + "\n</details>\n" + "`" * 255 + "\n\n</details>\n"
    assert inspect(md).details_balanced


@pytest.mark.parametrize(("md", "mentions"), [
    ("hi @octocat.", ["@octocat"]),
    ("`@octocat`", []),
    ("[@octocat](https://example.com)", []),
    ("mail a@octocat", []),
    ("@org/team x", ["@org"]),
])
def test_mentions(md: str, mentions: list[str]) -> None:
    assert inspect(md).mentions == mentions


@pytest.mark.parametrize(("md", "refs"), [
    ("see #12 and GH-8 and a/b#3", ["#12", "GH-8", "a/b#3"]),
    ("`#12` [GH-8](https://x.example)", []),
    ("x#12 C#1", []),
])
def test_issue_refs(md: str, refs: list[str]) -> None:
    assert inspect(md).issue_refs == refs


def test_markdown_links_are_not_raw_html_but_are_outside_links() -> None:
    found = inspect("[x](https://evil.example) ![y](https://evil.example/i.png) "
                    "https://run.example/1", allowed_links=["https://run.example/"])
    assert found.raw_html == []
    assert found.outside_links == ["https://evil.example", "https://evil.example/i.png"]


def test_tagfilter_and_the_sanitiser() -> None:
    found = inspect("x <script>alert(1)</script> <b>bold</b> <marquee>m</marquee>")
    assert found.raw_html == ["b"]
    assert found.raw_html_stripped == ["marquee"]
    assert "&lt;script>" in render("<script>")


def test_javascript_link_in_raw_html_is_raw() -> None:
    found = inspect('<a href="javascript:alert(1)">x</a>')
    assert found.raw_html == ["a"]
    assert found.outside_links == ["javascript:alert(1)"]
