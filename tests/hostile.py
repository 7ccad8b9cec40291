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

# Found under the real runner and cmark-gfm (issue 11): `##[` anywhere in a
# line, runner log-viewer markers, .NET white space before `::`, backtick runs
# around cmark-gfm's limits (spans: 80; block fences: 255), GH-n references,
# invisible characters the control filter once missed, text blank once cleaned.
BACKTICK_RUNS = (1, 2, 3, 79, 80, 81, 254, 255, 256, 300)
PAYLOAD = "<img src=x> <a href=https://evil.example>a</a> @octocat #9 GH-8 </details>"

HOSTILE += [
    "Run tests ##[stop-commands]pwn",
    "x ##[error]mid-line legacy command",
    "##[set-output name=x]y",
    "::pwn::",
    "##[group]fake group",
    "##[endgroup]",
    "##[command]fake command",
    "##[section]fake section",
    "::warning:\u00ad:soft hyphen inside",
    "\u00a0::error::after a no-break space",
    "\u3000::error::after an ideographic space",
    "\u2028::error::after a line separator",
    "x\r::error::after a carriage return",
    "GH-8",
    "see GH-8 and #9",
    "\U000e0041\U000e0042 tag characters",
    "\u061c arabic letter mark \u00ad soft hyphen \u3164 hangul filler",
    "\u206a\u206f \ufff9annotated\ufffb",
    "\u200b",
    "\x1b[0m",
    "\udc80\udcff escaped bytes",
]
for _n in BACKTICK_RUNS:
    HOSTILE += ["`" * _n + PAYLOAD, "`" * _n + "\n" + PAYLOAD + "\n" + "`" * _n]

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
