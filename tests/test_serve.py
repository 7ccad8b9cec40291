"""`agent-job-status serve`: real HTTP, uvicorn in a thread, the simulator behind it."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

import requests

from agent_job_status.engine import observe_one
from agent_job_status.errors import ConfigError, InputError
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.source import GitHubFacts
from agent_job_status.github.wire import RetryPolicy
from agent_job_status.serve import (
    API_KEY_ENV,
    MINTLIFY_FIELDS,
    POPEBOT_FIELDS,
    SERVE_RETRY,
    JobCache,
    ServeConfig,
    config_from,
    create_app,
)
from agent_job_status.settings import Api, Target
from github_simulator import Simulator, scenarios

try:
    from tests.serving import background
except ImportError:  # tests/ is on sys.path instead of the project root
    from serving import background  # type: ignore[no-redef]

GH_TOKEN = "ghs_serve_test_token"
KEY = "s3cret-api-key"
FAST = RetryPolicy(attempts=3, budget=10.0, base=0.02, cap=0.1)


@pytest.fixture
def github() -> Iterator[Simulator]:
    with Simulator(owner="acme", repo="agents", token=GH_TOKEN) as simulator:
        for name in ("completed", "failed", "running", "merged"):
            scenarios.apply(simulator, name, job_id=f"job-{name}")
        yield simulator


def _config(sim: Simulator | str, **extra: str) -> ServeConfig:
    url = sim if isinstance(sim, str) else sim.url
    api = Api(url=url, token=GH_TOKEN, server_url="https://github.com")
    return ServeConfig(api=api, target=Target("acme/agents"), api_key=KEY, **extra)


@pytest.fixture
def server(github: Simulator) -> Iterator[tuple[str, JobCache]]:
    app = create_app(_config(github), retry=FAST)
    with background(app) as url:
        yield url, app.state.cache


@pytest.fixture
def url(server: tuple[str, JobCache]) -> str:
    return server[0]


def status(url: str, job_id: str | None, key: str | None = KEY) -> requests.Response:
    params = {} if job_id is None else {"job_id": job_id}
    headers = {} if key is None else {"x-api-key": key}
    return requests.get(f"{url}/api/jobs/status", params=params, headers=headers, timeout=30)


def agent(url: str, path: str, auth: str | None = f"Bearer {KEY}") -> requests.Response:
    headers = {} if auth is None else {"Authorization": auth}
    return requests.get(f"{url}/v2/agent/{path}", headers=headers, timeout=30)


# -- the two response shapes ----------------------------------------------------------
def test_job_status_api_answers_exactly_the_reference_keys(url: str) -> None:
    resp = status(url, "job-completed")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert list(body) == list(POPEBOT_FIELDS)
    assert body["status"] == "completed"
    assert body["branch"] == "job/job-completed"
    assert body["pr_url"].endswith("/pull/1")
    assert "/actions/runs/" in body["run_url"]
    assert "job job-completed started" in body["log"]
    assert "notes/job-completed.md" in body["changed_files"]
    assert status(url, "job-failed").json()["status"] == "failed"
    assert status(url, "job-running").json()["status"] == "running"
    assert status(url, "job-merged").json()["status"] == "merged"
    # Nothing on GitHub: 404, so that a client polling until a final word stops.
    nothing = status(url, "no-such-job")
    assert nothing.status_code == 404 and nothing.json() == {"error": "Job not found"}


def test_agent_job_api_answers_exactly_the_reference_keys(url: str) -> None:
    resp = agent(url, "agents/job/job-completed")
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == list(MINTLIFY_FIELDS)
    assert body["id"] == "job-completed"
    assert body["status"] == "completed"
    assert body["source"] == {"repository": "acme/agents", "ref": "job/job-completed"}
    assert body["model"] == "claude-sonnet-4"
    assert body["prLink"].endswith("/pull/1")
    assert body["createdAt"].endswith("Z")
    assert agent(url, "agents/job/job-running").json()["status"] == "active"
    assert agent(url, "agents/job/job-failed").json()["status"] == "failed"
    assert agent(url, "agents/job/job-merged").json()["status"] == "completed"


    nothing = agent(url, "agents/job/no-such-job")
    assert nothing.status_code == 404 and nothing.json() == {"error": "Job not found"}


def test_job_ids_with_slashes_reach_the_engine(url: str, github: Simulator) -> None:
    github.state.create_branch("job/team/x-1")
    body = agent(url, "agents/job/team/x-1").json()
    assert body["id"] == "team/x-1"
    assert body["source"]["ref"] == "job/team/x-1"


# -- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [None, "", "wrong", KEY + "x", KEY[:-1], f"Bearer {KEY}"])
def test_job_status_api_wrong_key_is_401(url: str, key: str | None) -> None:
    resp = status(url, "job-completed", key=key)
    assert resp.status_code == 401
    assert resp.json() == {"error": "Unauthorized"}


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Bearer wrong", f"Token {KEY}", KEY])
def test_agent_job_api_wrong_bearer_is_401(url: str, auth: str | None) -> None:
    resp = agent(url, "agents/job/job-completed", auth=auth)
    assert resp.status_code == 401
    assert resp.json() == {"error": "Unauthorized"}


def test_the_key_of_one_api_does_not_open_the_other_by_the_wrong_header(url: str) -> None:
    resp = requests.get(
        f"{url}/v2/agent/agents/job/job-completed", headers={"x-api-key": KEY}, timeout=30
    )
    assert resp.status_code == 401
    resp = requests.get(
        f"{url}/api/jobs/status",
        params={"job_id": "job-completed"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30,
    )
    assert resp.status_code == 401


def test_bearer_scheme_is_case_insensitive(url: str) -> None:
    assert agent(url, "agents/job/job-completed", auth=f"bearer {KEY}").status_code == 200


@pytest.mark.parametrize("job_id", [None, "", "a..b", "a b", "-x", "x.lock", "a~b", "x" * 201])
def test_missing_or_invalid_job_id_is_400(url: str, job_id: str | None) -> None:
    resp = status(url, job_id)
    assert resp.status_code == 400
    body = resp.json()
    assert list(body) == ["error"]
    assert body["error"].startswith("Input 'job_id': ")


def test_invalid_agent_job_id_is_400(url: str) -> None:
    resp = agent(url, "agents/job/a..b")
    assert resp.status_code == 400
    assert resp.json()["error"].startswith("Input 'id': ")


def test_unauthorized_comes_before_validation(url: str) -> None:
    assert status(url, "a..b", key="wrong").status_code == 401
    assert agent(url, "nope/job/a..b", auth="Bearer wrong").status_code == 401


def test_unknown_project_is_404(url: str) -> None:
    resp = agent(url, "other/job/job-completed")
    assert resp.status_code == 404
    assert resp.json() == {"error": "Not found"}


def test_project_id_can_be_set(github: Simulator) -> None:
    with background(create_app(_config(github, project_id="proj_42"))) as base:
        assert agent(base, "proj_42/job/job-completed").status_code == 200
        assert agent(base, "agents/job/job-completed").status_code == 404


def test_github_failing_is_500_in_bounded_time(github: Simulator, url: str) -> None:
    github.add_fault("*", ".*", "status:502", times=None)
    started = time.monotonic()
    resp = status(url, "job-completed")
    assert resp.status_code == 500
    assert resp.json() == {"error": "Failed to get job status"}
    resp = agent(url, "agents/job/job-completed")
    assert resp.status_code == 500
    assert resp.json() == {"error": "Failed to get job status"}
    assert time.monotonic() - started < 10
    assert any(r.status == 502 for r in github.requests)


def test_a_job_whose_newest_run_is_unreadable_is_500_and_others_are_not(
    github: Simulator, url: str
) -> None:
    github.state.create_branch("job/job-odd")
    run = github.state.start_run("job/job-odd")
    github.state.runs[run].status_null = True  # the OpenAPI description allows it
    for resp in (status(url, "job-odd"), agent(url, "agents/job/job-odd")):
        assert resp.status_code == 500  # never 404, never an older state
        assert resp.json() == {"error": "Failed to get job status"}
    assert status(url, "job-completed").json()["status"] == "completed"


def test_github_unreachable_is_500() -> None:
    config = _config("http://127.0.0.1:9")
    with background(create_app(config, retry=FAST)) as base:
        resp = status(base, "job-completed")
    assert resp.status_code == 500
    assert resp.json() == {"error": "Failed to get job status"}


def test_serving_uses_a_short_retry_budget() -> None:
    assert SERVE_RETRY.attempts <= 3
    assert SERVE_RETRY.budget <= 10


def test_unknown_paths_and_methods_answer_json(url: str) -> None:
    resp = requests.get(f"{url}/nope", timeout=30)
    assert resp.status_code == 404
    assert resp.json() == {"error": "Not found"}
    resp = requests.post(f"{url}/api/jobs/status", headers={"x-api-key": KEY}, timeout=30)
    assert resp.status_code == 405
    assert "GET" in resp.headers["allow"]


# -- one GitHub round per job per second ---------------------------------------------------------
def _cold_round(sim: Simulator, job_id: str) -> int:
    """GitHub requests one uncached round for a job costs (a fresh client)."""
    client = GitHubClient(sim.url, GH_TOKEN)
    observe_one(GitHubFacts(client, _config(sim).target), job_id, detail=True)
    return client.stats.requests


def test_concurrent_clients_share_one_github_round(
    github: Simulator, server: tuple[str, JobCache]
) -> None:
    url, cache = server
    one_round = _cold_round(github, "job-completed")
    assert one_round >= 3
    github.reset_requests()
    clients = 20
    barrier = threading.Barrier(clients)
    answers: list[requests.Response] = []

    def poll(i: int) -> None:
        barrier.wait()
        if i % 2:
            answers.append(status(url, "job-completed"))
        else:
            answers.append(agent(url, "agents/job/job-completed"))

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * clients
    assert cache.rounds == 1
    assert len(github.requests) <= one_round

    # A second later the next poll is one more round, of free 304s for what did not change.
    time.sleep(1.05)
    github.reset_requests()
    assert status(url, "job-completed").status_code == 200
    assert cache.rounds == 2
    assert github.requests
    assert all(not r.counted for r in github.requests)


def test_answers_are_refreshed_after_the_ttl(github: Simulator, url: str) -> None:
    assert status(url, "late-1").status_code == 404
    scenarios.apply(github, "completed", job_id="late-1")
    assert status(url, "late-1").status_code == 404  # within the second: shared
    time.sleep(1.05)
    assert status(url, "late-1").json()["status"] == "completed"


def test_many_jobs_fetched_concurrently(server: tuple[str, JobCache]) -> None:
    url, cache = server
    ids = [f"job-{n}" for n in ("completed", "failed", "running", "merged")] * 5
    results: dict[int, int] = {}

    def poll(i: int) -> None:
        results[i] = status(url, ids[i]).status_code

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(len(ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results.values()) == {200}
    assert cache.rounds == 4


# -- configuration and start-up -----------------------------------------------------------------
def _args(**given: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "repo": "acme/agents",
        "host": "127.0.0.1",
        "port": 8080,
        "project_id": "",
        "branch_prefix": "job/",
        "workflow": "run-job.yml",
        "api_url": "",
    }
    values.update(given)
    return argparse.Namespace(**values)


def test_config_needs_the_api_key() -> None:
    with pytest.raises(ConfigError, match=API_KEY_ENV):
        config_from(_args(), {"GITHUB_TOKEN": "t"})
    with pytest.raises(ConfigError, match=API_KEY_ENV):
        config_from(_args(), {API_KEY_ENV: "  "})


def test_config_from_flags_and_env() -> None:
    env = {API_KEY_ENV: KEY, "GH_TOKEN": "ght", "GITHUB_API_URL": "https://ghe.example/api/v3"}
    config = config_from(_args(), env)
    assert config.api.token == "ght"
    assert config.api.url == "https://ghe.example/api/v3"
    assert config.api.server_url == "https://ghe.example"
    assert config.project == "agents"
    assert KEY not in repr(config) and "ght" not in repr(config)
    config = config_from(_args(api_url="http://127.0.0.1:1", project_id="p1"), env)
    assert config.api.url == "http://127.0.0.1:1" and config.project == "p1"
    with pytest.raises(InputError, match="--repo:"):
        config_from(_args(repo="nope"), env)
    with pytest.raises(InputError, match="--api-url:"):
        config_from(_args(api_url="ftp://x"), env)


def _cli(
    args: list[str], env: dict[str, str], prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    code = "\n".join(
        [
            prelude,
            "import sys",
            "from agent_job_status.cli import main",
            "sys.exit(main(sys.argv[1:]))",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.pop(API_KEY_ENV, None)
    return env


def test_refuses_to_start_without_the_api_key() -> None:
    proc = _cli(["serve", "--repo", "acme/agents", "--port", "0"], _clean_env())
    assert proc.returncode == 2
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert len(lines) == 1
    assert API_KEY_ENV in lines[0]


def test_missing_extra_is_one_clear_line() -> None:
    env = {**_clean_env(), API_KEY_ENV: KEY}
    prelude = "import sys\nsys.modules['starlette'] = None\nsys.modules['uvicorn'] = None"
    proc = _cli(["serve", "--repo", "acme/agents", "--port", "0"], env, prelude)
    assert proc.returncode == 2
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert len(lines) == 1
    assert "agent-job-status[serve]" in lines[0]
    assert KEY not in proc.stdout + proc.stderr


# -- the OpenAPI description --------------------------------------------------------------
def test_openapi_describes_both_endpoints(url: str) -> None:
    resp = requests.get(f"{url}/openapi.json", timeout=30)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/jobs/status", "/v2/agent/{projectId}/job/{id}"}
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "x-api-key"}
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    schemas = doc["components"]["schemas"]
    assert schemas["JobStatus"]["required"] == list(POPEBOT_FIELDS)
    assert set(schemas["JobStatus"]["properties"]) == set(POPEBOT_FIELDS)
    assert schemas["AgentJob"]["required"] == list(MINTLIFY_FIELDS)
    assert set(schemas["AgentJob"]["properties"]) == set(MINTLIFY_FIELDS)
    project = doc["paths"]["/v2/agent/{projectId}/job/{id}"]["get"]["parameters"][0]
    assert project["schema"]["enum"] == ["agents"]


def test_responses_validate_against_the_openapi_schemas(url: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = requests.get(f"{url}/openapi.json", timeout=30).json()

    def check(body: object, name: str) -> None:
        schema = {**doc["components"]["schemas"][name], "components": doc["components"]}
        jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)

    for job in ("job-completed", "job-failed", "job-running", "job-merged"):
        check(status(url, job).json(), "JobStatus")
        check(agent(url, f"agents/job/{job}").json(), "AgentJob")
    check(status(url, "nothing").json(), "Error")
    check(agent(url, "agents/job/nothing").json(), "Error")
    check(status(url, "a..b").json(), "Error")
    check(status(url, "x", key="bad").json(), "Error")


def test_schemathesis_finds_no_issue(url: str, tmp_path: Path) -> None:
    pytest.importorskip("schemathesis")
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if st is None:
        pytest.skip("schemathesis's `st` command is not on PATH")
    proc = subprocess.run(
        [
            st,
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"x-api-key: {KEY}",
            "--header",
            f"Authorization: Bearer {KEY}",
            "--max-examples",
            "15",
            "--seed",
            "20260101",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    # Random ids have nothing on GitHub, so most answers are the documented 404
    # (schemathesis warns "missing test data" for that); no case may fail.
    assert re.search(r"^\s*\d+ generated, \d+ passed\s*$", proc.stdout, re.MULTILINE), proc.stdout


def test_the_key_is_never_logged(github: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    github.add_fault("*", ".*", "status:502", times=None)
    with background(create_app(_config(github), retry=FAST), access_log=True) as base:
        caplog.set_level("DEBUG")
        status(base, "job-completed")
        agent(base, "agents/job/job-completed")
        status(base, "x", key=KEY + "-wrong")
    text = caplog.text + json.dumps([r.getMessage() for r in caplog.records])
    assert KEY not in text
    assert GH_TOKEN not in text


def test_the_openapi_job_id_pattern_is_the_validators_rule_in_ecma_regex() -> None:
    """Schemathesis found them apart once (U+0085): node's RegExp, the engine
    OpenAPI patterns are written for, must accept exactly what `check_job_id` does."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    from agent_job_status.inputs import check_job_id
    from agent_job_status.serve.config import JOB_ID_PATTERN

    samples = [f"a{chr(cp)}b" for cp in [*range(0x0, 0x3001), 0x205F, 0xFEFF, 0x1F600]]
    samples += ["a..b", "-a", "a.lock", "a/", "job/x", "x" * 201, "a@{b", "ok-id_1.2"]
    script = (
        "const re = new RegExp(process.argv[1], 'u');"
        "const xs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(xs.map((x) => re.test(x))));"
    )
    done = subprocess.run(
        [node, "-e", script, JOB_ID_PATTERN],
        input=json.dumps(samples),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    def accepted(value: str) -> bool:
        try:
            check_job_id(value)
        except InputError:
            return False
        return True

    ecma = json.loads(done.stdout)
    wrong = [s for s, ok in zip(samples, ecma, strict=True) if ok != accepted(s)]
    assert wrong == [], [ascii(s) for s in wrong[:10]]
