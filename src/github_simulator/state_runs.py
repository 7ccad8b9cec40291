"""SimState's workflow runs: start, status, steps, finish, rerun, step logs."""

from __future__ import annotations

from collections.abc import Mapping

from github_simulator.records import (
    DEFAULT_JOBS,
    RUN_STATUSES,
    JobState,
    RunAttempt,
    RunState,
    StepState,
)
from github_simulator.state_git import GitState


class RunsState(GitState):
    """Workflow runs, their attempts, jobs and steps."""

    def _new_jobs(self, spec: Mapping[str, list[str]]) -> list[JobState]:
        now = self.clock.now()
        jobs: list[JobState] = []
        for job_name, step_names in spec.items():
            steps = [StepState(i + 1, s) for i, s in enumerate(step_names)]
            jobs.append(JobState(self._next_job_id, job_name, steps, now))
            self._next_job_id += 1
        return jobs

    def start_run(
        self,
        branch: str,
        workflow: str = "run-job.yml",
        status: str = "queued",
        jobs: Mapping[str, list[str]] | None = None,
        event: str = "push",
        name: str | None = None,
        head_sha: str | None = None,
        path: str | None = None,
        display_title: str | None = None,
    ) -> int:
        """Start a workflow run on ``branch`` (at its head, or ``head_sha``). Returns the run id."""
        with self.lock:
            if status not in RUN_STATUSES or status == "completed":
                raise ValueError(f"bad initial status {status!r}")
            sha = head_sha or self.branches[branch]
            now = self.clock.now()
            run_id = self._next_run_id
            self._next_run_id += 1
            number = self.workflow_run_numbers.get(workflow, 0) + 1
            self.workflow_run_numbers[workflow] = number
            spec = {k: list(v) for k, v in (jobs if jobs is not None else DEFAULT_JOBS).items()}
            if name is None:
                stem = workflow.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                name = stem.replace("-", " ").replace("_", " ").title()
            run = RunState(
                id=run_id,
                workflow_file=workflow,
                workflow_id=self._workflow_id(workflow),
                name=name,
                run_number=number,
                head_branch=branch,
                head_sha=sha,
                event=event,
                created_at=now,
                job_spec=spec,
                path=path,
                display_title=display_title,
            )
            run.attempts.append(RunAttempt(1, "queued", now, now, now, self._new_jobs(spec)))
            self.runs[run_id] = run
            if status != "queued":
                self.set_run_status(run_id, status)
            return run_id

    def set_run_status(self, run_id: int, status: str) -> None:
        """Set a (non-terminal) status; ``in_progress`` also starts the first job."""
        with self.lock:
            if status == "completed":
                self.finish_run(run_id)
                return
            if status not in RUN_STATUSES:
                raise ValueError(f"unknown status {status!r}")
            att = self.runs[run_id].latest
            now = self.clock.now()
            att.status = status
            att.updated_at = now
            if status == "in_progress":
                job = _current_job(att)
                if job is not None and job.status != "in_progress":
                    job.status = "in_progress"
                    job.started_at = now
            elif status in ("waiting", "pending", "requested"):
                for job in att.jobs:
                    if job.status == "queued":
                        job.status = status if status != "requested" else "queued"

    def advance_step(self, run_id: int) -> str | None:
        """Complete the running step (success) and start the next one.

        Works on the first unfinished job; a job whose last step completes is completed
        with success. The run becomes ``in_progress``. Returns the new current step name.
        """
        with self.lock:
            att = self.runs[run_id].latest
            now = self.clock.now()
            att.status = "in_progress"
            att.updated_at = now
            job = _current_job(att)
            if job is None:
                return None
            if job.status != "in_progress":
                job.status = "in_progress"
                job.started_at = now
            for step in job.steps:
                if step.status == "in_progress":
                    step.status = "completed"
                    step.conclusion = "success"
                    step.completed_at = now
            for step in job.steps:
                if step.status == "queued":
                    step.status = "in_progress"
                    step.started_at = now
                    return step.name
            job.status = "completed"
            job.conclusion = "success"
            job.completed_at = now
            nxt = _current_job(att)
            if nxt is not None:
                nxt.status = "in_progress"
                nxt.started_at = now
                if nxt.steps:
                    nxt.steps[0].status = "in_progress"
                    nxt.steps[0].started_at = now
                    return nxt.steps[0].name
            return None

    def finish_run(
        self, run_id: int, conclusion: str = "success", failed_log: str | None = None
    ) -> None:
        """Complete the run. On a non-success conclusion the current step gets it (with
        ``failed_log`` as its log) and the remaining steps are skipped."""
        with self.lock:
            att = self.runs[run_id].latest
            now = self.clock.now()
            ok = conclusion in ("success", "neutral", "skipped")
            for job in att.jobs:
                if job.status == "completed":
                    continue
                if job.started_at is None:
                    job.started_at = now
                failed_here = False
                for step in job.steps:
                    if step.status == "completed":
                        continue
                    if ok:
                        step.conclusion = conclusion if conclusion != "neutral" else "success"
                    elif not failed_here and (
                        step.status == "in_progress"
                        or all(s.status != "in_progress" for s in job.steps)
                    ):
                        step.conclusion = conclusion
                        step.log = failed_log if failed_log is not None else step.log
                        failed_here = True
                    else:
                        step.conclusion = "skipped"
                    if step.started_at is None:
                        step.started_at = now
                    step.status = "completed"
                    step.completed_at = now
                job.status = "completed"
                job.conclusion = conclusion if (ok or failed_here) else "skipped"
                job.completed_at = now
                if not ok:
                    for rest in att.jobs:
                        if rest.status != "completed":
                            rest.status = "completed"
                            rest.conclusion = "skipped"
                            rest.started_at = rest.started_at or now
                            rest.completed_at = now
                            for step in rest.steps:
                                step.status = "completed"
                                step.conclusion = "skipped"
                    break
            att.status = "completed"
            att.conclusion = conclusion
            att.updated_at = now

    def rerun(self, run_id: int) -> int:
        """Re-run all jobs: a new attempt (queued, fresh steps). Returns its number."""
        with self.lock:
            run = self.runs[run_id]
            now = self.clock.now()
            number = run.latest.number + 1
            run.attempts.append(
                RunAttempt(number, "queued", now, now, now, self._new_jobs(run.job_spec))
            )
            return number

    def set_step_log(
        self, run_id: int, step_name: str, text: str, attempt: int | None = None
    ) -> None:
        """Set the log text of a step (first job having a step of that name)."""
        with self.lock:
            run = self.runs[run_id]
            att = run.attempts[(attempt or run.latest.number) - 1]
            for job in att.jobs:
                for step in job.steps:
                    if step.name == step_name:
                        step.log = text
                        return
            raise KeyError(step_name)


def _current_job(att: RunAttempt) -> JobState | None:
    for job in att.jobs:
        if job.status != "completed":
            return job
    return None
