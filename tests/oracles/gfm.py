"""Oracle: what GitHub would make of Markdown we publish, using the real cmark-gfm.

GitHub renders comments and job summaries with cmark-gfm (the `cmarkgfm`
package binds the same C library) with the table, strikethrough, autolink,
tagfilter and tasklist extensions and raw HTML passed through; its HTML
sanitiser then keeps an allow-list of elements. Our own markdown-it model
differs from cmark-gfm exactly where hostile text likes to hide: a code span
fence longer than 80 backticks is no code span (MAXBACKTICKS in
src/inlines.c), and a code block fence's length is stored capped at 255
(src/blocks.c), so a 255-backtick line closes a 256-backtick fence.

``inspect(markdown)`` renders twice, with and without CMARK_OPT_UNSAFE: in the
safe render cmark replaces every raw HTML chunk with a comment, so an element
present only in the unsafe render came from raw HTML, not Markdown syntax.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm  # type: ignore[import-untyped]
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

# The elements GitHub's sanitiser keeps (html-pipeline SanitizationFilter's
# allow-list, which github.com still follows): raw HTML in this set survives.
SANITISER_KEEPS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "br", "b", "i", "strong", "em", "a", "pre",
    "code", "img", "tt", "div", "ins", "del", "sup", "sub", "p", "ol", "ul", "table", "thead",
    "tbody", "tfoot", "blockquote", "dl", "dt", "dd", "kbd", "q", "samp", "var", "hr", "ruby",
    "rt", "rp", "li", "tr", "td", "th", "s", "strike", "summary", "details", "caption", "figure",
    "figcaption", "abbr", "bdo", "cite", "dfn", "mark", "small", "span", "time", "wbr",
    "picture", "source",
})
# GitHub's reference filters skip text inside these.
_NO_REFERENCES = frozenset({"pre", "code", "a", "style", "script"})
_VOID = frozenset({"img", "br", "hr", "input", "wbr", "source", "meta", "link", "area", "col"})

# html-pipeline MentionFilter: "@login" after a non-word character.
MENTION = re.compile(
    r"(?:^|(?<=\W))@([a-z0-9][a-z0-9-]*)(?:/[a-z0-9][a-z0-9-]*)?(?!/)"
    r"(?=\.+[ \t\W]|\.+$|[^0-9a-z_.]|$)", re.IGNORECASE)
# Issue references GitHub links in text: #12, owner/repo#12, GH-12.
ISSUE_REF = re.compile(
    r"(?:^|(?<=[^\w/]))(?:[\w.-]+/[\w.-]+#\d+|#\d+|GH-\d+)\b", re.IGNORECASE)

Tag = tuple[str, tuple[tuple[str, str], ...]]


@dataclass
class Findings:
    """What hostile text could do once GitHub renders the Markdown."""

    html: str
    raw_html: list[str] = field(default_factory=list)  # raw elements the sanitiser keeps
    raw_html_stripped: list[str] = field(default_factory=list)  # raw, sanitiser drops
    outside_links: list[str] = field(default_factory=list)  # href/src not allowed
    mentions: list[str] = field(default_factory=list)
    issue_refs: list[str] = field(default_factory=list)
    details_balanced: bool = True


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.urls: list[str] = []
        self.texts: list[str] = []
        self.details_depth = 0
        self.details_ok = True
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pairs = tuple((k, v or "") for k, v in attrs)
        self.tags.append((tag, pairs))
        self.urls += [v for k, v in pairs if (tag, k) in {("a", "href"), ("img", "src")}]
        if tag == "details":
            self.details_depth += 1
        if tag not in _VOID:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.details_depth -= 1
            self.details_ok = self.details_ok and self.details_depth >= 0
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not _NO_REFERENCES.intersection(self._open):
            self.texts.append(data)


def render(markdown: str, *, unsafe: bool = True) -> str:
    """cmark-gfm HTML as GitHub produces it before sanitising."""
    options = Options.CMARK_OPT_FOOTNOTES | (Options.CMARK_OPT_UNSAFE if unsafe else 0)
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=options))


def _walk(html: str) -> _Walker:
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker


def _raw_tags(unsafe: list[Tag], safe: list[Tag]) -> list[str]:
    # Attributes can differ between renders (safe mode blanks javascript:
    # URLs), so align on tag names and report what only the unsafe render has.
    matcher = difflib.SequenceMatcher(
        a=[t for t, _ in safe], b=[t for t, _ in unsafe], autojunk=False)
    raw: list[str] = []
    for op, _a0, _a1, b0, b1 in matcher.get_opcodes():
        if op in {"insert", "replace"}:
            raw += [t for t, _ in unsafe[b0:b1]]
    return raw


def inspect(markdown: str, allowed_links: Iterable[str] = ()) -> Findings:
    """Render ``markdown`` like GitHub and list what is live in the result.

    ``allowed_links`` are URL prefixes we put there ourselves (e.g. the run's
    URL); every other href/src is reported.
    """
    html = render(markdown)
    seen, safe = _walk(html), _walk(render(markdown, unsafe=False))
    raw = _raw_tags(seen.tags, safe.tags)
    prefixes = tuple(allowed_links)
    text = "\n".join(seen.texts)
    return Findings(
        html=html,
        raw_html=[t for t in raw if t in SANITISER_KEEPS],
        raw_html_stripped=[t for t in raw if t not in SANITISER_KEEPS],
        outside_links=[u for u in seen.urls if not (prefixes and u.startswith(prefixes))],
        mentions=["@" + m.group(1) for m in MENTION.finditer(text)],
        issue_refs=[m.group(0) for m in ISSUE_REF.finditer(text)],
        details_balanced=seen.details_ok and seen.details_depth == 0,
    )
