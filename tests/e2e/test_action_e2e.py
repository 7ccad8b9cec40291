"""The real action image, run by nektos/act against the GitHub simulator.

One simulator process (``python -m github_simulator``) serves the
whole module on 127.0.0.1; each test sets up its own job id with
``POST /_sim/scenario`` and runs one workflow with act. act's job containers
share the host network, so the action container reaches the simulator via
``api_url: ${{ env.SIM_URL }}``; the token travels as the ``GITHUB_TOKEN``
secret and reaches the action through the input's ``${{ github.token }}``
default, as on GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import pytest

OWNER, REPO = "acme", "agents"
TOKEN = "ghs_e2e_simulator_token_5f3a9c"
ACT_TIMEOUT = 240.0


@dataclass(frozen=True)
class Sim:
    url: str

    def scenario(self, name: str, job_id: str, speed: float = 1.0) -> None:
        body = json.dumps({"name": name, "job_id": job_id, "speed": speed}).encode()
        req = urllib.request.Request(
            self.url + "/_sim/scenario",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200

    def requests(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(self.url + "/_sim/requests", timeout=10) as resp:
            data: list[dict[str, Any]] = json.loads(resp.read())
        return data

    def get(self, path: str) -> Any:
        req = urllib.request.Request(
            f"{self.url}/repos/{OWNER}/{REPO}{path}",
            headers={"Authorization": f"token {TOKEN}", "Accept": "application/vnd.github+json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "github_simulator",
            "--host", "127.0.0.1", "--port", "0",
            "--token", TOKEN, "--owner", OWNER, "--repo", REPO,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("SIMULATOR_URL="):
                url = line.split("=", 1)[1].strip()
                break
        assert url, f"simulator did not start (exit {proc.poll()})"
        yield Sim(url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _action_step(
    job_id: str | None,
    *,
    step_id: str = "s",
    extra: str = "",
    continue_on_error: bool = False,
    indent: int = 6,
) -> str:
    """A `uses: ./` step pointed at the simulator; `extra` holds more `with:` lines."""
    pad = " " * indent
    lines = [f"{pad}- id: {step_id}"]
    if continue_on_error:
        lines.append(f"{pad}  continue-on-error: true")
    lines += [
        f"{pad}  uses: ./",
        f"{pad}  with:",
        f"{pad}    repository: {OWNER}/{REPO}",
        f"{pad}    api_url: ${{{{ env.SIM_URL }}}}",
    ]
    if job_id is not None:
        lines.append(f'{pad}    job_id: "{job_id}"')
    lines += [f"{pad}    {x}" for x in extra.splitlines() if x.strip()]
    return "\n".join(lines) + "\n"


def _run(
    work: Path,
    sim: Sim,
    workflow: str,
    *,
    event: dict[str, Any] | None = None,
    event_name: str = "push",
) -> harness.ActResult:
    path = work / ".github" / "workflows" / "e2e.yml"
    path.write_text(workflow, encoding="utf-8")
    return harness.run_act(
        work,
        ".github/workflows/e2e.yml",
        {"SIM_URL": sim.url},
        timeout=ACT_TIMEOUT,
        secrets={"GITHUB_TOKEN": TOKEN},
        event=event,
        event_name=event_name,
    )


def test_completed_job_gates_downstream_jobs(sim: Sim, act_workdir: Path) -> None:
    """(a) status/pr_url become job outputs and gate `needs:` jobs; (d) the step
    summary; (e) changed_files is a JSON array usable with fromJSON."""
    sim.scenario("completed", "e2e-done")
    workflow = (
        "name: e2e-completed\n"
        "on: push\n"
        "jobs:\n"
        "  status:\n"
        "    runs-on: ubuntu-latest\n"
        "    outputs:\n"
        "      status: ${{ steps.s.outputs.status }}\n"
        "      pr_url: ${{ steps.s.outputs.pr_url }}\n"
        "      changed_files: ${{ steps.s.outputs.changed_files }}\n"
        "    steps:\n" + _action_step("e2e-done") + "      - id: files\n"
        "        env:\n"
        "          FIRST: ${{ fromJSON(steps.s.outputs.changed_files)[0] }}\n"
        "          JOINED: ${{ join(fromJSON(steps.s.outputs.changed_files), ',') }}\n"
        "        run: |\n"
        '          echo "first=$FIRST" >> "$GITHUB_OUTPUT"\n'
        '          echo "joined=$JOINED" >> "$GITHUB_OUTPUT"\n'
        "  deploy:\n"
        "    needs: status\n"
        "    if: needs.status.outputs.status == 'completed'\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - id: d\n"
        "        env:\n"
        "          PR_URL: ${{ needs.status.outputs.pr_url }}\n"
        '        run: echo "pr=$PR_URL" >> "$GITHUB_OUTPUT"\n'
        "  rollback:\n"
        "    needs: status\n"
        "    if: needs.status.outputs.status == 'failed'\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo never\n" + harness.report_job(["status", "deploy", "rollback"])
    )
    r = _run(act_workdir, sim, workflow)
    assert r.returncode == 0, r.log

    out = r.step_outputs["status"]["s"]
    pulls = sim.get("/pulls?state=all&head=acme:job/e2e-done")
    assert len(pulls) == 1
    expected_pr = pulls[0]["html_url"]
    assert out["status"] == "completed"
    assert out["id"] == "e2e-done"
    assert out["branch"] == "job/e2e-done"
    assert out["pr_url"] == expected_pr
    assert json.loads(out["json"])["status"] == "completed"

    # job outputs, and the gated jobs
    assert r.job_outputs["status"]["status"] == "completed"
    assert r.job_outputs["status"]["pr_url"] == expected_pr
    assert r.job_results["deploy"] == "success"
    assert r.job_results["rollback"] == "skipped"
    assert r.step_outputs["deploy"]["d"]["pr"] == expected_pr

    # (e) changed_files: a JSON array, equal to the PR's files
    files = json.loads(out["changed_files"])
    pr_files = [f["filename"] for f in sim.get(f"/pulls/{pulls[0]['number']}/files")]
    assert isinstance(files, list) and files
    assert sorted(files) == sorted(pr_files)
    assert "notes/e2e-done.md" in files
    assert r.step_outputs["status"]["files"]["first"] == files[0]
    assert r.step_outputs["status"]["files"]["joined"] == ",".join(files)
    assert json.loads(r.job_outputs["status"]["changed_files"]) == files

    # (d) the step summary holds the rendered summary
    summary = r.summaries["status"]["s"]
    assert re.search(r"^## .*Agent job `e2e-done` — completed", summary, re.M), summary
    assert expected_pr in summary


def test_failed_job_fails_its_step(sim: Sim, act_workdir: Path) -> None:
    """(b) a failed job fails the step; with continue-on-error a later step sees
    outcome == failure and the outputs; without it the job fails."""
    sim.scenario("failed", "e2e-bad")
    workflow = (
        "name: e2e-failed\n"
        "on: push\n"
        "jobs:\n"
        "  tolerant:\n"
        "    runs-on: ubuntu-latest\n"
        "    outputs:\n"
        "      status: ${{ steps.x.outputs.status }}\n"
        "    steps:\n"
        + _action_step("e2e-bad", step_id="x", continue_on_error=True)
        + "      - id: after\n"
        "        env:\n"
        "          OUTCOME: ${{ steps.x.outcome }}\n"
        "          CONCLUSION: ${{ steps.x.conclusion }}\n"
        "          STATUS: ${{ steps.x.outputs.status }}\n"
        "          REASON: ${{ steps.x.outputs.reason }}\n"
        "        run: |\n"
        '          test "$OUTCOME" = failure\n'
        '          test "$CONCLUSION" = success\n'
        '          test "$STATUS" = failed\n'
        '          echo "seen=$OUTCOME/$STATUS/$REASON" >> "$GITHUB_OUTPUT"\n'
        "  strict:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n" + _action_step("e2e-bad", step_id="y") + "      - id: never\n"
        "        run: echo should-not-run\n" + harness.report_job(["tolerant", "strict"])
    )
    r = _run(act_workdir, sim, workflow)
    assert r.returncode != 0, r.log  # the strict job failed
    assert r.step_results["tolerant"]["x"] == "failure"
    assert r.step_results["tolerant"]["after"] == "success"
    assert r.step_outputs["tolerant"]["after"]["seen"] == "failure/failed/failure"
    assert r.step_outputs["tolerant"]["x"]["status"] == "failed"
    assert r.job_results["tolerant"] == "success"
    assert r.job_outputs["tolerant"]["status"] == "failed"
    assert r.job_results["strict"] == "failure"
    assert "never" not in r.step_results.get("strict", {})
    errors = [a for a in r.annotations if a[0] == "tolerant" and a[1] == "x" and a[2] == "error"]
    assert errors, r.log
    assert "Traceback" not in r.log


def test_wait_until_merged(sim: Sim, act_workdir: Path) -> None:
    """(c) wait: true, wait_for: merged follows the lifecycle scenario to merged."""
    workflow = (
        "name: e2e-wait\n"
        "on: push\n"
        "jobs:\n"
        "  status:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        + _action_step(
            "e2e-life",
            extra="wait: true\nwait_for: merged\npoll_interval: 1s\ntimeout: 2m\n",
        )
    )
    # merged at 6 s / speed after this call; act needs a few seconds to start
    sim.scenario("lifecycle", "e2e-life", speed=1.2)
    started = time.monotonic()
    r = _run(act_workdir, sim, workflow)
    elapsed = time.monotonic() - started
    assert r.returncode == 0, r.log
    out = r.step_outputs["status"]["s"]
    assert out["status"] == "merged", r.log
    assert out["lifecycle"] == "completed"
    assert out["timed_out"] == "false"
    assert out["pr_state"] == "merged"
    assert elapsed >= 4.5
    # It really polled: the step log narrates each status it saw, merged last
    # (a count of requests would depend on when act started against the clock).
    words = {"pending", "running", "completed", "failed", "merged", "closed", "not_found"}
    seen = [w for w in re.findall(r"\[\d+m\d\ds\] ([a-z_]+)", r.log) if w in words]
    assert len(set(seen)) >= 2 and seen[-1] == "merged", seen
    assert "merged" in r.summaries["status"]["s"]


def test_job_id_from_workflow_run_event(sim: Sim, act_workdir: Path) -> None:
    """(f) no job_id input: the job comes from the workflow_run event's head branch."""
    sim.scenario("completed", "e2e-event")
    workflow = (
        "name: e2e-event\n"
        "on:\n"
        "  workflow_run:\n"
        '    workflows: ["Run agent job"]\n'
        "    types: [completed]\n"
        "jobs:\n"
        "  status:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n" + _action_step(None)
    )
    event = {
        "action": "completed",
        "workflow_run": {
            "id": 10_000_000_999,
            "name": "Run agent job",
            "path": ".github/workflows/run-job.yml",
            "head_branch": "job/e2e-event",
            "event": "push",
            "status": "completed",
            "conclusion": "success",
        },
        "workflow": {"name": "Run agent job", "path": ".github/workflows/run-job.yml"},
        "repository": {"full_name": f"{OWNER}/{REPO}", "name": REPO, "owner": {"login": OWNER}},
    }
    r = _run(act_workdir, sim, workflow, event=event, event_name="workflow_run")
    assert r.returncode == 0, r.log
    out = r.step_outputs["status"]["s"]
    assert out["id"] == "e2e-event"
    assert out["branch"] == "job/e2e-event"
    assert out["status"] == "completed"
