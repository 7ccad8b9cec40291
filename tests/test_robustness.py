"""Agent text stays inert under the real runner parser and cmark-gfm, in every
field and channel; README's robustness table is exactly what this counts."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from agent_job_status.render import render_summary
from agent_job_status.runner import LINE_CHARS, Runner
from agent_job_status.samples import sample_report

from .oracles import actions_runner, gfm
from .robustness import readme_table, table, tally

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_channel_is_inert_and_readme_shows_the_counts() -> None:
    results = tally()
    for channel, found in results.items():
        assert (found.commands, found.html, found.references, found.crashes) == (0, 0, 0, 0), (
            channel,
            found.examples,
        )
    assert readme_table(README) == table(results)


def test_a_title_blank_once_cleaned_is_no_horizontal_rule() -> None:
    for title in ("\u200b", "\x1b[0m", "   ", "\u00ad\u3164"):
        summary = render_summary([replace(sample_report("running"), title=title)])
        assert "****" not in summary and "<hr" not in gfm.render(summary)


def test_a_ten_megabyte_log_line_is_not_printed_whole() -> None:
    out = io.StringIO()
    runner = Runner({"GITHUB_ACTIONS": "true"}, out)
    runner.untrusted_block(["##[error]" + "x" * 10_000_000])
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) < LINE_CHARS + 100
    assert "more characters" in lines[1]
    assert next(c.name for c in actions_runner.commands_in(out.getvalue())) == "stop-commands"
    assert len(actions_runner.commands_in(out.getvalue())) == 2  # stop and resume only
