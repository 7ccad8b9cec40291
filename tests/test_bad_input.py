"""Hostile input, property-based: every input and the event payload.

Each run goes through `agent-job-status action` exactly as the runner starts
it (INPUT_* and GITHUB_* in the environment) against a live simulator that
may or may not be reached. Whatever the values, the result is exit 2 with one
`::error` line naming the input in quotes, or the right behaviour (0/1/3 with
at most one `::error` line); never a traceback, never an internal error.
Waits run in virtual time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_job_status import pipeline as run_module
from agent_job_status.cli import main
from agent_job_status.defaults import INPUT_NAMES
from agent_job_status.status import WORDS as STATUSES
from github_simulator import Simulator, scenarios

from .conftest import TOKEN
from .contract import BAD, DONE, STATUS_INPUTS, Outcome, expected
from .tally import TALLY
from .test_action import parse_outputs

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class VirtualClock:
    """The action's clock in virtual time: waits and backoff cost nothing."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps = 0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        self.sleeps += 1
        if self.sleeps > 20_000:
            raise RuntimeError("runaway wait in a test")


@pytest.fixture(scope="module")
def msim() -> Iterator[Simulator]:
    with Simulator(owner="acme", repo="agents", token=TOKEN) as simulator:
        # A thousand action runs, each its own client, in seconds on one token:
        # GitHub's per-minute secondary limit is not what these tests are about.
        simulator.points_per_minute = None
        scenarios.apply(simulator, "completed", job_id="j1")
        simulator.run_due()
        yield simulator


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outside")
    (root / "secret.txt").write_text("outside the workspace\n")
    return root


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, outside: Path) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    (root / "tpl.md.j2").write_text("status: {{ report.status | md }}\n")
    (root / "dir").mkdir()
    (root / "link-out").symlink_to(outside / "secret.txt")
    (root / "link-dir").symlink_to(outside, target_is_directory=True)
    return root


class Run:
    def __init__(self, code: int, text: str, outputs: dict[str, str]) -> None:
        self.code, self.text, self.outputs = code, text, outputs
        self.errors = [line for line in text.splitlines() if line.startswith("::error")]


def run_action(
    sim: Simulator, workspace: Path, inputs: dict[str, str], extra: dict[str, str] | None = None
) -> Run:
    """`main(["action"])` with exactly these INPUT_* (others unset) and runner variables."""
    saved = dict(os.environ)
    output = workspace / "output.txt"
    output.unlink(missing_ok=True)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "acme/agents",
        "GITHUB_API_URL": sim.url,
        **(extra or {}),
    }
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    out, err = io.StringIO(), io.StringIO()
    original_clock = run_module.WallClock
    try:
        for key in list(os.environ):
            if key.startswith(("INPUT_", "GITHUB_")) or key in ("RUNNER_DEBUG", "GH_TOKEN"):
                del os.environ[key]
        os.environ.update(env)
        run_module.WallClock = VirtualClock  # type: ignore[misc,assignment]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["action"])
    finally:
        run_module.WallClock = original_clock  # type: ignore[misc]
        os.environ.clear()
        os.environ.update(saved)
    outputs = parse_outputs(output.read_text()) if output.exists() else {}
    TALLY["bad input: action runs"] += 1
    return Run(code, out.getvalue() + err.getvalue(), outputs)


def check_run(result: Run, named: str | None = None) -> None:
    """What holds for any run: see the module docstring."""
    assert "Traceback" not in result.text, result.text
    assert "internal error" not in result.text, result.text
    assert result.code in (0, 1, 2, 3), result.text
    if result.code:
        assert len(result.errors) == 1, result.text
    if result.code == 2:
        names = [named] if named else list(INPUT_NAMES)
        assert any(f"Input '{n}'" in result.errors[0] for n in names), (named, result.errors)
    if result.code in (0, 1):
        assert result.outputs.get("status") in STATUSES
    else:
        assert not result.outputs  # no status from bad input or no answer


def outcome(result: Run) -> Outcome:
    return (result.code, result.outputs.get("status") if result.code in (0, 1) else None)


