"""The real entry point (`python -m agent_job_status`) as a separate process:
signals, exit codes, and what a person sees of the CLI."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from github_simulator import Simulator, scenarios

from .conftest import TOKEN

SECONDS = 60.0  # generous: other test suites may share the machine


def clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment without its INPUT_*, GITHUB_* or colour settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_"))
        and k not in ("GH_TOKEN", "NO_COLOR", "FORCE_COLOR")
    }
    return {**env, **extra}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent_job_status", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=SECONDS,
        check=False,
    )


class Lines:
    """A process's stdout, line by line, read without blocking the test forever."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout

        def pump() -> None:
            for line in stream:
                self._queue.put(line)
            self._queue.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def until(self, text: str) -> None:
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} not printed; got {self.seen!r}")

    def rest(self) -> str:
        while (line := self._queue.get(timeout=SECONDS)) is not None:
            self.seen.append(line)
        return "".join(self.seen)


def action_env(tmp_path: Path, api_url: str, **inputs: str) -> dict[str, str]:
    env = clean_env(
        GITHUB_ACTIONS="true",
        GITHUB_OUTPUT=str(tmp_path / "output.txt"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_WORKSPACE=str(tmp_path),
        GITHUB_REPOSITORY="acme/agents",
        GITHUB_API_URL=api_url,
        INPUT_TOKEN=TOKEN,
    )
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return env


def outputs_of(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's `name<<DELIM ... DELIM` blocks."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        name, _, delim = lines[i].partition("<<")
        end = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return out


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_cancelled_wait_publishes_what_it_knew(
    sim: Simulator, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    scenarios.apply(sim, "running", job_id="j1")  # runs until the end of time
    env = action_env(tmp_path, sim.url, job_id="j1", wait="true", poll_interval="1s")
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_job_status", "action"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines = Lines(proc)
    try:
        lines.until("running")
        started = time.monotonic()
        proc.send_signal(sig)
        assert proc.wait(timeout=SECONDS) == code
        took = time.monotonic() - started
    finally:
        proc.kill()
    log = lines.rest()
    assert took < 5, f"took {took:.1f}s to stop"  # the runner kills it 7.5 s after SIGINT
    assert f"cancelled ({sig.name})" in log and "Traceback" not in log
    outputs = outputs_of(tmp_path / "output.txt")
    assert outputs["status"] == "running" and outputs["id"] == "j1"
    assert '"cancelled": true' in outputs["json"]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "**Cancelled** while waiting" in summary and "running" in summary


def test_second_signal_does_not_cut_the_publishing_short(
    sim: Simulator, tmp_path: Path
) -> None:
    """The runner sends SIGINT, then SIGTERM: the first one counts."""
    scenarios.apply(sim, "running", job_id="j1")
    env = action_env(tmp_path, sim.url, job_id="j1", wait="true", poll_interval="1s")
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent_job_status", "action"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines = Lines(proc)
    try:
        lines.until("running")
        proc.send_signal(signal.SIGINT)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=SECONDS) == 130
    finally:
        proc.kill()
    assert outputs_of(tmp_path / "output.txt")["status"] == "running"
    assert "Traceback" not in lines.rest()


def test_timeout_past_six_hours_warns(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    long = cli("action", env=action_env(tmp_path, sim.url, job_id="j1", wait="true", timeout="8h"))
    assert long.returncode == 0
    warning = [line for line in long.stdout.splitlines() if line.startswith("::warning")]
    assert len(warning) == 1 and "8h" in warning[0] and "self-hosted" in warning[0]
    short = cli("action", env=action_env(tmp_path, sim.url, job_id="j1", wait="true", timeout="6h"))
    assert short.returncode == 0 and "::warning" not in short.stdout
