"""A mutation check you can rerun: hand-made, realistic mutants of the core.

Each mutant is one exact snippet of a source file and its replacement. It is
applied to a fresh copy of `src/` in a temporary folder (the working tree is
never touched), and the tests chosen for its module run against that copy
(`pytest -x -q -p no:cacheprovider`, PYTHONPATH first, a private bytecode
cache). A mutant is killed when those tests fail. Prints, per module, how
many mutants there are, how many were killed, and the survivors by name.
tests/test_mutants.py, in the fast suite, checks that every mutant still
changes exactly one place of its file into valid Python.

    python scripts/mutants.py            # every mutant
    python scripts/mutants.py client     # the modules (or mutants) whose name holds "client"
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "src/agent_job_status/"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # under src/agent_job_status/
    original: str
    replacement: str
    tests: tuple[str, ...] = ()  # overrides the module's tests


# module -> (tests run for its mutants, mutants)
MODULES: dict[str, tuple[tuple[str, ...], list[Mutant]]] = {
    "resolve (rule table)": (
        ("tests/test_resolve.py", "tests/test_engine.py"),
        [
            Mutant(
                "merged no longer outranks a failed run",
                "resolve.py",
                "if pull is not None and pull.merged:",
                "if pull is not None and pull.merged and run is None:",
            ),
            Mutant(
                "only 'failure' fails",
                "resolve.py",
                'run.status == "completed" and run.conclusion not in GOOD_CONCLUSIONS',
                'run.status == "completed" and run.conclusion == "failure"',
            ),
            Mutant(
                "failed reason fixed",
                "resolve.py",
                'failure = (run.conclusion or "failure") if run is not None and failed_run else ""',
                'failure = "failure" if run is not None and failed_run else ""',
            ),
            Mutant(
                "closed only without a run",
                "resolve.py",
                'if pull is not None and pull.state == "closed":',
                'if pull is not None and pull.state == "closed" and run is None:',
            ),
            Mutant(
                "only 'queued' is pending",
                "resolve.py",
                "run.status in QUEUED:",
                'run.status == "queued":',
            ),
            Mutant(
                "in_progress is pending",
                "resolve.py",
                'return Status.RUNNING, ""  # 5',
                'return Status.PENDING, ""  # 5',
            ),
            Mutant(
                "no no_pull_request reason",
                "resolve.py",
                '"" if pull is not None else "no_pull_request"',
                '""',
            ),
            Mutant(
                "PR without run is pending",
                "resolve.py",
                'return Status.COMPLETED, "no_run_record"',
                'return Status.PENDING, "no_run_record"',
            ),
            Mutant(
                "bare branch is not_found",
                "resolve.py",
                'return Status.PENDING, "waiting_for_run"',
                'return Status.NOT_FOUND, "waiting_for_run"',
            ),
            Mutant(
                "neutral is a failure",
                "resolve.py",
                'GOOD_CONCLUSIONS = frozenset({"success", "neutral"})',
                'GOOD_CONCLUSIONS = frozenset({"success"})',
            ),
            Mutant(
                "current step when not running",
                "resolve.py",
                "current_step=current if status is Status.RUNNING else None",
                "current_step=current",
            ),
        ],
    ),
    "github/reads, batch, items + lag (fetch)": (
        (
            "tests/test_batch_reads.py",
            "tests/test_engine.py",
            "tests/test_faults.py",
            "tests/test_history.py",
            "tests/test_locate.py",
        ),
        [
            Mutant(
                # One pick for both paths now (`newest_run`); was the batch path's items[0].
                "the oldest run is taken",
                "github/items.py",
                'pick = newest(items, is_run, "id")',
                'pick = newest(items[::-1], is_run, "id")',
            ),
            Mutant(
                # One filter for both paths now (`_agent_run`); was two mutants,
                # "batch keeps our own run" and "single path keeps our own run".
                "our own run is kept",
                "github/listed.py",
                "        if self.target.own_run_id is not None and "
                'item.get("id") == self.target.own_run_id:\n            return False\n',
                "",
            ),
            Mutant(
                # Replaces "single path keeps our own run": the same filter's other half.
                "a sibling workflow's run is taken",
                "github/listed.py",
                'return not is_sibling_run(text_of(item, "path"))',
                "return True",
            ),
            Mutant(
                "a job seen on one prefix is still sought on the other",
                "github/batch.py",
                "missing = unseen(groups, found)",
                "missing = wanted - set(found)",
            ),
            Mutant(
                "jobs merged in this poll are taken out of turn",
                "github/batch.py",
                "return [done[job_id] if job_id in done else next(fresh) for job_id in job_ids]",
                "return [self._merged[j] if j in self._merged else next(fresh) for j in job_ids]",
            ),
            Mutant(
                "page bound claims complete",
                "github/batch.py",
                "if pages == bound:\n"
                "                horizon.present(found)\n"
                "                return found, unseen(groups, found) - settled, answered",
                "if pages == bound:\n"
                "                horizon.present(found)\n"
                "                return found, set(), answered",
            ),
            Mutant(
                "a branch GraphQL located nothing for is still asked",
                "github/batch.py",
                "empty = now - (located.pulls if not key else located.pulls | located.refs.keys())",
                "empty: set[str] = set()",
            ),
            Mutant(
                "a look that is not a wait assumes runs too",
                "github/batch.py",
                "if not self._graphql or (key and (not self.watch or self._exact)):",
                "if not self._graphql or (key and self._exact):",
            ),
            Mutant(
                "a final report keeps the wait's assumption",
                "github/source.py",
                "if not found_any(f) and assumed.intersection(",
                "if False and not found_any(f) and assumed.intersection(",
            ),
            Mutant(
                # Was the batch path's max(...); both paths order PRs here now.
                "the oldest PR is taken",
                "github/items.py",
                'pick = newest(sorted(items, key=number, reverse=True), is_pull, "number")',
                'pick = newest(sorted(items, key=number), is_pull, "number")',
            ),
            Mutant(
                # Not `(seen.merged and not listed.merged)`: a merged PR is also
                # closed, so the closed/open test right after it catches the same lag.
                "a list missing the newer PR is believed",
                "github/lag.py",
                "if listed is None or listed.number < seen.number:",
                "if listed is None:",
            ),
            Mutant(
                "a lagging runs list may go back a status",
                "github/lag.py",
                "return _RUN_PROGRESS.get(listed.status, 1) < _RUN_PROGRESS.get(seen.status, 1)",
                "return False",
            ),
        ],
    ),
    "github/client, wire + http_cache": (
        (
            "tests/test_client_bounds.py",
            "tests/test_github_edge.py",
            "tests/test_faults.py",
            "tests/test_http_cache.py",
        ),
        [
            Mutant(
                "a 304 is counted",
                "github/client.py",
                'elif not urlsplit(url).path.endswith("/rate_limit"):',
                'if not urlsplit(url).path.endswith("/rate_limit"):',
            ),
            Mutant(
                # Replaces "Link not kept from the cache on a 304": requests-cache
                # now merges a 304's headers into the cached copy's; what is ours
                # is telling a revalidated copy from a fresh answer.
                "a revalidated copy read as a fresh 200",
                "github/client.py",
                "status = 304 if again else resp.status_code",
                "status = resp.status_code",
            ),
            Mutant(
                "attempt limit one off",
                "github/client.py",
                "if attempt >= self.retry.attempts or",
                "if attempt > self.retry.attempts or",
            ),
            Mutant(
                "no time budget",
                "github/client.py",
                "or elapsed + delay > self.retry.budget:",
                "or False:",
            ),
            Mutant(
                "Retry-After ignored",
                "github/client.py",
                "delay = outcome.wait if outcome.wait is not None else self.retry.delay(attempt)",
                "delay = self.retry.delay(attempt)",
            ),
            Mutant(
                "off-host redirect retried",
                "github/client.py",
                'raise OffHost(\n                    f"GitHub redirected {verb} '
                '{self._shown(url)} to another host",\n'
                "                    hint=\"check the 'api_url' input\",\n                )",
                'raise OSError(f"GitHub redirected {verb} {self._shown(url)} to another host")',
            ),
            Mutant(
                "off-host redirect followed",
                "github/client.py",
                "if not same or target == url or hops >= MAX_REDIRECTS:",
                "if target == url or hops >= MAX_REDIRECTS:",
            ),
            Mutant(
                # The cache is requests-cache's now: the realistic slip is a plain session.
                "no ETag cache",
                "github/client.py",
                "self._session = cached_session(self.api_url, token, cache_dir)",
                "self._session = requests.Session()",
            ),
            Mutant(
                "backoff above the cap",
                "github/wire.py",
                "return random.uniform(0, min(self.cap, self.base * 2**attempt))",
                "return random.uniform(0, self.base * 2**attempt)",
            ),
            Mutant(
                "token sent to any host",
                "github/client.py",
                "if urlsplit(url).netloc != self._host:",
                "if False:",
            ),
            Mutant(
                "default attempts 9", "github/wire.py", "attempts: int = 8", "attempts: int = 9"
            ),
        ],
    ),
    "wait": (
        ("tests/test_wait.py", "tests/test_faults.py"),
        [
            Mutant(
                "timed_out for every job",
                "wait.py",
                "timed_out=not ends_wait(r, policy.wait_for)",
                "timed_out=True",
            ),
            Mutant(
                "deadline > instead of >= (hangs)",
                "wait.py",
                "timed_out = now >= poller.deadline and",
                "timed_out = now > poller.deadline and",
            ),
            Mutant(
                "outage past the deadline kept waiting",
                "wait.py",
                "if exc.status in (401, 403, 404) or self.clock.time() >= self.deadline:",
                "if exc.status in (401, 403, 404):",
            ),
            Mutant(
                "sleep past the deadline",
                "wait.py",
                "self.clock.sleep(max(0.0, min(spaced, self.deadline - now)))",
                "self.clock.sleep(spaced)",
            ),
            Mutant(
                "no slowing down on a low budget",
                "wait.py",
                "return max(interval, until_reset / max(polls_left, 1))",
                "return interval",
            ),
        ],
    ),
    "markdown + text (escaping)": (
        (
            "tests/test_markdown.py",
            "tests/test_text.py",
            "tests/test_render.py",
            "tests/test_render_html.py",
            "tests/oracles",
        ),
        [
            Mutant(
                "any scheme with :// links",
                "markdown.py",
                'if not sep or scheme.lower() not in ("http", "https") or not rest',
                "if not sep or not rest",
            ),
            Mutant("mentions ping", "markdown.py", 'return "@" + ZWSP', 'return "@"'),
            Mutant("< unescaped", "markdown.py", '"<": "&lt;"', '"<": "<"'),
            Mutant(
                ": not escaped (autolinks)",
                "markdown.py",
                '_PUNCT = frozenset("\\\\`*_{}[]()#+-.!|~:=$^")',
                '_PUNCT = frozenset("\\\\`*_{}[]()#+-.!|~=$^")',
            ),
            Mutant(
                "span fence limit off by one",
                "markdown.py",
                "if longest >= MAX_SPAN_FENCE:",
                "if longest > MAX_SPAN_FENCE:",
            ),
            Mutant(
                "span fence as long as the run",
                "markdown.py",
                'fence = "`" * (longest + 1)',
                'fence = "`" * max(1, longest)',
            ),
            Mutant(
                "block fence as long as the run",
                "markdown.py",
                "return char * max(3, longest + 1), text",
                "return char * max(3, longest), text",
            ),
            Mutant(
                "block fence over cmark's 255",
                "markdown.py",
                "MAX_BLOCK_FENCE = 255",
                "MAX_BLOCK_FENCE = 256",
            ),
            Mutant(
                "GH-123 links",
                "markdown.py",
                "text = _GH_REFERENCE.sub(lambda m: m.group(1) + ZWSP, shorten(text, limit))",
                "text = shorten(text, limit)",
            ),
            Mutant(
                "( ) not encoded in URLs",
                "markdown.py",
                '_URL_UNSAFE = frozenset(" ()<>',
                '_URL_UNSAFE = frozenset(" <>',
            ),
            Mutant(
                "##[ kept",
                "text.py",
                'text = _LEGACY_COMMAND.sub("##" + ZWSP + "[", text)',
                "text = text",
            ),
            Mutant(
                ":: only on the first line",
                "text.py",
                'f"^([{DOTNET_SPACE}]*)::", re.MULTILINE',
                'f"^([{DOTNET_SPACE}]*)::"',
            ),
            Mutant(
                "invisible characters kept",
                "text.py",
                'text = _INVISIBLE.sub("", text)',
                "text = text",
            ),
        ],
    ),
    "runner (output writer, commands)": (
        (
            "tests/test_runner.py",
            "tests/test_secrets.py",
            "tests/test_action.py",
            "tests/oracles",
            "tests/test_bad_input.py::test_a_short_wrong_token_never_hides_our_error_line",
        ),
        [
            Mutant(
                "fixed GITHUB_OUTPUT delimiter",
                "runner.py",
                'delimiter = f"ghadelimiter_{secrets.token_hex(16)}"\n            while',
                'delimiter = "ghadelimiter_EOF"\n            while',
            ),
            Mutant(
                "one delimiter per call",
                "runner.py",
                "for name, value in outputs.items():\n"
                '            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"\n',
                'delimiter = f"ghadelimiter_{secrets.token_hex(16)}"\n'
                "        for name, value in outputs.items():\n",
            ),
            Mutant(
                "newline not escaped in command data", "runner.py", '.replace("\\n", "%0A")', ""
            ),
            Mutant(": not escaped in properties", "runner.py", '.replace(":", "%3A")', ""),
            Mutant(
                "stop-commands token not hidden",
                "runner.py",
                'text = clean(line, newlines=False).replace(token, "[token]")',
                "text = clean(line, newlines=False)",
            ),
            Mutant(
                "secrets not redacted",
                "runner.py",
                'text = text.replace(secret, "***")',
                "text = text",
            ),
            Mutant(
                "summary not redacted",
                "runner.py",
                "markdown = utf8_safe(self._redact(markdown))",
                "markdown = utf8_safe(markdown)",
            ),
            Mutant("one-letter secrets masked", "runner.py", "MIN_SECRET = 8", "MIN_SECRET = 1"),
            Mutant(
                "our command prefix redacted",
                "runner.py",
                'head, rest = (line[: prefix.end()], line[prefix.end() :]) if prefix else ("", line)',
                'head, rest = "", line',
            ),
        ],
    ),
    "comment": (
        ("tests/test_comment.py",),
        [
            Mutant(
                "PATCH when unchanged",
                "comment.py",
                "if _body_of(comment) == body:\n            return\n",
                "",
            ),
            Mutant(
                "no memo of the last body",
                "comment.py",
                "if self._last.get((pr, key)) == stable:",
                "if False:",
            ),
            Mutant("keeps the newest comment", "comment.py", "keep = mine[0]", "keep = mine[-1]"),
            Mutant(
                "duplicates not deleted", "comment.py", "self._delete(mine[1:])", "self._delete([])"
            ),
            Mutant("keeps trying after a 403", "comment.py", "self._blocked.add(pr)", "pass"),
            Mutant(
                "ours kept though an older one was found",
                "comment.py",
                "if _id_of(keep) != _id_of(created):",
                "if False:",
            ),
        ],
    ),
    "settings + inputs": (
        (
            "tests/test_bad_input.py",
            "tests/test_cli.py",
            "tests/test_metadata.py",
            "tests/test_engine.py",
        ),
        [
            Mutant(
                "comment_pr 0 accepted",
                "settings.py",
                'parse_int("comment_pr", comment_pr, minimum=1,',
                'parse_int("comment_pr", comment_pr, minimum=0,',
            ),
            Mutant("poll_interval under 1s", "settings.py", "if poll < 1:", "if poll < 0:"),
            Mutant("timeout 0 accepted", "settings.py", "if limit <= 0:", "if limit < 0:"),
            Mutant(
                "booleans not stripped",
                "inputs.py",
                "value = raw.strip().lower()\n    if value in _TRUE",
                "value = raw.lower()\n    if value in _TRUE",
            ),
            Mutant(
                "'..' in a job id",
                "inputs.py",
                'if ".." in job_id or "@{" in job_id:',
                'if "@{" in job_id:',
            ),
            Mutant(
                "log_max_bytes cap raised",
                "inputs.py",
                "MAX_LOG_BYTES = 900_000",
                "MAX_LOG_BYTES = 9_000_000",
            ),
            Mutant(
                "paths may leave the workspace",
                "inputs.py",
                "if path != root and root not in path.parents:",
                "if False:",
            ),
            Mutant(
                "api_url with a user name",
                "inputs.py",
                "if parts.username or parts.password:",
                "if parts.password:",
            ),
            Mutant(
                "workflow '' is the default",
                "settings.py",
                'inputs.get("workflow", DEFAULTS["workflow"]),',
                'get("workflow"),',
            ),
        ],
    ),
    "publish": (
        ("tests/test_publish.py", "tests/test_action.py", "tests/test_wait.py"),
        [
            Mutant(
                "outputs over 1 MB",
                "publish.py",
                "OUTPUTS_LIMIT = 1_000_000",
                "OUTPUTS_LIMIT = 10_000_000",
            ),
            Mutant(
                "fail_on_timeout ignored",
                "publish.py",
                "if gate.fail_on_timeout and any(r.timed_out for r in reports):",
                "if any(r.timed_out for r in reports):",
            ),
            Mutant(
                "fail_on needs every job",
                "publish.py",
                "if any(r.status in gate.fail_on for r in reports):",
                "if all(r.status in gate.fail_on for r in reports):",
            ),
            Mutant(
                "log cut at twice the cap",
                "publish.py",
                "if len(data) <= max_bytes:",
                "if len(data) <= max_bytes * 2:",
            ),
        ],
    ),
}


def mutated(mutant: Mutant, text: str) -> str:
    """`text` with the mutant applied; ValueError unless it changes exactly one
    place into valid Python (a stale snippet tests nothing, and a syntax error
    would count as killed by any test)."""
    found = text.count(mutant.original)
    if found != 1 or mutant.replacement == mutant.original:
        raise ValueError(f"{mutant.name}: snippet found {found} times in {mutant.file}")
    changed = text.replace(mutant.original, mutant.replacement)
    try:
        compile(changed, mutant.file, "exec")
    except SyntaxError as exc:
        raise ValueError(f"{mutant.name}: not valid Python ({exc.msg})") from None
    return changed


def run(mutant: Mutant, tests: tuple[str, ...]) -> tuple[bool, float]:
    """(killed, seconds): the mutant applied to a copy of src/, its tests run."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
        target = src / "agent_job_status" / mutant.file
        try:
            target.write_text(mutated(mutant, target.read_text()))
        except ValueError as exc:
            raise SystemExit(str(exc)) from None
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
            "HYPOTHESIS_PROFILE": "ci",
        }
        check = (
            "import agent_job_status as p, sys; sys.exit(not p.__file__.startswith(sys.argv[1]))"
        )
        if subprocess.run([sys.executable, "-c", check, str(src)], env=env).returncode:
            raise SystemExit("the mutated copy is not the one imported")
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return done.returncode != 0, time.monotonic() - started


def main(argv: list[str]) -> int:
    """Arguments pick modules, or single mutants, by a part of their name."""
    rows = []
    for module, (tests, every) in MODULES.items():
        mutants = [m for m in every if not argv or any(a in module or a in m.name for a in argv)]
        if not mutants:
            continue
        survived = []
        for mutant in mutants:
            killed, took = run(mutant, mutant.tests or tests)
            print(
                f"  {'killed  ' if killed else 'SURVIVED'} {took:5.0f}s  {module}: {mutant.name}",
                flush=True,
            )
            if not killed:
                survived.append(mutant.name)
        rows.append((module, len(mutants), len(mutants) - len(survived), survived))
    print("\n| module | mutants | killed | survived |\n|---|---|---|---|")
    for module, count, dead, survived in rows:
        print(f"| {module} | {count} | {dead} | {', '.join(survived) or '-'} |")
    total = sum(r[1] for r in rows)
    print(f"| all | {total} | {sum(r[2] for r in rows)} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