def check_contract(result: Run, allowed: set[Outcome], names: list[str]) -> None:
    """The run's outcome is one the inputs allow; exit 2 names one of them."""
    check_run(result)
    assert outcome(result) in allowed, (outcome(result), allowed, result.errors)
    if result.code == 2:
        assert any(f"Input '{n}'" in result.errors[0] for n in names), (names, result.errors)


def _no_digits(text: str) -> bool:
    return not any(c.isdigit() for c in text)


# What an environment variable can hold: no NUL, no lone surrogates.
ENV_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
ANY = st.text(ENV_TEXT, max_size=30)
BOOL = st.sampled_from(["true", "false", "yes", "0", " TRUE ", "maybe", "", "on", "nope"])
DURATION = st.sampled_from(["1s", "10s", "1m", "0", "0.5s", "soon", "-1", "5 m", "1e9", "1ms"])
PATH = st.sampled_from(
    ["", "tpl.md.j2", "../x", "/etc/passwd", "link-out", "dir", ".", "missing.j2", "a\x01b"]
)


def strategies(url: str) -> dict[str, st.SearchStrategy[str]]:
    return {
        "job_id": st.sampled_from(
            ["j1", "j1,j1", "j1\nnope", "*", "", "a..b", "x y", "-x", "x" * 201, "j1,*", "a@{1"]
        )
        | ANY,
        "repository": st.sampled_from(["acme/agents", "", "nope", "a/b/c", "acme/missing"]) | ANY,
        "token": st.sampled_from([TOKEN, "", "ghs_wrong", "tok\nen", "%0A::error::x"]) | ANY,
        "api_url": st.sampled_from(
            [
                url,
                url + "/api/v3",
                "ftp://x",
                "http://",
                "http://u:p@h",
                "http://u@h",
                "http://127.0.0.1:1",
            ]
        )
        | ANY.filter(lambda t: "://" not in t),
        "cache": BOOL | ANY,
        "branch_prefix": st.sampled_from(["job/", "", "x..", "/a", "a b", "agent-"]) | ANY,
        "workflow": st.sampled_from(
            ["run-job.yml", "", ".github/workflows/run-job.yml", "missing.yml", "a/b.yml", "../x"]
        )
        | ANY,
        "agent": st.sampled_from(
            ["popebot", "copilot", "claude", "openhands", "custom", "", "robot", " CLAUDE "]
        )
        | ANY,
        "profile_file": PATH | ANY,
        "wait": BOOL | ANY,
        "wait_for": st.sampled_from(["finished", "merged", "forever", "", "MERGED"]) | ANY,
        "timeout": DURATION | ANY.filter(_no_digits),
        "poll_interval": DURATION | ANY.filter(_no_digits),
        "start_timeout": DURATION | ANY.filter(_no_digits),
        "fail_on": st.sampled_from(["failed", "none", "failed,closed", "exploded", "", "*"]) | ANY,
        "fail_on_timeout": BOOL | ANY,
        "summary": BOOL | ANY,
        "summary_template": PATH | ANY,
        "comment": BOOL | ANY,
        "comment_pr": st.sampled_from(["", "1", "#1", "0", "twelve", "9" * 14, "999"]) | ANY,
        "comment_template": PATH | ANY,
        "comment_header": st.sampled_from(["", "deploy", "a b", "-x", "x" * 51, "a:b"]) | ANY,
        "comment_mode": st.sampled_from(["update", "recreate", "hide-older", "HIDE-OLDER", "x"])
        | ANY,
        "log_path": st.sampled_from(
            [
                ".agent-job-status/{job_id}.log",
                "",
                "../x.log",
                "/tmp/x.log",
                "link-dir/{job_id}.log",
                "link-out",
                "{job_id}",
                "{other}",
                "logs/{job_id}/x.log",
            ]
        )
        | ANY,
        "log_max_bytes": st.sampled_from(["0", "1024", "65536", "-1", "900001", "x", ""]) | ANY,
        "reports_path": st.sampled_from(
            [
                ".agent-job-status/reports.json",
                "",
                "../r.json",
                "/tmp/r.json",
                "link-dir/r.json",
                "link-out",
                "{job_id}.json",
                "out/reports",
            ]
        )
        | ANY,
    }


BASE = {"job_id": "j1", "token": TOKEN}


