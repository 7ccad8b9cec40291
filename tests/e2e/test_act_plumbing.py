"""Self-test of the e2e machinery (Docker, base image, act, harness parsing).

Uses a stand-in Docker action (a 20-line Python script on local/python-base),
not the real package, so it tells "act/Docker is broken" apart from "the
action is broken".
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest

FAKE_ENTRYPOINT = r"""
import json, os, sys, urllib.request
inputs = {k: v for k, v in os.environ.items() if k.startswith("INPUT_")}
print("inputs", json.dumps(inputs, sort_keys=True), "args", sys.argv[1:])
body = urllib.request.urlopen(os.environ["INPUT_API_URL"], timeout=5).read().decode()
with open(os.environ["GITHUB_OUTPUT"], "a") as fh:
    fh.write(f"status={inputs['INPUT_JOB_ID'] == '42' and 'completed' or 'failed'}\n")
    fh.write(f"body<<EOF_1\n{body}\nEOF_1\n")
    fh.write(f"repo={os.environ.get('GITHUB_REPOSITORY', '')}\n")
with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as fh:
    fh.write(f"### job {inputs['INPUT_JOB_ID']}\n")
if inputs.get("INPUT_FAIL") == "true":
    print("::error::asked to fail")
    sys.exit(1)
"""

ACTION_YML = """\
name: fake
description: stand-in docker action
inputs:
  job_id: {description: id, required: true}
  api_url: {description: url, required: false, default: ""}
  fail: {description: fail, required: false, default: "false"}
runs:
  using: docker
  image: Dockerfile
"""

WORKFLOW = """\
name: e2e
on: push
jobs:
  status:
    runs-on: ubuntu-latest
    outputs:
      status: ${{ steps.s.outputs.status }}
      body: ${{ steps.s.outputs.body }}
    steps:
      - id: s
        uses: ./
        with:
          job_id: "42"
          api_url: ${{ env.SIM_URL }}
      - id: bad
        continue-on-error: true
        uses: ./
        with:
          job_id: "43"
          api_url: ${{ env.SIM_URL }}
          fail: "true"
      - id: check
        run: |
          test "${{ steps.bad.outcome }}" = failure
          test "${{ steps.bad.conclusion }}" = success
  gated:
    needs: status
    if: needs.status.outputs.status == 'completed'
    runs-on: ubuntu-latest
    steps:
      - run: echo "gated on ${{ needs.status.outputs.status }}"
  not-gated:
    needs: status
    if: needs.status.outputs.status == 'failed'
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"""

IMAGE = "ajs-act-selftest:e2e"


@pytest.fixture
def simulator() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = b'{"ok": true,\n "path": "' + self.path.encode() + b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sim"
    finally:
        server.shutdown()
        server.server_close()


def test_act_runs_a_docker_action(
    tmp_path: Path, repo_root: Path, base_image: str, simulator: str
) -> None:
    ctx = tmp_path / "image"
    ctx.mkdir()
    (ctx / "entry.py").write_text(FAKE_ENTRYPOINT)
    (ctx / "Dockerfile").write_text(
        f"FROM {base_image}\nCOPY entry.py /entry.py\n"
        'ENTRYPOINT ["python3", "/entry.py", "action"]\n'
    )
    subprocess.run(["docker", "build", "-q", "-t", IMAGE, str(ctx)], check=True)

    src = tmp_path / "src"
    src.mkdir()
    (src / "action.yml").write_text(ACTION_YML)
    work = tmp_path / "repo"
    written = harness.make_action_copy(src, IMAGE, work)
    assert f"image: 'docker://{IMAGE}'" in written.read_text()
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "e2e.yml").write_text(
        WORKFLOW + harness.report_job(["status", "gated", "not-gated"])
    )

    result = harness.run_act(
        work,
        ".github/workflows/e2e.yml",
        {"SIM_URL": simulator, "GITHUB_REPOSITORY": "octo/agents"},
        timeout=300,
    )
    assert result.returncode == 0, result.log
    assert result.step_outputs["status"]["s"]["status"] == "completed"
    assert result.step_outputs["status"]["s"]["repo"] == "octo/agents"
    assert '"path": "/sim"' in result.step_outputs["status"]["s"]["body"]
    assert result.step_results["status"] == {"s": "success", "bad": "failure", "check": "success"}
    assert result.summaries["status"]["s"] == "### job 42\n"
    assert ("status", "bad", "error", "asked to fail") in result.annotations
    assert result.job_outputs["status"]["status"] == "completed"
    assert "\n" in result.job_outputs["status"]["body"]
    assert result.job_results == {
        "status": "success",
        "gated": "success",
        "not-gated": "skipped",
        "act-report": "success",
    }
