"""What waiting costs: our engine against a naive sleep loop, side by side.

Both run against the GitHub simulator over real HTTP, in compressed time (a
virtual clock shared by the simulator and the waiter: sleeping is instant).
Printed per case: HTTP requests made, requests counted against the rate limit
(a 304 answer to a conditional request is free), and detection latency
(virtual seconds between a change in the simulator and the waiter seeing it).

GraphQL queries (one locates every job missing from the lists' first pages)
are requests and counted ones too, though they spend GraphQL's own budget.

Case 4 waits on 10, 200, 1,000 and 5,000 jobs at once, with a `GITHUB_TOKEN`
budget (1,000 requests an hour) and GitHub's secondary limit (900 points a
minute per endpoint) in force, and prints the cost of each poll beside the
pages of jobs still active.

    python benchmarks/wait_cost.py            # every case
    python benchmarks/wait_cost.py --quick    # fewer jobs, for a smoke run
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import requests

from agent_job_status.facts import BranchFact, JobFacts
from agent_job_status.github.batch import BatchReads
from agent_job_status.github.payloads import pull_fact, run_fact
from agent_job_status.pipeline import observe
from agent_job_status.publish import publish
from agent_job_status.report import Report
from agent_job_status.resolve import resolve
from agent_job_status.runner import Runner
from agent_job_status.settings import Settings, from_inputs
from github_simulator import SimClock, Simulator
from github_simulator.routing import endpoint_of
from github_simulator.state import SimState

TOKEN = "ghs_benchmark_token_0123456789"  # the simulator's own, not a secret
STEPS = ["Set up job", "Run agent", "Open pull request", "Complete job"]
INTERVAL = 10.0
HISTORY = 1200  # past agent jobs in case 3's repository


@dataclass
class Result:
    requests: int
    counted: int
    polls: int
    latencies: list[float]
    seconds: float
    final: list[str] = field(default_factory=list)
    details: int = 0  # counted requests for files, logs, config: once per job, not per poll
    first: int = 0  # counted requests of the first look
    graphql: int = 0  # GraphQL queries (in requests and counted too; GraphQL's own budget)

    @property
    def per_poll(self) -> float:
        return (self.counted - self.details) / self.polls

    @property
    def per_later_poll(self) -> float:
        """Counted per poll after the first look (which reads what it has never seen)."""
        return (self.counted - self.details - self.first) / max(self.polls - 1, 1)


# What the final detailed look fetches once per job: files, log folder and
# files, branch, default branch, run log archive, and (past PROGRESS_UP_TO
# jobs, where polls skip them) the run's steps.
DETAIL_PATHS = re.compile(
    r"/files$|/contents/|/compare/|/branches/|/logs$|/attempts/\d+/jobs$|^/repos/[^/]+/[^/]+$"
)


def tally(sim: Simulator) -> tuple[int, int, int]:
    """(requests, counted, counted for details)."""
    reqs = list(sim.requests)
    counted = [q for q in reqs if q.counted]
    return len(reqs), len(counted), sum(1 for q in counted if DETAIL_PATHS.search(q.path))


def first_look(sim: Simulator) -> int:
    """Counted requests of the first look (made before the clock first moved)."""
    reqs = list(sim.requests)
    return sum(1 for q in reqs if q.counted and q.at == reqs[0].at) if reqs else 0


def hour_job(
    sim: Simulator, job_id: str, offset: float = 0.0, scale: float = 1.0
) -> dict[str, float]:
    """A job living an hour (times * scale): returns the time of each status change."""
    ids: dict[str, int] = {}
    branch = f"job/{job_id}"

    def at(seconds: float, fn: Callable[[SimState], object]) -> None:
        sim.schedule_in(offset + seconds * scale, fn)

    def start(st: SimState) -> None:
        st.create_branch(branch, files={f"logs/{job_id}/session.jsonl": "{}\n"})
        ids["run"] = st.start_run(branch, jobs={"agent": STEPS})

    def step(st: SimState) -> None:
        st.advance_step(ids["run"])

    def finish(st: SimState) -> None:
        st.commit(branch, files={f"src/{job_id}.py": "done = True\n"}, message="work")
        st.advance_step(ids["run"])
        st.finish_run(ids["run"], "success")
        ids["pr"] = st.open_pr(branch, title=f"Job {job_id}", body="")

    at(0, start)
    at(30, lambda st: st.set_run_status(ids["run"], "in_progress"))
    at(300, step)
    at(1200, step)
    at(2400, step)
    at(3300, finish)
    at(3600, lambda st: st.merge_pr(ids["pr"], delete_branch=True))
    now = sim.clock.time()
    return {
        name: now + offset + t * scale
        for name, t in (("pending", 0), ("running", 30), ("completed", 3300), ("merged", 3600))
    }


def wait_settings(sim: Simulator, job_ids: list[str], workspace: str, timeout: str) -> Settings:
    """The action's settings for waiting on `job_ids` until merged, at INTERVAL."""
    return from_inputs(
        {
            "job_id": ",".join(job_ids),
            "repository": "acme/agents",
            "token": TOKEN,
            "api_url": sim.url,
            "wait": "true",
            "wait_for": "merged",
            "poll_interval": f"{INTERVAL:.0f}s",
            "timeout": timeout,
            "log_path": "",
        },
        {"GITHUB_WORKSPACE": workspace},
    )


