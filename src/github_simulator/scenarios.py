"""Built-in named scenarios for the demo and end-to-end tests.

``apply(sim, name, job_id="demo-1", speed=1.0)`` sets up job ``job_id`` (branch
``job/<job_id>``) in the simulator. Timed scenarios schedule their steps relative
to the clock time at which they are applied, divided by ``speed``.

Names: ``completed``, ``failed``, ``lifecycle``, ``merged``, ``closed``, ``not_found``,
``pending``, ``running``; and thepopebot's two generations as ../shared/AGENTS.md
describes them (``job/`` + ``job.config.json`` + an Actions run; ``agent-job/`` +
``agent-job.config.json`` and no run): ``gen1-lifecycle``, ``gen1-pending``,
``gen1-failed-automerged``, ``gen2-lifecycle``, ``gen2-running``, ``gen2-completed``,
``gen2-failed``, ``gen2-failed-automerged``, ``gen2-merged``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from github_simulator.server import Simulator
from github_simulator.state import SimState

__all__ = ["FAILED_LOG", "NAMES", "STEPS", "apply"]

STEPS = ["Set up job", "Run agent", "Complete job"]
FAILED_LOG = (
    "Starting agent container\n"
    "agent: reading task\n"
    "Error: agent exited with code 1: model returned no usable patch\n"
)
MODEL = "claude-sonnet-4"


def _branch(job_id: str) -> str:
    return f"job/{job_id}"


def _start(st: SimState, job_id: str) -> int:
    """Branch with the job's log folder, and a queued run on it."""
    config = json.dumps({"model": MODEL, "title": f"Fix the flaky test ({job_id})"})
    session = "\n".join(
        json.dumps(line)
        for line in [
            {"type": "system", "text": f"job {job_id} started"},
            {"type": "user", "text": "Fix the flaky test in tests/test_api.py"},
        ]
    )
    st.create_branch(
        _branch(job_id),
        files={
            f"logs/{job_id}/job.config.json": config + "\n",
            f"logs/{job_id}/session-1.jsonl": session + "\n",
        },
        message=f"job {job_id}: start",
    )
    return st.start_run(
        _branch(job_id), workflow="run-job.yml", status="queued", jobs={"agent": STEPS}
    )


def _work(st: SimState, job_id: str) -> str:
    """The agent's commit: session log grows, one file of real work."""
    session = "\n".join(
        json.dumps(line)
        for line in [
            {"type": "system", "text": f"job {job_id} started"},
            {"type": "user", "text": "Fix the flaky test in tests/test_api.py"},
            {"type": "assistant", "text": "The test relied on dict ordering; sorting the keys."},
            {"type": "result", "text": "Done: 1 file changed"},
        ]
    )
    return st.commit(
        _branch(job_id),
        files={
            f"logs/{job_id}/session-1.jsonl": session + "\n",
            f"notes/{job_id}.md": f"# Job {job_id}\n\nSorted the keys before comparing.\n",
        },
        message=f"job {job_id}: fix flaky test",
    )


def _open_pr(st: SimState, job_id: str) -> int:
    sha = st.branches[_branch(job_id)]
    body = (
        f"Agent job `{job_id}`.\n\n"
        f"Logs: https://github.com/{st.owner}/{st.repo}/tree/{sha}/logs/{job_id}\n"
    )
    return st.open_pr(_branch(job_id), title=f"Fix the flaky test ({job_id})", body=body)


def _run_through(st: SimState, run_id: int) -> None:
    st.set_run_status(run_id, "in_progress")
    for _ in STEPS:
        st.advance_step(run_id)


def _completed(st: SimState, job_id: str) -> int:
    run_id = _start(st, job_id)
    _run_through(st, run_id)
    _work(st, job_id)
    st.finish_run(run_id, "success")
    return _open_pr(st, job_id)


def _failed(st: SimState, job_id: str) -> None:
    run_id = _start(st, job_id)
    st.set_run_status(run_id, "in_progress")
    st.advance_step(run_id)  # Set up job
    st.advance_step(run_id)  # Run agent
    _work(st, job_id)
    st.finish_run(run_id, "failure", failed_log=FAILED_LOG)
    _open_pr(st, job_id)


