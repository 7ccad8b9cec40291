"""Fixtures for the simulator tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from github_simulator import SimClock, Simulator

TOKEN = "ghs_simtoken"
REPO = "/repos/acme/agents"


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def sim(clock: SimClock) -> Iterator[Simulator]:
    with Simulator(owner="acme", repo="agents", token=TOKEN, clock=clock) as s:
        yield s


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = f"token {TOKEN}"
        s.headers["Accept"] = "application/vnd.github+json"
        yield s