def ours(
    sim: Simulator, clock: SimClock, job_ids: list[str], changes: dict[str, dict[str, float]]
) -> Result:
    seen: dict[str, dict[str, float]] = {j: {} for j in job_ids}

    def on_change(reports: list[Report]) -> None:
        for r in reports:
            seen[r.id].setdefault(r.status, clock.time())

    with TemporaryDirectory() as workspace:
        settings = wait_settings(sim, job_ids, workspace, timeout="3h")
        sim.reset_requests()
        started, wall = clock.time(), time.perf_counter()
        reports = observe(settings, Runner({}, io.StringIO()), clock=clock, on_change=on_change)
        seconds = time.perf_counter() - wall
    polls = round((clock.time() - started) / INTERVAL) + 1
    made, counted, details = tally(sim)
    return Result(
        made,
        counted,
        polls,
        latencies(seen, changes, started),
        seconds,
        [r.status if r.id == job_ids[i] else "another job's report" for i, r in enumerate(reports)],
        details,
        first_look(sim),
        sum(1 for q in sim.requests if q.path.endswith("/graphql")),
    )


def naive(
    sim: Simulator,
    clock: SimClock,
    job_ids: list[str],
    changes: dict[str, dict[str, float]],
    max_polls: int | None = None,
) -> Result:
    """The hand-rolled loop: branch, PRs and runs fetched afresh every poll."""
    session = requests.Session()
    session.headers["Authorization"] = f"token {TOKEN}"
    api = f"{sim.url}/repos/acme/agents"
    seen: dict[str, dict[str, float]] = {j: {} for j in job_ids}
    sim.reset_requests()
    started = clock.time()
    wall = time.perf_counter()
    polls = 0
    final: dict[str, str] = {}
    while max_polls is None or polls < max_polls:
        polls += 1
        for job_id in job_ids:
            if final.get(job_id) == "merged":
                continue
            branch = f"job/{job_id}"
            b = session.get(f"{api}/branches/{branch}", timeout=10)
            p = session.get(
                f"{api}/pulls", params={"head": f"acme:{branch}", "state": "all"}, timeout=10
            ).json()
            r = session.get(
                f"{api}/actions/workflows/run-job.yml/runs", params={"branch": branch}, timeout=10
            ).json()["workflow_runs"]
            facts = JobFacts(
                job_id=job_id,
                repository="acme/agents",
                branch_name=branch,
                branch=BranchFact(branch, "") if b.status_code == 200 else None,
                run=run_fact(r[0]) if r else None,
                pull=pull_fact(p[0]) if p else None,
            )
            status = resolve(facts).status
            final[job_id] = status
            seen[job_id].setdefault(status, clock.time())
        if all(final.get(j) == "merged" for j in job_ids):
            break
        clock.sleep(INTERVAL)
    made, counted, _ = tally(sim)
    return Result(
        made,
        counted,
        polls,
        latencies(seen, changes, started),
        time.perf_counter() - wall,
        list(final.values()),
    )


def latencies(
    seen: dict[str, dict[str, float]], changes: dict[str, dict[str, float]], since: float
) -> list[float]:
    """Seconds from each change to its detection (changes before the wait began
    are found by its first look: not a detection lag)."""
    out = []
    for job_id, times in changes.items():
        for status, changed_at in times.items():
            if status in seen[job_id] and changed_at >= since:
                out.append(seen[job_id][status] - changed_at)
    return out