def _pending(st: SimState, job_id: str) -> None:
    _start(st, job_id)


def _running(st: SimState, job_id: str) -> None:
    run_id = _start(st, job_id)
    st.set_run_status(run_id, "in_progress")
    st.advance_step(run_id)
    st.advance_step(run_id)


def _lifecycle(sim: Simulator, job_id: str, speed: float) -> None:
    holder: dict[str, int] = {}

    def at(seconds: float, fn: Callable[[SimState], object]) -> None:
        sim.schedule_in(seconds / speed, fn)

    def start(st: SimState) -> None:
        holder["run"] = _start(st, job_id)

    def step(st: SimState) -> None:
        st.advance_step(holder["run"])

    def work_and_step(st: SimState) -> None:
        _work(st, job_id)
        st.advance_step(holder["run"])

    def finish(st: SimState) -> None:
        st.finish_run(holder["run"], "success")
        holder["pr"] = _open_pr(st, job_id)

    def merge(st: SimState) -> None:
        st.merge_pr(holder["pr"], delete_branch=True)

    start(sim.state)
    at(1.0, step)  # running: Set up job
    at(2.0, step)  # Run agent
    at(3.0, work_and_step)  # Complete job
    at(4.0, finish)  # completed, PR open
    at(6.0, merge)  # merged, branch deleted


# -- thepopebot as it is (../shared/AGENTS.md): both generations -----------------------
GEN_MODEL = "anthropic/claude-sonnet-4"


def _popebot_start(st: SimState, job_id: str, generation: int) -> str:
    """The job's branch with its config (generation 2: agent-job/, no Actions run)."""
    branch = f"agent-job/{job_id}" if generation == 2 else f"job/{job_id}"
    config = {"title": f"Tidy the docs ({job_id})", "job": "Tidy the docs", "llm_model": GEN_MODEL}
    name = "job.config.json"
    if generation == 2:
        config |= {"agent_backend": "pi", "user_id": "u-1", "scope": "repo", "system_prompt": ""}
        name = "agent-job.config.json"
    st.create_branch(
        branch, files={f"logs/{job_id}/{name}": json.dumps(config) + "\n"}, message="job start"
    )
    return branch


def _popebot_finish(st: SimState, branch: str, job_id: str, *, failed: bool) -> int:
    """The agent's commit (the work, or only its logs and "(failed)"), then "done."
    removes logs/<id>, and the PR links to the log commit."""
    title = f"Tidy the docs ({job_id})"
    files: dict[str, str | bytes | None] = {
        f"logs/{job_id}/1766000000_{job_id}.jsonl": json.dumps({"type": "result"}) + "\n"
    }
    if not failed:
        files[f"docs/{job_id}.md"] = "# Tidy\n"
    log_sha = st.commit(branch, files, f"🤖 Agent Job: {title}" + (" (failed)" if failed else ""))
    tree = st.commits[st.branches[branch]].tree
    st.commit(branch, {p: None for p in tree if p.startswith(f"logs/{job_id}/")}, "done.")
    body = (
        f"📋 [View Job Logs](https://github.com/{st.owner}/{st.repo}/tree/{log_sha}"
        f"/logs/{job_id})\n\n---\n\n{title}"
    )
    return st.open_pr(branch, title=f"🤖 Agent Job: {title}", body=body)


def _auto_merge(st: SimState, branch: str, pr: int, merge: bool) -> None:
    """auto-merge.yml on the PR's branch: merges (and deletes the branch) a logs-only PR."""
    run_id = st.start_run(
        branch, workflow="auto-merge.yml", event="pull_request", jobs={"auto-merge": ["Merge"]}
    )
    st.set_run_status(run_id, "in_progress")
    st.advance_step(run_id)
    st.finish_run(run_id, "success")
    if merge:
        st.merge_pr(pr, delete_branch=True)


