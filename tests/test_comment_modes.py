"""`comment_header` and `comment_mode` (update | recreate | hide-older), over HTTP."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from agent_job_status.errors import InputError
from agent_job_status.github.client import graphql_url
from agent_job_status.render import marker
from agent_job_status.runner import Runner
from agent_job_status.status import Status
from github_simulator import Simulator, scenarios

from .conftest import TOKEN
from .test_comment import REPOSITORY, marked, only_pr, reports_for, settings_for, sticky


def graphql_requests(sim: Simulator) -> list[str]:
    return [r.method for r in sim.requests if r.path.endswith("/graphql")]


def test_a_header_makes_a_separate_sticky_comment(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    plain = settings_for(sim, tmp_path)
    deploy = settings_for(sim, tmp_path, comment_header="deploy")
    reports = reports_for(plain)
    sticky(sim, plain, runner).update(reports)
    sticky(sim, deploy, runner).update(reports)
    pr = only_pr(sim)
    firsts = sorted(c.body.splitlines()[0] for c in sim.state.comments.values())
    assert firsts == sorted([marker(REPOSITORY, "j1"), marker(REPOSITORY, "j1", "deploy")])
    # Each is found again and edited on its own: no third comment.
    failed = [replace(reports[0], status=Status.FAILED)]
    sticky(sim, deploy, runner).update(failed)
    assert len(sim.state.comments) == 2
    (ours,) = [c for c in sim.state.comments.values() if ":deploy -->" in c.body]
    assert "failed" in ours.body
    (plain_comment,) = marked(sim, pr, "j1")
    assert "completed" in plain_comment.body and "failed" not in plain_comment.body


def test_recreate_posts_at_the_bottom_and_deletes_ours(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    sim.state.add_comment(pr, "a person's comment", user="octocat")
    update = settings_for(sim, tmp_path)
    reports = reports_for(update)
    sticky(sim, update, runner).update(reports)  # an earlier run's comment
    (earlier,) = marked(sim, pr, "j1")

    recreate = settings_for(sim, tmp_path, comment_mode="recreate")
    comments = sticky(sim, recreate, runner)
    sim.reset_requests()
    comments.update([replace(reports[0], status=Status.FAILED)])
    (now,) = marked(sim, pr, "j1")
    assert now.id > earlier.id and "failed" in now.body
    assert [r.method for r in sim.requests if r.method != "GET"] == ["POST", "DELETE"]
    assert max(sim.state.comments) == now.id  # below the person's comment
    assert any(c.user == "octocat" for c in sim.state.comments.values())
    # Later changes in the same run edit the new comment in place.
    sim.reset_requests()
    comments.update(reports)
    assert [r.method for r in sim.requests if r.method != "GET"] == ["PATCH"]
    assert [c.id for c in marked(sim, pr, "j1")] == [now.id]


def test_hide_older_minimises_ours_through_graphql(
    sim: Simulator, tmp_path: Path, runner: Runner
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    person = sim.state.add_comment(pr, "a person's comment", user="octocat")
    hide = settings_for(sim, tmp_path, comment_mode="hide-older")
    reports = reports_for(hide)
    sticky(sim, hide, runner).update(reports)
    (first,) = marked(sim, pr, "j1")
    assert first.minimized is None

    comments = sticky(sim, hide, runner)  # the next run
    sim.reset_requests()
    comments.update([replace(reports[0], status=Status.FAILED)])
    old, new = marked(sim, pr, "j1")
    assert (old.id, old.minimized) == (first.id, "OUTDATED")
    assert new.minimized is None and "failed" in new.body
    assert graphql_requests(sim) == ["POST"]
    assert sim.state.comments[person].minimized is None  # never anyone else's

    sim.reset_requests()
    comments.update(reports)  # same run: edit, no new comment, nothing hidden
    assert [r.method for r in sim.requests if r.method != "GET"] == ["PATCH"]
    assert len(marked(sim, pr, "j1")) == 2


def test_hide_older_without_permission_warns(
    sim: Simulator, tmp_path: Path, runner: Runner, log: io.StringIO
) -> None:
    scenarios.apply(sim, "completed", job_id="j1")
    pr = only_pr(sim)
    hide = settings_for(sim, tmp_path, comment_mode="hide-older")
    reports = reports_for(hide)
    sticky(sim, hide, runner).update(reports)
    sim.state.set_permissions(pull_requests_write=False)
    sticky(sim, hide, runner).update([replace(reports[0], status=Status.FAILED)])
    assert "warning: Could not comment on PR" in log.getvalue()
    assert "Resource not accessible by integration" in log.getvalue()
    assert all(c.minimized is None for c in marked(sim, pr, "j1"))


def test_simulator_graphql_answers_like_github(sim: Simulator) -> None:
    """Errors come back as GraphQL sends them: 200 with an `errors` list."""
    query = (
        "mutation($subjectId: ID!, $classifier: ReportedContentClassifiers!) "
        "{ minimizeComment(input: {subjectId: $subjectId, classifier: $classifier}) "
        "{ minimizedComment { isMinimized } } }"
    )
    answer = requests.post(
        graphql_url(sim.url + "/api/v3"),
        json={"query": query, "variables": {"subjectId": "IC_nope", "classifier": "OUTDATED"}},
        headers={"Authorization": f"token {TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["errors"][0]["type"] == "NOT_FOUND"


def test_graphql_url_beside_the_rest_api() -> None:
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com/api/graphql"


@pytest.mark.parametrize(
    ("name", "value"),
    [("comment_mode", "replace"), ("comment_header", "a b"), ("comment_header", "-x")],
)
def test_bad_comment_inputs_name_the_input(
    sim: Simulator, tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(InputError, match=f"Input '{name}'"):
        settings_for(sim, tmp_path, **{name: value})
