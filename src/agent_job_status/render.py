"""Rendering reports as a job summary and a sticky PR comment (Jinja2, sandboxed).

Templates run in `jinja2.sandbox.ImmutableSandboxedEnvironment` with
`StrictUndefined`, `autoescape=False` (the output is Markdown, not HTML),
`trim_blocks`, `lstrip_blocks` and `keep_trailing_newline`. Every value from a
job is untrusted: templates must pass text through one of the escaping
filters below before it reaches the output.

Template context:

- `report`: the first `Report` (`reports[0]`); its fields are attributes
  (`report.status`, `report.pr_title`, `report.changed_files`, ...).
- `reports`: every `Report`, in the order asked for.
- `overall`: the report that speaks for them all (`report.worst`).
- `job_count`: `len(reports)`.
- `now`: the time of rendering, an aware UTC `datetime`.
- `log_lines`: how many trailing log lines to show (shrinks to fit limits).
- `log_cut`: true when `log_lines` was lowered to fit a limit.
- `max_files`: how many changed files to list per job (shrinks to fit).
- `max_jobs`: how many job rows to list (shrinks to fit).
- `kind`: `"summary"` or `"comment"`.
- `heading`: `"##"` (summary) or `"###"` (comment), for the partials.
- `files_open_max`: list at most this many changed files openly, else
  inside `<details>` (20 in the summary, 0 in the comment).

Filters: `md` (inline Markdown text, optional length limit), `cell` (table
cell text), `code` (inline code), `cell_code` (inline code in a table cell),
`code_block(lang)`, `link(url)` (the value is the label), `duration`
(seconds or timedelta -> `1h 2m 3s`), `ago` (datetime -> `5m ago`), `iso`
(datetime -> `2025-01-15T10:00:00Z`), `emoji` (status -> emoji), `tail(n)`
(last n lines of text, each at most 1,000 characters), `line_count`,
`number` (`12,345`).

The built-in templates (`summary.md.j2`, `comment.md.j2` and the partials
`_job.md.j2`, `_files.md.j2`, `_log.md.j2`, `_jobs.md.j2`) ship in the
package; a custom template may `{% include %}` them. The comment always
starts with the hidden `marker()` line, whatever the template says.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from agent_job_status import markdown
from agent_job_status.errors import ConfigError
from agent_job_status.filters import (
    SUMMARY_LOG_LINES,
    ago,
    aware,
    duration,
    emoji,
    iso_filter,
    line_count,
    number,
    tail,
)
from agent_job_status.report import Report, worst
from agent_job_status.samples import SAMPLE_ID, SAMPLE_NOW, SAMPLE_REPOSITORY, sample_report
from agent_job_status.text import clean, neutralise_commands

SUMMARY_LIMIT = 1_000_000  # bytes; GitHub allows 1 MiB per step summary
COMMENT_LIMIT = 65_000  # characters; GitHub allows 65,536 per comment
COMMENT_LOG_LINES = 20
LOG_FLOOR = 10  # cut the log to this many lines before touching the file list
SUMMARY_FILES_OPEN = 20  # more changed files than this go in a <details>

_PACKAGE_PREFIX = "agent_job_status/templates/"

Kind = Literal["summary", "comment"]


def _marker_part(text: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._/:@+=,*-]", "_", clean(text, newlines=False))
    return re.sub(r"-{2,}", "-", safe)[:200]


def marker(repository: str, job_key: str, header: str = "") -> str:
    """The hidden first line of a sticky comment; it cannot close early. A header
    (`comment_header`) makes another comment: job keys hold no ':'."""
    name = f":{_marker_part(header)}" if header else ""
    return f"<!-- agent-job-status:{_marker_part(repository)}:{_marker_part(job_key)}{name} -->"


# ------------------------------------------------------------ environment


class _Loader(jinja2.BaseLoader):
    """Built-in templates from the package; a custom one from its path."""

    def __init__(self, custom: Path | None) -> None:
        self.custom = custom

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith("custom:") and self.custom is not None:
            try:
                source = self.custom.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"Template '{self.custom}': cannot read it: {exc}") from exc
            return source, str(self.custom), lambda: False
        if "/" in template or "\\" in template or template.startswith("."):
            raise jinja2.TemplateNotFound(template)
        resource = resources.files("agent_job_status").joinpath("templates", template)
        if not resource.is_file():
            raise jinja2.TemplateNotFound(template)
        return resource.read_text(encoding="utf-8"), _PACKAGE_PREFIX + template, lambda: True


@jinja2.pass_context
def _ago_filter(context: jinja2.runtime.Context, moment: datetime | None) -> str:
    return ago(moment, context["now"])


@functools.lru_cache(maxsize=16)
def _environment(custom: Path | None) -> jinja2.Environment:
    """One environment per template source: Jinja caches compiled templates in it."""
    env = ImmutableSandboxedEnvironment(
        loader=_Loader(custom),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=markdown.inline,
        cell=markdown.cell,
        code=markdown.code_span,
        cell_code=markdown.cell_code,
        code_block=markdown.code_block,
        link=markdown.link,
        duration=duration,
        ago=_ago_filter,
        iso=iso_filter,
        emoji=emoji,
        tail=tail,
        line_count=line_count,
        number=number,
    )
    return env


def _display_name(filename: str | None, custom: Path | None) -> str:
    if filename is None:
        return "<template>"
    if custom is not None and filename == str(custom):
        return str(custom)
    if filename.startswith(_PACKAGE_PREFIX):
        return filename[len(_PACKAGE_PREFIX) :]
    return filename


def _template_error(exc: BaseException, custom: Path | None, fallback: str) -> ConfigError:
    """One line naming the template file and line of a template failure."""
    filename: str | None = None
    lineno: int | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename, lineno = exc.filename or exc.name, exc.lineno
        problem = exc.message or "syntax error"
    else:
        problem = str(exc) or type(exc).__name__
        if isinstance(exc, jinja2.TemplateNotFound):
            problem = f"template {exc.name!r} not found"
        # Jinja rewrites tracebacks so that template frames carry the
        # template's file name and line: the innermost one is at fault.
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == str(custom) or frame.filename.startswith(_PACKAGE_PREFIX):
                filename, lineno = frame.filename, frame.lineno
    name = _display_name(filename, custom) if filename else fallback
    problem = " ".join(problem.split())
    where = f" line {lineno}" if lineno else ""
    return ConfigError(f"Template '{name}'{where}: {problem}")


# --------------------------------------------------------------- render


def _size(text: str, measure: Kind) -> int:
    """UTF-8 bytes for a summary, characters for a comment (GitHub's units)."""
    return len(text.encode("utf-8")) if measure == "summary" else len(text)


def _fits(text: str, limit: int, measure: Kind) -> bool:
    return _size(text, measure) <= limit


def _shrinking(initial: int) -> list[int]:
    """initial, then about halving, down to 0."""
    values = [initial]
    while values[-1] > 0:
        values.append(values[-1] // 2 if values[-1] > 3 else values[-1] - 1)
    return values


def _render(
    reports: list[Report],
    template: Path | None,
    *,
    kind: Kind,
    limit: int,
    now: datetime | None,
    prefix: str = "",
) -> str:
    if not reports:
        raise ValueError("no reports to render")
    moment = aware(now) if now is not None else datetime.now(UTC)
    env = _environment(template)
    name = f"custom:{template}" if template is not None else f"{kind}.md.j2"
    display = str(template) if template is not None else f"{kind}.md.j2"
    try:
        compiled = env.get_template(name)
    except ConfigError:
        raise
    except Exception as exc:
        raise _template_error(exc, template, display) from exc

    most_files = max(len(r.changed_files) for r in reports)
    base: dict[str, Any] = {
        "report": reports[0],
        "reports": list(reports),
        "overall": worst(reports),
        "job_count": len(reports),
        "now": moment,
        "kind": kind,
        "log_lines": SUMMARY_LOG_LINES if kind == "summary" else COMMENT_LOG_LINES,
        "log_cut": False,
        "max_files": most_files,
        "max_jobs": len(reports),
        "heading": "##" if kind == "summary" else "###",
        "files_open_max": SUMMARY_FILES_OPEN if kind == "summary" else 0,
    }

    def attempt(**knobs: Any) -> tuple[str, int]:
        try:
            body = compiled.render({**base, **knobs})
        except Exception as exc:
            raise _template_error(exc, template, display) from exc
        text = prefix + neutralise_commands(body)
        return text, _size(text, kind)

    text, size = attempt()
    if size <= limit:
        return text
    # Too long: cut the log (keeping its tail) down to a few lines, then the
    # file list, then the rest of the log, then the job rows. Each cut makes
    # the template show its own notice line.
    knobs: dict[str, Any] = {}
    steps = _shrinking(base["log_lines"])[1:]
    log_shown = True  # False once a cut log changes nothing (e.g. many jobs' rows)
    for lines in steps:
        knobs.update(log_lines=lines, log_cut=True)
        before = size
        text, size = attempt(**knobs)
        if size <= limit:
            return text
        if size == before:
            log_shown = False
        if lines <= LOG_FLOOR or not log_shown:
            break
    if most_files:
        found = _fit_count(lambda n: attempt(**knobs, max_files=n), most_files, size, limit)
        if found is not None:
            return found
        knobs["max_files"] = 0
    for lines in steps if log_shown else ():
        if lines < knobs["log_lines"]:
            knobs["log_lines"] = lines
            text, size = attempt(**knobs)
            if size <= limit:
                return text
    if len(reports) > 1:
        found = _fit_count(lambda n: attempt(**knobs, max_jobs=n), len(reports), size, limit)
        if found is not None:
            return found
    return _minimal(reports, kind, limit, prefix)


def _fit_count(
    attempt: Callable[[int], tuple[str, int]], full: int, full_size: int, limit: int
) -> str | None:
    """The render with the largest count (< full) that fits, estimated linearly."""
    text, empty_size = attempt(0)
    if empty_size > limit:
        return None
    per_item = max(1.0, (full_size - empty_size) / full)
    guess = min(full - 1, int((limit - empty_size) / per_item))
    while guess > 0:
        candidate, size = attempt(guess)
        if size <= limit:
            return candidate
        guess = min(guess - 1, int(guess * min(0.95, limit / size)))
    return text


def _minimal(reports: list[Report], kind: Kind, limit: int, prefix: str) -> str:
    """A short body that certainly fits: status and links only."""
    overall = worst(reports)
    lines = [
        f"## {emoji(overall.status)} Agent {'job' if len(reports) == 1 else 'jobs'} — "
        f"{markdown.inline(overall.status, 20)}",
        "",
        "> Details left out to fit GitHub's limit.",
        "",
    ]
    for job in reports[:20]:
        lines.append(
            f"- {markdown.code_span(job.id, 80)}: {emoji(job.status)} "
            f"{markdown.inline(job.status, 20)} "
            f"{markdown.link('pull request', job.pr_url) if job.pr_url else ''}"
        )
    text = prefix + "\n".join(lines) + "\n"
    while not _fits(text, limit, kind) and len(lines) > 1:
        lines.pop()
        text = prefix + "\n".join(lines) + "\n"
    if not _fits(text, limit, kind):
        text = prefix if _fits(prefix, limit, kind) else ""
    return text


def render_summary(
    reports: list[Report],
    template: Path | None = None,
    *,
    limit: int = SUMMARY_LIMIT,
    now: datetime | None = None,
) -> str:
    """The job summary (Markdown), at most `limit` UTF-8 bytes."""
    return _render(reports, template, kind="summary", limit=limit, now=now)


def render_comment(
    reports: list[Report],
    template: Path | None = None,
    *,
    repository: str,
    job_key: str,
    header: str = "",
    limit: int = COMMENT_LIMIT,
    now: datetime | None = None,
) -> str:
    """The sticky PR comment, starting with `marker()`, at most `limit` characters."""
    prefix = marker(repository, job_key, header) + "\n"
    return _render(reports, template, kind="comment", limit=limit, now=now, prefix=prefix)


def render_preview(status: str, template: Path | None = None, kind: Kind = "summary") -> str:
    """The summary or comment for `sample_report(status)`, at a fixed time."""
    if kind not in ("summary", "comment"):
        raise ConfigError(f"Unknown template kind '{kind}': expected summary or comment")
    reports = [sample_report(status)]
    if kind == "comment":
        return render_comment(
            reports, template, repository=SAMPLE_REPOSITORY, job_key=SAMPLE_ID, now=SAMPLE_NOW
        )
    return render_summary(reports, template, now=SAMPLE_NOW)