def _popebot(st: SimState, name: str, job_id: str) -> None:
    generation = 2 if name.startswith("gen2-") else 1
    branch = _popebot_start(st, job_id, generation)
    if name in ("gen1-pending", "gen2-running"):
        return
    run_id = None
    if generation == 1:
        run_id = st.start_run(branch, workflow="run-job.yml", event="create", jobs={"agent": STEPS})
        _run_through(st, run_id)
    failed = "failed" in name
    pr = _popebot_finish(st, branch, job_id, failed=failed)
    if run_id is not None:
        st.finish_run(run_id, "failure" if failed else "success", failed_log=FAILED_LOG)
    _auto_merge(st, branch, pr, merge=failed and name.endswith("automerged"))
    if name == "gen2-merged":
        st.merge_pr(pr, delete_branch=True)


def _popebot_lifecycle(sim: Simulator, job_id: str, speed: float, generation: int) -> None:
    """0 s branch + config; gen 1: run queued, 1 s running; 3 s work, "done.", PR
    (and the run succeeds); 4 s auto-merge leaves it (real work); 6 s merged."""
    holder: dict[str, int | str] = {}

    def at(seconds: float, fn: Callable[[SimState], object]) -> None:
        sim.schedule_in(seconds / speed, fn)

    def run(st: SimState) -> None:
        if generation == 1:
            st.set_run_status(int(holder["run"]), "in_progress")

    def finish(st: SimState) -> None:
        holder["pr"] = _popebot_finish(st, str(holder["branch"]), job_id, failed=False)
        if generation == 1:
            _run_through_rest(st, int(holder["run"]))

    with sim.state.lock:
        holder["branch"] = _popebot_start(sim.state, job_id, generation)
        if generation == 1:
            holder["run"] = sim.state.start_run(
                str(holder["branch"]), workflow="run-job.yml", event="create", jobs={"agent": STEPS}
            )
    at(1.0, run)
    at(3.0, finish)
    at(4.0, lambda st: _auto_merge(st, str(holder["branch"]), int(holder["pr"]), merge=False))
    at(6.0, lambda st: st.merge_pr(int(holder["pr"]), delete_branch=True))


def _run_through_rest(st: SimState, run_id: int) -> None:
    for _ in STEPS:
        st.advance_step(run_id)
    st.finish_run(run_id, "success")


POPEBOT = (
    "gen1-lifecycle", "gen1-pending", "gen1-failed-automerged",
    "gen2-lifecycle", "gen2-running", "gen2-completed", "gen2-failed",
    "gen2-failed-automerged", "gen2-merged",
)  # fmt: skip

NAMES = (
    "completed", "failed", "lifecycle", "merged", "closed", "not_found", "pending", "running",
    *POPEBOT,
)  # fmt: skip


def apply(sim: Simulator, name: str, job_id: str = "demo-1", speed: float = 1.0) -> None:
    """Set up scenario ``name`` for ``job_id``. Raises ValueError for an unknown name."""
    if speed <= 0:
        raise ValueError("speed must be > 0")
    st = sim.state
    if name == "lifecycle":
        # no state lock held here: scheduling takes the simulator lock, which is
        # always acquired before the state lock
        _lifecycle(sim, job_id, speed)
        return
    if name in ("gen1-lifecycle", "gen2-lifecycle"):
        _popebot_lifecycle(sim, job_id, speed, int(name[3]))
        return
    with st.lock:
        if name == "completed":
            _completed(st, job_id)
        elif name == "failed":
            _failed(st, job_id)
        elif name == "merged":
            st.merge_pr(_completed(st, job_id), delete_branch=True)
        elif name == "closed":
            st.close_pr(_completed(st, job_id))
        elif name == "pending":
            _pending(st, job_id)
        elif name == "running":
            _running(st, job_id)
        elif name == "not_found":
            pass
        elif name in POPEBOT:
            _popebot(st, name, job_id)
        else:
            raise ValueError(f"unknown scenario {name!r}; known: {', '.join(NAMES)}")
