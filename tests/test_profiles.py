"""Agent profiles (issue 16): files validated with errors naming the field, the rule
evaluator, the README's rule tables, and every built-in profile's scenarios over
HTTP through the action and the CLI; a custom profile file end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent_job_status.cli import main
from agent_job_status.errors import InputError
from agent_job_status.facts import JobFacts, PullFact, RunFact
from agent_job_status.profiles import BUILTIN, builtin, parse_profile
from agent_job_status.profiles.evaluate import AgentFacts, resolve_with, words
from agent_job_status.profiles.load import ProfileError, from_file
from agent_job_status.profiles.model import Profile
from agent_job_status.profiles.rules import decide
from agent_job_status.settings import from_inputs
from github_simulator import Simulator, agent_scenarios

from .conftest import TOKEN
from .test_action import Action

ROOT = Path(__file__).resolve().parent.parent

MINIMAL = """
name = "mine"
branches = ["bot/{id}"]
[[rules]]
when = { run = "in_progress" }
status = "running"
[[rules]]
status = "not_found"
"""


# -- the files ------------------------------------------------------------------
@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profiles_load(name: str) -> None:
    profile = builtin(name)
    assert profile.name == name and profile.icon and profile.title
    assert profile.builtin_rules == (name == "popebot")
    assert profile.evidence, "each profile says what it relies on"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("run", '"in_progress"', '"runing"'),
         "rules[0].when.run: unknown word 'runing' (one of: none, queued, in_progress"),
        (("when = { run", "when = { pull"), "rules[0].when: unknown key 'pull'"),
        (('status = "running"', 'status = "done"'), "rules[0].status: unknown word 'done'"),
        (('status = "not_found"', 'when = { pr = "none" }\nstatus = "not_found"'),
         "rules[1]: the last rule must have no `when`"),
        (('"bot/{id}"', '"bot/{issue}"'), "branches[0]: needs an {id} (or {slug}) placeholder"),
        (('name = "mine"', 'name = "mine"\ncolour = 1'), "unknown key 'colour'"),
        (("[[rules]]", "[[rules]"), "not valid TOML"),
    ],
)  # fmt: skip
def test_profile_errors_name_the_field(change: tuple[str, ...], message: str) -> None:
    text = MINIMAL.replace(change[-2], change[-1], 1)
    with pytest.raises(ProfileError) as err:
        parse_profile(text)
    assert message in str(err.value)


def test_profile_file_errors_are_input_errors(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text(MINIMAL.replace('"in_progress"', '"mergd"'))
    with pytest.raises(InputError) as err:
        from_inputs(
            {"job_id": "1", "repository": "a/b", "agent": "custom", "profile_file": "p.toml"},
            {"GITHUB_WORKSPACE": str(tmp_path)},
        )
    assert str(err.value).startswith("Input 'profile_file': rules[0].when.run: unknown word")
    for inputs, problem in [
        ({"agent": "custom"}, "needs a profile_file"),
        ({"agent": "robot"}, "unknown agent 'robot'"),
        ({"profile_file": "../x.toml", "agent": "custom"}, "inside the workspace"),
        ({"profile_file": "p.toml"}, "only with agent 'custom'"),
    ]:
        with pytest.raises(InputError, match=problem):
            from_inputs(
                {"job_id": "1", "repository": "a/b", **inputs}, {"GITHUB_WORKSPACE": str(tmp_path)}
            )
    with pytest.raises(InputError, match="cannot read the file"):
        from_file(tmp_path / "none.toml")


# -- the evaluator ------------------------------------------------------------------
def _facts(**extra: object) -> AgentFacts:
    base: dict[str, object] = {"job_id": "7", "repository": "a/b", "branch_name": "x"}
    return AgentFacts(**{**base, **extra})  # type: ignore[arg-type]


def _pull(**kw: object) -> PullFact:
    return PullFact(**{"number": 7, "state": "open", "merged": False, "html_url": "u", **kw})  # type: ignore[arg-type]


def _run(status: str, conclusion: str | None = None) -> RunFact:
    return RunFact(id=1, attempt=1, status=status, conclusion=conclusion, html_url="r")


@pytest.mark.parametrize(
    ("facts", "status", "reason"),
    [
        (_facts(pull=_pull(title="[WIP] x"), pull_draft=True), "pending", "waiting_for_agent"),
        (_facts(pull=_pull(), pull_draft=True, progress="working"), "running",
         "copilot_work_started"),
        (_facts(pull=_pull(), progress="working", run=_run("in_progress")), "running",
         "copilot_work_started"),
        (_facts(pull=_pull(), progress="finished", run=_run("completed", "success")),
         "completed", "copilot_work_finished"),
        (_facts(pull=_pull(), progress="failed"), "failed", "copilot_work_finished_failure"),
        (_facts(pull=_pull(), progress="working", run=_run("completed", "cancelled")), "failed",
         "cancelled"),
        (_facts(pull=_pull(merged=True, state="closed"), progress="failed"), "merged", ""),
        (_facts(pull=_pull(state="closed")), "closed", ""),
        (_facts(), "not_found", ""),
    ],
)  # fmt: skip
def test_copilot_rules(facts: JobFacts, status: str, reason: str) -> None:
    report = resolve_with(builtin("copilot"), facts)
    assert (report.status.value, report.reason) == (status, reason)
    assert report.agent == "copilot" and "Copilot" in report.agent_label


def test_first_match_wins_and_draft_meaning() -> None:
    profile = builtin("openhands")
    draft = _facts(pull=_pull(), pull_draft=True)
    assert words(profile, draft)["pr"] == "draft"
    assert words(builtin("copilot"), draft)["pr"] == "open"  # a Copilot draft says nothing
    status, _, index = decide(profile.rules, words(profile, draft))
    assert (status.value, index) == ("completed", 5)
    failed_run = _facts(run=_run("completed", "success"), branch=None)
    assert decide(profile.rules, words(profile, failed_run))[:2][1] == "no_pull_request"


def _table(profile: Profile) -> str:
    rows = ["| # | when | status | reason |", "|---|---|---|---|"]
    for i, rule in enumerate(profile.rules, 1):
        when = ", ".join(f"{f} {'/'.join(w)}" for f, w in rule.when) or "anything else"
        reason = f"`{rule.reason}`" if rule.reason else ""
        rows.append(f"| {i} | {when} | {rule.status} | {reason} |")
    return "\n".join(rows)


@pytest.mark.parametrize("name", ["copilot", "claude", "openhands"])
def test_readme_rule_tables_and_evidence_match_the_profiles(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    profile = builtin(name)
    assert _table(profile) in section
    for item in profile.evidence:
        assert f"- {item.fact} (confidence: {item.confidence})" in section


# -- over HTTP: the action and the CLI ----------------------------------------------
CASES = [
    ("copilot", "pending", "pending", "waiting_for_agent"),
    ("copilot", "running", "running", "copilot_work_started"),
    ("copilot", "completed", "completed", "copilot_work_finished"),
    ("copilot", "failed", "failed", "copilot_work_finished_failure"),
    ("copilot", "merged", "merged", ""),
    ("claude", "running", "running", ""),
    ("claude", "completed", "completed", ""),
    ("claude", "failed", "failed", "claude_error"),
    ("claude", "merged", "merged", ""),
    ("openhands", "pending", "pending", ""),
    ("openhands", "running", "running", ""),
    ("openhands", "completed", "completed", ""),
    ("openhands", "failed", "failed", "no_pull_request"),
    ("openhands", "retry", "completed", ""),
    ("openhands", "merged", "merged", ""),
]


@pytest.mark.parametrize(("agent", "scenario", "status", "reason"), CASES)
def test_agent_scenarios_through_the_action(
    agent: str, scenario: str, status: str, reason: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    job_id = agent_scenarios.apply(sim, agent, scenario)
    code, out, outputs = Action(tmp_path, monkeypatch, sim).run(
        capsys, job_id=job_id, agent=agent, fail_on="none"
    )
    assert code == 0, out
    assert (outputs["status"], outputs["reason"]) == (status, reason)
    report = json.loads(outputs["json"])
    assert report["agent"] == agent
    heading = (tmp_path / "summary.md").read_text().splitlines()[0]
    assert heading.endswith(builtin(agent).label)
    if agent == "claude" and scenario == "completed":
        assert outputs["pr_url"] == ""
        assert re.fullmatch(
            r"https://github\.com/acme/agents/compare/main\.\.\.claude/issue-1-[0-9-]+\?\S+",
            report["compare_url"],
        )
        assert outputs["branch"].startswith("claude/issue-1-")
    if scenario == "retry":
        assert outputs["branch"] == "openhands-fix-issue-1-try2"
    if agent == "copilot" and scenario != "pending":
        assert report["run_id"] is not None  # the dynamic run on the PR's branch


@pytest.mark.parametrize("agent", ["copilot", "claude", "openhands"])
def test_an_agents_unreadable_newest_run_leaves_its_status_unknown(
    agent: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    job_id = agent_scenarios.apply(sim, agent, "running")
    for run in sim.state.runs.values():  # listed and read with `status: null`
        run.status_null = True
    code, out, outputs = Action(tmp_path, monkeypatch, sim).run(
        capsys, job_id=job_id, agent=agent, fail_on="none"
    )
    assert code == 3, out  # after publishing: never a traceback, never an older run
    assert (outputs["status"], outputs["reason"]) == ("unknown", "unreadable_run")
    assert json.loads(outputs["json"])["agent"] == agent
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "Status unknown" in errors[0]
    assert not any(r.status >= 500 for r in sim.requests) and "retry" not in out


@pytest.mark.parametrize(("agent", "scenario", "status", "reason"), CASES[::3])
def test_agent_scenarios_through_the_cli(
    agent: str, scenario: str, status: str, reason: str, sim: Simulator,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    job_id = agent_scenarios.apply(sim, agent, scenario)
    argv = ["status", job_id, "--repo", "acme/agents", "--api-url", sim.url]
    code = main([*argv, "--agent", agent, "--format", "json", "--fail-on", "none"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["status"], report["reason"], report["agent"]) == (status, reason, agent)


def test_timeline_and_comments_are_read_only_when_the_profile_needs_them(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    paths: dict[str, set[str]] = {}
    for agent in ("copilot", "openhands"):
        job_id = agent_scenarios.apply(sim, agent, "running")
        sim.reset_requests()
        main(["status", job_id, "--repo", "acme/agents", "--api-url", sim.url, "--agent", agent])
        paths[agent] = {r.path for r in sim.requests}
    capsys.readouterr()
    assert any(p.endswith("/timeline") for p in paths["copilot"])
    assert not any(p.endswith(("/timeline", "/comments")) for p in paths["openhands"])
    assert not any(p.endswith("/comments") for p in paths["copilot"])


def test_a_custom_profile_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: Simulator,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A team's own agent: branch bot/<id>, a '(failed)' commit marks failure."""
    (tmp_path / "agent.toml").write_text(
        'name = "bot"\ntitle = "Our bot"\nicon = "🐝"\nbranches = ["bot/{id}"]\n'
        '[markers]\ncommit = [{ contains = "(failed)", phase = "failed" }]\n'
        '[[rules]]\nwhen = { progress = "failed" }\nstatus = "failed"\nreason = "bot_failed"\n'
        '[[rules]]\nwhen = { pr = "open" }\nstatus = "completed"\n'
        '[[rules]]\nwhen = { branch = "exists" }\nstatus = "running"\n'
        '[[rules]]\nstatus = "not_found"\n',
        encoding="utf-8",
    )
    with sim.state.lock:
        sim.state.create_branch("bot/42", message="start")
    action = Action(tmp_path, monkeypatch, sim)
    inputs = {"job_id": "42", "agent": "custom", "profile_file": "agent.toml"}
    code, _, outputs = action.run(capsys, **inputs)
    assert (code, outputs["status"]) == (0, "running")
    sim.state.commit("bot/42", {"x.txt": "x"}, "🤖 Agent Job: thing (failed)")
    code, out, outputs = action.run(capsys, **inputs)
    assert (code, outputs["status"], outputs["reason"]) == (1, "failed", "bot_failed"), out
    assert json.loads(outputs["json"])["agent"] == "bot"
    assert "🐝 Our bot" in (tmp_path / "summary.md").read_text()


