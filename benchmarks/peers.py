"""One job, side by side with real peers: requests made and counted per wait.

The same scripted 3-minute job (queued, running, three steps, success, then a
PR) is awaited by each tool at a 5 s interval, each against its own GitHub
simulator on loopback, over real HTTP:

- agent-job-status (`wait_for: finished`), in process;
- Codex-/await-remote-run v3.0.0 (`node index.mjs`, its `INPUT_*` variables,
  `GITHUB_API_URL` pointing at the simulator), from ../shared/peers or --peer;
- `gh run watch` (Debian's `gh`), pointed at the simulator with
  `GH_HOST=github.localhost` (gh speaks plain http to that host) and
  `HTTP_PROXY`; skipped with a reason when `gh` is missing.

Time is compressed by --speed (default 5: the 3-minute job takes 36 s of
wall time and every tool polls every 1 s real = 5 s simulated), the same for
all three. The simulator counts what GitHub would: a 304 answer to a
conditional request is free.

    python benchmarks/peers.py [--speed 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from agent_job_status.pipeline import observe
from agent_job_status.runner import Runner
from agent_job_status.settings import from_inputs
from github_simulator import Simulator
from github_simulator.state import SimState

TOKEN = "ghs_benchmark_token_0123456789"  # the simulator's own, not a secret
STEPS = ["Set up job", "Run agent", "Open pull request", "Complete job"]
INTERVAL = 5.0  # simulated seconds between polls
JOB_SECONDS = 180.0
PEER = Path(__file__).resolve().parents[2] / "shared/peers/await-remote-run-v3.0.0/index.mjs"


class ScaledClock:
    """Real time run `speed` times faster: for the simulator and our waiter alike."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._real0 = time.monotonic()
        self._virtual0 = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real0) * self.speed
        return self._virtual0 + timedelta(seconds=elapsed)

    def time(self) -> float:
        return self.now().timestamp()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Row:
    tool: str
    requests: int
    counted: int
    polls_unchanged_cost: str  # requests / counted of a poll in which nothing changed
    final: str
    note: str = ""


def scripted_job(sim: Simulator) -> int:
    """The 3-minute job; its run exists (queued) before any tool starts."""
    branch = "job/peer"
    ids: dict[str, int] = {}
    with sim.state.lock:
        sim.state.create_branch(branch, files={"logs/peer/session.jsonl": "{}\n"})
        ids["run"] = sim.state.start_run(branch, jobs={"agent": STEPS})

    def finish(st: SimState) -> None:
        st.commit(branch, files={"src/peer.py": "done = True\n"}, message="work")
        st.finish_run(ids["run"], "success")
        st.open_pr(branch, title="Job peer", body="")

    sim.schedule_in(10, lambda st: st.set_run_status(ids["run"], "in_progress"))
    for at in (50, 100, 140):
        sim.schedule_in(at, lambda st: st.advance_step(ids["run"]))
    sim.schedule_in(JOB_SECONDS, finish)
    return ids["run"]


def simulator(speed: float) -> tuple[Simulator, ScaledClock]:
    clock = ScaledClock(speed)
    sim = Simulator(owner="acme", repo="agents", token=TOKEN, clock=clock)
    sim.rate_limit.limit = sim.rate_limit.remaining = 1000  # a GITHUB_TOKEN hour
    return sim, clock


def tally(sim: Simulator) -> tuple[int, int]:
    reqs = list(sim.requests)
    return len(reqs), sum(1 for q in reqs if q.counted)


def unchanged_poll(sim: Simulator) -> str:
    """What the polls that found nothing new cost: the most common poll's shape."""
    reqs = list(sim.requests)
    free = sum(1 for q in reqs if q.status == 304)
    return f"{free} of {len(reqs)} answers were 304"


def ours(speed: float) -> Row:
    sim, clock = simulator(speed)
    with sim, TemporaryDirectory() as workspace:
        scripted_job(sim)
        settings = from_inputs(
            {
                "job_id": "peer",
                "repository": "acme/agents",
                "token": TOKEN,
                "api_url": sim.url,
                "wait": "true",
                "wait_for": "finished",
                "poll_interval": f"{INTERVAL:.0f}s",
                "timeout": "10m",
                "log_path": "",
            },
            {"GITHUB_WORKSPACE": workspace},
        )
        sim.reset_requests()
        reports = observe(settings, Runner({}, io.StringIO()), clock=clock)
        made, counted = tally(sim)
        return Row("agent-job-status", made, counted, unchanged_poll(sim), reports[0].status)


