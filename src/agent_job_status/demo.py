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
from agent_job_status.pipeline import run
from agent_job_status.runner import Runner
from agent_job_status.settings import Settings, from_inputs

DEMO_TOKEN = "ghs_demo_token_not_a_secret"  # noqa: S105 - the simulator's own token


NO_SIMULATOR = (
    "the demo needs the simulator package (github_simulator), which the action image "
    "does not ship; pip install agent-job-status and run it there"
)


def run_demo(
    scenario: str, speed: float, out: TextIO, runner: Runner, agent: str = "popebot"
) -> int:
    # The simulator is a development package, absent from the action image.
    try:
        from github_simulator import Simulator, agent_scenarios, scenarios
    except ModuleNotFoundError as exc:
        if exc.name != "github_simulator":
            raise
        raise ConfigError(NO_SIMULATOR) from None
    with Simulator(token=DEMO_TOKEN) as sim, tempfile.TemporaryDirectory() as workspace:
        job_id = "demo-1"
        if agent == "popebot":
            scenarios.apply(sim, scenario, job_id=job_id, speed=speed)
        else:
            # Each agent plays its own story; an unknown name is refused (exit 2).
            try:
                job_id = agent_scenarios.apply(sim, agent, scenario, speed=speed)
            except ValueError as exc:
                raise ConfigError(f"demo: {exc}") from None
        wait_for = "merged" if scenario.endswith("lifecycle") else "finished"
        out.write(
            f"GitHub simulator at {sim.url}, agent '{agent}', scenario '{scenario}'; "
            f"waiting for job {job_id} with wait_for: {wait_for}\n"
        )
        out.flush()
        files = Path(workspace) / ".runner"
        files.mkdir()
        # The action's own path, with a runner that writes its files here.
        captured = Runner(
            {
                "GITHUB_OUTPUT": str(files / "output"),
                "GITHUB_STEP_SUMMARY": str(files / "summary.md"),
            },
            runner.out,
            commands=False,
            verbose=True,
        )
        outcome = run(demo_settings(sim.url, wait_for, workspace, agent, job_id), captured)
        show(files, out)
        log_file = outcome.reports[0].log_file or ""
        out.write(f"\n(log file: {Path(workspace) / log_file} - removed on exit)\n")
        return outcome.code


def demo_settings(
    api_url: str, wait_for: str, workspace: str, agent: str = "popebot", job_id: str = "demo-1"
) -> Settings:
    inputs = {
        "job_id": job_id,
        "agent": agent,
        "repository": "acme/agents",
        "token": DEMO_TOKEN,
        "api_url": api_url,
        "wait": "true",
        "wait_for": wait_for,
        "poll_interval": "1s",
        "timeout": "2m",
        "start_timeout": "30s",
    }
    return from_inputs(inputs, {"GITHUB_WORKSPACE": workspace})


def show(files: Path, out: TextIO) -> None:
    """The outputs and the summary the action wrote, as a reader would see them."""
    out.write("\n== Step outputs ==\n")
    for name, value in read_outputs(files / "output").items():
        shown = value if len(value) <= 100 else value[:97] + "..."
        out.write(f"{name:18} {shown!r}\n" if "\n" in shown else f"{name:18} {shown}\n")
    out.write("\n== Job summary (Markdown) ==\n")
    out.write((files / "summary.md").read_text(encoding="utf-8"))


def read_outputs(path: Path) -> dict[str, str]:
    """Outputs as the runner reads `$GITHUB_OUTPUT`: `name<<DELIMITER` blocks."""
    lines = path.read_text(encoding="utf-8").split("\n")
    outputs: dict[str, str] = {}
    index = 0
    while index < len(lines):
        name, _, delimiter = lines[index].partition("<<")
        if not delimiter:
            index += 1
            continue
        end = lines.index(delimiter, index + 1)
        outputs[name] = "\n".join(lines[index + 1 : end])
        index = end + 1
    return outputs
