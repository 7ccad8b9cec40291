"""Size and cold start of the action's Docker image against its base image.

Printed side by side, in one table:

- size: ``docker image inspect`` sizes, and the MB the action adds to its base
  (target: at most 40 MB);
- cold start: from ``docker run`` to the first API request the action makes
  against the GitHub simulator (started in this process, on 127.0.0.1, the
  container on ``--network host``), against the total time of
  ``docker run --rm <base> python3 -c pass`` (target: at most 0.5 s more).
  Median of ``--runs`` runs, after one untimed warm-up run of each.

    python benchmarks/image.py [--image agent-job-status:e2e ...]
                               [--base local/python-base] [--runs 5] [--build]
                               [--importtime]

``--image`` may be given several times (e.g. two builds of the Dockerfile) to
compare them in the same table. ``--build`` first builds
``agent-job-status:e2e`` from the working tree on ``--base``.
``--importtime`` also prints the slowest imports inside the first image
(``python -X importtime``, cumulative microseconds).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from github_simulator import RecordedRequest, Simulator, scenarios

TOKEN = "ghs_benchmark_token_0123"
OWNER, REPO, JOB = "acme", "agents", "bench-1"
MAX_ADDED_MB = 40.0
MAX_ADDED_S = 0.5
ROOT = Path(__file__).resolve().parent.parent


class TimedSimulator(Simulator):
    """A simulator that remembers when it saw its first API request."""

    def __init__(self) -> None:
        super().__init__(owner=OWNER, repo=REPO, token=TOKEN)
        self.first_request: float | None = None
        self.seen = threading.Event()

    def _record(self, rec: RecordedRequest) -> None:
        if self.first_request is None:
            self.first_request = time.perf_counter()
            self.seen.set()
        super()._record(rec)

    def arm(self) -> None:
        self.reset_requests()
        self.first_request = None
        self.seen.clear()


def docker(*args: str) -> str:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"docker {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def size_mb(image: str) -> float:
    return int(docker("image", "inspect", "-f", "{{.Size}}", image).strip()) / 1e6


def bare_start(base: str) -> float:
    t0 = time.perf_counter()
    docker("run", "--rm", "--network", "host", base, "python3", "-c", "pass")
    return time.perf_counter() - t0


def action_start(image: str, sim: TimedSimulator) -> float:
    """Seconds from `docker run` to the action's first request."""
    env = {
        "INPUT_JOB_ID": JOB,
        "INPUT_REPOSITORY": f"{OWNER}/{REPO}",
        "INPUT_TOKEN": TOKEN,
        "INPUT_API_URL": sim.url,
        "INPUT_SUMMARY": "false",
        "INPUT_LOG_PATH": "",
        "GITHUB_OUTPUT": "/tmp/github_output",
        "GITHUB_WORKSPACE": "/tmp",
    }
    args = ["run", "--rm", "--network", "host"]
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    sim.arm()
    t0 = time.perf_counter()
    proc = subprocess.run(["docker", *args, image], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or sim.first_request is None:
        sys.exit(f"action run failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return sim.first_request - t0


def importtime(image: str, top: int = 12) -> str:
    proc = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "/opt/venv/bin/python", image,
         "-X", "importtime", "-c", "import agent_job_status.cli"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    rows: list[tuple[int, str]] = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    return "\n".join(f"  {us / 1000:8.1f} ms {name}" for us, name in rows[:top])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", action="append", default=None)
    parser.add_argument("--base", default="local/python-base")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args(argv)
    images: list[str] = args.image or ["agent-job-status:e2e"]
    if args.build:
        docker("build", "-q", "--build-arg", f"BASE_IMAGE={args.base}",
               "-t", "agent-job-status:e2e", str(ROOT))  # fmt: skip

    sim = TimedSimulator()
    sim.start()
    try:
        scenarios.apply(sim, "completed", job_id=JOB)
        bare_start(args.base)  # warm-up: page cache, network namespace setup
        bare = statistics.median(bare_start(args.base) for _ in range(args.runs))
        base_mb = size_mb(args.base)
        rows = [(args.base + " (python3 -c pass)", base_mb, 0.0, bare, 0.0, True)]
        for image in images:
            action_start(image, sim)  # warm-up
            cold = statistics.median(action_start(image, sim) for _ in range(args.runs))
            mb = size_mb(image)
            ok = mb - base_mb <= MAX_ADDED_MB and cold - bare <= MAX_ADDED_S
            rows.append((image, mb, mb - base_mb, cold, cold - bare, ok))
    finally:
        sim.stop()

    print(f"image size and cold start (median of {args.runs}; targets: "
          f"+{MAX_ADDED_MB:.0f} MB, +{MAX_ADDED_S} s)")  # fmt: skip
    head = f"{'image':<44} {'size MB':>8} {'+MB':>7} {'start s':>8} {'+s':>7}  target"
    print(head)
    print("-" * len(head))
    for name, mb, dmb, start, ds, ok in rows:
        verdict = "-" if name.startswith(args.base) else ("met" if ok else "MISSED")
        print(f"{name:<44} {mb:8.1f} {dmb:+7.1f} {start:8.3f} {ds:+7.3f}  {verdict}")
    if args.importtime:
        print(f"\nslowest imports in {images[0]} (cumulative):")
        print(importtime(images[0]))
    return 0 if all(row[5] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
