"""Load test for `agent-job-status serve` against the built-in GitHub simulator.

50 clients poll 20 jobs, each client one job (client i -> job i % 20, half of
them on the job status API, half on the agent job API), once a second, for a
minute. Everything runs in this process: the simulator (real HTTP), the
server (uvicorn in a thread) and the clients (threads with `requests`).

Reported: requests served per second, p50/p99 latency, and the GitHub
requests the server made, side by side with what a naive proxy (one fresh,
uncached GitHub round per client request) would make: estimated by measuring
one cold round per job and multiplying by the requests served, and measured
for real by running the naive mode for `--naive-seconds`.

    python benchmarks/serve_load.py [--seconds 60] [--clients 50] [--jobs 20]
                                    [--interval 1] [--naive-seconds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from agent_job_status.engine import observe_one
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.source import GitHubFacts
from agent_job_status.report import Report
from agent_job_status.serve import SERVE_RETRY, JobCache, ServeConfig, create_app
from agent_job_status.settings import Api, Target
from github_simulator import Simulator, scenarios

# the tests' helper that runs the app in a thread (the project root is not on
# sys.path when this runs as `python benchmarks/serve_load.py`)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.serving import background

TOKEN = "ghs_load_test_token"
KEY = "load-test-key"
SCENARIOS = ("lifecycle", "completed", "running", "failed", "merged", "pending", "closed")


@dataclass
class Load:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    per_job: Counter[str] = field(default_factory=Counter)
    github: int = 0
    counted: int = 0
    not_modified: int = 0
    rounds: int = 0

    @property
    def served(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def job_ids(n: int) -> list[str]:
    return [f"load-{i:02d}" for i in range(n)]


def setup(sim: Simulator, ids: list[str], seconds: float) -> None:
    sim.rate_limit.limit = sim.rate_limit.remaining = 10**9  # measure, don't throttle
    for i, job in enumerate(ids):
        name = SCENARIOS[i % len(SCENARIOS)]
        # Lifecycles (6 s at speed 1) spread over the run so that jobs change under load.
        speed = 6.0 / max(1.0, seconds * (0.3 + 0.6 * i / max(1, len(ids) - 1)))
        scenarios.apply(sim, name, job_id=job, speed=speed)


def drive(url: str, ids: list[str], clients: int, interval: float, seconds: float) -> Load:
    load = Load()
    lock = threading.Lock()
    start = time.monotonic() + 0.2
    stop = start + seconds

    def client(i: int) -> None:
        job = ids[i % len(ids)]
        session = requests.Session()
        if i % 2:
            target, params = f"{url}/v2/agent/agents/job/{job}", None
            session.headers["Authorization"] = f"Bearer {KEY}"
        else:
            target, params = f"{url}/api/jobs/status", {"job_id": job}
            session.headers["x-api-key"] = KEY
        tick = start + random.uniform(0, interval)  # clients are not in lockstep
        while tick < stop:
            time.sleep(max(0.0, tick - time.monotonic()))
            began = time.perf_counter()
            try:
                code = session.get(target, params=params, timeout=30).status_code
            except requests.RequestException:
                code = 0
            took = time.perf_counter() - began
            with lock:
                load.latencies.append(took)
                load.statuses[code] += 1
                load.per_job[job] += 1
            tick += interval

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - start
    return load


def record_github(load: Load, sim: Simulator) -> None:
    recorded = list(sim.requests)
    load.github = len(recorded)
    load.counted = sum(1 for r in recorded if r.counted)
    load.not_modified = sum(1 for r in recorded if r.status == 304)


def serve_config(api_url: str) -> ServeConfig:
    api = Api(url=api_url, token=TOKEN, server_url="https://github.com")
    return ServeConfig(api=api, target=Target("acme/agents"), api_key=KEY)


def cold_round(sim: Simulator, config: ServeConfig, job: str) -> int:
    """GitHub requests of one uncached round for a job: what a naive proxy pays each time."""
    client = GitHubClient(config.api.url, config.api.token, retry=SERVE_RETRY)
    observe_one(GitHubFacts(client, config.target), job, detail=True)
    return client.stats.requests


class NaiveProxy(JobCache):
    """`serve` without its cache: no sharing, no ETag cache, a fresh round per request."""

    def __init__(self, config: ServeConfig) -> None:
        super().__init__(self.fresh_round)
        self._config = config

    def fresh_round(self, job: str) -> Report:
        client = GitHubClient(self._config.api.url, self._config.api.token, retry=SERVE_RETRY)
        return observe_one(GitHubFacts(client, self._config.target), job, detail=True)

    async def get(self, job_id: str) -> Report:
        from starlette.concurrency import run_in_threadpool

        self.rounds += 1
        return await run_in_threadpool(self.fresh_round, job_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--naive-seconds", type=float, default=5.0, help="0 to skip")
    args = parser.parse_args(argv)
    ids = job_ids(args.jobs)

    with Simulator(owner="acme", repo="agents", token=TOKEN) as sim:
        setup(sim, ids, args.seconds)
        config = serve_config(sim.url)
        app = create_app(config)
        with background(app) as url:
            sim.reset_requests()
            cached = drive(url, ids, args.clients, args.interval, args.seconds)
            record_github(cached, sim)
            cached.rounds = app.state.cache.rounds

        # The naive proxy, estimated: one cold round per request, per job as it is now.
        costs = {job: cold_round(sim, config, job) for job in ids}
        estimate = sum(costs[job] * n for job, n in cached.per_job.items())

        naive: Load | None = None
        if args.naive_seconds > 0:
            naive_app = create_app(config, cache=NaiveProxy(config))
            with background(naive_app) as url:
                sim.reset_requests()
                naive = drive(url, ids, args.clients, args.interval, args.naive_seconds)
                record_github(naive, sim)
                naive.rounds = naive_app.state.cache.rounds

    print_table(args, cached, estimate, costs, naive)
    return 0 if set(cached.statuses) == {200} else 1


def print_table(
    args: argparse.Namespace,
    cached: Load,
    estimate: int,
    costs: dict[str, int],
    naive: Load | None,
) -> None:
    def per_s(n: float, load: Load) -> str:
        return f"{n / load.seconds:.1f}" if load.seconds else "-"

    mean_cost = statistics.mean(costs.values()) if costs else 0.0
    heads = ["serve (cached)", "naive, estimated", "naive, measured"]
    rows: list[tuple[str, str, str, str]] = [
        ("duration (s)", f"{cached.seconds:.1f}", f"{cached.seconds:.1f}",
         f"{naive.seconds:.1f}" if naive else "-"),
        ("client requests served", str(cached.served), str(cached.served),
         str(naive.served) if naive else "-"),
        ("requests served / s", per_s(cached.served, cached), per_s(cached.served, cached),
         per_s(naive.served, naive) if naive else "-"),
        ("non-200 answers", str(cached.served - cached.statuses[200]), "-",
         str(naive.served - naive.statuses[200]) if naive else "-"),
        ("p50 latency (ms)", f"{cached.pct(0.50):.1f}", "-",
         f"{naive.pct(0.50):.1f}" if naive else "-"),
        ("p99 latency (ms)", f"{cached.pct(0.99):.1f}", "-",
         f"{naive.pct(0.99):.1f}" if naive else "-"),
        ("engine rounds", str(cached.rounds), str(cached.served),
         str(naive.rounds) if naive else "-"),
        ("GitHub requests", str(cached.github), str(estimate),
         str(naive.github) if naive else "-"),
        ("  counted (rate limit)", str(cached.counted), str(estimate),
         str(naive.counted) if naive else "-"),
        ("  304 Not Modified", str(cached.not_modified), "0",
         str(naive.not_modified) if naive else "-"),
        ("GitHub requests / s", per_s(cached.github, cached), per_s(estimate, cached),
         per_s(naive.github, naive) if naive else "-"),
    ]  # fmt: skip
    out = sys.stdout
    out.write(
        f"\n{args.clients} clients polling {args.jobs} jobs every {args.interval:g}s; "
        f"one cold GitHub round = {mean_cost:.1f} requests on average\n\n"
    )
    width = max(len(r[0]) for r in rows)
    out.write(f"{'':{width}}  " + "  ".join(f"{h:>16}" for h in heads) + "\n")
    for name, *cells in rows:
        out.write(f"{name:{width}}  " + "  ".join(f"{c:>16}" for c in cells) + "\n")
    if cached.github:
        saved = estimate / cached.github
        counted = estimate / max(1, cached.counted)
        out.write(
            f"\nserve made {saved:.0f}x fewer GitHub requests than a naive proxy "
            f"({counted:.0f}x fewer counted against the rate limit)\n"
        )


if __name__ == "__main__":
    raise SystemExit(main())
