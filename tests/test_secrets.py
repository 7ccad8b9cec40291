"""The token: masked before anything is printed, and nowhere else, ever.

Each scenario runs the action entrypoint against the simulator and then scans
everything the action wrote or sent for the token: stdout and stderr (but for
the one `::add-mask::` line), $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, every file
under the workspace (log files), the PR comments it left, and the headers of
every request that reached the simulator on a host other than the API's
(the log archive's 302 target, a redirect, a Link to another host).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_job_status import pipeline as run_module
from agent_job_status.cli import main
from agent_job_status.errors import GitHubError
from agent_job_status.github import source as github_source
from agent_job_status.github.client import GitHubClient
from github_simulator import SimClock, Simulator, scenarios

from .conftest import TOKEN, runner_env
from .tally import TALLY
from .test_faults import setup

OTHER = "ghs_OTHERtoken9876543210zyxwSECRET"  # a token the simulator does not accept


class Scan:
    def __init__(self, code: int, text: str, token: str) -> None:
        self.code, self.text, self.token = code, text, token


def run_and_scan(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vsim: Simulator,
    clock: SimClock,
    capsys: pytest.CaptureFixture[str],
    token: str = TOKEN,
    **inputs: str,
) -> Scan:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    runner_env(
        monkeypatch,
        tmp_path,
        vsim.url,
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_DEBUG="1",
        INPUT_TOKEN=token,
        **{f"INPUT_{k.upper()}": v for k, v in {"job_id": "j1", **inputs}.items()},
    )
    monkeypatch.setattr(run_module, "WallClock", lambda: clock)
    code = main(["action"])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text.replace("::debug::Traceback", "")
    lines = text.splitlines()
    assert lines[0] == f"::add-mask::{token}"  # masked before anything else is printed
    leaks: list[str] = []

    def scan(where: str, content: str) -> None:
        if token in content:
            leaks.append(where)

    scan("log", "\n".join(lines[1:]))
    for name in ("output.txt", "summary.md"):
        if (tmp_path / name).exists():
            scan(name, (tmp_path / name).read_text(errors="replace"))
    for file in workspace.rglob("*"):
        if file.is_file():
            scan(str(file), file.read_text(errors="replace"))
    for comment in vsim.state.comments.values():
        scan("comment", comment.body)
    for req in vsim.blob_requests:
        scan(f"blob request {req.path}", repr(req.headers))
        assert "Authorization" not in req.headers
    for req in vsim.requests:
        if not req.headers.get("Host", "").startswith("127.0.0.1"):
            scan(f"request to {req.headers.get('Host')}", repr(req.headers))
    assert leaks == [], leaks
    TALLY["secret scans: action runs scanned"] += 1
    return Scan(code, text, token)


Scanner = Callable[..., Scan]


@pytest.fixture
def scan(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vsim: Simulator,
    clock: SimClock,
    capsys: pytest.CaptureFixture[str],
) -> Scanner:
    """`run_and_scan` bound to this test's workspace, simulator and clock."""
    return functools.partial(run_and_scan, tmp_path, monkeypatch, vsim, clock, capsys)


def test_completed_with_comment_and_log(vsim: Simulator, scan: Scanner) -> None:
    setup(vsim, "completed")
    s = scan(comment="true")
    assert s.code == 0 and vsim.state.comments  # a comment was written, and scanned


def test_wait_with_comment_updates(vsim: Simulator, scan: Scanner) -> None:
    scenarios.apply(vsim, "lifecycle", job_id="j1", speed=0.1)
    s = scan(
        wait="true",
        wait_for="merged",
        poll_interval="5s",
        comment="true",
    )
    assert s.code == 0


def test_failed_with_the_run_log_archive(vsim: Simulator, scan: Scanner) -> None:
    """The 302 to the archive goes to host `localhost`: no Authorization reached it."""
    setup(vsim, "failed_run_log")
    s = scan()
    assert s.code == 1 and vsim.blob_requests  # the archive was fetched, without the token
    assert all(r.headers.get("Host", "").startswith("localhost") for r in vsim.blob_requests)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("status:500", 3),
        ("status:502", 3),
        ("status:503", 3),
        ("reset", 3),
        ("truncated", 3),
        ("malformed", 3),
        ("status:401", 3),
        ("status:403", 3),
        ("status:404", 3),
        ("secondary-no-retry-after", 3),
        ("primary:3600", 3),
    ],
)
def test_errors_leak_nothing(vsim: Simulator, fault: str, code: int, scan: Scanner) -> None:
    setup(vsim, "completed")
    vsim.add_fault("GET", r"/repos/", fault, times=None)
    assert scan().code == code