@pytest.mark.parametrize("name", INPUT_NAMES)
def test_each_input_alone(msim: Simulator, workspace: Path, name: str) -> None:
    """Values that must fail exit 2 naming the input; the rest give the default's
    outcome or one the input explains (tests/contract.py)."""
    strategy = strategies(msim.url)[name]

    @HYPOTHESIS
    @given(value=strategy)
    def one(value: str) -> None:
        allowed = expected(name, value, msim.url, TOKEN, workspace)
        check_contract(run_action(msim, workspace, {**BASE, name: value}), allowed, [name])

    one()


# Some combinations wait an hour of virtual time polling every second: slow in real time.
@pytest.mark.timeout(600)
@settings(HYPOTHESIS, max_examples=25)
@given(data=st.data())
def test_every_input_at_once(msim: Simulator, workspace: Path, data: st.DataObject) -> None:
    inputs = {
        name: data.draw(strategy, label=name)
        for name, strategy in strategies(msim.url).items()
        if data.draw(st.booleans(), label=f"set {name}")
    }
    allowed = {
        name: expected(name, value, msim.url, TOKEN, workspace)
        for name, value in {"job_id": "", **inputs}.items()  # no job_id: none from the event
    }
    result = run_action(msim, workspace, inputs)
    check_run(result)
    if "token" not in inputs:  # the base token is not set in this test: no answer
        return
    must_fail = [name for name, outcomes in allowed.items() if outcomes == {BAD}]
    may_fail = [name for name, outcomes in allowed.items() if BAD in outcomes]
    if must_fail:
        assert result.code == 2, (must_fail, result.text)
    if result.code == 2:
        assert any(f"Input '{n}'" in result.errors[0] for n in may_fail), (may_fail, result.errors)
    elif result.code in (0, 1):
        for name in STATUS_INPUTS:
            statuses = {status for _, status in allowed.get(name, {DONE})}
            assert result.outputs["status"] in statuses, (name, result.outputs["status"])


@pytest.mark.parametrize("token", ["o", ":", "e", "r", "::"])
def test_a_short_wrong_token_never_hides_our_error_line(
    msim: Simulator, workspace: Path, token: str
) -> None:
    """A one-letter "secret" is not masked: masking it would garble our `::error`."""
    result = run_action(msim, workspace, {**BASE, "token": token})
    assert result.code == 3 and len(result.errors) == 1, result.text
    assert result.errors[0].startswith("::error::Unauthorized: GitHub rejected the token")
    assert "***" not in result.text and "::add-mask::" not in result.text


def test_comment_pr_zero_is_bad_input(msim: Simulator, workspace: Path) -> None:
    result = run_action(msim, workspace, {**BASE, "comment": "true", "comment_pr": "0"})
    assert result.code == 2 and result.errors[0].startswith("::error::Input 'comment_pr'")
    assert not result.outputs


# -- the event payload -------------------------------------------------------------------
KEYS = st.sampled_from(
    ["ref", "ref_type", "pull_request", "head", "workflow_run", "head_branch", "x", ""]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(["refs/heads/job/j1", "job/j1", "job/../x", "branch", "job/", "tag"])
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=20,
)
EVENTS = st.sampled_from(
    [
        "push",
        "pull_request",
        "pull_request_target",
        "workflow_run",
        "create",
        "delete",
        "workflow_dispatch",
        "issues",
        "",
    ]
) | st.text(ENV_TEXT, max_size=15)


