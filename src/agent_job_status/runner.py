"""Talking to the Actions runner: workflow commands on stdout and file commands.

A thin layer of our own (actions-toolkit has no job summary and no multiline
outputs). Every line we print that carries text from GitHub goes through
`neutral` or `untrusted_block`, so that text can never issue a command.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from agent_job_status.text import clean, neutral, neutralise_commands, utf8_safe

MIN_SECRET = 8  # shorter values are not secrets worth masking, and would garble every line
LINE_CHARS = 1_000  # a line of GitHub's text printed in a block: longer ones are cut
LINE_CUT_MARKER = "… [agent-job-status: {more:,} more characters; see log_file]"
_COMMAND_PREFIX = re.compile(r"^::[A-Za-z0-9-]+(?: [^:]*)?::")


def escape_data(text: str) -> str:
    """Workflow command data: what ends a line or a command is encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Runner:
    """Where our words go: the log (stdout) and the runner's command files."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        out: TextIO | None = None,
        *,
        commands: bool | None = None,
        verbose: bool | None = None,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.out = out or sys.stdout
        self.debug_enabled = self.env.get("RUNNER_DEBUG") == "1"
        # Workflow commands (::error:: ...) for the runner; plain words for people.
        self.in_actions = self.env.get("GITHUB_ACTIONS") == "true" if commands is None else commands
        self._secrets: list[str] = []
        # Our own bookkeeping (request counts): always in a step log, on request elsewhere.
        self.verbose = self.in_actions if verbose is None else verbose

    # -- the log ---------------------------------------------------------
    def _print(self, line: str) -> None:
        # Our own command prefix (`::error title=...::`) is never redacted:
        # a secret that happens to match part of it would hide the command.
        prefix = _COMMAND_PREFIX.match(line)
        head, rest = (line[: prefix.end()], line[prefix.end() :]) if prefix else ("", line)
        self.out.write(utf8_safe(head + self._redact(rest)) + "\n")
        self.out.flush()

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def mask(self, value: str) -> None:
        """Ask the runner to mask a secret, and never print it ourselves.

        Only under Actions (a terminal shows no one else), and only for values
        of `MIN_SECRET` characters or more: a one-letter "token" masked would
        garble every line, our own commands included.
        """
        if not self.in_actions or len(value) < MIN_SECRET or value in self._secrets:
            return
        if self.in_actions:
            # Written directly: `_print` would redact the very value we announce.
            self.out.write(f"::add-mask::{escape_data(value)}\n")
            self.out.flush()
        self._secrets.append(value)

    def info(self, line: str) -> None:
        """One line of our own (never a command); untrusted parts pass `neutral`."""
        self._print(neutralise_commands(line))

    def detail(self, line: str) -> None:
        """A line of bookkeeping, shown when verbose."""
        if self.verbose:
            self.info(line)

    def debug(self, message: str) -> None:
        if self.debug_enabled:
            self._print(f"::debug::{escape_data(message)}")

    def annotate(self, level: str, message: str, title: str = "") -> None:
        message = neutralise_commands(message)
        props = f" title={escape_property(neutralise_commands(title))}" if title else ""
        if self.in_actions:
            self._print(f"::{level}{props}::{escape_data(message)}")
        else:  # a terminal: messages may quote GitHub, so no controls, one line
            self._print(f"{level}: {neutral(message, 2000)}")

    def error(self, message: str, title: str = "") -> None:
        self.annotate("error", message, title)

    def warning(self, message: str, title: str = "") -> None:
        self.annotate("warning", message, title)

    def notice(self, message: str, title: str = "") -> None:
        self.annotate("notice", message, title)

    def group(self, title: str, lines: Iterable[str]) -> None:
        """A folded group in the log holding untrusted lines (commands off)."""
        title = neutral(title, 200)
        self._print(f"::group::{escape_data(title)}" if self.in_actions else f"-- {title}")
        self.untrusted_block(lines)
        if self.in_actions:
            self._print("::endgroup::")

    def untrusted_block(self, lines: Iterable[str]) -> None:
        """Print text from GitHub verbatim, with workflow commands switched off."""
        token = secrets.token_hex(16)
        self._print(f"::stop-commands::{token}")
        for line in lines:
            # Commands are off, but `##[group]` and the like still draw in the
            # log viewer; and the block's end token stays ours alone.
            text = clean(line, newlines=False).replace(token, "[token]")
            if len(text) > LINE_CHARS:  # a 10 MB one-line log is not printed whole
                more = len(text) - LINE_CHARS
                text = text[:LINE_CHARS] + LINE_CUT_MARKER.format(more=more)
            self._print(text.replace("##[", "##\u200b["))
        self._print(f"::{token}::")

    # -- file commands ---------------------------------------------------
    def set_outputs(self, outputs: Mapping[str, str]) -> bool:
        """Write step outputs to $GITHUB_OUTPUT; False when there is no such file."""
        path = self.env.get("GITHUB_OUTPUT")
        if not path:
            return False
        chunks = []
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            while delimiter in value:  # pragma: no cover - 128 random bits
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        with Path(path).open("a", encoding="utf-8", newline="\n") as file:
            file.write(utf8_safe("".join(chunks)))
        return True

    def append_summary(self, markdown: str) -> bool:
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if not path:
            return False
        markdown = utf8_safe(self._redact(markdown))  # a second lock: readers are public
        with Path(path).open("a", encoding="utf-8", newline="\n") as file:
            file.write(markdown if markdown.endswith("\n") else markdown + "\n")
        return True