def test_demo_plays_an_agent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--agent", "copilot", "--speed", "20"]) == 0
    out = capsys.readouterr().out
    assert "status             merged" in out and "Copilot coding agent" in out
    assert main(["demo", "--agent", "claude", "--scenario", "nope"]) == 2


def test_serve_answers_for_an_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --agent copilot`: the reference job-status API over a Copilot job."""
    import argparse

    import requests

    from agent_job_status.serve import API_KEY_ENV, config_from, create_app

    from .serving import background

    with Simulator(owner="acme", repo="agents", token=TOKEN) as sim:
        job_id = agent_scenarios.apply(sim, "copilot", "completed")
        args = argparse.Namespace(
            repo="acme/agents", host="127.0.0.1", port=0, project_id="", branch_prefix="job/",
            workflow="run-job.yml", api_url=sim.url, agent="copilot",
        )  # fmt: skip
        config = config_from(args, {API_KEY_ENV: "k3y-k3y-k3y", "GITHUB_TOKEN": TOKEN})
        assert config.profile.name == "copilot"
        with background(create_app(config)) as url:
            answer = requests.get(
                f"{url}/api/jobs/status", params={"job_id": job_id},
                headers={"x-api-key": "k3y-k3y-k3y"}, timeout=30,
            )  # fmt: skip
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["branch"]) == ("completed", "copilot/fix-the-flaky-test")