@HYPOTHESIS
@given(event=EVENTS, payload=JSON | st.binary(max_size=200).map(lambda b: b))
def test_event_payloads(msim: Simulator, workspace: Path, event: str, payload: object) -> None:
    path = workspace / "event.json"
    path.write_bytes(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    result = run_action(
        msim,
        workspace,
        {"token": TOKEN},
        {"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(path)},
    )
    check_run(result, named="job_id")
    assert result.code in (0, 2)  # a job named by the event, or 'job_id' asked for


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


@pytest.mark.parametrize(
    "content",
    [
        None,  # the path does not exist
        "dir",  # a directory
        "/dev/zero",  # endless: read no more than the cap
        b"",
        b"\xff\xfe\x00garbage",
        b"{" * 100_000,
        deep(100_000),
        b'{"ref": ' * 5000,
        b"[]",
        b'"refs/heads/job/j1"',
        b'{"ref": 7}',
        b'{"ref": "refs/heads/job/j1"}',
        b'{"ref": "refs/heads/job/j1"}' + b" " * (26 * 1024 * 1024),  # over GitHub's 25 MB
    ],
)
def test_event_payload_files(
    msim: Simulator, workspace: Path, tmp_path: Path, content: bytes | str | None
) -> None:
    if content is None:
        path = str(tmp_path / "missing.json")
    elif content == "dir":
        path = str(tmp_path)
    elif isinstance(content, str):
        path = content
    else:
        (tmp_path / "event.json").write_bytes(content)
        path = str(tmp_path / "event.json")
    result = run_action(
        msim, workspace, {"token": TOKEN}, {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": path}
    )
    check_run(result, named="job_id")
    fine = content == b'{"ref": "refs/heads/job/j1"}'
    assert result.code == (0 if fine else 2)


# -- paths cannot leave the workspace ------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("summary_template", "link-out"),
        ("comment_template", "link-out"),
        ("summary_template", "../outside/secret.txt"),
        ("summary_template", "/etc/passwd"),
        ("summary_template", "dir"),
        ("log_path", "link-dir/{job_id}.log"),
        ("log_path", "link-out"),
        ("log_path", "../{job_id}.log"),
        ("log_path", "/tmp/{job_id}.log"),
        ("reports_path", "link-out"),
        ("reports_path", "link-dir/r.json"),
        ("reports_path", "../r.json"),
        ("reports_path", "/tmp/r.json"),
    ],
)
def test_paths_cannot_escape_the_workspace(
    msim: Simulator, workspace: Path, outside: Path, name: str, value: str
) -> None:
    before = sorted(p.name for p in outside.iterdir())
    result = run_action(msim, workspace, {**BASE, name: value})
    check_run(result, named=name)
    assert result.code == 2 and f"'{name}'" in result.errors[0]
    assert sorted(p.name for p in outside.iterdir()) == before
    assert (outside / "secret.txt").read_text() == "outside the workspace\n"


# Found by the exploring (dev) Hypothesis profile: '0\u16800' was taken as a job id.
@pytest.mark.parametrize("job_id", ["0\u16800", "j\u00a01", "j\u30001", "j\u20281", "j\x851"])
def test_unicode_white_space_in_a_job_id_is_bad_input(
    msim: Simulator, workspace: Path, job_id: str
) -> None:
    result = run_action(msim, workspace, {**BASE, "job_id": job_id})
    check_run(result, named="job_id")
    assert result.code == 2 and "whitespace" in result.errors[0]


def test_a_job_id_cannot_steer_the_log_file_out(
    msim: Simulator, workspace: Path, outside: Path
) -> None:
    """The log path is checked with a stand-in id; the real id meets a second lock."""
    (workspace / "evil.log").symlink_to(outside / "evil-target.log")
    scenarios.apply(msim, "completed", job_id="evil")
    msim.run_due()
    try:
        result = run_action(msim, workspace, {**BASE, "job_id": "evil", "log_path": "{job_id}.log"})
    finally:
        (workspace / "evil.log").unlink()
    check_run(result)
    assert result.code == 0 and not (outside / "evil-target.log").exists()
    assert result.outputs["log_file"] == ""


def test_template_inside_the_workspace_is_used(msim: Simulator, workspace: Path) -> None:
    result = run_action(msim, workspace, {**BASE, "summary_template": "tpl.md.j2"})
    check_run(result)
    assert result.code == 0 and "status: completed" in (workspace / "summary.md").read_text()


@pytest.mark.parametrize(
    ("name", "value"),
    [("comment_pr", "\u0661"), ("log_max_bytes", "\uff11\uff10"), ("timeout", "\u0663m")],
)
def test_digits_of_other_scripts_are_not_numbers(
    msim: Simulator, workspace: Path, name: str, value: str
) -> None:
    """Python's int() and regex \\d take Arabic-Indic or full-width digits; an input
    takes ASCII digits only, as the contract says (found by random examples)."""
    assert expected(name, value, msim.url, TOKEN, workspace) == {BAD}
    result = run_action(msim, workspace, {**BASE, name: value})
    check_run(result, name)
    assert result.code == 2
