"""The errors that end a run, each with its exit code.

Every non-zero exit prints one clear line; these carry that line. Nothing
here may hold the token: messages are built from our own words and from
GitHub's `message` field only.
"""

from __future__ import annotations


class JobStatusError(Exception):
    """Base: an error with an exit code and a one-line message."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(JobStatusError):
    """Bad input or configuration (exit 2). Names the input at fault."""

    exit_code = 2

    def __init__(self, name: str, problem: str, *, shown_as: str = "") -> None:
        # The action names its input; the CLI passes its flag as `shown_as`.
        super().__init__(f"{shown_as or f'Input {name!r}'}: {problem}")
        self.name = name
        self.problem = problem


class ConfigError(JobStatusError):
    """Bad configuration not tied to one input, e.g. a template error (exit 2)."""

    exit_code = 2


class GitHubError(JobStatusError):
    """The status could not be obtained from GitHub (exit 3).

    `problem` is what went wrong, `hint` what to do about it (e.g. which
    `permissions:` entry is missing); the line shown is both, joined by "; ".
    Callers that give their own advice read the two apart, never the text.
    """

    exit_code = 3

    def __init__(self, problem: str, status: int | None = None, *, hint: str = "") -> None:
        super().__init__(f"{problem}; {hint}" if hint else problem)
        self.problem = problem
        self.status = status
        self.hint = hint
