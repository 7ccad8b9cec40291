"""E2E tests (Docker + nektos/act) run only when AJS_E2E=1 is set."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parent.parent
if str(E2E_DIR) not in sys.path:  # make `import harness` work in any import mode
    sys.path.insert(0, str(E2E_DIR))

import harness  # noqa: E402


def _enabled() -> bool:
    return os.environ.get("AJS_E2E") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="e2e tests need Docker and act: set AJS_E2E=1")
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.timeout(1800))  # Docker builds and act runs
            if not _enabled():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def base_image(repo_root: Path) -> str:
    """Docker running and local/python-base built (idempotent)."""
    return harness.ensure_base(repo_root)


@pytest.fixture(scope="session")
def action_image(repo_root: Path) -> str:
    """The action image agent-job-status:e2e built from the working tree."""
    return harness.ensure_images(repo_root)


@pytest.fixture
def act_workdir(tmp_path: Path, repo_root: Path, action_image: str) -> Iterator[Path]:
    """A scratch repository whose action.yml runs the e2e image (``uses: ./``)."""
    work = tmp_path / "repo"
    harness.make_action_copy(repo_root, action_image, work)
    (work / ".github" / "workflows").mkdir(parents=True)
    yield work
