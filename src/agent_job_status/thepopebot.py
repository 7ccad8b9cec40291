"""thepopebot's conventions, as data: what its two generations leave on GitHub.

Facts and sources in ../shared/AGENTS.md (stephengpope/thepopebot history).
Generation 1 (job/ branches) runs the agent in an Actions workflow;
generation 2 (agent-job/ branches, since 2026-03-22) in a local container,
with no Actions run at all. Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from agent_job_status.facts import JobConfig

# The job's config in `logs/<id>/`, first found wins, with the generation that
# writes it. job.md is generation 1 before ~2026-02-23 (only a title line).
CONFIG_FILES: tuple[tuple[str, int], ...] = (
    ("agent-job.config.json", 2),
    ("job.config.json", 1),
    ("job.md", 1),
)
# The prefix each generation writes; a branch under another prefix is told
# apart by its config file alone.
GENERATION_OF_PREFIX = {"job/": 1, "agent-job/": 2}
# Workflows that act on a job's branch but are not the agent (auto-merge, the
# failure/completion notices): never the agent's run. Medium confidence on the
# notify names; data, so easy to correct.
SIBLING_WORKFLOWS = frozenset({"auto-merge.yml", "notify-job-failed.yml", "notify-pr-complete.yml"})
# "🤖 Agent Job: <title> (failed)": the agent's own failure report (generation 2;
# some generation-1 images too).
FAILED_MARK = re.compile(r"^\s*🤖\s*Agent Job:.*\(failed\)\s*$", re.MULTILINE)
DONE_MESSAGE = "done."  # the commit that removes logs/<id> after the agent's commit


def prefix_generation(branch: str) -> int | None:
    """The generation thepopebot's own prefix names (None for another prefix)."""
    return next((g for p, g in GENERATION_OF_PREFIX.items() if branch.startswith(p)), None)


def generation_of(branch: str, config_file: str = "") -> int:
    """2 or 1: by the config file the branch holds, else by its prefix (else 1)."""
    for name, generation in CONFIG_FILES:
        if config_file == name:
            return generation
    return prefix_generation(branch) or 1


def config_file_in(names: set[str] | frozenset[str] | list[str]) -> str:
    """The job config file among a log folder's file names ('' when none)."""
    present = set(names)
    return next((name for name, _ in CONFIG_FILES if name in present), "")


def is_sibling_run(workflow_path: str) -> bool:
    return PurePosixPath(workflow_path).name in SIBLING_WORKFLOWS


def marks_failure(message: str) -> bool:
    return bool(FAILED_MARK.search(message))


def is_done_commit(message: str) -> bool:
    return message.strip() == DONE_MESSAGE


def only_logs(files: tuple[str, ...], log_dir: str) -> bool:
    """Whether a PR changed nothing, or only files under the job's log folder."""
    folder = log_dir.strip("/") + "/"
    return all(name.startswith(folder) for name in files)


def parse_config(name: str, text: str) -> JobConfig:
    """The fields we use from a config file: `llm_model` (else `model`), `title`."""
    if name.endswith(".md"):
        title = next(
            (line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), ""
        )
        return JobConfig(title=title or None, file=name)
    try:
        data = json.loads(text)
    except ValueError:
        return JobConfig(file=name)
    if not isinstance(data, dict):
        return JobConfig(file=name)
    models = [v for v in (data.get("llm_model"), data.get("model")) if isinstance(v, str) and v]
    given = data.get("title")
    return JobConfig(
        model=models[0] if models else None,
        title=given if isinstance(given, str) else None,
        file=name,
    )
