"""The default templates for every status, rendered to HTML as GitHub would:
well formed (every tag closed, properly nested) and inert (no scripts, no
handlers, links only to GitHub)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from agent_job_status.render import render_comment, render_summary
from agent_job_status.samples import sample_report
from agent_job_status.status import WORDS as STATUSES
from scripts.screenshots import to_html

VOID = {"br", "hr", "img", "input"}
ALLOWED = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "details",
    "summary",
    "blockquote",
    "hr",
    "br",
    "del",
    "s",
}


class Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "srcdoc":
                self.problems.append(f"attribute {name}")
            # Table column alignment is the only style Markdown produces.
            if name == "style" and value not in (
                "text-align:left",
                "text-align:right",
                "text-align:center",
            ):
                self.problems.append(f"style {value}")
            if name == "href" and not (value or "").startswith("https://github.com/"):
                self.problems.append(f"href {value}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check(markdown: str) -> None:
    checker = Checker()
    checker.feed(to_html(markdown))
    checker.close()
    assert checker.problems == [] and checker.stack == []


@pytest.mark.parametrize("status", STATUSES)
def test_default_summary_is_well_formed_and_inert(status: str) -> None:
    check(render_summary([sample_report(status)]))


@pytest.mark.parametrize("status", STATUSES)
def test_default_comment_is_well_formed_and_inert(status: str) -> None:
    check(render_comment([sample_report(status)], repository="acme/agents", job_key="j"))


def test_several_jobs_table_is_well_formed() -> None:
    check(render_summary([sample_report(s) for s in STATUSES]))
