"""Render the demo's job summary and PR comment the way GitHub would, and
screenshot them with headless Chromium (Debian's `chromium` package).

    python scripts/screenshots.py [--out docs]

The Markdown is turned into HTML with markdown-it-py (CommonMark + tables +
strikethrough, raw HTML kept as GitHub does for <details>/<summary>), wrapped
in a page styled like GitHub's Markdown body, and shot at 900 px wide.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from agent_job_status.pipeline import observe
from agent_job_status.render import render_comment, render_summary
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.samples import sample_report
from agent_job_status.settings import from_inputs
from github_simulator import SimClock, Simulator, scenarios

TOKEN = "ghs_screenshot_token_0123456789"  # the simulator's own, not a secret

CSS = """
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; max-width: 880px; margin: 0 auto; padding: 24px;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial,
  sans-serif, "Noto Color Emoji"; font-size: 14px; line-height: 1.5; color: #1f2328; }
.frame { border: 1px solid #d1d9e0; border-radius: 6px; margin: 16px; }
.frame-title { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px;
  font: 600 14px sans-serif; color: #59636e; border-radius: 6px 6px 0 0; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 0; }
h3 { font-size: 1.25em; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; background: #f6f8fa; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 85%;
  background: rgba(129,139,152,.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; font-size: 85%; }
blockquote { margin: 0 0 16px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
a { color: #0969da; text-decoration: none; }
details summary { cursor: pointer; }
"""


def to_html(markdown: str) -> str:
    """GitHub-flavoured Markdown to HTML, as close as markdown-it gets."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.render(markdown)


def page(title: str, body_html: str, open_details: bool = True) -> str:
    if open_details:  # show what a reader sees after a click
        body_html = body_html.replace("<details>", "<details open>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head>"
        f"<body><div class='frame'><div class='frame-title'>{html.escape(title)}</div>"
        f"<div class='markdown-body'>{body_html}</div></div></body></html>"
    )


def demo_reports() -> dict[str, list[Report]]:
    """The demo's job at its end (merged); a running and a failed job from the
    samples (the simulator's scenarios for those happen at one instant, which
    would show 0 s durations)."""
    out: dict[str, list[Report]] = {
        "failed": [sample_report("failed")],
        "running": [sample_report("running")],
    }
    for name, scenario, wait_for in (("merged", "lifecycle", "merged"),):
        clock = SimClock(start=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        with Simulator(token=TOKEN, clock=clock) as sim, tempfile.TemporaryDirectory() as ws:
            scenarios.apply(sim, scenario, job_id="demo-1", speed=0.05)
            inputs = {
                "job_id": "demo-1",
                "repository": "acme/agents",
                "token": TOKEN,
                "api_url": sim.url,
                "poll_interval": "10s",
                "log_path": "",
            }
            if wait_for:
                inputs |= {"wait": "true", "wait_for": wait_for}
            settings = from_inputs(inputs, {"GITHUB_WORKSPACE": ws})
            out[name] = observe(settings, Runner({}, io.StringIO()), clock=clock)
    return out


def _chromium(*args: str) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp}/profile",
                "--hide-scrollbars",
                *args,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    return done.stdout


def content_height(html_text: str, source: Path) -> int:
    """The page's full height at our width, asked of Chromium (--dump-dom runs the
    script that writes it into the DOM), so no shot is cut off."""
    probe = html_text.replace(
        "</body>",
        "<script>document.title = 'h=' + Math.ceil(document.documentElement"
        ".getBoundingClientRect().height);</script></body>",
    )
    source.write_text(probe, encoding="utf-8")
    dom = _chromium("--window-size=920,600", "--dump-dom", source.as_uri())
    found = re.search(r"<title>h=(\d+)</title>", dom)
    if found is None:
        raise SystemExit("could not measure the page's height")
    return int(found.group(1)) + 16  # the frame's bottom margin


def shoot(html_text: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.html"
        height = content_height(html_text, source)
        source.write_text(html_text, encoding="utf-8")
        _chromium(f"--window-size=920,{height}", f"--screenshot={target}", source.as_uri())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    fixed = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    reports = demo_reports()
    job_key = reports["running"][0].id
    shots = {
        "summary-merged": ("Job summary", render_summary(reports["merged"], now=fixed)),
        "summary-failed": ("Job summary", render_summary(reports["failed"], now=fixed)),
        "comment-running": (
            "github-actions[bot] commented",
            render_comment(
                reports["running"], repository="acme/agents", job_key=job_key, now=fixed
            ),
        ),
    }
    for name, (title, markdown) in shots.items():
        shoot(page(title, to_html(markdown)), args.out / f"{name}.png")
        print(f"{args.out / name}.png")


if __name__ == "__main__":
    main()
