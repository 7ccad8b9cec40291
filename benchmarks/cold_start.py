"""Cold start: `agent-job-status --help` and one `status` call, against bare Python.

Each command runs as a new process, `--runs` times (default 12), and the
median wall time is printed beside `python -c pass`'s. The `status` call
asks a GitHub simulator on loopback about a finished job, so its figure is
start-up plus a handful of local requests: an upper bound on start-up.

    python benchmarks/cold_start.py [--runs 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from github_simulator import Simulator, scenarios

TOKEN = "ghs_benchmark_token_0123456789"  # the simulator's own, not a secret
HELP_BUDGET_MS = 60.0
STATUS_BUDGET_MS = 250.0


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "agent_job_status"]
    with Simulator(owner="acme", repo="agents", token=TOKEN) as sim, TemporaryDirectory() as tmp:
        scenarios.apply(sim, "completed", job_id="j1")
        env = {**os.environ, "GITHUB_TOKEN": TOKEN, "XDG_CACHE_HOME": str(Path(tmp))}
        bare = median_ms([sys.executable, "-c", "pass"], env, args.runs)
        shown = median_ms([*cli, "--help"], env, args.runs)
        status = median_ms(
            [
                *cli,
                "status",
                "j1",
                "--repo",
                "acme/agents",
                "--api-url",
                sim.url,
                "--format",
                "json",
            ],
            env,
            args.runs,
        )
    print(f"Cold start, median of {args.runs} runs each (wall time of a new process)")
    print(f"  {'command':<44} {'ms':>8} {'over bare':>10} {'budget':>8}")
    print(f"  {'python -c pass':<44} {bare:>8.0f} {'':>10} {'':>8}")
    for label, ms, budget in (
        ("agent-job-status --help", shown, HELP_BUDGET_MS),
        ("agent-job-status status (finished job)", status, STATUS_BUDGET_MS),
    ):
        print(f"  {label:<44} {ms:>8.0f} {ms - bare:>10.0f} {budget:>8.0f}")


if __name__ == "__main__":
    main()
