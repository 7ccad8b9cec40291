"""HTTP behaviour our client can observe: auth, ETag/304, rate limit, Link, redirects."""

from __future__ import annotations

import io
import re
import zipfile

import requests

from github_simulator import SimClock, Simulator

from .conftest import REPO, TOKEN


def test_auth(sim: Simulator) -> None:
    url = f"{sim.url}{REPO}"
    bad = requests.get(url, headers={"Authorization": "token nope"})
    assert bad.status_code == 401
    assert bad.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
    }
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert requests.get(url, headers={"Authorization": f"token {TOKEN}"}).status_code == 200
    assert [r.status for r in sim.requests] == [401, 401, 200, 200]
    assert [r.counted for r in sim.requests] == [False, False, True, True]


def test_etag_304_does_not_count(sim: Simulator, http: requests.Session) -> None:
    sim.state.create_branch("job/abc", files={"a.txt": "a"})
    url = f"{sim.url}{REPO}/branches/job/abc"
    first = http.get(url)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'W/"[0-9a-f]{64}"', etag)
    assert first.headers["X-RateLimit-Remaining"] == "4999"
    assert first.headers["X-RateLimit-Used"] == "1"
    assert first.headers["X-RateLimit-Resource"] == "core"
    assert first.headers["X-RateLimit-Limit"] == "5000"
    assert int(first.headers["X-RateLimit-Reset"]) > sim.clock.time()
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert again.headers["X-RateLimit-Remaining"] == "4999"
    assert sim.rate_limit.remaining == 4999
    assert [r.counted for r in sim.requests] == [True, False]
    assert sim.requests[1].status == 304
    # a change gives a new ETag and a full (counted) answer
    sim.state.commit("job/abc", files={"b.txt": "b"})
    changed = http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert sim.rate_limit.remaining == 4998


def test_rate_limit_exhausted(sim: Simulator, http: requests.Session, clock: SimClock) -> None:
    sim.rate_limit.remaining = 1
    assert http.get(f"{sim.url}{REPO}").status_code == 200
    blocked = http.get(f"{sim.url}{REPO}")
    assert blocked.status_code == 403
    assert blocked.json()["message"].startswith("API rate limit exceeded")
    assert blocked.headers["X-RateLimit-Remaining"] == "0"
    overview = http.get(f"{sim.url}/rate_limit").json()
    assert overview["resources"]["core"]["remaining"] == 0
    assert overview["rate"]["used"] == 5000
    assert [r.counted for r in sim.requests] == [True, False, False]
    clock.advance(3601)  # the window resets
    assert http.get(f"{sim.url}{REPO}").status_code == 200
    assert sim.rate_limit.remaining == 4999


def test_link_pagination(sim: Simulator, http: requests.Session) -> None:
    files = {f"f/{i:03d}.txt": f"line {i}\n" for i in range(250)}
    sim.state.create_branch("job/big", files=files)
    n = sim.state.open_pr("job/big", title="big")
    url = f"{sim.url}{REPO}/pulls/{n}/files?per_page=100"
    seen: list[str] = []
    links: list[dict[str, str]] = []
    next_url: str | None = url
    while next_url:
        resp = http.get(next_url)
        assert resp.status_code == 200
        seen += [f["filename"] for f in resp.json()]
        links.append({k: v["url"] for k, v in resp.links.items()})
        next_url = resp.links.get("next", {}).get("url")
    assert seen == sorted(files)
    base = f"{sim.url}{REPO}/pulls/{n}/files"
    assert links[0] == {
        "next": f"{base}?per_page=100&page=2",
        "last": f"{base}?per_page=100&page=3",
    }
    assert links[1] == {
        "prev": f"{base}?per_page=100&page=1",
        "next": f"{base}?per_page=100&page=3",
        "last": f"{base}?per_page=100&page=3",
        "first": f"{base}?per_page=100&page=1",
    }
    assert links[2] == {
        "prev": f"{base}?per_page=100&page=2",
        "first": f"{base}?per_page=100&page=1",
    }
    raw = http.get(url).headers["Link"]
    assert (
        raw == f'<{base}?per_page=100&page=2>; rel="next", <{base}?per_page=100&page=3>; rel="last"'
    )
    # default per_page is 30; max is 100
    assert len(http.get(f"{base}").json()) == 30
    assert len(http.get(f"{base}?per_page=500").json()) == 100
    assert "Link" not in http.get(f"{sim.url}{REPO}/pulls").headers


def test_link_uses_client_host_and_prefix(sim: Simulator, http: requests.Session) -> None:
    for i in range(3):
        sim.state.create_branch(f"job/{i}")
        sim.state.open_pr(f"job/{i}", title=str(i))
    url = f"http://localhost:{sim.port}/api/v3{REPO}/pulls?per_page=1"
    resp = http.get(url)
    assert resp.status_code == 200
    assert resp.links["next"]["url"] == (
        f"http://localhost:{sim.port}/api/v3{REPO}/pulls?per_page=1&page=2"
    )
    assert resp.json()[0]["url"].startswith(f"http://localhost:{sim.port}/api/v3{REPO}/pulls/")
    assert sim.requests[-1].path == f"{REPO}/pulls"