GITHUB_TOKEN_BUDGET = 1000  # requests an hour: what a workflow's own token gets


def fresh(budget: int = GITHUB_TOKEN_BUDGET) -> tuple[Simulator, SimClock]:
    clock = SimClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    sim = Simulator(owner="acme", repo="agents", token=TOKEN, clock=clock)
    sim.rate_limit.limit = sim.rate_limit.remaining = budget
    # A GITHUB_TOKEN's GraphQL budget is 1,000 points an hour too, apart from REST's.
    graphql = sim.graphql_rate_limit
    graphql.limit = graphql.remaining = min(budget, GITHUB_TOKEN_BUDGET)
    return sim, clock


@dataclass
class Scale:
    """One wait on many jobs: each poll's cost beside the jobs still active."""

    jobs: int
    polls: int
    requests: float  # per poll, mean
    counted: float  # per poll, mean
    worst: int  # requests of the dearest poll
    pages: float  # pages of 100 active jobs per poll, mean
    endpoint_minute: int  # most requests to one endpoint in any minute
    secondary: int  # answers refused for the secondary limit
    primary: int  # answers refused for the primary limit (the wait then sleeps to the reset)
    details: int  # counted requests of the final look
    over_budget: int  # jobs with a detail skipped for the budget
    wrong: int  # final statuses not `merged`
    seconds: float
    output_bytes: int  # the step's outputs (GitHub's limit: 1 MB)
    reports_file: bool  # every full report went to the reports file instead


