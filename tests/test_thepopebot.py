"""thepopebot's two generations, out of the box, over HTTP: the action, the CLI and serve.

Each scenario (github_simulator.scenarios, modelled on ../shared/AGENTS.md) is
looked at with no configuration but the repository: default prefixes
`job/,agent-job/`, default workflow `run-job.yml`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from agent_job_status.cli import main
from agent_job_status.serve import ServeConfig, create_app
from agent_job_status.settings import Api, Target
from github_simulator import Simulator, scenarios

from .conftest import TOKEN, runner_env
from .serving import background
from .test_action import parse_outputs

KEY = "serve-key-0123456789"

# scenario -> (status, reason, lifecycle, branch prefix, merged_logs_only, model)
EXPECTED = {
    "gen1-pending": ("pending", "waiting_for_run", "active", "job/", False),
    "gen1-failed-automerged": ("failed", "failure", "failed", "job/", True),
    "gen2-running": ("running", "no_run_record", "active", "agent-job/", False),
    "gen2-completed": ("completed", "no_run_record", "completed", "agent-job/", False),
    "gen2-failed": ("failed", "agent_reported_failure", "failed", "agent-job/", False),
    "gen2-failed-automerged": ("failed", "agent_reported_failure", "failed", "agent-job/", True),
    "gen2-merged": ("merged", "", "completed", "agent-job/", False),
}


@pytest.fixture(scope="module")
def world() -> Iterator[Simulator]:
    with Simulator(owner="acme", repo="agents", token=TOKEN) as sim:
        for name in EXPECTED:
            scenarios.apply(sim, name, job_id=name)
        yield sim


def test_the_action(
    world: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner_env(monkeypatch, tmp_path, world.url, GITHUB_RUN_ID="1")
    monkeypatch.setenv("INPUT_JOB_ID", ",".join(EXPECTED))
    monkeypatch.setenv("INPUT_FAIL_ON", "none")
    assert main(["action"]) == 0
    capsys.readouterr()
    outputs = parse_outputs((tmp_path / "output.txt").read_text())
    jobs = {job["id"]: job for job in json.loads(outputs["jobs"])}
    for name, (status, reason, lifecycle, prefix, logs_only) in EXPECTED.items():
        job = jobs[name]
        got = (job["status"], job["reason"], job["lifecycle"], job["branch"])
        assert got == (status, reason, lifecycle, prefix + name), name
        assert job["merged_logs_only"] is logs_only, name
        assert job["generation"] == (2 if prefix == "agent-job/" else 1), name
        if name != "gen1-pending":  # config: llm_model of either generation's file
            assert job["model"] == scenarios.GEN_MODEL, name
            assert job["title"] == f"Tidy the docs ({name})", name


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_cli(world: Simulator, name: str, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    base = ["status", name, "--repo", "acme/agents", "--api-url", world.url, "--fail-on", "none"]
    assert main([*base, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    status, reason, lifecycle, prefix, _ = EXPECTED[name]
    assert (report["status"], report["reason"], report["branch"]) == (status, reason, prefix + name)
    assert main([*base, "--format", "popebot"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == status
    assert main([*base, "--format", "mintlify"]) == 0
    mint = json.loads(capsys.readouterr().out)
    assert mint["status"] == lifecycle
    assert (mint["prLink"] is None) == name.endswith(("pending", "running"))
    assert (mint["archivedAt"] is None) == (report["pr_state"] in (None, "open"))


def test_serve(world: Simulator) -> None:
    config = ServeConfig(
        api=Api(url=world.url, token=TOKEN, server_url="https://github.com"),
        target=Target("acme/agents"),
        api_key=KEY,
    )
    with background(create_app(config)) as url:
        for name, (status, _, lifecycle, prefix, _) in EXPECTED.items():
            seed = requests.get(
                f"{url}/api/jobs/status", params={"job_id": name},
                headers={"x-api-key": KEY}, timeout=30,
            ).json()  # fmt: skip
            assert (seed["status"], seed["branch"]) == (status, prefix + name)
            mint = requests.get(
                f"{url}/v2/agent/agents/job/{name}",
                headers={"Authorization": f"Bearer {KEY}"}, timeout=30,
            ).json()  # fmt: skip
            assert mint["status"] == lifecycle and mint["source"]["ref"] == prefix + name
        unknown = requests.get(
            f"{url}/api/jobs/status", params={"job_id": "typo"},
            headers={"x-api-key": KEY}, timeout=30,
        )  # fmt: skip
        assert unknown.status_code == 404 and unknown.json() == {"error": "Job not found"}
        unknown = requests.get(
            f"{url}/v2/agent/agents/job/typo",
            headers={"Authorization": f"Bearer {KEY}"}, timeout=30,
        )  # fmt: skip
        assert unknown.status_code == 404


def test_not_found_ends_a_popebot_poll(
    world: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    base = ["status", "typo", "--repo", "acme/agents", "--api-url", world.url]
    assert main([*base, "--format", "popebot"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["status"] == "failed" and body["branch"] == "job/typo"


def test_a_generation_2_job_costs_little_once_found(world: Simulator, tmp_path: Path) -> None:
    """After the first look, a poll asks only the branch found (no other prefix)."""
    from agent_job_status.engine import observe_one
    from agent_job_status.github.client import GitHubClient
    from agent_job_status.pipeline import source_for

    from .conftest import make_settings

    settings = make_settings(world, tmp_path, job_id="gen2-failed-automerged")
    client = GitHubClient(settings.api.url, TOKEN)
    source = source_for(settings.target, client)
    assert observe_one(source, "gen2-failed-automerged", detail=False).status == "failed"
    world.reset_requests()
    assert observe_one(source, "gen2-failed-automerged", detail=False).status == "failed"
    assert all("job/gen2" not in r.path or "agent-job/" in r.path for r in world.requests)
    assert sum(r.counted for r in world.requests) == 0  # all 304s or memoised


@pytest.mark.parametrize("name", ["gen1-lifecycle", "gen2-lifecycle"])
def test_demo_shows_either_generation(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scenario", name, "--speed", "20"]) == 0
    out = capsys.readouterr().out
    assert "merged" in out
    prefix = "agent-job/" if name.startswith("gen2") else "job/"
    assert f"{prefix}demo-1" in out
