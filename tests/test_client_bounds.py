"""The client's exact bounds, against the simulator over real HTTP in virtual time:
conditional paging, what a 304 costs, how many tries and how long, and
redirects off the API host. Each test pins a number a plausible change would move.
"""

from __future__ import annotations

import pytest

from agent_job_status.errors import GitHubError
from agent_job_status.github.client import GitHubClient, RetryPolicy
from github_simulator import SimClock, Simulator

from .conftest import TOKEN

PULLS = "/repos/acme/agents/pulls"


def client_for(vsim: Simulator, clock: SimClock, policy: RetryPolicy | None = None) -> GitHubClient:
    return GitHubClient(vsim.url, TOKEN, retry=policy, clock=clock.time, sleep=clock.sleep)


def api_requests(vsim: Simulator, path: str) -> list[int]:
    return [r.status for r in vsim.requests if r.path == path]


def test_conditional_paging_keeps_every_page_when_304s_carry_no_link(
    vsim: Simulator, clock: SimClock
) -> None:
    for n in range(205):  # three pages of 100
        vsim.state.create_branch(f"b/{n}")
        vsim.state.open_pr(f"b/{n}", title=str(n), body="")
    client = client_for(vsim, clock)
    first, fresh = client.get_all(PULLS, {"state": "all"})
    assert len(first) == 205 and fresh
    vsim.reset_requests()
    again, fresh = client.get_all(PULLS, {"state": "all"})
    # The simulator's 304s, like GitHub's, repeat no Link header: the cache must.
    assert api_requests(vsim, PULLS) == [304, 304, 304]
    assert [p["number"] for p in again] == [p["number"] for p in first] and not fresh


def test_a_304_is_never_counted_against_the_rate_limit(vsim: Simulator, clock: SimClock) -> None:
    vsim.state.create_branch("job/j1")
    vsim.state.open_pr("job/j1", title="x", body="")
    client = client_for(vsim, clock)
    for _ in range(3):
        client.get(PULLS)
    assert (client.stats.requests, client.stats.counted, client.stats.not_modified) == (3, 1, 2)
    assert vsim.rate_limit.used == 1  # the simulator agrees


def test_the_exact_number_of_attempts(vsim: Simulator, clock: SimClock) -> None:
    vsim.add_fault("GET", r"/pulls$", "status:503", times=None)
    client = client_for(vsim, clock, RetryPolicy(attempts=3, budget=10_000.0))
    with pytest.raises(GitHubError, match=r"after 3 tries"):
        client.get(PULLS)
    assert api_requests(vsim, PULLS) == [503, 503, 503]
    assert client.stats.retries == 2


def test_the_time_budget_with_a_retry_after_of_60s(vsim: Simulator, clock: SimClock) -> None:
    """Default policy (8 attempts, 120 s): waits of 60 s fit twice, a third would not."""
    vsim.add_fault("GET", r"/pulls$", "secondary:60", times=None)
    client = client_for(vsim, clock)
    started = clock.time()
    with pytest.raises(GitHubError, match=r"after 3 tries in 120s") as info:
        client.get(PULLS)
    assert clock.time() - started == 120
    assert api_requests(vsim, PULLS) == [403, 403, 403]
    assert "HTTP 403" in info.value.message


def test_the_default_policy_numbers() -> None:
    """What the README promises: at most 8 tries and 120 s for one request."""
    policy = RetryPolicy()
    assert (policy.attempts, policy.budget) == (8, 120.0)
    assert all(0 <= policy.delay(n) <= policy.cap for n in range(20))


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2"])
def test_an_off_host_redirect_fails_at_once_with_its_own_message(
    vsim: Simulator, clock: SimClock, host: str
) -> None:
    where = f"http://{host}:{{port}}{PULLS}"
    vsim.add_fault("GET", r"/pulls$", f"redirect:301:{where}", times=None)
    client = client_for(vsim, clock)
    started = clock.time()
    with pytest.raises(GitHubError) as info:
        client.get(PULLS)
    assert info.value.message == (
        f"GitHub redirected GET {PULLS} to another host; check the 'api_url' input"
    )
    assert api_requests(vsim, PULLS) == [301] and client.stats.retries == 0
    assert clock.time() == started
    assert not [r for r in vsim.requests if not r.headers.get("Host", "").startswith("127.0.0.1:")]


def test_a_same_host_301_is_followed(vsim: Simulator, clock: SimClock) -> None:
    vsim.state.create_branch("job/j1")
    vsim.state.open_pr("job/j1", title="x", body="")
    where = f"http://127.0.0.1:{{port}}{PULLS}"
    vsim.add_fault("GET", r"/pulls$", f"redirect:301:{where}?state=all", times=1)
    resp = client_for(vsim, clock).get(PULLS)
    assert resp.status == 200 and len(resp.data) == 1


def test_a_link_to_another_host_is_refused_before_any_request(
    vsim: Simulator, clock: SimClock
) -> None:
    vsim.state.create_branch("job/j1")
    vsim.state.open_pr("job/j1", title="x", body="")
    vsim.add_fault("GET", r"/pulls$", f"link:http://localhost:{{port}}{PULLS}?page=2")
    client = client_for(vsim, clock)
    with pytest.raises(GitHubError, match=r"^refusing to send the token to another host: "):
        client.get_all(PULLS)
    assert [r.headers.get("Host", "") for r in vsim.requests] == [f"127.0.0.1:{vsim.port}"]


def test_requests_are_paced_under_the_secondary_limit(vsim: Simulator, clock: SimClock) -> None:
    """1,000 GETs to one endpoint at once: GitHub (and the simulator) refuse past
    900 points a minute per endpoint; the client spreads them instead (800 in the
    first minute, the rest after), so none is refused and nothing is retried."""
    client = client_for(vsim, clock)
    start = clock.time()
    for _ in range(1000):
        client.get(PULLS, {"state": "all"})
    statuses = api_requests(vsim, PULLS)
    assert len(statuses) == 1000 and set(statuses) <= {200, 304}
    first_minute = [r for r in vsim.requests if r.at < start + 60]
    assert len(first_minute) == 800
    assert client.stats.retries == 0 and client.pace.waited == 60


def test_a_write_costs_five_points_of_the_pace() -> None:
    from agent_job_status.github.wire import Pace

    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pace = Pace(lambda: now[0], sleep, points=10, window=60.0)
    pace.take("POST")
    pace.take("PATCH")  # 10 points: the window is full
    assert slept == []
    now[0] = 30.0
    pace.take("GET")  # waits for the first write to leave the window
    assert slept == [30.0] and now[0] == 60.0