def scale(jobs: int) -> Scale:
    """`jobs` 10-minute jobs starting over 5 minutes, awaited until merged at a 10 s
    interval with a GITHUB_TOKEN budget; per poll, what the shared reads cost."""
    sim, clock = fresh()
    polls: list[tuple[int, int, int]] = []  # (requests, counted, active jobs)
    original = BatchReads.status_facts_many

    depth = [0]  # a poll's read of the jobs not merged yet is part of that poll

    def counted_poll(self: BatchReads, job_ids: tuple[str, ...]) -> list[JobFacts]:
        depth[0] += 1
        try:
            before = len(sim.requests), sum(1 for q in sim.requests if q.counted)
            facts = original(self, job_ids)
        finally:
            depth[0] -= 1
        if depth[0]:
            return facts
        active = sum(1 for f in facts if f.pull is None or not f.pull.merged)
        made = len(sim.requests) - before[0]
        polls.append((made, sum(1 for q in sim.requests if q.counted) - before[1], active))
        return facts

    BatchReads.status_facts_many = counted_poll  # type: ignore[method-assign]
    try:
        with sim:
            ids = [f"s{n}" for n in range(jobs)]
            changes = {
                j: hour_job(sim, j, offset=300.0 * n / jobs, scale=1 / 6)
                for n, j in enumerate(ids)
            }
            with TemporaryDirectory() as workspace:
                settings = wait_settings(sim, ids, workspace, timeout="12h")
                sim.reset_requests()
                wall = time.perf_counter()
                reports = observe(settings, Runner({}, io.StringIO()), clock=clock)
                seconds = time.perf_counter() - wall
                out = Path(workspace, "output")
                env = {"GITHUB_OUTPUT": str(out), "GITHUB_WORKSPACE": workspace}
                publish(reports, settings.publish, Runner(env, io.StringIO()))
                output_bytes = out.stat().st_size
                reports_file = Path(workspace, ".agent-job-status/reports.json").exists()
            reqs = list(sim.requests)
    finally:
        BatchReads.status_facts_many = original  # type: ignore[method-assign]
    del changes
    t0 = reqs[0].at
    minutes = Counter((int((q.at - t0) // 60), endpoint_of(q.method, q.path)) for q in reqs)
    polled = sum(p[0] for p in polls), sum(p[1] for p in polls)
    return Scale(
        jobs=jobs,
        polls=len(polls),
        requests=polled[0] / len(polls),
        counted=polled[1] / len(polls),
        worst=max(p[0] for p in polls),
        pages=sum(math.ceil(p[2] / 100) for p in polls) / len(polls),
        endpoint_minute=max(minutes.values()),
        secondary=sim.secondary_refused,
        primary=sum(1 for q in reqs if q.status == 403) - sim.secondary_refused,
        details=sum(1 for q in reqs if q.counted) - polled[1],
        over_budget=sum(1 for r in reports if any("over_budget" in m for m in r.missing)),
        wrong=sum(1 for i, r in enumerate(reports) if r.status != "merged" or r.id != ids[i]),
        seconds=seconds,
        output_bytes=output_bytes,
        reports_file=reports_file,
    )


def case(
    jobs: int,
    scale: float,
    engine: str,
    naive_polls: int | None = None,
    offset: float = 0.0,
    history: int = 0,
    head_start: float = 0.0,
    graphql: bool = True,
) -> Result:
    """`head_start`: seconds the jobs run before the wait starts (0: they start
    over the wait's first minute, so its first look finds none of them)."""
    # The naive loop would exhaust a GITHUB_TOKEN hour within a few polls of 200
    # jobs (and then crash on the 403): it gets an unlimited budget.
    sim, clock = fresh(GITHUB_TOKEN_BUDGET if engine == "ours" else 10**9)
    with sim:
        sim.state.add_history(history)  # past agent jobs: merged PRs, completed runs
        if not graphql:  # as a GitHub Enterprise Server or proxy without it would answer
            sim.add_fault("POST", "/graphql", "status:404", times=None)
        ids = [f"b{n}" for n in range(jobs)]
        # Starts spread over a minute, as a fleet of agents would; the offset
        # puts changes between polls, so the detection lag is real.
        changes = {
            j: hour_job(sim, j, offset=offset + 60.0 * n / jobs, scale=scale)
            for n, j in enumerate(ids)
        }
        clock.advance(head_start)
        if engine == "ours":
            return ours(sim, clock, ids, changes)
        return naive(sim, clock, ids, changes, naive_polls)


def row(label: str, r: Result, per_poll: bool = False) -> str:
    lat = f"{max(r.latencies):.0f} s" if r.latencies else "-"
    extra = f"  {r.per_poll:8.2f} {r.details:>8}" if per_poll else ""
    return (
        f"  {label:<34} {r.requests:>9} {r.counted:>9} {r.polls:>6} {lat:>9} "
        f"{r.seconds:>7.1f}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 instead of 200 jobs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    many = 50 if args.quick else 200
    head = f"  {'':<34} {'requests':>9} {'counted':>9} {'polls':>6} {'max lag':>9} {'wall s':>7}"
    print("Case 1: one job living a simulated hour, 10 s poll interval, wait_for: merged")
    print(head)
    one_ours, one_naive = case(1, 1.0, "ours", offset=3.0), case(1, 1.0, "naive", offset=3.0)
    print(row("agent-job-status (conditional)", one_ours))
    print(row("naive loop (branch+PR+run each poll)", one_naive))
    print(
        f"  unchanged polls: {one_ours.polls - one_ours.counted} or more of "
        f"{one_ours.polls} cost 0 counted requests; GITHUB_TOKEN budget is ~1,000/hour"
    )
    print()
    print(f"Case 2: many jobs at once (10 vs {many}), a 10-minute life each, counted per poll")
    print(head + f"  {'per poll':>8} {'details':>8}")
    results: dict[str, Result] = {}
    for jobs in (10, many):
        results[f"ours-{jobs}"] = case(jobs, 1 / 6, "ours")
        print(row(f"agent-job-status, {jobs} jobs", results[f"ours-{jobs}"], per_poll=True))
    for jobs in (10, many):
        results[f"naive-{jobs}"] = case(jobs, 1 / 6, "naive", naive_polls=3)
        print(row(f"naive loop, {jobs} jobs (3 polls)", results[f"naive-{jobs}"], per_poll=True))
    small, big = results["ours-10"], results[f"ours-{many}"]
    ratio = big.per_poll / max(small.per_poll, 1e-9)
    print(
        f"  counted per poll (details excluded: fetched once per job at the end), "
        f"{many} jobs vs 10: {ratio:.2f}x"
    )
    print()
    print(f"Case 3: 10 jobs in a repository with {HISTORY:,} past agent jobs vs a clean one")
    print(head + f"  {'per poll':>8} {'details':>8} {'req/poll':>8} {'graphql':>7}")
    for label, past in (("clean repository", 0), (f"{HISTORY:,} past jobs", HISTORY)):
        results[f"history-{past}"] = case(10, 1 / 6, "ours", history=past)
        r = results[f"history-{past}"]
        print(
            row(f"agent-job-status, {label}", r, per_poll=True)
            + f" {r.requests / r.polls:8.2f} {r.graphql:>7}"
        )
    results["history-rest"] = case(10, 1 / 6, "ours", history=HISTORY, graphql=False)
    r = results["history-rest"]
    print(
        row(f"the same, {HISTORY:,} past, no GraphQL", r, per_poll=True)
        + f" {r.requests / r.polls:8.2f} {r.graphql:>7}"
    )
    clean = results["history-0"]
    for label, deep in (("", results[f"history-{HISTORY}"]), (" without GraphQL", r)):
        print(
            f"  counted per poll, history{label} vs clean: "
            f"{deep.per_poll / max(clean.per_poll, 1e-9):.2f}x; requests per poll: "
            f"{deep.requests / deep.polls / (clean.requests / clean.polls):.2f}x"
        )
        print(
            f"  first look: {deep.first} counted with history{label}, {clean.first} clean; "
            f"every later poll: {deep.per_later_poll:.2f} vs {clean.per_later_poll:.2f} counted "
            f"({deep.per_later_poll / max(clean.per_later_poll, 1e-9):.2f}x)"
        )
    print(
        "  the same 10 jobs dispatched 90 s before the wait starts (its first look finds "
        "their runs):"
    )
    for label, past in (("clean repository", 0), (f"{HISTORY:,} past jobs", HISTORY)):
        results[f"started-{past}"] = case(10, 1 / 6, "ours", history=past, head_start=90)
        r = results[f"started-{past}"]
        print(
            row(f"agent-job-status, {label}", r, per_poll=True)
            + f" {r.requests / r.polls:8.2f} {r.graphql:>7}"
        )
    clean, deep = results["started-0"], results[f"started-{HISTORY}"]
    print(
        f"  counted per poll, history vs clean: {deep.per_poll / max(clean.per_poll, 1e-9):.2f}x; "
        f"requests per poll: {deep.requests / deep.polls / (clean.requests / clean.polls):.2f}x"
    )
    checked = (one_ours, small, big, deep, results[f"history-{HISTORY}"], results["history-rest"])
    wrong = [s for r in checked for s in r.final if s != "merged"]
    print(f"  final statuses not 'merged': {len(wrong)}")
    print()
    sizes = (10, 200) if args.quick else (10, 200, 1000, 5000)
    print(
        "Case 4: jobs at scale (10-minute jobs starting over 5 minutes, GITHUB_TOKEN budget "
        "of 1,000/hour, secondary limit 900/minute/endpoint), per poll"
    )
    print(
        f"  {'jobs':>6} {'polls':>6} {'req/poll':>9} {'counted':>8} {'worst':>6} "
        f"{'pages':>6} {'req/page':>8} {'max/min/endpoint':>17} {'2nd':>4} {'1st':>4} "
        f"{'details':>8} {'over budget':>11} {'wrong':>6} {'outputs':>10} {'file':>5} "
        f"{'wall s':>7}"
    )
    scaled = {}
    for jobs in sizes:
        r4 = scaled[jobs] = scale(jobs)
        print(
            f"  {r4.jobs:>6,} {r4.polls:>6} {r4.requests:>9.1f} {r4.counted:>8.1f} {r4.worst:>6} "
            f"{r4.pages:>6.1f} {r4.requests / r4.pages:>8.2f} {r4.endpoint_minute:>17} "
            f"{r4.secondary:>4} {r4.primary:>4} {r4.details:>8} {r4.over_budget:>11} {r4.wrong:>6} "
            f"{r4.output_bytes:>10,} {'yes' if r4.reports_file else 'no':>5} {r4.seconds:>7.1f}"
        )
    print(
        "  pages: of 100 jobs not yet merged, mean per poll; req/page: requests per poll "
        "over those pages (flat = no cliff);\n  2nd/1st: answers refused for the secondary "
        "limit / the primary limit (the wait then sleeps until its reset); outputs: bytes "
        "written to GITHUB_OUTPUT (limit 1 MB); file: full reports in reports_path"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    k: vars(v)
                    for k, v in {
                        "one_ours": one_ours,
                        "one_naive": one_naive,
                        **results,
                        **{f"scale-{n}": r for n, r in scaled.items()},
                    }.items()
                },
                default=str,
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
