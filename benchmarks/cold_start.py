"""Cold start: `agent-job-status --help` and one `status` call, against bare Python.

Each command runs as a new process, `--runs` times (default 12) after one
untimed warm-up run, and the median wall time is printed beside
`python -c pass`'s. Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX),
as pip and the image leave it; without it every run would compile the
package's source again (this shell may set PYTHONDONTWRITEBYTECODE).

Where the commands run (`--env`):

- `runtime` (default): a temporary venv holding only the action's pinned
  dependencies (the distributions named in requirements/action.txt, linked
  from this interpreter's site-packages) and the package under test: what
  the image and a plain `pip install` import.
- `here`: this interpreter's environment as it is. A development venv also
  holds the test extras, and requests-cache imports some of them when they
  are present (PyYAML, tomlkit and msgpack, for its optional serializers).

The package under test is the one this interpreter imports: run the script
with another checkout's venv to compare the two. `status` asks a GitHub
simulator on loopback about a finished job. Its start-up is the time to its
first request (the simulator notes when that arrives); the whole call adds a
handful of local requests. `--no-cache` keeps the conditional cache in
memory instead of in SQLite on disk.

    python benchmarks/cold_start.py [--runs 12] [--env runtime|here]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import agent_job_status
from github_simulator import RecordedRequest, Simulator, scenarios

TOKEN = "ghs_benchmark_token_0123456789"  # the simulator's own, not a secret
HELP_BUDGET_MS = 60.0
STATUS_BUDGET_MS = 250.0
REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements" / "action.txt"


class TimedSimulator(Simulator):
    """A simulator that remembers when it saw its first API request."""

    first_request: float | None = None

    def _record(self, rec: RecordedRequest) -> None:
        if self.first_request is None:
            self.first_request = time.perf_counter()
        super()._record(rec)


def runtime_python(root: Path) -> str:
    """The python of a new venv that has only the pinned dependencies and the package."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    pinned = re.findall(r"^([A-Za-z0-9_.-]+)==", REQUIREMENTS.read_text(), flags=re.MULTILINE)
    for name in pinned:
        dist = importlib.metadata.distribution(name)
        tops = {f.parts[0] for f in dist.files or ()} - {"..", "__pycache__"}
        for top in tops:
            (site / top).symlink_to(Path(str(dist.locate_file(top))))
    package = Path(agent_job_status.__file__).resolve().parent
    (site / "agent_job_status").symlink_to(package)
    return str(python)


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(argv, env=env, capture_output=True, check=True)  # warm-up: bytecode
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def startup_ms(argv: list[str], env: dict[str, str], runs: int, sim: TimedSimulator) -> float:
    """Median time from starting the process to its first request."""
    subprocess.run(argv, env=env, capture_output=True, check=True)  # warm-up: bytecode
    times: list[float] = []
    for _ in range(runs):
        sim.first_request = None
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        assert sim.first_request is not None, "the call made no request"
        times.append((sim.first_request - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--env", choices=("runtime", "here"), default="runtime")
    args = parser.parse_args()
    runs = args.runs
    sim = TimedSimulator(owner="acme", repo="agents", token=TOKEN)
    with sim, TemporaryDirectory() as tmp:
        scenarios.apply(sim, "completed", job_id="j1")
        python = runtime_python(Path(tmp)) if args.env == "runtime" else sys.executable
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            GITHUB_TOKEN=TOKEN,
            XDG_CACHE_HOME=str(Path(tmp) / "cache"),
            PYTHONPYCACHEPREFIX=str(Path(tmp) / "bytecode"),
        )
        cli = [python, "-m", "agent_job_status"]
        status = [*cli, "status", "j1", "--repo", "acme/agents", "--api-url", sim.url]
        status += ["--format", "json"]
        bare = median_ms([python, "-c", "pass"], env, runs)
        rows = [
            ("agent-job-status --help", median_ms([*cli, "--help"], env, runs), HELP_BUDGET_MS),
            ("status: start-up (to its first request)", startup_ms(status, env, runs, sim),
             STATUS_BUDGET_MS),
            ("status: whole call (finished job)", median_ms(status, env, runs), None),
            ("status --no-cache: whole call", median_ms([*status, "--no-cache"], env, runs), None),
        ]  # fmt: skip
        # The conditional cache on disk, across processes: one cold call with an
        # empty cache, then the same call by a new process (nothing changed).
        env["XDG_CACHE_HOME"] = str(Path(tmp) / "cold-cache")
        repeat = []
        for _ in range(2):
            sim.reset_requests()
            subprocess.run(status, env=env, capture_output=True, check=True)
            repeat.append((len(sim.requests), sum(1 for q in sim.requests if q.counted)))
    where = "runtime dependencies only" if args.env == "runtime" else sys.prefix
    print(f"Cold start, median of {runs} runs each (wall time of a new process)")
    print(f"  package: {Path(agent_job_status.__file__).parent}; environment: {where}")
    print(f"  {'command':<44} {'ms':>8} {'over bare':>10} {'budget':>8}")
    print(f"  {'python -c pass':<44} {bare:>8.0f} {'':>10} {'':>8}")
    for label, ms, budget in rows:
        limit = f"{budget:>8.0f}" if budget is not None else f"{'':>8}"
        print(f"  {label:<44} {ms:>8.0f} {ms - bare:>10.0f} {limit}")
    (cold, cold_counted), (again, again_counted) = repeat
    print(
        f"  status with an empty disk cache: {cold} requests, {cold_counted} counted; "
        f"repeated by a new process: {again} requests, {again_counted} counted"
    )


if __name__ == "__main__":
    main()
