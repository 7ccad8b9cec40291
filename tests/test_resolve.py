"""The rule table of DESIGN.md, row by row, and the named cases of issue 2."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from agent_job_status.facts import (
    BranchFact,
    JobConfig,
    JobFact,
    JobFacts,
    PullFact,
    RunFact,
    StepFact,
)
from agent_job_status.resolve import resolve
from agent_job_status.status import Status, status_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run(status: str, conclusion: str | None = None, attempt: int = 1, **kw: object) -> RunFact:
    return RunFact(
        id=7,
        attempt=attempt,
        status=status,
        conclusion=conclusion,
        html_url="https://github.com/acme/agents/actions/runs/7",
        created_at=T0 + timedelta(minutes=1),
        **kw,
    )  # type: ignore[arg-type]


def pull(state: str = "open", merged: bool = False) -> PullFact:
    return PullFact(
        number=3,
        state=state,
        merged=merged,
        html_url="https://github.com/acme/agents/pull/3",
        title="Fix it",
        created_at=T0 + timedelta(minutes=5),
        closed_at=T0 + timedelta(minutes=9) if state == "closed" else None,
        merged_at=T0 + timedelta(minutes=9) if merged else None,
    )


BRANCH = BranchFact(name="job/j1", sha="a" * 40, committed_at=T0)


def facts(
    branch: BranchFact | None = BRANCH, r: RunFact | None = None, p: PullFact | None = None
) -> JobFacts:
    return JobFacts(
        job_id="j1", repository="acme/agents", branch_name="job/j1", branch=branch, run=r, pull=p
    )


# (case, facts, status, lifecycle, reason)
TABLE = [
    # 1: merged wins over everything, branch may be gone
    (
        "1 merged",
        facts(r=run("completed", "success"), p=pull("closed", True)),
        "merged",
        "completed",
        "",
    ),
    (
        "1 branch deleted after merge",
        facts(branch=None, r=run("completed", "success"), p=pull("closed", True)),
        "merged",
        "completed",
        "",
    ),
    (
        "1 merged beats a failed run",
        facts(r=run("completed", "failure"), p=pull("closed", True)),
        "merged",
        "completed",
        "",
    ),
    # 2: a failed run outranks an open or closed PR
    (
        "2 failed run that still opened a PR",
        facts(r=run("completed", "failure"), p=pull()),
        "failed",
        "failed",
        "failure",
    ),
    ("2 cancelled run", facts(r=run("completed", "cancelled")), "failed", "failed", "cancelled"),
    ("2 timed out run", facts(r=run("completed", "timed_out")), "failed", "failed", "timed_out"),
    (
        "2 startup_failure",
        facts(r=run("completed", "startup_failure")),
        "failed",
        "failed",
        "startup_failure",
    ),
    (
        "2 action_required",
        facts(r=run("completed", "action_required")),
        "failed",
        "failed",
        "action_required",
    ),
    ("2 skipped", facts(r=run("completed", "skipped")), "failed", "failed", "skipped"),
    ("2 stale", facts(r=run("completed", "stale")), "failed", "failed", "stale"),
    (
        "2 failed outranks a closed PR",
        facts(r=run("completed", "failure"), p=pull("closed")),
        "failed",
        "failed",
        "failure",
    ),
    # 3
    (
        "3 PR closed without merge",
        facts(r=run("completed", "success"), p=pull("closed")),
        "closed",
        "archived",
        "",
    ),
    (
        "3 closed beats a running run",
        facts(r=run("in_progress"), p=pull("closed")),
        "closed",
        "archived",
        "",
    ),
    # 4
    ("4 queued", facts(r=run("queued")), "pending", "active", ""),
    ("4 requested", facts(r=run("requested")), "pending", "active", ""),
    ("4 waiting", facts(r=run("waiting")), "pending", "active", ""),
    ("4 pending", facts(r=run("pending")), "pending", "active", ""),
    # 5
    ("5 in progress", facts(r=run("in_progress")), "running", "active", ""),
    (
        "5 re-run in progress with an open PR",
        facts(r=run("in_progress", attempt=2), p=pull()),
        "running",
        "active",
        "",
    ),
    # 6
    (
        "6 success with PR",
        facts(r=run("completed", "success"), p=pull()),
        "completed",
        "completed",
        "",
    ),
    ("6 neutral", facts(r=run("completed", "neutral"), p=pull()), "completed", "completed", ""),
    (
        "6 successful run with no PR",
        facts(r=run("completed", "success")),
        "completed",
        "completed",
        "no_pull_request",
    ),
    (
        "6 attempt 2 succeeded after attempt 1 failed",
        facts(r=run("completed", "success", attempt=2), p=pull()),
        "completed",
        "completed",
        "",
    ),
    # 7
    ("7 no run, PR open", facts(p=pull()), "completed", "completed", "no_run_record"),
    # 8
    ("8 branch with no run yet", facts(), "pending", "active", "waiting_for_run"),
    # 9
    ("9 nothing at all", facts(branch=None), "not_found", None, ""),
]


@pytest.mark.parametrize(
    ("case", "given", "status", "lifecycle", "reason"), TABLE, ids=[row[0] for row in TABLE]
)
def test_rule_table(
    case: str, given: JobFacts, status: str, lifecycle: str | None, reason: str
) -> None:
    report = resolve(given)
    assert (report.status, report.lifecycle, report.reason) == (status, lifecycle, reason)


def test_every_rule_is_covered() -> None:
    rows = {row[0].split()[0] for row in TABLE}
    assert rows == {str(n) for n in range(1, 10)}


def test_terminal_statuses() -> None:
    terminal = {s.value for s in Status if s.terminal}
    assert terminal == {"completed", "failed", "merged", "closed", "not_found"}
    assert resolve(facts(r=run("in_progress"))).terminal is False


def test_every_status_defines_every_property() -> None:
    """One row per status in status.py: nothing left empty, nothing shared by mistake."""
    assert [s.value for s in Status] == [
        "pending", "running", "completed", "failed", "merged", "closed", "not_found", "unknown",
    ]  # fmt: skip
    for status in Status:
        traits = status.traits
        assert all(getattr(traits, name) != "" for name in traits._fields), status
        assert traits.popebot in {"pending", "running", "completed", "failed", "merged"}
        assert isinstance(traits.colour, str) and traits.colour.isdigit()
    assert len({s.traits.severity for s in Status}) == len(Status)  # a strict order
    assert len({s.traits.emoji for s in Status}) == len(Status)
    assert len({s.traits.symbol for s in Status}) == len(Status)
    # A merged wait ends on what cannot become `merged` any more, and on merged.
    assert {s.value for s in Status if s.ends_wait("merged")} == {
        "merged", "closed", "failed", "not_found",
    }  # fmt: skip
    # `unknown` may be anything: it ends no wait, and only failed outranks it.
    assert not Status.UNKNOWN.terminal and not Status.UNKNOWN.ends_wait("merged")
    assert sorted(Status, key=lambda s: s.traits.severity)[:2] == [Status.FAILED, Status.UNKNOWN]
    assert status_of("failed") is Status.FAILED


def test_fields_from_facts() -> None:
    steps = (
        StepFact(1, "Set up job", "completed", "success"),
        StepFact(2, "Run agent", "in_progress"),
        StepFact(3, "Complete job", "queued"),
    )
    r = run("in_progress", jobs=(JobFact(1, "agent", "in_progress", None, steps),))
    given = JobFacts(
        job_id="j1",
        repository="acme/agents",
        branch_name="job/j1",
        branch=BRANCH,
        run=r,
        pull=pull(),
        config=JobConfig(model="m-1", title="Do it"),
        changed_files=("a.py",),
        log="line",
    )
    report = resolve(given)
    assert report.current_step == "Run agent"
    assert (report.steps_completed, report.steps_total) == (1, 3)
    assert report.model == "m-1" and report.title == "Do it"
    assert report.created_at == T0  # earliest of branch commit, run, PR
    assert report.pr_number == 3 and report.pr_state == "open"
    assert report.run_id == 7 and report.run_attempt == 1
    assert report.branch_url == "https://github.com/acme/agents/tree/job/j1"


def test_title_falls_back_to_pr_title() -> None:
    assert resolve(facts(p=pull())).title == "Fix it"


def test_archived_at_is_pr_closed_at() -> None:
    report = resolve(facts(p=pull("closed", merged=True)))
    assert report.archived_at == T0 + timedelta(minutes=9)
    assert report.pr_state == "merged"


def test_views_have_exact_shapes() -> None:
    report = resolve(facts(r=run("completed", "success"), p=pull()))
    assert list(report.popebot()) == [
        "status",
        "branch",
        "pr_url",
        "run_url",
        "log",
        "changed_files",
    ]
    mint = report.mintlify()
    assert list(mint) == ["id", "status", "source", "model", "prLink", "createdAt", "archivedAt"]
    assert mint["source"] == {"repository": "acme/agents", "ref": "job/j1"}
    assert mint["status"] == "completed" and mint["model"] is None and mint["archivedAt"] is None
    assert mint["createdAt"] == "2026-01-01T00:00:00Z"


def test_popebot_maps_extra_statuses_to_its_vocabulary() -> None:
    assert resolve(facts(p=pull("closed"))).popebot()["status"] == "failed"
    # Nothing on GitHub ends a client's poll (completed, failed or merged).
    assert resolve(facts(branch=None)).popebot()["status"] == "failed"
    assert resolve(facts(branch=None)).mintlify()["status"] is None


MARKED = {"failed_mark": True, "generation": 2}
AR = "agent_reported_failure"
MERGED_PR = pull("closed", merged=True)


@pytest.mark.parametrize(
    ("case", "given", "status", "reason", "logs_only_report"),
    [
        ("8a gen 2", replace(facts(), generation=2), "running", "no_run_record", False),
        ("8 gen 1", replace(facts(), generation=1), "pending", "waiting_for_run", False),
        ("2 marked, no PR", replace(facts(), **MARKED), "failed", AR, False),
        ("2 marked, PR open", replace(facts(p=pull()), **MARKED), "failed", AR, False),
        ("2 marked, PR closed", replace(facts(p=pull("closed")), **MARKED), "failed", AR, False),
        (
            "1a marked, logs-only merge",
            replace(facts(p=MERGED_PR), **MARKED, logs_only=True),
            "failed", AR, True,
        ),
        (
            "1 marked, merge of real work",
            replace(facts(p=MERGED_PR), **MARKED, logs_only=False),
            "merged", "", False,
        ),
        (
            "1a failed run, logs-only merge",
            replace(facts(r=run("completed", "failure"), p=MERGED_PR), logs_only=True),
            "failed", "failure", True,
        ),
        (
            "1 good run, logs-only merge",
            replace(facts(r=run("completed", "success"), p=MERGED_PR), logs_only=True),
            "merged", "", False,
        ),
    ],
)  # fmt: skip
def test_thepopebot_rules(
    case: str, given: JobFacts, status: str, reason: str, logs_only_report: bool
) -> None:
    report = resolve(given)
    assert (report.status, report.reason) == (status, reason), case
    assert report.merged_logs_only is logs_only_report
    assert report.to_dict()["merged_logs_only"] is logs_only_report


def test_mintlify_links_and_archive_follow_the_pr() -> None:
    """Mintlify: prLink null until a PR exists, archivedAt null while active."""
    active = resolve(replace(facts(), generation=2)).mintlify()
    assert active["status"] == "active" and active["prLink"] is None
    assert active["archivedAt"] is None
    assert resolve(facts(p=pull("closed"))).mintlify()["archivedAt"] is not None


def test_generation_from_the_config_file_or_the_prefix() -> None:
    assert resolve(facts()).generation == 1  # job/
    gen2 = replace(facts(), branch_name="agent-job/j1")
    assert resolve(gen2).generation == 2
    custom = replace(facts(), branch_name="task/j1", config=JobConfig(file="agent-job.config.json"))
    assert resolve(custom).generation == 2
    assert resolve(facts(branch=None)).generation is None


def test_current_step_only_while_running() -> None:
    """A merged PR outranks a run still in progress: no step is "current" then."""
    steps = (StepFact(1, "Set up job", "completed"), StepFact(2, "Run agent", "in_progress"))
    busy = run("in_progress", jobs=(JobFact(1, "agent", "in_progress", steps=steps),))
    assert resolve(facts(r=busy)).current_step == "Run agent"
    merged = resolve(facts(r=busy, p=pull("closed", merged=True)))
    assert merged.status is Status.MERGED and merged.current_step is None
    assert (merged.steps_completed, merged.steps_total) == (1, 2)
