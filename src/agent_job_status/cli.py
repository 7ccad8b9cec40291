"""The command line: `action` (the container entrypoint), `status`, `serve`, `demo`, `render`.

Every failure ends with one clear line and an exit code (2 bad input, 3 the
status could not be obtained), never a traceback. Errors name what the user
typed: the input on the action, the flag (or JOB_ID, GITHUB_TOKEN) here.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from agent_job_status import __version__, markdown
from agent_job_status.cancel import Cancelled, cancellable
from agent_job_status.errors import InputError, JobStatusError
from agent_job_status.event import job_id_from_event, load_event
from agent_job_status.inputs import parse_job_ids, parse_prefixes
from agent_job_status.profiles import AGENTS, BUILTIN, choose
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import (
    DEFAULTS,
    Jobs,
    Publishing,
    Settings,
    api_from,
    cache_dir_for,
    from_inputs,
    gate_from,
    inputs_from_env,
    summary_wanted,
    target_from,
    wait_from,
    warnings,
)
from agent_job_status.status import WORDS
from agent_job_status.terminal import format_text
from agent_job_status.text import neutral

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
# What each input is called on the command line, for error messages.
_FLAG_OF = {"job_id": "JOB_ID", "repository": "--repo", "token": "GITHUB_TOKEN"}


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
    env = dict(os.environ)
    if args.command == "action":
        with cancellable():
            return guarded(
                lambda r: action_with_summary(env, r), Runner(env, sys.stdout, commands=True)
            )
    # Outside Actions, progress goes to stderr so stdout stays parseable.
    verbose = bool(getattr(args, "verbose", False))
    runner = Runner(
        {k: v for k, v in env.items() if k != "GITHUB_ACTIONS"}, sys.stderr, verbose=verbose
    )
    if args.command == "status":
        with cancellable():  # Ctrl-C while waiting prints the last status seen
            return guarded(lambda r: status(args, env, r, sys.stdout), runner)
    if args.command == "serve":
        from agent_job_status.serve import run_serve  # Starlette/uvicorn: an optional extra

        return guarded(lambda r: run_serve(args, env, r.info), runner)
    if args.command == "demo":
        from agent_job_status.demo import run_demo

        return guarded(
            lambda r: run_demo(args.scenario, args.speed, sys.stdout, r, args.agent), runner
        )
    from agent_job_status.render import render_preview  # Jinja2: only when rendering

    return guarded(lambda r: _print(render_preview(args.sample, args.template, args.kind)), runner)


def _print(text: str) -> int:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def guarded(body: Callable[[Runner], int], runner: Runner) -> int:
    """Run a command; turn every failure into one line and an exit code."""
    try:
        return body(runner)
    except JobStatusError as exc:
        runner.error(exc.message)
        return exc.exit_code
    except Cancelled as exc:  # outside the wait: nothing known to publish
        runner.error(f"cancelled ({exc.name})")
        return exc.exit_code
    except KeyboardInterrupt:
        runner.error("interrupted")
        return 130
    except Exception as exc:
        runner.error(
            f"internal error ({type(exc).__name__}: {neutral(str(exc), 200)}); "
            "please report it with the steps that led here"
        )
        for line in traceback.format_exc().splitlines():
            runner.debug(line)
        return 3


def action_with_summary(env: Mapping[str, str], runner: Runner) -> int:
    """The action; when it cannot finish, the job summary says why, not only the log."""
    try:
        return action(env, runner)
    except JobStatusError as exc:
        if summary_wanted(env):
            kind = "Bad input" if exc.exit_code == 2 else "Could not get the status"
            runner.append_summary(
                f"## ❌ agent-job-status: {kind.lower()}\n\n{markdown.inline(exc.message, 1000)}\n"
            )
        raise


def action(env: Mapping[str, str], runner: Runner) -> int:
    inputs = inputs_from_env(env)
    runner.mask(inputs.get("token", "").strip())  # before anything else is printed
    derived: tuple[str, ...] = ()
    if not inputs.get("job_id", "").strip():
        event_name, payload = load_event(env)
        prefixes = parse_prefixes(inputs.get("branch_prefix", "") or DEFAULTS["branch_prefix"])
        job_id = job_id_from_event(event_name, payload, prefixes)
        if job_id:
            runner.info(f"job_id {neutral(job_id, 200)} from the {neutral(event_name, 40)} event")
            derived = (job_id,)
    from agent_job_status.pipeline import run  # requests and Jinja2: not for --help

    settings = from_inputs(inputs, env, derived)
    for line in warnings(settings):
        runner.warning(line)
    return run(settings, runner).code


def flag_error(exc: InputError) -> InputError:
    """The same problem, named as the CLI spells the input."""
    flag = _FLAG_OF.get(exc.name, "--" + exc.name.replace("_", "-"))
    if exc.name == "fail_on_timeout":
        flag = "--no-fail-on-timeout"
    return InputError(exc.name, exc.problem, shown_as=flag)


def status_settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """Settings from the parsed flags, each part built directly (no string round trip)."""
    try:
        if args.all and args.job_ids:
            raise InputError("job_id", "give job ids or --all, not both")
        if not args.all and not args.job_ids:
            raise InputError("job_id", "give at least one JOB_ID, or --all")
        ids, every = ((), True) if args.all else parse_job_ids("job_id", ",".join(args.job_ids))
        token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
        api = api_from(args.api_url, token, env, None if args.no_cache else cache_dir_for(env))
        own_run = env.get("GITHUB_RUN_ID", "").strip()
        return Settings(
            jobs=Jobs(ids, every),
            api=api,
            target=target_from(
                args.repo,
                args.branch_prefix,
                args.workflow,
                api,
                int(own_run) if own_run.isdigit() else None,
            ),
            wait=wait_from(
                args.wait, args.wait_for, args.timeout, args.poll_interval, args.start_timeout
            ),
            gate=gate_from(args.fail_on, not args.no_fail_on_timeout),
            publish=Publishing(workspace=Path.cwd()),
            profile=choose(args.agent, Path(args.profile_file) if args.profile_file else None),
        )
    except InputError as exc:
        raise flag_error(exc) from None


def status(args: argparse.Namespace, env: Mapping[str, str], runner: Runner, out: TextIO) -> int:
    from agent_job_status.pipeline import run

    outcome = run(status_settings(args, env), runner)
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and not env.get("NO_COLOR")
    )
    out.write(format_reports(outcome.reports, args.format, colour=colour) + "\n")
    out.flush()
    return outcome.code


def format_reports(reports: list[Report], fmt: str, *, colour: bool = False) -> str:
    if fmt == "text":
        return format_text(reports, colour=colour)
    if fmt == "markdown":
        from agent_job_status.render import render_summary

        return render_summary(reports)
    views = {"json": Report.to_dict, "popebot": Report.popebot, "mintlify": Report.mintlify}[fmt]
    data = [views(r) for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)
