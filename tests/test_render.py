"""Rendering: hostile values, golden files, GitHub's limits, template errors."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt

from agent_job_status.errors import ConfigError
from agent_job_status.filters import ago, duration, emoji, tail
from agent_job_status.render import marker, render_comment, render_preview, render_summary
from agent_job_status.report import Report
from agent_job_status.samples import SAMPLE_NOW, sample_report
from agent_job_status.status import WORDS as STATUSES
from agent_job_status.text import ZWSP

try:
    from tests.hostile import HOSTILE, HOSTILE_URLS
except ImportError:  # tests/ is on sys.path instead of the project root
    from hostile import HOSTILE, HOSTILE_URLS  # type: ignore[no-redef]

MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
GOLDEN = Path(__file__).parent / "golden"
TEXT_FIELDS = ("title", "pr_title", "branch", "model", "current_step", "reason", "log_source")
TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def summary(reports: list[Report], **kwargs: object) -> str:
    return render_summary(reports, now=SAMPLE_NOW, **kwargs)  # type: ignore[arg-type]


def comment(reports: list[Report], **kwargs: object) -> str:
    return render_comment(
        reports,
        repository="acme/agents",
        job_key="k",
        now=SAMPLE_NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def raw_tags(markdown: str) -> list[str]:
    """Raw HTML tags as markdown-it passes them through (e.g. '<details', '</summary')."""
    tags: list[str] = []

    def walk(tokens: list) -> None:  # type: ignore[type-arg]
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                content = re.sub(r"<!--.*?-->", "", token.content, flags=re.DOTALL)
                tags.extend(f"<{close}{name.lower()}" for close, name in TAG.findall(content))
            if token.children:
                walk(token.children)

    walk(MD.parse(markdown))
    return tags


def outside_code(rendered: str) -> str:
    return re.sub(r"<(pre|code)[^>]*>.*?</\1>", "", rendered, flags=re.DOTALL)


def check_safe(markdown: str, benign: str) -> None:
    rendered = MD.render(markdown)
    low = rendered.lower()
    assert "<script" not in low
    assert "<img" not in low
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", low)
    for href in re.findall(r'href="([^"]*)"', rendered):
        parts = urlsplit(href)
        assert parts.scheme == "https" and parts.netloc == "github.com", href
    assert "javascript:" not in " ".join(re.findall(r'href="[^"]*"', low))
    tags = raw_tags(markdown)
    assert set(tags) <= {"<details", "</details", "<summary", "</summary"}, tags
    assert tags == raw_tags(benign)
    assert tags.count("<details") == tags.count("</details")
    assert rendered.count("<tr>") == MD.render(benign).count("<tr>")
    text = outside_code(rendered)
    assert not re.search(r"@[A-Za-z0-9]", text), "mention would ping"
    assert not re.search(r"(?<![\w&])#[0-9]", text), "issue reference would link"
    for line in markdown.splitlines():
        assert not line.lstrip(" \t").startswith(("::", "##[")), line
    assert fences_balanced(markdown)


def fences_balanced(markdown: str) -> bool:
    """Every fenced block closed: backtick or tilde fences (CommonMark)."""
    fence = ""
    for line in markdown.splitlines():
        run = re.match(r"^(`{3,}|~{3,})", line)
        if not fence and run:
            fence = run.group(1)
        elif fence and re.fullmatch(rf"{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
            fence = ""
    return fence == ""


# ------------------------------------------------------------- hostile


def base_for(field: str) -> Report:
    return sample_report("running" if field == "current_step" else "failed")


@pytest.mark.parametrize("field", (*TEXT_FIELDS, "id", "changed_files", "log"))
def test_hostile_values_in_every_field(field: str) -> None:
    base = base_for(field)

    def with_value(value: str) -> Report:
        if field == "changed_files":
            return replace(base, changed_files=(value, "ok.py", value))
        return replace(base, **{field: value})

    merged = sample_report("merged")
    for value in HOSTILE:
        # The benign twin: the same shape (empty stays empty), harmless text.
        good = with_value("benign" if value else "")
        report = with_value(value)
        check_safe(summary([report]), summary([good]))
        check_safe(comment([report]), comment([good]))
        check_safe(summary([report, merged]), summary([good, merged]))


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_never_become_links(url: str) -> None:
    report = replace(sample_report("merged"), pr_url=url, run_url=url, branch_url=url)
    for markdown in (summary([report]), comment([report]), summary([report, report])):
        assert "href" not in MD.render(markdown)


def test_marker_cannot_close_the_comment() -> None:
    line = marker("acme/agents --> <b>x</b>", "job--->\n<!--")
    assert line.startswith("<!-- agent-job-status:") and line.endswith(" -->")
    inner = line[len("<!-- ") : -len(" -->")]
    assert "--" not in inner and ">" not in inner and "<" not in inner and "\n" not in inner
    assert marker("acme/agents", "abc-1") == "<!-- agent-job-status:acme/agents:abc-1 -->"
    body = comment([sample_report("failed")])
    assert body.splitlines()[0] == "<!-- agent-job-status:acme/agents:k -->"


# -------------------------------------------------------------- golden


@pytest.mark.parametrize("kind", ("summary", "comment"))
@pytest.mark.parametrize("status", STATUSES)
def test_golden(status: str, kind: str) -> None:
    text = render_preview(status, None, kind)  # type: ignore[arg-type]
    path = GOLDEN / f"{kind}-{status}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.read_bytes().decode("utf-8") == text
    check_safe(text, text)


def test_golden_several_jobs() -> None:
    reports = [sample_report(status) for status in STATUSES]
    text = summary(reports)
    path = GOLDEN / "summary-several.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert path.read_bytes().decode("utf-8") == text


def test_summary_content() -> None:
    running = summary([sample_report("running")])
    assert running.startswith("## 🏃 Agent job `")
    assert "step 4/7: Run agent" in running
    completed = summary([sample_report("completed")])
    assert "— completed\n" in completed.splitlines()[0] + "\n"
    assert "[\\#" + ZWSP + "42 " in completed
    failed = summary([sample_report("failed")])
    assert "**Reason:** failure" in failed and "<summary>Log (5 lines)</summary>" in failed
    timed_out = summary([replace(sample_report("running"), timed_out=True)])
    assert "**Timed out**" in timed_out.split("\n\n")[1]
    several = summary([sample_report("merged"), sample_report("failed")])
    assert "**Overall:** ❌ failed" in several and several.count("\n| `") == 2


def test_many_files_are_collapsed() -> None:
    files = tuple(f"src/f{i}.py" for i in range(21))
    text = summary([replace(sample_report("completed"), changed_files=files)])
    assert "<details><summary>21 changed files</summary>\n\n- `src/f0.py`" in text
    few = summary([replace(sample_report("completed"), changed_files=files[:20])])
    assert "**Changed files (20):**" in few and "<details><summary>20" not in few


def test_filters() -> None:
    assert duration(3723) == "1h 2m 3s"
    assert duration(0) == "0s"
    assert duration(None) == ""
    assert duration(-5) == "0s"
    assert tail("a\nb\nc\n", 2) == "b\nc"
    assert tail("x" * 5000, 1) == "x" * 999 + "…"
    assert ago(SAMPLE_NOW - timedelta(hours=1, minutes=2, seconds=3), SAMPLE_NOW) == "1h 2m ago"
    assert ago(SAMPLE_NOW + timedelta(minutes=5), SAMPLE_NOW) == "in 5m"
    assert ago(SAMPLE_NOW, SAMPLE_NOW) == "just now"
    assert ago(None, SAMPLE_NOW) == ""
    assert [emoji(s) for s in STATUSES] == ["⏳", "🏃", "✅", "❌", "🟣", "🚫", "❔", "⚠️"]


def test_preview_every_status_and_kind() -> None:
    for status in STATUSES:
        assert f"— {status.replace('_', chr(92) + '_')}" in render_preview(status)
    with pytest.raises(ConfigError):
        sample_report("bogus")
    with pytest.raises(ConfigError):
        render_preview("failed", None, "bogus")  # type: ignore[arg-type]


# -------------------------------------------------------------- limits


def huge_report(log: str) -> Report:
    files = tuple(f"src/package_{i // 100}/module_{i}.py" for i in range(50_000))
    return replace(sample_report("failed"), log=log, changed_files=files)


@pytest.fixture(scope="module")
def log_lines() -> str:
    line = "2025-01-15T10:00:00Z step output " + "y" * 70 + "\n"
    return line * (5_000_000 // len(line))


@pytest.mark.parametrize("single_line", (False, True))
def test_limits_hold(single_line: bool, log_lines: str) -> None:
    log = "z" * 5_000_000 if single_line else log_lines
    report = huge_report(log)
    text = render_summary([report], now=SAMPLE_NOW)
    assert len(text.encode("utf-8")) <= 1_000_000
    assert "> File list cut to the first " in text
    assert text.count("<details>") == text.count("</details>")
    assert fences_balanced(text)
    assert "- … and " in text
    body = comment([report])
    assert len(body) <= 65_000
    assert "> File list cut to the first " in body
    assert body.count("<details>") == body.count("</details>") >= 1
    assert fences_balanced(body)
    assert body.startswith("<!-- agent-job-status:")


def test_log_is_cut_first_keeping_its_tail(log_lines: str) -> None:
    report = replace(sample_report("failed"), log=log_lines + "LAST LINE\n")
    body = comment([report], limit=3_000)
    assert len(body) <= 3_000
    assert "> Log cut to the last " in body and "lines to fit GitHub's limit." in body
    assert "LAST LINE" in body
    assert "File list cut" not in body
    assert fences_balanced(body)


def test_minimal_fallback_fits() -> None:
    report = huge_report("x\n" * 100)
    body = comment([report], limit=600)
    assert len(body) <= 600
    assert body.startswith("<!-- agent-job-status:acme/agents:k -->\n")
    assert "Details left out to fit GitHub's limit." in body
    small = render_summary([report] * 30, limit=800)
    assert len(small.encode("utf-8")) <= 800


def test_many_jobs_rows_are_cut() -> None:
    reports = [replace(sample_report("completed"), id=f"job-{i}") for i in range(2_000)]
    body = comment(reports)
    assert len(body) <= 65_000
    assert "more jobs not shown to fit GitHub's limit" in body


# ------------------------------------------------------- template errors


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tmpl" / "summary.md.j2"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(template: Path) -> str:
    with pytest.raises(ConfigError) as info:
        render_summary([sample_report("failed")], template)
    message = info.value.message
    assert "\n" not in message
    return message


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "# ok\n{{ report.status }}\n{% if %}\n")
    message = error_for(path)
    assert message.startswith(f"Template '{path}' line 3: ")


def test_undefined_variable_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "# ok\n\n{{ foo }}\n")
    assert error_for(path) == f"Template '{path}' line 3: 'foo' is undefined"
    path = write(tmp_path, "{{ report.nope }}\n")
    assert error_for(path).startswith(f"Template '{path}' line 1: ")


@pytest.mark.parametrize(
    "source",
    (
        "{{ report.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ reports.append(1) }}",
        "{{ report.to_dict.__globals__ }}",
    ),
)
def test_sandbox_escape_is_a_config_error(tmp_path: Path, source: str) -> None:
    path = write(tmp_path, "x\n" + source + "\n")
    message = error_for(path)
    assert message.startswith(f"Template '{path}' line 2: ")
    assert "unsafe" in message or "not safely callable" in message or "undefined" in message


def test_custom_template_with_filters_and_includes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# {{ report.status | emoji }} {{ report.pr_title | md }} {{ job_count }}\n"
        "{% set job = report %}{% include '_files.md.j2' %}",
    )
    report = replace(sample_report("completed"), pr_title="<b>@x</b>")
    text = render_summary([report], path, now=SAMPLE_NOW)
    assert text.startswith("# ✅ &lt;b&gt;@" + ZWSP + "x&lt;/b&gt; 1\n")
    assert "- `docs/webhooks.md`" in text


def test_unreadable_template(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        render_summary([sample_report("failed")], tmp_path / "missing.j2")