def test_bad_credentials(vsim: Simulator, scan: Scanner) -> None:
    setup(vsim, "completed")
    s = scan(token=OTHER)
    assert s.code == 3 and "Unauthorized" in s.text


def test_missing_permissions(vsim: Simulator, scan: Scanner) -> None:
    setup(vsim, "completed")
    vsim.state.set_permissions(actions=False, pull_requests_write=False)
    s = scan(comment="true")
    assert s.code == 3 and "actions: read" in s.text


def test_comment_forbidden_still_leaks_nothing(vsim: Simulator, scan: Scanner) -> None:
    setup(vsim, "completed")
    vsim.state.set_permissions(pull_requests_write=False)
    s = scan(comment="true")
    assert s.code == 0 and "::warning" in s.text


def test_an_internal_error_carrying_the_token(
    monkeypatch: pytest.MonkeyPatch, vsim: Simulator, scan: Scanner
) -> None:
    """Even an unexpected exception whose text holds the token, with RUNNER_DEBUG=1
    printing its traceback, shows `***` instead."""
    setup(vsim, "completed")

    def boom(*args: object, **kwargs: object) -> object:
        raise ValueError(f"exploded near {TOKEN}")

    monkeypatch.setattr(github_source, "resolve", boom)
    s = scan()
    assert s.code == 3 and "internal error" in s.text and "***" in s.text
    assert "::debug::" in s.text  # the debug traceback was printed, masked


@pytest.mark.parametrize("code_", ["301", "302", "307"])
def test_a_redirect_to_another_host_gets_no_token(
    vsim: Simulator, code_: str, scan: Scanner
) -> None:
    setup(vsim, "completed")
    target = "http://localhost:{port}/repos/acme/agents/pulls?state=all"
    vsim.add_fault("GET", r"/pulls$", f"redirect:{code_}:{target}", times=None)
    s = scan()
    assert s.code == 3
    assert not [r for r in vsim.requests if r.headers.get("Host", "").startswith("localhost")]


def test_a_link_to_another_host_gets_no_token(vsim: Simulator, scan: Scanner) -> None:
    """A Link rel=next naming another host: the client refuses to follow it."""
    setup(vsim, "completed")
    evil = "http://localhost:{port}/repos/acme/agents/pulls/1/files?page=2"
    vsim.add_fault("GET", r"/pulls/\d+/files$", f"link:{evil}", times=None)
    s = scan()
    assert s.code == 3 and "another host" in s.text
    assert not [r for r in vsim.requests if r.headers.get("Host", "").startswith("localhost")]


def test_many_jobs_paging_with_a_foreign_link(vsim: Simulator, scan: Scanner) -> None:
    """The shared-list path (4+ jobs) follows Links too: same refusal."""
    for n in range(4):
        setup(vsim, "completed", job_id=f"t{n}")
    evil = "http://localhost:{port}/repos/acme/agents/actions/runs?page=2"
    vsim.add_fault("GET", r"/runs$", f"link:{evil}", times=None)
    vsim.state.create_branch("other/x")
    vsim.state.start_run("other/x")
    s = scan(job_id="t0,t1,t2,t3,zz")
    assert s.code == 3 and "another host" in s.text


def test_the_client_refuses_other_hosts_directly(vsim: Simulator) -> None:
    client = GitHubClient(vsim.url, TOKEN)
    for url in (
        f"http://localhost:{vsim.port}/repos/acme/agents",
        "https://evil.example/repos/acme/agents",
        f"http://127.0.0.1:{vsim.port + 1}/x",
    ):
        with pytest.raises(GitHubError) as info:
            client.get(url)
        assert TOKEN not in info.value.message and "another host" in info.value.message
    assert not vsim.requests
