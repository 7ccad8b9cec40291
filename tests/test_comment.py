"""The sticky PR comment, against the simulator over real HTTP."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from agent_job_status import cli
from agent_job_status.comment import StickyComments
from agent_job_status.github.client import GitHubClient
from agent_job_status.github.wire import Response, RetryPolicy
from agent_job_status.pipeline import observe
from agent_job_status.render import marker
from agent_job_status.report import Report
from agent_job_status.runner import Runner
from agent_job_status.settings import Settings, from_inputs
from agent_job_status.status import Status
from github_simulator import Identity, Simulator, scenarios

from .conftest import TOKEN

REPOSITORY = "acme/agents"
WRITES = ("POST", "PATCH", "DELETE")
HOSTILE_TITLE = "@octocat <img src=x onerror=alert(1)> </details>"


def settings_for(sim: Simulator, tmp_path: Path, **inputs: str) -> Settings:
    base = {
        "job_id": "j1",
        "repository": REPOSITORY,
        "token": TOKEN,
        "api_url": sim.url,
        "comment": "true",
    }
    return from_inputs({**base, **inputs}, {"GITHUB_WORKSPACE": str(tmp_path)})


def client_for(sim: Simulator) -> GitHubClient:
    return GitHubClient(sim.url, TOKEN, retry=RetryPolicy(attempts=2, budget=2.0))


def reports_for(settings: Settings) -> list[Report]:
    return observe(settings, Runner({}, io.StringIO()))


def sticky(sim: Simulator, settings: Settings, runner: Runner) -> StickyComments:
    return StickyComments(client_for(sim), settings, runner)


def marked(sim: Simulator, pr: int, key: str) -> list[Any]:
    mark = marker(REPOSITORY, key)
    return sorted(
        (
            c
            for c in sim.state.comments.values()
            if c.issue_number == pr and c.body.startswith(mark)
        ),
        key=lambda c: c.id,
    )


def comment_requests(sim: Simulator) -> list[Any]:
    return [r for r in sim.requests if "/comments" in r.path]


def writes(sim: Simulator) -> list[Any]:
    return [r for r in comment_requests(sim) if r.method in WRITES]


def only_pr(sim: Simulator) -> int:
    (number,) = sim.state.pulls
    return number


# ------------------------------------------------------------------ basics


def test_creates_once_then_edits_in_place(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    comments = sticky(sim, settings, runner)
    pr = only_pr(sim)

    comments.update(reports_for(settings))
    assert [r.method for r in writes(sim)] == ["POST"]
    (first,) = marked(sim, pr, "j1")
    assert first.body.splitlines()[0] == marker(REPOSITORY, "j1")
    assert "completed" in first.body

    sim.state.merge_pr(pr)
    sim.reset_requests()
    comments.update(reports_for(settings))
    assert [r.method for r in writes(sim)] == ["PATCH"]
    (after,) = marked(sim, pr, "j1")
    assert after.id == first.id
    assert "merged" in after.body


def test_unchanged_body_costs_no_request(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    comments = sticky(sim, settings, runner)
    reports = reports_for(settings)
    comments.update(reports)
    sim.reset_requests()

    comments.update(reports)
    comments.update(list(reports))  # equal reports, new list
    assert sim.requests == []
    assert len(marked(sim, only_pr(sim), "j1")) == 1


def test_a_new_run_edits_the_comment_an_earlier_run_left(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    sticky(sim, settings, runner).update(reports)
    (earlier,) = marked(sim, only_pr(sim), "j1")

    sim.reset_requests()
    sticky(sim, settings, runner).update([replace(reports[0], status=Status.FAILED)])
    assert [r.method for r in writes(sim)] == ["PATCH"]
    (now,) = marked(sim, only_pr(sim), "j1")
    assert now.id == earlier.id


def test_marker_found_on_page_three(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    for i in range(215):
        sim.state.add_comment(pr, f"chatter {i}", user="someone")
    # Another job's comment and a quoted marker are not ours.
    sim.state.add_comment(pr, marker(REPOSITORY, "j2") + "\nother job")
    sim.state.add_comment(pr, "> " + marker(REPOSITORY, "j1") + "\nquoted", user="someone")
    ours = sim.state.add_comment(pr, marker(REPOSITORY, "j1") + "\nold status")
    for i in range(32):
        sim.state.add_comment(pr, f"more chatter {i}", user="someone")
    assert len([c for c in sim.state.comments.values() if c.issue_number == pr]) == 250

    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    sim.reset_requests()
    sticky(sim, settings, runner).update(reports)

    pages = [r for r in comment_requests(sim) if r.method == "GET"]
    assert any(r.query.get("page") == "3" for r in pages)
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in writes(sim)] == [("PATCH", str(ours))]
    assert sim.state.comments[ours].body != marker(REPOSITORY, "j1") + "\nold status"
    assert [c.id for c in marked(sim, pr, "j1")] == [ours]


def test_the_list_is_read_with_conditional_requests(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    comments = sticky(sim, settings, runner)
    comments.update(reports)
    sim.reset_requests()
    comments.update([replace(reports[0], status=Status.FAILED)])
    listing = [r for r in comment_requests(sim) if r.method == "GET"]
    assert listing and all("if-none-match" in {k.lower() for k in r.headers} for r in listing)
    assert listing[0].status == 304


# ------------------------------------------------------------- concurrency


def _interleave(
    client: GitHubClient,
    *,
    before_post: Callable[[], None] | None = None,
    after_post: Callable[[], None] | None = None,
) -> None:
    """Let 'another run' act just before or just after our POST."""
    send = client.request

    def request(verb: str, path: str, *args: Any, **kwargs: Any) -> Response:
        if verb == "POST" and before_post:
            before_post()
        resp = send(verb, path, *args, **kwargs)
        if verb == "POST" and after_post:
            after_post()
        return resp

    client.request = request  # type: ignore[method-assign]


def test_concurrent_run_created_after_ours(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    client = client_for(sim)
    other: list[int] = []
    _interleave(
        client,
        after_post=lambda: other.append(
            sim.state.add_comment(pr, marker(REPOSITORY, "j1") + "\nthe other run")
        ),
    )
    StickyComments(client, settings, runner).update(reports)

    (kept,) = marked(sim, pr, "j1")
    assert other and kept.id != other[0] and other[0] not in sim.state.comments
    assert "the other run" not in kept.body


def test_concurrent_run_created_before_ours(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    client = client_for(sim)
    other: list[int] = []
    _interleave(
        client,
        before_post=lambda: other.append(
            sim.state.add_comment(pr, marker(REPOSITORY, "j1") + "\nthe other run")
        ),
    )
    StickyComments(client, settings, runner).update(reports)

    (kept,) = marked(sim, pr, "j1")
    assert kept.id == other[0]  # the oldest stays; ours was deleted ...
    assert "the other run" not in kept.body  # ... and the oldest carries our body
    assert [r.method for r in writes(sim)] == ["POST", "DELETE", "PATCH"]


def test_duplicates_left_by_an_earlier_race_are_tidied(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    first = sim.state.add_comment(pr, marker(REPOSITORY, "j1") + "\nA")
    sim.state.add_comment(pr, marker(REPOSITORY, "j1") + "\nB")
    settings = settings_for(sim, tmp_path)
    sim.reset_requests()
    sticky(sim, settings, runner).update(reports_for(settings))
    assert [c.id for c in marked(sim, pr, "j1")] == [first]
    # The oldest is kept and edited at once: no write to the one being deleted.
    assert [(r.method, r.status) for r in writes(sim)] == [("DELETE", 204), ("PATCH", 200)]


# ------------------------------------------------------------- ownership


def test_a_marker_planted_by_someone_else_is_never_touched(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    mark = marker(REPOSITORY, "j1")
    planted = [
        sim.state.add_comment(pr, mark + "\nclaimed by a user", user="mallory"),
        sim.state.add_comment(pr, mark + "\nclaimed by an app", user="evil-app[bot]"),
    ]
    settings = settings_for(sim, tmp_path)
    sticky(sim, settings, runner).update(reports_for(settings))

    assert [r.method for r in writes(sim)] == ["POST"]  # neither edited nor deleted
    assert [sim.state.comments[c].body.split("\n")[1] for c in planted] == [
        "claimed by a user",
        "claimed by an app",
    ]
    (ours,) = [c for c in marked(sim, pr, "j1") if c.id not in planted]
    assert ours.user == "github-actions[bot]"


def test_an_app_token_learns_its_login_from_the_comment_it_creates(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    """GET /user answers 403 to an installation token: the first comment we
    create says who we are, and our older comment is kept, the new one removed."""
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    mark = marker(REPOSITORY, "j1")
    older = sim.state.add_comment(pr, mark + "\nan earlier run", user="agent-app[bot]")
    planted = sim.state.add_comment(pr, mark + "\nplanted", user="other-app[bot]")
    sim.identities[TOKEN] = Identity("agent-app[bot]")
    settings = settings_for(sim, tmp_path)
    comments = sticky(sim, settings, runner)
    comments.update(reports_for(settings))

    assert [r.method for r in writes(sim)] == ["POST", "DELETE", "PATCH"]
    ours = [c for c in marked(sim, pr, "j1") if c.user == "agent-app[bot]"]
    assert [c.id for c in ours] == [older] and "an earlier run" not in ours[0].body
    assert sim.state.comments[planted].body == mark + "\nplanted"

    sim.state.merge_pr(pr)
    sim.reset_requests()
    comments.update(reports_for(settings))
    assert [r.method for r in writes(sim)] == ["PATCH"]  # now it knows itself


def test_a_user_token_is_who_get_user_says(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    mark = marker(REPOSITORY, "j1")
    mine = sim.state.add_comment(pr, mark + "\nmine", user="octo-user")
    bot = sim.state.add_comment(pr, mark + "\nbot", user="github-actions[bot]")
    sim.identities[TOKEN] = Identity("octo-user", user_token=True)
    settings = settings_for(sim, tmp_path)
    sticky(sim, settings, runner).update(reports_for(settings))

    assert [r.method for r in writes(sim)] == ["PATCH"]
    assert "mine" not in sim.state.comments[mine].body
    assert sim.state.comments[bot].body == mark + "\nbot"
    assert [r.path for r in sim.requests].count("/user") == 1


# -------------------------------------------------------------- targets


def _launcher_pr(sim: Simulator) -> int:
    sim.state.create_branch("feature/launch", files={"README.md": "launch\n"})
    return sim.state.open_pr("feature/launch", title="Launch agents", body="")


def test_comment_pr_holds_all_jobs(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    scenarios.apply(sim, "completed", job_id="j2")
    scenarios.apply(sim, "failed", job_id="j1")
    launcher = _launcher_pr(sim)
    settings = settings_for(sim, tmp_path, job_id="j2,j1", comment_pr=f"#{launcher}")
    sticky(sim, settings, runner).update(reports_for(settings))

    (only,) = [c for c in sim.state.comments.values()]
    assert only.issue_number == launcher
    assert only.body.startswith(marker(REPOSITORY, "j1,j2") + "\n")
    assert "j1" in only.body and "j2" in only.body


def test_comment_pr_with_every_job_uses_star(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    launcher = _launcher_pr(sim)
    settings = settings_for(sim, tmp_path, job_id="*", comment_pr=str(launcher))
    sticky(sim, settings, runner).update(reports_for(settings))
    assert len(marked(sim, launcher, "*")) == 1


def test_several_jobs_one_comment_each_on_its_own_pr(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    scenarios.apply(sim, "failed", job_id="j2")
    settings = settings_for(sim, tmp_path, job_id="j1,j2")
    reports = reports_for(settings)
    sticky(sim, settings, runner).update(reports)
    by_id = {r.id: r.pr_number for r in reports}
    assert by_id["j1"] != by_id["j2"]
    for job_id, pr in by_id.items():
        assert pr is not None
        (comment,) = [c for c in sim.state.comments.values() if c.issue_number == pr]
        assert comment.body.startswith(marker(REPOSITORY, job_id) + "\n")


def test_no_pull_request_no_comment_request(
    sim: Simulator, tmp_path: Path, runner: Runner, log: io.StringIO
) -> None:
    scenarios.apply(sim, "running", job_id="j1")
    settings = settings_for(sim, tmp_path, job_id="j1,ghost")
    reports = reports_for(settings)
    assert all(r.pr_number is None for r in reports)
    sim.reset_requests()
    comments = sticky(sim, settings, runner)
    comments.update(reports)
    comments.update(reports)

    assert comment_requests(sim) == []
    text = log.getvalue()
    # The finished job without a PR gets one notice; the running one may still get a PR.
    assert text.count("nothing to comment on") == 1
    assert "ghost" in text and "warning" not in text and "error" not in text


# --------------------------------------------------------------- failures


def test_read_only_token_warns_and_stops_trying(
    sim: Simulator, tmp_path: Path, runner: Runner, log: io.StringIO
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    sim.state.set_permissions(pull_requests_write=False)
    comments = sticky(sim, settings, runner)
    comments.update(reports)  # no exception

    text = log.getvalue()
    assert f"warning: Could not comment on PR #{only_pr(sim)}:" in text
    assert "Resource not accessible by integration" in text
    assert "permissions: pull-requests: write" in text and "fork PRs" in text
    assert sim.state.comments == {}

    sim.reset_requests()
    comments.update([replace(reports[0], status=Status.FAILED)])
    assert comment_requests(sim) == []
    assert text.count("Could not comment") == 1


def test_server_error_warns_and_tries_again_on_the_next_change(
    sim: Simulator, tmp_path: Path, runner: Runner, log: io.StringIO
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path)
    reports = reports_for(settings)
    sim.add_fault("POST", r"/comments$", "status:502", times=None)
    comments = sticky(sim, settings, runner)
    comments.update(reports)
    assert "Could not update the comment" in log.getvalue()
    sim.faults.clear()
    comments.update(reports)  # not remembered as written: tries again
    assert len(marked(sim, only_pr(sim), "j1")) == 1


def test_hostile_pr_title_does_not_ping(sim: Simulator, tmp_path: Path, runner: Runner) -> None:
    st = sim.state
    st.create_branch("job/h1", files={"logs/h1/job.config.json": '{"title": "@octocat hi"}'})
    run_id = st.start_run("job/h1")
    st.set_run_status(run_id, "in_progress")
    st.finish_run(run_id, conclusion="success")
    pr = st.open_pr("job/h1", title=HOSTILE_TITLE, body="")
    settings = settings_for(sim, tmp_path, job_id="h1")
    reports = reports_for(settings)
    assert reports[0].pr_title == HOSTILE_TITLE
    sticky(sim, settings, runner).update(reports)

    (comment,) = marked(sim, pr, "h1")
    assert "octocat" in comment.body
    assert "@octocat" not in comment.body
    assert "<img" not in comment.body


# ------------------------------------------------------------ the action


def _action_env(
    monkeypatch: pytest.MonkeyPatch, sim: Simulator, tmp_path: Path, **inputs: str
) -> tuple[Path, Path]:
    import os

    for name in list(os.environ):
        if name.startswith(("INPUT_", "GITHUB_", "RUNNER_")):
            monkeypatch.delenv(name)
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    env = {
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": REPOSITORY,
        "INPUT_TOKEN": TOKEN,
        "INPUT_API_URL": sim.url,
        "INPUT_COMMENT": "true",
    }
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return output, summary


def test_action_updates_the_comment_on_status_changes(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output, summary = _action_env(
        monkeypatch,
        sim,
        tmp_path,
        job_id="life",
        wait="true",
        wait_for="merged",
        poll_interval="1s",
        timeout="60s",
    )
    updates = 0
    real_update = StickyComments.update

    def counting(self: StickyComments, reports: list[Report]) -> None:
        nonlocal updates
        updates += 1
        real_update(self, reports)

    monkeypatch.setattr(StickyComments, "update", counting)
    scenarios.apply(sim, "lifecycle", job_id="life", speed=5)

    assert cli.main(["action"]) == 0
    stdout = capsys.readouterr().out
    assert "merged" in stdout
    status_changes = updates - 1  # on_change calls; one more after publish
    written = [r for r in writes(sim) if r.method in ("POST", "PATCH")]
    assert 1 < len(written) <= status_changes + 1
    pr = only_pr(sim)
    (comment,) = marked(sim, pr, "life")
    assert "merged" in comment.body
    assert len([c for c in sim.state.comments.values() if c.issue_number == pr]) == 1
    assert "status<<" in output.read_text()
    assert summary.read_text().strip()


def test_action_with_a_read_only_token_still_succeeds(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output, summary = _action_env(monkeypatch, sim, tmp_path, job_id="j1")
    scenarios.apply(sim, "completed", job_id="j1")
    sim.state.set_permissions(pull_requests_write=False)

    assert cli.main(["action"]) == 0
    stdout = capsys.readouterr().out
    assert re.search(r"Could not comment on PR #\d+: .*pull-requests: write", stdout)
    assert "::error" not in stdout and "error:" not in stdout
    assert summary.read_text().strip()
    assert "status<<" in output.read_text()
    assert sim.state.comments == {}


def test_action_without_comment_makes_no_comment_request(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _action_env(monkeypatch, sim, tmp_path, job_id="j1", comment="false")
    scenarios.apply(sim, "completed", job_id="j1")
    assert cli.main(["action"]) == 0
    assert comment_requests(sim) == []


def test_a_new_run_with_an_unchanged_body_sends_no_patch(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    """A template without `now`: the body a later run renders is the same, so the
    comment is read (the list) but never written again."""
    (tmp_path / "c.md.j2").write_text("{% for r in reports %}{{ r.status | md }}{% endfor %}\n")
    scenarios.apply(sim, "completed", job_id="j1")
    settings = settings_for(sim, tmp_path, comment_template="c.md.j2")
    reports = reports_for(settings)
    sticky(sim, settings, runner).update(reports)
    assert [r.method for r in writes(sim)] == ["POST"]
    (comment,) = marked(sim, only_pr(sim), "j1")
    assert comment.body.endswith("\ncompleted")
    sim.reset_requests()
    sticky(sim, settings, runner).update(reports)  # a new run: nothing remembered
    assert comment_requests(sim) and writes(sim) == []