def _external(
    speed: float, command: Callable[[Simulator, int], tuple[list[str], dict[str, str]]], tool: str
) -> Row:
    sim, _clock = simulator(speed)
    with sim:
        run_id = scripted_job(sim)
        argv, env = command(sim, run_id)
        sim.reset_requests()
        # The simulator applies its script when asked; keep it moving between polls.
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.05):
                sim.run_due()

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            done = subprocess.run(
                argv,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=JOB_SECONDS / speed * 3 + 60,
                check=False,
            )
        finally:
            stop.set()
            ticker.join()
        made, counted = tally(sim)
        final = "completed" if done.returncode == 0 else f"exit {done.returncode}"
        note = "" if done.returncode == 0 else (done.stderr or done.stdout)[-300:]
        return Row(tool, made, counted, unchanged_poll(sim), final, note)


def peer(speed: float, script: Path) -> Row:
    def command(sim: Simulator, run_id: int) -> tuple[list[str], dict[str, str]]:
        env = {
            "GITHUB_API_URL": sim.url,
            "INPUT_TOKEN": TOKEN,
            "INPUT_OWNER": "acme",
            "INPUT_REPO": "agents",
            "INPUT_RUN_ID": str(run_id),
            "INPUT_POLL_INTERVAL_MS": str(round(INTERVAL * 1000 / speed)),
            "INPUT_RUN_TIMEOUT_SECONDS": "600",
        }
        return ["node", str(script)], env

    return _external(speed, command, "await-remote-run v3.0.0")


def gh_watch(speed: float, gh: str) -> Row:
    def command(sim: Simulator, run_id: int) -> tuple[list[str], dict[str, str]]:
        env = {
            "GH_HOST": "github.localhost",  # gh speaks plain http to this host
            "GH_TOKEN": TOKEN,
            "GH_ENTERPRISE_TOKEN": TOKEN,
            "HTTP_PROXY": sim.url,
            "http_proxy": sim.url,
            "NO_PROXY": "",
            "no_proxy": "",
            "GH_NO_UPDATE_NOTIFIER": "1",
            "GH_PROMPT_DISABLED": "1",
            "GH_CONFIG_DIR": str(Path(tmp) / "gh"),
        }
        interval = max(1, round(INTERVAL / speed))
        argv = [gh, "run", "watch", str(run_id), "-R", "acme/agents", "-i", str(interval)]
        return [*argv, "--exit-status"], env

    with TemporaryDirectory() as tmp:
        return _external(speed, command, "gh run watch")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=5.0, help="time compression (default 5)")
    parser.add_argument("--peer", type=Path, default=PEER, help="await-remote-run's index.mjs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    print(
        f"One job, {JOB_SECONDS / 60:.0f}-minute script, {INTERVAL:.0f} s interval, one run each "
        f"(time x{args.speed:g}); GITHUB_TOKEN-sized budget (1,000/hour)"
    )
    rows = [ours(args.speed)]
    if args.peer.is_file() and shutil.which("node"):
        rows.append(peer(args.speed, args.peer))
    else:
        print(f"  skipped await-remote-run: no node or no {args.peer}")
    gh = shutil.which("gh")
    if gh:
        rows.append(gh_watch(args.speed, gh))
    else:
        print("  skipped gh run watch: `gh` is not installed (Debian package gh)")
    print(f"  {'tool':<26} {'requests':>9} {'counted':>8}  {'final':<10} unchanged polls")
    for r in rows:
        print(
            f"  {r.tool:<26} {r.requests:>9} {r.counted:>8}  {r.final:<10} {r.polls_unchanged_cost}"
        )
        if r.note:
            print(f"    ({r.note.strip().splitlines()[-1][:200]})")
    if args.json:
        args.json.write_text(json.dumps([vars(r) for r in rows], indent=1))


if __name__ == "__main__":
    main()
