"""The real entry point (`python -m agent_job_status`) as a separate process:
signals, exit codes, and what a person sees of the CLI."""

from __future__ import annotations

import json
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


def test_second_signal_does_not_cut_the_publishing_short(sim: Simulator, tmp_path: Path) -> None:
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


# --------------------------------------------------------------- the CLI, as typed


def status_env(sim: Simulator, token: str = TOKEN, **extra: str) -> dict[str, str]:
    return clean_env(GITHUB_TOKEN=token, GITHUB_API_URL=sim.url, **extra)


def test_help_shows_defaults_exit_codes_and_environment() -> None:
    top = cli("--help")
    assert top.returncode == 0
    assert "exit codes:" in top.stdout and "3  the status could not be obtained" in top.stdout
    assert "NO_COLOR" in top.stdout and "GITHUB_TOKEN" in top.stdout
    status = cli("status", "--help").stdout
    assert "(default: 60m)" in status and "(default: 10s)" in status
    assert "(default: job/,agent-job/)" in status
    assert "(default: None)" not in status and "(default: False)" not in status
    assert "130, 143" in status
    serve = cli("serve", "--help").stdout
    assert "AGENT_JOB_STATUS_API_KEY" in serve and "(default: 8080)" in serve


@pytest.mark.parametrize(
    ("args", "first_words"),
    [
        (("status", "42", "--repo", "acme/agents", "--timeout", "nope"), "error: --timeout: "),
        (("status", "a b", "--repo", "acme/agents"), "error: JOB_ID: "),
        (("status", "42", "--repo", "acme/agents", "--fail-on", "bad"), "error: --fail-on: "),
    ],
)
def test_errors_name_the_flag_in_one_line(args: tuple[str, ...], first_words: str) -> None:
    proc = cli(*args)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith(first_words) and "Input '" not in line


def test_no_abbreviations_and_did_you_mean() -> None:
    form = cli("status", "42", "--form", "json")
    assert form.returncode == 2
    assert (
        "unrecognized arguments: --form" in form.stderr and "did you mean '--format'" in form.stderr
    )
    command = cli("statsu", "42")
    assert command.returncode == 2 and "did you mean 'status'" in command.stderr
    assert len(command.stderr.splitlines()) == 1


def test_a_branch_that_never_existed_is_not_deleted(sim: Simulator) -> None:
    never = cli("status", "42", "--repo", "acme/agents", env=status_env(sim))
    assert never.returncode == 0, never.stderr
    assert "job/42 (no branch)" in never.stdout and "deleted" not in never.stdout
    scenarios.apply(sim, "merged", job_id="43")  # merged, its branch deleted
    gone = cli("status", "43", "--repo", "acme/agents", env=status_env(sim))
    assert "job/43 (deleted)" in gone.stdout


def test_a_short_token_garbles_nothing(sim: Simulator, tmp_path: Path) -> None:
    proc = cli(
        "status", "42", "--repo", "acme/agents", "--timeout", "nope", env=status_env(sim, "x")
    )
    assert "expected a duration" in proc.stderr and "***" not in proc.stderr
    action = cli("action", env=action_env(tmp_path, sim.url, job_id="42", token="x"))
    assert "::add-mask::" not in action.stdout and "***" not in action.stdout


def test_an_unreachable_api_url_says_where_and_what_to_check() -> None:
    import socket

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v3"
    # The real entry point with the retries' random waits at zero, to finish quickly.
    code = (
        "import random, runpy; random.uniform = lambda a, b: 0.0; "
        "runpy.run_module('agent_job_status', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "status", "42", "--repo", "acme/agents", "--api-url", url],
        capture_output=True,
        text=True,
        env=clean_env(GITHUB_TOKEN=TOKEN),
        timeout=SECONDS,
        check=False,
    )
    assert proc.returncode == 3
    *retries, line = proc.stderr.splitlines()
    assert all(r.startswith("retry: ConnectionError") for r in retries)
    assert (
        line.startswith("error: ")
        and f"could not reach {url}" in line
        and "ConnectionError" in line
    )
    assert "check --api-url / api_url and the network" in line and "status page" not in line


