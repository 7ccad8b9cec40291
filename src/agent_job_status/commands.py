"""What each command does, once `cli.py` has parsed its flags.

Every failure ends with one clear line and an exit code (2 bad input, 3 the
status could not be obtained), never a traceback. Errors name what the user
typed: the input on the action, the flag (or JOB_ID, GITHUB_TOKEN) here.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from agent_job_status import markdown
from agent_job_status.cancel import Cancelled, cancellable
from agent_job_status.defaults import DEFAULTS
from agent_job_status.errors import InputError, JobStatusError
from agent_job_status.event import job_id_from_event, load_event
from agent_job_status.inputs import parse_job_ids, parse_prefixes
from agent_job_status.profiles import choose
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import (
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
from agent_job_status.terminal import format_text
from agent_job_status.text import neutral

# What each input is called on the command line, for error messages.
_FLAG_OF = {"job_id": "JOB_ID", "repository": "--repo", "token": "GITHUB_TOKEN"}


def run_command(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Run the command `cli.build_parser` parsed; the exit code."""
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
    from agent_job_status.pipeline import run  # requests: not for `render`

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
                int(own_run) if own_run.isascii() and own_run.isdigit() else None,
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
    from agent_job_status.pipeline import run  # requests: not for `render`

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
        from agent_job_status.render import render_summary  # Jinja2: only for this format

        return render_summary(reports)
    views = {"json": Report.to_dict, "popebot": Report.popebot, "mintlify": Report.mintlify}[fmt]
    data = [views(r) for r in reports]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)
