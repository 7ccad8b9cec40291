"""The conditional cache outlives the process: per token, on disk, never the token.

A repeated `agent-job-status status` in a new process (a real subprocess)
against the simulator gets only 304s; another token starts cold; the cache
files hold neither the token nor its Authorization header.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_job_status.settings import cache_dir_for, from_inputs
from github_simulator import Simulator, scenarios
from github_simulator.server import Identity

from .conftest import TOKEN, make_settings

OTHER_TOKEN = "ghs_OTHERtoken9876543210zyxwvuSECRET"


def status_cli(sim: Simulator, cache_home: Path, token: str, *flags: str) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "INPUT_", "RUNNER_")) and key != "GH_TOKEN"
    }
    env.update(GITHUB_TOKEN=token, XDG_CACHE_HOME=str(cache_home))
    proc = subprocess.run(
        [sys.executable, "-m", "agent_job_status", "status", "j1", "--repo", "acme/agents",
         "--api-url", sim.url, "--format", "json", *flags],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert '"status": "completed"' in proc.stdout


def counted(sim: Simulator) -> int:
    return sum(1 for q in sim.requests if q.counted)


def test_a_new_process_repeats_a_check_for_free(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    status_cli(sim, tmp_path, TOKEN)
    first = len(sim.requests)
    assert first > 0 and counted(sim) == first  # a cold cache: every answer counted
    sim.reset_requests()
    status_cli(sim, tmp_path, TOKEN)
    assert len(sim.requests) == first
    assert counted(sim) == 0
    assert [q.status for q in sim.requests] == [304] * first
    assert all("If-None-Match" in q.headers for q in sim.requests)


def test_another_token_does_not_use_the_first_tokens_entries(
    sim: Simulator, tmp_path: Path
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    status_cli(sim, tmp_path, TOKEN)
    sim.identities[OTHER_TOKEN] = Identity()  # the simulator accepts the other token too
    sim.reset_requests()
    status_cli(sim, tmp_path, OTHER_TOKEN)
    assert sim.requests and not any("If-None-Match" in q.headers for q in sim.requests)
    assert counted(sim) == len(sim.requests)
    files = sorted(p.name for p in (tmp_path / "agent-job-status").glob("*.sqlite"))
    assert len(files) == 2  # one file per token


def test_the_cache_holds_no_token(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    status_cli(sim, tmp_path, TOKEN)
    status_cli(sim, tmp_path, TOKEN)
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        data = path.read_bytes()
        for secret in (TOKEN, TOKEN[4:20], TOKEN[-16:]):
            assert secret.encode() not in data, path
            assert secret.encode("utf-16-le") not in data, path
        assert b"token ghs_" not in data.lower()


def test_no_cache_leaves_nothing_on_disk(sim: Simulator, tmp_path: Path) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    status_cli(sim, tmp_path, TOKEN, "--no-cache")
    sim.reset_requests()
    status_cli(sim, tmp_path, TOKEN, "--no-cache")
    assert not list(tmp_path.iterdir())
    assert counted(sim) == len(sim.requests) > 0


def test_where_the_cache_lives() -> None:
    runner = {"RUNNER_TEMP": "/rt", "XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}
    assert cache_dir_for(runner, action=True) == Path("/rt/agent-job-status-cache")
    assert cache_dir_for(runner) == Path("/xdg/agent-job-status")
    assert cache_dir_for({"XDG_CACHE_HOME": "rel", "HOME": "/home/u"}) == Path(
        "/home/u/.cache/agent-job-status"
    )
    assert cache_dir_for({"HOME": "/home/u"}, action=True) == Path(
        "/home/u/.cache/agent-job-status"
    )
    assert cache_dir_for({}) is None


@pytest.mark.parametrize(("value", "cached"), [("true", True), ("false", False), ("", True)])
def test_the_action_input(tmp_path: Path, value: str, cached: bool) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path), "RUNNER_TEMP": str(tmp_path / "rt")}
    given = {"job_id": "1", "repository": "acme/agents", "cache": value}
    got = from_inputs(given, env).api.cache_dir
    assert got == (tmp_path / "rt" / "agent-job-status-cache" if cached else None)


def test_an_unwritable_cache_dir_falls_back_to_memory(sim: Simulator, tmp_path: Path) -> None:
    """A cache is never worth a failed check: a file where the directory should be."""
    from agent_job_status.github.client import GitHubClient

    scenarios.apply(sim, "completed", job_id="j1")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings = make_settings(sim, tmp_path, job_id="j1")
    client = GitHubClient(settings.api.url, TOKEN, cache_dir=blocker / "cache")
    assert client.get("/repos/acme/agents/pulls").status == 200
    assert client.get("/repos/acme/agents/pulls").status == 304
