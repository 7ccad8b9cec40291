"""`agent-job-status demo`: the whole action, offline, against the simulator.

A scripted job goes pending -> running -> completed -> merged over a few
seconds; the real engine waits for it exactly as the action would, then the
outputs and the job summary are printed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from agent_job_status.errors import ConfigError
from agent_job_status.publish import exit_code, outputs_for, write_log_files
from agent_job_status.render import render_summary
from agent_job_status.run import check, usage_line
from agent_job_status.runner import Runner
from agent_job_status.settings import from_inputs

DEMO_TOKEN = "ghs_demo_token_not_a_secret"  # noqa: S105 - the simulator's own token


NO_SIMULATOR = (
    "the demo needs the simulator package (github_simulator), which the action image "
    "does not ship; pip install agent-job-status and run it there"
)


def run_demo(scenario: str, speed: float, out: TextIO, runner: Runner) -> int:
    # The simulator is a development package, absent from the action image.
    try:
        from github_simulator import Simulator, scenarios
    except ModuleNotFoundError as exc:
        if exc.name != "github_simulator":
            raise
        raise ConfigError(NO_SIMULATOR) from None
    with Simulator(token=DEMO_TOKEN) as sim, tempfile.TemporaryDirectory() as workspace:
        scenarios.apply(sim, scenario, job_id="demo-1", speed=speed)
        wait_for = "merged" if scenario == "lifecycle" else "finished"
        settings = from_inputs(
            {
                "job_id": "demo-1",
                "repository": "acme/agents",
                "token": DEMO_TOKEN,
                "api_url": sim.url,
                "wait": "true",
                "wait_for": wait_for,
                "poll_interval": "1s",
                "timeout": "2m",
                "start_timeout": "30s",
            },
            {"GITHUB_WORKSPACE": workspace},
        )
        out.write(
            f"GitHub simulator at {sim.url}, scenario '{scenario}'; waiting for "
            f"job demo-1 with wait_for: {wait_for}\n"
        )
        out.flush()
        outcome = check(settings, runner)
        runner.info(usage_line(outcome.stats))
        reports = outcome.reports
        reports = write_log_files(reports, settings)
        outputs, _ = outputs_for(reports, settings)
        out.write("\n== Step outputs ==\n")
        for name, value in outputs.items():
            shown = value if len(value) <= 100 else value[:97] + "..."
            out.write(f"{name:18} {shown!r}\n" if "\n" in shown else f"{name:18} {shown}\n")
        out.write("\n== Job summary (Markdown) ==\n")
        out.write(render_summary(reports))
        out.write(
            f"\n(log file: {Path(workspace) / (reports[0].log_file or '')} - removed on exit)\n"
        )
        return exit_code(reports, settings)