def test_colour_always_never_and_no_color_on_a_terminal(sim: Simulator) -> None:
    import pty

    scenarios.apply(sim, "running", job_id="42")
    base = ("status", "42", "--repo", "acme/agents")
    assert "\x1b[" in cli(*base, "--color", "always", env=status_env(sim)).stdout
    assert "\x1b[" not in cli(*base, "--color", "never", env=status_env(sim)).stdout
    assert "\x1b[" not in cli(*base, env=status_env(sim)).stdout  # auto, not a terminal

    def on_a_terminal(env: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        proc = subprocess.run(
            [sys.executable, "-m", "agent_job_status", *base],
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
            timeout=SECONDS,
            check=False,
        )
        os.close(follower)
        chunks = []
        try:
            while data := os.read(leader, 65536):
                chunks.append(data)
        except OSError:  # EIO once the terminal's other end is closed
            pass
        os.close(leader)
        assert proc.returncode == 0
        return b"".join(chunks).decode()

    assert "\x1b[" in on_a_terminal(status_env(sim))
    assert "\x1b[" not in on_a_terminal(status_env(sim, NO_COLOR="1"))


def test_request_count_only_with_verbose(sim: Simulator) -> None:
    scenarios.apply(sim, "completed", job_id="42")
    base = ("status", "42", "--repo", "acme/agents")
    quiet = cli(*base, env=status_env(sim))
    assert quiet.returncode == 0 and "requests" not in quiet.stderr
    loud = cli(*base, "--verbose", env=status_env(sim))
    assert "GitHub: " in loud.stderr and " requests" in loud.stderr


# --------------------------------------------------------------- what each path imports

# Runs the CLI in a new process, its output swallowed; prints the exit code and
# every module that process imported (benchmarks/cold_start.py times the same paths).
PROBE = """
import contextlib, io, json, sys
from agent_job_status.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
# What answering `--help` or a usage error never needs: the HTTP stack, the
# cache, the templates, the GitHub readers, the profiles (TOML), the commands.
NOT_FOR_THE_PARSER = {"requests", "requests_cache", "urllib3", "jinja2", "tomllib"}
NOT_FOR_THE_PARSER_OF_OURS = ("github", "profiles", "commands", "pipeline", "render")


def imports_of(*args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=SECONDS,
        check=True,
    )
    got = json.loads(proc.stdout)
    return got["code"], set(got["modules"])


def ours(modules: set[str], *names: str) -> set[str]:
    """The modules that are agent_job_status.<name>, or inside it."""
    wanted = tuple(f"agent_job_status.{name}" for name in names)
    return {m for m in modules if m in wanted or m.startswith(tuple(w + "." for w in wanted))}


@pytest.mark.parametrize(
    "args", [("--help",), ("status", "--help"), ("status", "42", "--form", "json")]
)
def test_the_parser_imports_none_of_the_commands_machinery(args: tuple[str, ...]) -> None:
    code, modules = imports_of(*args)
    assert code in (0, 2)
    assert "agent_job_status.cli" in modules
    assert modules & NOT_FOR_THE_PARSER == set()
    assert ours(modules, *NOT_FOR_THE_PARSER_OF_OURS) == set()


def test_status_imports_jinja_only_for_markdown(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="42")
    env = status_env(sim, XDG_CACHE_HOME=str(tmp_path))
    base = ("status", "42", "--repo", "acme/agents", "--format")
    code, modules = imports_of(*base, "json", env=env)
    assert code == 0 and "requests_cache" in modules
    assert "jinja2" not in modules and ours(modules, "render", "comment") == set()
    code, modules = imports_of(*base, "markdown", env=env)
    assert code == 0 and "jinja2" in modules  # the probe sees a lazy import when it happens
