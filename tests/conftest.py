"""Shared fixtures: a live GitHub simulator and settings pointed at it."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from agent_job_status.runner import Runner
from agent_job_status.settings import Settings, from_inputs
from github_simulator import SimClock, Simulator

TOKEN = "ghs_TESTtoken0123456789abcdefSECRET"

# Hypothesis: in CI every run draws the same examples and keeps nothing
# between runs (a failure found once is not replayed from .hypothesis/ and
# hidden or shown by luck); locally it explores and remembers what failed.
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=100, deadline=None, print_blob=True
)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)


@pytest.fixture(autouse=True)
def _own_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CLI keeps its HTTP cache in the user's cache dir: a test's own, never
    this machine's (a port reused by a later simulator would find it warm)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("RUNNER_TEMP", raising=False)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(owner="acme", repo="agents", token=TOKEN) as simulator:
        yield simulator


def make_settings(sim: Simulator, workspace: Path, **inputs: str) -> Settings:
    given = {"repository": "acme/agents", "token": TOKEN, "api_url": sim.url, **inputs}
    return from_inputs(given, {"GITHUB_WORKSPACE": str(workspace)})


@pytest.fixture
def clock() -> SimClock:
    """Virtual time, shared by the simulator and the waiter: sleeping is instant."""
    return SimClock(start=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def vsim(clock: SimClock) -> Iterator[Simulator]:
    """A simulator living in the `clock`'s virtual time."""
    with Simulator(owner="acme", repo="agents", token=TOKEN, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def log() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def runner(log: io.StringIO) -> Runner:
    return Runner({}, log)


def runner_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api_url: str, **extra: str) -> None:
    """The environment the runner gives a Docker action (its files in tmp_path),
    with none of this machine's own INPUT_* or GITHUB_* variables."""
    for key in list(os.environ):
        if key.startswith(("INPUT_", "GITHUB_")) or key in ("RUNNER_DEBUG", "GH_TOKEN"):
            monkeypatch.delenv(key)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "acme/agents",
        "GITHUB_API_URL": api_url,
        "INPUT_TOKEN": TOKEN,
        **extra,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


# The README's figures come from here: printed at the end of every run.
COUNTED_FILES = {
    "fault scenarios: tests passed": "tests/test_faults.py",
    "bad input: tests passed": "tests/test_bad_input.py",
    "secret scans: tests passed": "tests/test_secrets.py",
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from .tally import TALLY

    passed = [report.nodeid for report in terminalreporter.stats.get("passed", [])]
    counts = dict(TALLY)
    for label, path in COUNTED_FILES.items():
        counts[label] = sum(1 for nodeid in passed if nodeid.startswith(path + "::"))
    terminalreporter.write_sep("-", "suite counts (the README's figures)")
    for label in sorted(counts):
        terminalreporter.write_line(f"{label}: {counts[label]}")
