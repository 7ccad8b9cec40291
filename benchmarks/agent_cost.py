"""What waiting on one job costs per agent profile (issue 16), one row each.

Each built-in profile's `lifecycle` story plays in the simulator over real
HTTP in virtual time (stages 1-2 s apart, about 6 s in all); the engine waits
for `merged` polling every 1 s. Printed: polls, HTTP requests, requests
counted against the rate limit (a 304 is free), for the whole wait including
the final detailed look. popebot plays its own `lifecycle` scenario.

    python benchmarks/agent_cost.py
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from tempfile import TemporaryDirectory

from agent_job_status.pipeline import observe
from agent_job_status.runner import Runner
from agent_job_status.settings import from_inputs
from github_simulator import SimClock, Simulator, agent_scenarios, scenarios

TOKEN = "ghs_benchmark_token_0123456789"  # the simulator's own, not a secret


def one(agent: str) -> tuple[int, int, str]:
    """(HTTP requests, requests counted against the rate limit, final status)."""
    clock = SimClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    with Simulator(token=TOKEN, clock=clock) as sim, TemporaryDirectory() as workspace:
        if agent == "popebot":
            job_id = "job-1"
            scenarios.apply(sim, "lifecycle", job_id=job_id)
        else:
            job_id = agent_scenarios.apply(sim, agent, "lifecycle")
        settings = from_inputs(
            {
                "job_id": job_id, "repository": "acme/agents", "token": TOKEN,
                "api_url": sim.url, "agent": agent, "wait": "true", "wait_for": "merged",
                "poll_interval": "1s", "timeout": "2m", "start_timeout": "1m",
            },
            {"GITHUB_WORKSPACE": workspace},
        )  # fmt: skip
        sim.reset_requests()
        reports = observe(settings, Runner({}, io.StringIO()), clock=clock)
        counted = sum(1 for r in sim.requests if r.counted)
        return len(sim.requests), counted, reports[0].status.value


def main() -> None:
    print("| agent | final | requests | counted | not counted (304) |")
    print("|---|---|---|---|---|")
    for agent in ("popebot", "copilot", "claude", "openhands"):
        requests, counted, final = one(agent)
        print(f"| {agent} | {final} | {requests} | {counted} | {requests - counted} |")


if __name__ == "__main__":
    main()