def test_branch_with_slash_both_ways(sim: Simulator, http: requests.Session) -> None:
    sha = sim.state.create_branch("job/abc", files={"x": "y"})
    for url in (f"{sim.url}{REPO}/branches/job/abc", f"{sim.url}{REPO}/branches/job%2Fabc"):
        resp = http.get(url)
        assert resp.status_code == 200
        assert resp.json()["name"] == "job/abc"
        assert resp.json()["commit"]["sha"] == sha
    missing = http.get(f"{sim.url}{REPO}/branches/job%2Fnope")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Branch not found"
    assert http.get(f"{sim.url}/api/v3{REPO}/branches/job%2Fabc").status_code == 200


def test_logs_redirect_to_zip_on_other_host(sim: Simulator, http: requests.Session) -> None:
    sim.state.create_branch("job/abc")
    run = sim.state.start_run("job/abc")
    assert http.get(f"{sim.url}{REPO}/actions/runs/{run}/logs").status_code == 404
    sim.state.set_run_status(run, "in_progress")
    sim.state.advance_step(run)
    sim.state.advance_step(run)
    sim.state.finish_run(run, "failure", failed_log="line one\nboom happened")
    for path in (f"actions/runs/{run}/logs", f"actions/runs/{run}/attempts/1/logs"):
        resp = http.get(f"{sim.url}{REPO}/{path}", allow_redirects=False)
        assert resp.status_code == 302
        location = resp.headers["Location"]
        assert re.fullmatch(rf"http://localhost:{sim.port}/_sim/blobs/[0-9a-f]+\.zip", location)
        blob = requests.get(location)  # no auth needed
        assert blob.status_code == 200
        zf = zipfile.ZipFile(io.BytesIO(blob.content))
        names = set(zf.namelist())
        assert {
            "agent/1_Set up job.txt",
            "agent/2_Run agent.txt",
            "agent/3_Complete job.txt",
        } <= names
        text = zf.read("agent/2_Run agent.txt").decode()
        lines = text.splitlines()
        assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z ", line) for line in lines)
        assert "2026-01-01T00:00:00.0200000Z boom happened" in lines
    # requests follows the redirect and drops Authorization on the host change
    followed = http.get(f"{sim.url}{REPO}/actions/runs/{run}/logs")
    assert followed.status_code == 200 and followed.content.startswith(b"PK")
    assert all(not r.path.startswith("/_sim") for r in sim.requests)


def test_permissions(sim: Simulator, http: requests.Session) -> None:
    sim.state.create_branch("job/abc")
    n = sim.state.open_pr("job/abc", title="t")
    sim.state.set_permissions(actions=False)
    denied = http.get(f"{sim.url}{REPO}/actions/runs")
    assert denied.status_code == 403
    assert denied.json()["message"] == "Resource not accessible by integration"
    assert http.get(f"{sim.url}{REPO}/pulls").status_code == 200
    sim.state.set_permissions(actions=True, contents=False, pull_requests_write=False)
    assert http.get(f"{sim.url}{REPO}/actions/runs").status_code == 200
    assert http.get(f"{sim.url}{REPO}/contents/README.md").status_code == 403
    assert http.get(f"{sim.url}{REPO}/branches/main").status_code == 403
    url = f"{sim.url}{REPO}/issues/{n}/comments"
    assert http.post(url, json={"body": "x"}).status_code == 403
    assert http.get(url).status_code == 200


def test_raw_contents_and_old_sha(sim: Simulator, http: requests.Session) -> None:
    old = sim.state.create_branch("job/abc", files={"logs/abc/s.jsonl": '{"a": 1}\n'})
    sim.state.commit("job/abc", files={"logs/abc/s.jsonl": '{"a": 2}\n'})
    url = f"{sim.url}{REPO}/contents/logs/abc/s.jsonl"
    for accept in ("application/vnd.github.raw", "application/vnd.github.raw+json"):
        new = http.get(url, params={"ref": "job/abc"}, headers={"Accept": accept})
        assert new.content == b'{"a": 2}\n'
    prev = http.get(url, params={"ref": old}, headers={"Accept": "application/vnd.github.raw"})
    assert prev.content == b'{"a": 1}\n'
    short = http.get(url, params={"ref": old[:7]}, headers={"Accept": "application/vnd.github.raw"})
    assert short.content == b'{"a": 1}\n'
    assert http.get(url, params={"ref": "nope"}).status_code == 404
    sim.state.commit("job/abc", files={"logs/abc/s.jsonl": None})
    assert http.get(url, params={"ref": "job/abc"}).status_code == 404


