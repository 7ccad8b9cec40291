"""Run log archives (zips) in GitHub's layouts."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

from github_simulator.records import RunAttempt, StepState


def log_zip(attempt: RunAttempt, layout: str = "steps") -> bytes:
    """The run log archive in one of GitHub's layouts: "steps" (per-step files
    `<job>/<n>_<step>.txt` and job files `<n>_<job>.txt`) or "jobs" (job files
    and `<job>/system.txt` only, as in cli/cli#10551)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for idx, job in enumerate(attempt.jobs):
            job_dir = _safe_name(job.name)
            whole: list[str] = []
            for step in job.steps:
                text = _step_log(step, job.started_at or job.created_at)
                whole.append(text)
                if layout == "steps":
                    name = f"{job_dir}/{step.number}_{_safe_name(step.name)}.txt"
                    zf.writestr(name, _raw(text))
            if layout == "jobs":
                zf.writestr(f"{job_dir}/system.txt", "Requested labels: ubuntu-latest\n")
            zf.writestr(f"{idx}_{job_dir}.txt", _raw("".join(whole)))
    return buf.getvalue()


def _safe_name(name: str, limit: int = 90) -> str:
    """A name as GitHub writes it in a log archive: `/` and `:` removed, cut to
    `limit` UTF-16 code units, trimmed (as observed by the GitHub CLI:
    cli/cli@1ccc1ca59f79bb6d732b4ad325308d4fffc5a508, pkg/cmd/run/view/logs.go)."""
    name = name.encode("utf-8", "replace").decode("utf-8")  # a zip member name is UTF-8
    cleaned = name.replace("/", "").replace(":", "")
    units = cleaned.encode("utf-16-le", errors="surrogatepass")
    if len(units) > 2 * limit:
        cleaned = units[: 2 * limit].decode("utf-16-le", errors="replace")
    return cleaned.strip()


def _raw(text: str) -> bytes:
    """Log text as bytes; a lone surrogate becomes invalid UTF-8, as logs can hold."""
    return text.encode("utf-8", "surrogatepass")


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _step_log(step: StepState, fallback: datetime) -> str:
    if step.status == "queued" or step.conclusion == "skipped":
        return ""
    start = step.started_at or fallback
    lines = [f"##[group]Run {step.name}", "##[endgroup]"]
    if step.log is not None:
        lines[1:1] = step.log.splitlines()
    else:
        lines.insert(1, f"{step.name}: ok")
    if step.conclusion not in (None, "success", "skipped", "neutral"):
        lines.append("##[error]Process completed with exit code 1.")
    out = []
    for i, line in enumerate(lines):
        out.append(f"{_stamp(start + timedelta(milliseconds=10 * i))} {line}\n")
    return "".join(out)
