"""The command line: `action` (the container entrypoint), `status`, `demo`, `render`.

Every failure ends with one clear line and an exit code (2 bad input, 3 the
status could not be obtained), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from agent_job_status import __version__, markdown
from agent_job_status.comment import StickyComments
from agent_job_status.display import describe
from agent_job_status.errors import InputError, JobStatusError
from agent_job_status.event import job_id_from_event, load_event
from agent_job_status.publish import exit_code, publish
from agent_job_status.render import render_preview, render_summary
from agent_job_status.report import Report
from agent_job_status.run import check, make_client, usage_line
from agent_job_status.runner import Runner
from agent_job_status.settings import DEFAULTS, check_prefix, from_inputs, inputs_from_env
from agent_job_status.status import WORDS
from agent_job_status.terminal import format_text
from agent_job_status.text import neutral

FORMATS = ("text", "json", "markdown", "popebot", "mintlify")
FAILED_LOG_LINES = 30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block.
        sys.stderr.write(f"error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="agent-job-status",
        description="Where an autonomous coding agent's job stands, from GitHub.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("action", help="run as the GitHub Action (reads INPUT_* and GITHUB_*)")

    status = sub.add_parser("status", help="the status of one or more jobs")
    status.add_argument("job_ids", nargs="*", metavar="JOB_ID")
    status.add_argument("--all", action="store_true", help="every job branch or open job PR")
    status.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/REPO (default: $GITHUB_REPOSITORY)",
    )
    status.add_argument("--format", choices=FORMATS, default="text")
    status.add_argument("--api-url", default="", help="default: $GITHUB_API_URL or api.github.com")
    status.add_argument("--branch-prefix", default=DEFAULTS["branch_prefix"])
    status.add_argument(
        "--workflow", default=DEFAULTS["workflow"], help="the agent's workflow file; '' for any"
    )
    status.add_argument("--wait", action="store_true", help="block until the job ends")
    status.add_argument("--wait-for", default=DEFAULTS["wait_for"], choices=("finished", "merged"))
    status.add_argument("--timeout", default=DEFAULTS["timeout"])
    status.add_argument("--poll-interval", default=DEFAULTS["poll_interval"])
    status.add_argument("--start-timeout", default=DEFAULTS["start_timeout"])
    status.add_argument(
        "--fail-on", default=DEFAULTS["fail_on"], help="statuses that exit 1 (comma list, or none)"
    )
    status.add_argument("--no-fail-on-timeout", action="store_true")

    serve = sub.add_parser("serve", help="serve the two reference job-status APIs over HTTP")
    serve.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/REPO (default: $GITHUB_REPOSITORY)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--project-id", default="", help="v2 projectId (default: the repo name)")
    serve.add_argument("--branch-prefix", default=DEFAULTS["branch_prefix"])
    serve.add_argument("--workflow", default=DEFAULTS["workflow"], help="'' for any workflow")
    serve.add_argument("--api-url", default="", help="default: $GITHUB_API_URL or api.github.com")

    demo = sub.add_parser("demo", help="run offline against the built-in GitHub simulator")
    demo.add_argument("--scenario", default="lifecycle")
    demo.add_argument("--speed", type=float, default=1.0, help="compress the scenario's time")

    render = sub.add_parser("render", help="preview the summary or comment for template authors")
    render.add_argument("--template", type=Path, default=None)
    render.add_argument("--sample", choices=WORDS, default="running")
    render.add_argument("--kind", choices=("summary", "comment"), default="summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    env = dict(os.environ)
    if args.command == "action":
        return guarded(
            lambda runner: action_with_summary(env, runner), Runner(env, sys.stdout, commands=True)
        )
    # Outside Actions, progress goes to stderr so stdout stays parseable.
    runner = Runner({k: v for k, v in env.items() if k != "GITHUB_ACTIONS"}, sys.stderr)
    if args.command == "status":
        return guarded(lambda r: status(args, env, r, sys.stdout), runner)
    if args.command == "serve":
        from agent_job_status.serve import run_serve  # Starlette/uvicorn: an optional extra

        return guarded(lambda r: run_serve(args, env, r.info), runner)
    if args.command == "demo":
        from agent_job_status.demo import run_demo

        return guarded(lambda r: run_demo(args.scenario, args.speed, sys.stdout, r), runner)
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
        if env.get("INPUT_SUMMARY", "").strip().lower() not in ("false", "no", "off", "0"):
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
        prefix = check_prefix(inputs.get("branch_prefix", "") or DEFAULTS["branch_prefix"])
        job_id = job_id_from_event(event_name, payload, prefix)
        if job_id:
            runner.info(f"job_id {neutral(job_id, 200)} from the {neutral(event_name, 40)} event")
            derived = (job_id,)
    settings = from_inputs(inputs, env, derived)
    # A broken custom template fails now (exit 2), not after an hour of waiting.
    if settings.summary and settings.summary_template is not None:
        render_preview("running", settings.summary_template, "summary")
    if settings.comment and settings.comment_template is not None:
        render_preview("running", settings.comment_template, "comment")
    client = make_client(settings, runner)
    comments = StickyComments(client, settings, runner) if settings.comment else None
    outcome = check(
        settings, runner, client=client, on_change=comments.update if comments else None
    )
    reports = publish(outcome.reports, settings, runner)
    if comments is not None:
        comments.update(reports)
    runner.info(usage_line(client.stats))
    for report in reports:
        runner.info(f"agent job {neutral(report.id, 200)}: {describe(report)}")
        if report.status == "failed" and report.log:
            # Why it failed, right in the step log; the agent wrote these lines.
            tail = report.log.splitlines()[-FAILED_LOG_LINES:]
            runner.group(
                f"Log of failed agent job {neutral(report.id, 80)} (last {len(tail)} lines)", tail
            )
    code = exit_code(reports, settings)
    if code:
        runner.error(failure_line(reports, settings.fail_on))
    return code


def failure_line(reports: list[Report], fail_on: frozenset[str]) -> str:
    bad = [r for r in reports if r.status in fail_on]
    if bad:
        names = ", ".join(f"{neutral(r.id, 80)} {describe(r)}" for r in bad[:5])
        return f"Agent job ended in a fail_on status: {names}"
    late = [neutral(r.id, 80) for r in reports if r.timed_out]
    return f"Timed out waiting for agent job(s): {', '.join(late[:5])}"


def status(args: argparse.Namespace, env: Mapping[str, str], runner: Runner, out: TextIO) -> int:
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
    runner.mask(token)
    if args.all and args.job_ids:
        raise InputError("job_id", "give job ids or --all, not both")
    if not args.all and not args.job_ids:
        raise InputError("job_id", "give at least one JOB_ID, or --all")
    inputs = {
        "job_id": "*" if args.all else ",".join(args.job_ids),
        "repository": args.repo,
        "token": token,
        "api_url": args.api_url or env.get("GITHUB_API_URL", "") or DEFAULTS["api_url"],
        "branch_prefix": args.branch_prefix,
        "workflow": args.workflow,
        "wait": "true" if args.wait else "false",
        "wait_for": args.wait_for,
        "timeout": args.timeout,
        "poll_interval": args.poll_interval,
        "start_timeout": args.start_timeout,
        "fail_on": args.fail_on,
        "fail_on_timeout": "false" if args.no_fail_on_timeout else "true",
        "log_path": "",
    }
    settings = from_inputs(inputs, {k: v for k, v in env.items() if k != "GITHUB_WORKSPACE"})
    outcome = check(settings, runner)
    runner.info(usage_line(outcome.stats))
    reports = outcome.reports
    out.write(format_reports(reports, args.format, colour=out.isatty()) + "\n")
    out.flush()
    code = exit_code(reports, settings)
    if code:
        runner.error(failure_line(reports, settings.fail_on))
    return code


def format_reports(reports: list[Report], fmt: str, *, colour: bool = False) -> str:
    if fmt == "text":
        return format_text(reports, colour=colour)
    if fmt == "markdown":
        return render_summary(reports)
    views = {"json": Report.to_dict, "popebot": Report.popebot, "mintlify": Report.mintlify}[fmt]
    data = [views(r) for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)
