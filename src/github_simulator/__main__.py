"""``python -m github_simulator``: run the GitHub simulator until killed."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from github_simulator import scenarios
from github_simulator.server import Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m github_simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", choices=scenarios.NAMES, default=None)
    parser.add_argument("--job-id", default="demo-1")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--token", default="ghs_simtoken")
    parser.add_argument("--owner", default="acme")
    parser.add_argument("--repo", default="agents")
    args = parser.parse_args(argv)

    sim = Simulator(
        owner=args.owner, repo=args.repo, token=args.token, host=args.host, port=args.port
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sim.start()
    try:
        if args.scenario:
            scenarios.apply(sim, args.scenario, job_id=args.job_id, speed=args.speed)
        sys.stdout.write(f"SIMULATOR_URL={sim.url}\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            sim.run_due()
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
