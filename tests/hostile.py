"""A reusable corpus of hostile strings for anything that renders job text.

Each value was chosen to break one thing: HTML, Markdown structure, tables,
code fences, mentions and references, workflow commands, terminals, encoders
or size limits. `HOSTILE_URLS` are values that must never become a link.
"""

from __future__ import annotations

INVALID_UTF8 = b"caf\xc3 \xff\xfe name \xed\xa0\x80".decode("utf-8", errors="surrogateescape")

HOSTILE: list[str] = [
    "</details>",
    "</summary><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "| col | break |",
    "```\ncode fence\n```",
    "`backtick`",
    "``",
    "@octocat",
    "@acme/secret-team",
    "#123",
    "acme/agents#7 and GH-8",
    "x" * 10000,
    INVALID_UTF8,
    "\ud800 lone surrogate \udfff",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "::set-output name=x::y",
    "::add-mask::secret",
    "::error::boom",
    "::stop-commands::tok",
    "##[error]legacy command",
    "  ::warning file=a::indented",
    "[link](javascript:alert(1))",
    "![img](https://evil.example/x.png)",
    "<https://evil.example/autolink>",
    "https://evil.example/bare and www.evil.example",
    "<!-- -->",
    "--> injected",
    "line one\r\nline two\rline three",
    "nul\x00byte and bell\x07 and del\x7f and c1\x85\x9b",
    "\u202eevil bidi override\u202c",
    "# heading\n===\n---\n- item\n1. item\n> quote",
    "    indented code",
    "*emph* _emph_ **strong** ~~strike~~ $math$",
    "&amp; &lt;script&gt; &#x3C;img&#x3E;",
    "\\` \\* \\\\ trailing backslash\\",
    "a\u2028b\u2029c",
    "",
    "   ",
]

HOSTILE_URLS: list[str] = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:evil.example",
    "file:///etc/passwd",
    "",
]