def test_runs_filters_and_rerun(sim: Simulator, http: requests.Session, clock: SimClock) -> None:
    sim.state.create_branch("job/a")
    sim.state.create_branch("job/b")
    ra = sim.state.start_run("job/a")
    clock.advance(1)
    rb = sim.state.start_run("job/b", event="workflow_dispatch")
    clock.advance(1)
    other = sim.state.start_run("job/a", workflow="auto-merge.yml")
    url = f"{sim.url}{REPO}/actions/workflows/run-job.yml/runs"
    assert [r["id"] for r in http.get(url).json()["workflow_runs"]] == [rb, ra]
    assert [r["id"] for r in http.get(url, params={"branch": "job/a"}).json()["workflow_runs"]] == [
        ra
    ]
    by_event = http.get(url, params={"event": "workflow_dispatch"}).json()["workflow_runs"]
    assert [r["id"] for r in by_event] == [rb]
    all_runs = http.get(f"{sim.url}{REPO}/actions/runs").json()
    assert [r["id"] for r in all_runs["workflow_runs"]] == [other, rb, ra]
    sim.state.finish_run(ra, "failure")
    assert sim.state.rerun(ra) == 2
    run = http.get(f"{sim.url}{REPO}/actions/runs/{ra}").json()
    assert (run["run_attempt"], run["status"], run["conclusion"]) == (2, "queued", None)
    listed = http.get(url, params={"branch": "job/a"}).json()["workflow_runs"][0]
    assert listed["run_attempt"] == 2
    jobs = http.get(f"{sim.url}{REPO}/actions/runs/{ra}/jobs").json()["jobs"]
    assert all(s["status"] == "queued" for s in jobs[0]["steps"])
    old_jobs = http.get(f"{sim.url}{REPO}/actions/runs/{ra}/attempts/1/jobs").json()["jobs"]
    assert old_jobs[0]["conclusion"] == "failure"
    completed = http.get(url, params={"status": "failure"}).json()
    assert completed["total_count"] == 0
    assert http.get(f"{sim.url}{REPO}/actions/workflows/nope.yml/runs").status_code == 404
    assert http.get(f"{sim.url}{REPO}/actions/runs/{ra}/attempts/3").status_code == 404


def test_pulls_query(sim: Simulator, http: requests.Session, clock: SimClock) -> None:
    sim.state.create_branch("job/a")
    a = sim.state.open_pr("job/a", title="a")
    clock.advance(10)
    sim.state.create_branch("job/b")
    b = sim.state.open_pr("job/b", title="b")
    clock.advance(10)
    sim.state.add_comment(a, "touch")
    sim.state.close_pr(a)
    url = f"{sim.url}{REPO}/pulls"
    assert [p["number"] for p in http.get(url).json()] == [b]
    assert [p["number"] for p in http.get(url, params={"state": "closed"}).json()] == [a]
    asc = http.get(url, params={"state": "all", "direction": "asc"}).json()
    assert [p["number"] for p in asc] == [a, b]
    upd = http.get(url, params={"state": "all", "sort": "updated", "direction": "desc"}).json()
    assert [p["number"] for p in upd] == [a, b]
    assert http.get(url, params={"state": "all", "head": "acme:job/b"}).json()[0]["number"] == b
    assert http.get(url, params={"state": "all", "head": "other:job/b"}).json() == []
    assert http.get(url, params={"state": "all", "base": "dev"}).json() == []
    sim.state.reopen_pr(a)
    assert http.get(f"{url}/{a}").json()["state"] == "open"


def test_sim_control_endpoints(sim: Simulator, http: requests.Session) -> None:
    resp = requests.post(
        f"{sim.url}/_sim/scenario", json={"name": "completed", "job_id": "x1", "speed": 1}
    )
    assert resp.status_code == 200
    assert http.get(f"{sim.url}{REPO}/branches/job/x1").status_code == 200
    recorded = requests.get(f"{sim.url}/_sim/requests").json()
    assert [(r["method"], r["path"], r["status"], r["counted"]) for r in recorded] == [
        ("GET", f"{REPO}/branches/job/x1", 200, True)
    ]
    bad = requests.post(f"{sim.url}/_sim/scenario", json={"name": "nope"})
    assert bad.status_code == 400
    sim.reset_requests()
    assert requests.get(f"{sim.url}/_sim/requests").json() == []


def test_filtered_runs_lists_stop_at_1000_results(
    sim: Simulator, http: requests.Session, clock: SimClock
) -> None:
    """As GitHub documents for actor, branch, event, head_sha, status...: a
    filtered list shows the 1,000 newest matches; the unfiltered list all."""
    sim.state.create_branch("job/a")
    ids = []
    for _ in range(1_005):
        ids.append(sim.state.start_run("job/a"))
        clock.advance(1)
    url = f"{sim.url}{REPO}/actions/runs"
    filtered = [
        r["id"]
        for page in range(1, 12)
        for r in http.get(url, params={"branch": "job/a", "per_page": 100, "page": page}).json()[
            "workflow_runs"
        ]
    ]
    assert filtered == ids[::-1][:1_000]
    last = http.get(url, params={"per_page": 100, "page": 11}).json()["workflow_runs"]
    assert [r["id"] for r in last] == ids[4::-1]
