"""Hostile text in every field, through every channel, judged by the real engines.

Each case puts one string of `tests/hostile.py` into one field of a report
(for a running, a failed and a completed job) and publishes it through one
channel. The judges are the test oracles, not our own models:

- step log, CLI text, CLI markdown: `oracles.actions_runner` (a port of the
  Actions runner's command parser). A step-log case must produce exactly the
  commands the same output produces with plain text in that field (ours:
  stop-commands and its resume, group/endgroup, error); the CLI formats none.
- job summary, PR comment: `oracles.gfm` (cmark-gfm as GitHub runs it), and
  markdown-it for the summary (the comment shares its templates): no raw
  HTML but our own folds, no link outside GitHub, no live @mention, #n,
  owner/repo#n or GH-n, every <details> closed; within GitHub's size limit.
- outputs: within GitHub's 1 MB, UTF-8 encodable.

`tally()` counts cases and findings per channel; tests assert the findings
are zero and that README's robustness table shows these counts, and
`scripts/robustness.py` prints the table.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from agent_job_status.display import describe
from agent_job_status.pipeline import failure_line, log_reports
from agent_job_status.publish import OUTPUTS_LIMIT, outputs_for
from agent_job_status.render import COMMENT_LIMIT, SUMMARY_LIMIT, render_comment, render_summary
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.samples import sample_report
from agent_job_status.settings import Settings, from_inputs
from agent_job_status.terminal import format_text
from agent_job_status.text import utf8_safe

from .hostile import HOSTILE
from .oracles import actions_runner, gfm

FIELDS = (
    "id", "branch", "title", "pr_title", "model", "reason", "current_step", "log",
    "log_source", "conclusion", "pr_state", "changed_files",
)  # fmt: skip
STATUSES = ("running", "failed")  # between them, every field is shown
CHANNELS = ("step log", "job summary", "PR comment", "outputs", "CLI text", "CLI markdown")
ALLOWED_LINKS = ("https://github.com/acme/agents/",)
_SETTINGS: Settings = from_inputs(
    {"job_id": "a", "repository": "acme/agents", "fail_on": "failed,running,completed"},
    {"GITHUB_WORKSPACE": "/nonexistent"},
)


@dataclass
class Tally:
    cases: int = 0
    commands: int = 0  # commands from agent text
    html: int = 0  # raw HTML elements, outside links, unbalanced <details>
    references: int = 0  # live mentions and issue references
    crashes: int = 0
    examples: list[str] | None = None

    def note(self, what: str) -> None:
        self.examples = [*(self.examples or [])[:9], what]


def status_of(report: Report) -> str:
    return report.status.value


def with_field(report: Report, name: str, text: str) -> Report:
    value: object = (text, "src/ok.py") if name == "changed_files" else text
    return replace(report, **{name: value})


def plain(text: str) -> str:
    """The harmless stand-in for `text`: empty stays empty (no failed-log block)."""
    return "plain text" if text else ""


def hostile_reports() -> Iterator[tuple[str, str, Report]]:
    """(field, hostile string, report) for every field, string and status."""
    for status in STATUSES:
        base = sample_report(status)
        for name in FIELDS:
            for text in HOSTILE:
                yield name, text, with_field(base, name, text)


def step_log(report: Report) -> str:
    """What the action prints about a report: a progress line, the final
    lines with the failed-log block, the failure annotation."""
    out = io.StringIO()
    runner = Runner({"GITHUB_ACTIONS": "true"}, out)
    runner.info(f"[0m05s] {describe(report)}")
    log_reports([report], runner)
    runner.error(failure_line([report], _SETTINGS.gate))
    return out.getvalue()


def command_shape(text: str) -> list[tuple[str, str]]:
    """The commands the runner runs, our random stop token made constant."""
    shape: list[tuple[str, str]] = []
    token = None
    for cmd in actions_runner.commands_in(text):
        if cmd.name == actions_runner.STOP_COMMAND:
            token = cmd.data
            shape.append((cmd.name, "<token>"))
        elif token is not None and cmd.name == token:
            shape.append(("<resume>", ""))
        else:
            shape.append((cmd.name, cmd.syntax))
    return shape


OUR_HTML = frozenset({"details", "summary"})  # the templates' own folds


def markdown_findings(markdown: str, *, markdown_it: bool) -> tuple[int, int, list[str]]:
    """(HTML findings, reference findings, what) under cmark-gfm (and markdown-it).

    Raw HTML is any raw element but our own folds, which must stay balanced.
    """
    found = gfm.inspect(markdown, ALLOWED_LINKS)
    raw = [t for t in found.raw_html + found.raw_html_stripped if t not in OUR_HTML]
    html = raw + found.outside_links
    html += [] if found.details_balanced else ["<details> unbalanced"]
    refs = found.mentions + found.issue_refs
    if markdown_it:
        from .test_render_html import check  # markdown-it, as the screenshots render

        try:
            check(markdown)
        except AssertionError as exc:
            html.append(f"markdown-it: {str(exc)[:80]}")
    return len(html), len(refs), html + refs


def _judge(tally: Tally, where: str, action: Callable[[], tuple[int, int, int, list[str]]]) -> None:
    tally.cases += 1
    try:
        commands, html, refs, what = action()
    except Exception as exc:
        tally.crashes += 1
        tally.note(f"{where}: {type(exc).__name__}: {exc}"[:200])
        return
    tally.commands += commands
    tally.html += html
    tally.references += refs
    if commands or html or refs:
        tally.note(f"{where}: {what[:3]}")


def tally() -> dict[str, Tally]:
    """Every case, per channel."""
    results = {channel: Tally() for channel in CHANNELS}
    baseline: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for status in STATUSES:
        for name in FIELDS:
            for value in ("plain text", ""):
                report = with_field(sample_report(status), name, value)
                baseline[(status, name, value)] = command_shape(step_log(report))

    for name, text, report in hostile_reports():
        where = f"{report.status.value}/{name}={text[:40]!r}"

        def log_case(
            report: Report = report, key: tuple[str, str, str] = (status_of(report), name, text)
        ) -> tuple[int, int, int, list[str]]:
            # Exactly the commands the same output makes with plain text there.
            shape = command_shape(step_log(report))
            expected = baseline[(key[0], key[1], plain(key[2]))]
            return (0 if shape == expected else 1), 0, 0, shape

        def md_case(markdown: str, limit: int, bytes_: bool) -> tuple[int, int, int, list[str]]:
            size = len(markdown.encode()) if bytes_ else len(markdown)
            html, refs, what = markdown_findings(markdown, markdown_it=bytes_)
            return 0, html + (size > limit), refs, what

        def summary(report: Report = report) -> tuple[int, int, int, list[str]]:
            return md_case(render_summary([report]), SUMMARY_LIMIT, bytes_=True)

        def comment(report: Report = report) -> tuple[int, int, int, list[str]]:
            body = render_comment([report], repository="acme/agents", job_key="a")
            return md_case(body, COMMENT_LIMIT, bytes_=False)

        def outputs(report: Report = report) -> tuple[int, int, int, list[str]]:
            values, _ = outputs_for([report], _SETTINGS.publish)
            size = sum(len(k) + len(utf8_safe(v).encode()) for k, v in values.items())
            return 0, int(size > OUTPUTS_LIMIT), 0, [f"{size} bytes"]

        def cli_text(report: Report = report) -> tuple[int, int, int, list[str]]:
            cmds = actions_runner.commands_in(format_text([report], colour=False))
            return len(cmds), 0, 0, [c.name for c in cmds]

        def cli_markdown(report: Report = report) -> tuple[int, int, int, list[str]]:
            # The job summary's Markdown (judged as such above), printed.
            cmds = actions_runner.commands_in(render_summary([report]))
            return len(cmds), 0, 0, [c.name for c in cmds]

        for channel, case in zip(
            CHANNELS, (log_case, summary, comment, outputs, cli_text, cli_markdown), strict=True
        ):
            _judge(results[channel], f"{channel} {where}", case)
    return results


def table(results: dict[str, Tally]) -> str:
    """README's robustness table for these results."""
    lines = [
        "| Channel | Hostile cases | Forged commands | Raw HTML | Live references | Crashes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for channel, t in results.items():
        lines.append(
            f"| {channel} | {t.cases:,} | {t.commands} | {t.html} | {t.references} | {t.crashes} |"
        )
    return "\n".join(lines)


README_TABLE = re.compile(r"^\| Channel \| Hostile cases \|.*?(?=\n\n)", re.MULTILINE | re.DOTALL)


def readme_table(readme: Path) -> str:
    match = README_TABLE.search(readme.read_text(encoding="utf-8"))
    return match.group(0) if match else ""
