"""The command line: `action` (the container entrypoint), `status`, `serve`, `demo`, `render`.

This module is the parser; `commands.py` runs what it parsed. It imports
nothing heavy, so `--help` and a usage error answer at once: the commands'
imports (requests, requests-cache, the profiles, Jinja2) wait until a
command runs. A usage error is one line and exit 2, with a suggestion for a
near miss.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from agent_job_status import __version__
from agent_job_status.defaults import AGENTS, BUILTIN, DEFAULTS
from agent_job_status.status import WORDS

FORMATS = ("text", "json", "markdown", "popebot", "mintlify")
COLOR = ("auto", "always", "never")
EPILOG = """\
exit codes:
  0  done
  1  a job ended in a --fail-on status, or the wait timed out
  2  bad input or configuration
  3  the status could not be obtained (authentication, permissions, GitHub
     unreachable), or a job's status is unknown (a 1 above wins)
  130, 143  cancelled by SIGINT (Ctrl-C) or SIGTERM; the last status seen is still shown

environment:
  GITHUB_TOKEN, GH_TOKEN      the token (GITHUB_TOKEN first)
  GITHUB_REPOSITORY           default for --repo
  GITHUB_API_URL              default for --api-url
  GITHUB_SERVER_URL           the web host for links (default: derived from the API URL)
  AGENT_JOB_STATUS_API_KEY    the key `serve` requires of its clients
  NO_COLOR                    no colour with --color auto
"""


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str | None:
        # No "(default: None/False/'')" noise, nor a second default after the help's own.
        text = action.help or ""
        if "default" in text or action.default in (None, False, ""):
            return text
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)  # `--form` is not `--format`
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block; a near miss gets a suggestion.
        hint = _suggestion(message, self)
        sys.stderr.write(f"error: {message}{hint} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _suggestion(message: str, parser: argparse.ArgumentParser) -> str:
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        options = re.findall(r"'([^']*)'", choice.group(2))
        typed = choice.group(1)
    else:
        unknown = re.search(r"unrecognized arguments: (\S+)", message)
        if not unknown:
            return ""
        typed, options = unknown.group(1).split("=", 1)[0], _all_flags(parser)
    close = difflib.get_close_matches(typed, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _all_flags(parser: argparse.ArgumentParser) -> list[str]:
    flags: list[str] = []
    for action in parser._actions:  # argparse has no public walk over its options
        flags += [s for s in action.option_strings if s.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                flags += _all_flags(sub)
    return flags


def _target_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/REPO (default: $GITHUB_REPOSITORY)",
    )
    parser.add_argument("--api-url", default="", help="default: $GITHUB_API_URL or api.github.com")
    parser.add_argument(
        "--branch-prefix",
        default=DEFAULTS["branch_prefix"],
        help="job branches are PREFIX<id>; a comma list is tried in order",
    )
    parser.add_argument(
        "--workflow", default=DEFAULTS["workflow"], help="the agent's workflow file; '' for any"
    )
    parser.add_argument("--agent", choices=AGENTS, default=DEFAULTS["agent"], help="agent profile")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="agent-job-status",
        description="Where an autonomous coding agent's job stands, from GitHub.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("action", help="run as the GitHub Action (reads INPUT_* and GITHUB_*)")

    _status_parser(sub.add_parser("status", help="the status of one or more jobs", epilog=EPILOG))
    serve = sub.add_parser(
        "serve", help="serve the two reference job-status APIs over HTTP", epilog=EPILOG
    )
    _target_flags(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument("--project-id", default="", help="v2 projectId (default: the repo name)")

    demo = sub.add_parser("demo", help="run offline against the built-in GitHub simulator")
    demo.add_argument("--scenario", default="lifecycle", help="the simulator's scenario")
    demo.add_argument("--speed", type=float, default=1.0, help="compress the scenario's time")
    demo.add_argument("--agent", choices=BUILTIN, default="popebot", help="the agent to play")

    render = sub.add_parser("render", help="preview the summary or comment for template authors")
    render.add_argument("--template", type=Path, default=None, help="a custom Jinja template")
    render.add_argument("--sample", choices=WORDS, default="running", help="the sample's status")
    render.add_argument("--kind", choices=("summary", "comment"), default="summary")
    return parser


def _status_parser(status: argparse.ArgumentParser) -> None:
    status.add_argument("job_ids", nargs="*", metavar="JOB_ID", help="job ids (or use --all)")
    status.add_argument("--all", action="store_true", help="every job branch or open job PR")
    _target_flags(status)
    status.add_argument(
        "--profile-file", default="", help="a profile TOML file (with --agent custom)"
    )
    status.add_argument("--format", choices=FORMATS, default="text", help="output format")
    status.add_argument("--wait", action="store_true", help="block until the job ends")
    status.add_argument(
        "--wait-for", default=DEFAULTS["wait_for"], choices=("finished", "merged"),
        help="what ends the wait",
    )  # fmt: skip
    status.add_argument("--timeout", default=DEFAULTS["timeout"], help="longest wait")
    status.add_argument("--poll-interval", default=DEFAULTS["poll_interval"], help="between looks")
    status.add_argument(
        "--start-timeout", default=DEFAULTS["start_timeout"],
        help="how long a job may not exist yet before the wait gives up on it",
    )  # fmt: skip
    status.add_argument(
        "--fail-on", default=DEFAULTS["fail_on"], help="statuses that exit 1 (comma list, or none)"
    )
    status.add_argument(
        "--no-fail-on-timeout", action="store_true", help="a timed-out wait exits 0"
    )
    status.add_argument("--color", choices=COLOR, default="auto", help="colour in the text format")
    status.add_argument(
        "--verbose", action="store_true", help="print the count of GitHub requests made"
    )
    status.add_argument(
        "--no-cache", action="store_true",
        help="keep no conditional cache on disk (default: the user's cache directory)",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from agent_job_status.commands import run_command  # after parsing: not for --help

    return run_command(args, dict(os.environ))
