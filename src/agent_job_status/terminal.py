"""The readable text view for people at a terminal (colour only on a TTY)."""

from __future__ import annotations

from agent_job_status.display import describe
from agent_job_status.report import Report, iso
from agent_job_status.status import Status
from agent_job_status.text import neutral, neutralise_commands


def _paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{status.traits.colour}m{text}\x1b[0m" if colour else text


def _branch_note(r: Report) -> str:
    """A missing branch was deleted only if there was work on it (a PR or a run)."""
    if r.branch_exists is not False:
        return ""
    return " (deleted)" if r.pr_number is not None or r.run_id is not None else " (no branch)"


def format_text(reports: list[Report], *, colour: bool) -> str:
    blocks = []
    for r in reports:
        head = f"{r.status.traits.symbol} {neutral(r.id, 80)}  {describe(r)}"
        lines = [_paint(head, r.status, colour)]
        rows: list[tuple[str, str]] = []
        rows.append(("branch", neutral(r.branch, 200) + _branch_note(r)))
        if r.title:
            rows.append(("title", neutral(r.title, 200)))
        if r.pr_url:
            rows.append(("pr", f"#{r.pr_number} {neutral(r.pr_state, 20)}  {neutral(r.pr_url)}"))
        if r.run_url:
            rows.append(
                (
                    "run",
                    f"{neutral(r.run_url)}  (attempt {r.run_attempt}, "
                    f"{neutral(r.conclusion or r.run_status, 40)})",
                )
            )
        if r.merge_commit_sha:
            rows.append(("merged", f"as {neutral(r.merge_commit_sha, 40)}"))
        elif r.head_sha:
            rows.append(("head", neutral(r.head_sha, 40)))
        if r.model:
            rows.append(("model", neutral(r.model, 100)))
        if r.created_at:
            rows.append(("created", iso(r.created_at) or ""))
        if r.archived_at:
            rows.append(("archived", iso(r.archived_at) or ""))
        if r.changed_files:
            shown = ", ".join(neutral(f, 120) for f in r.changed_files[:5])
            more = len(r.changed_files) - 5
            rows.append(("files", shown + (f" (+{more} more)" if more > 0 else "")))
        if r.log:
            last = [neutral(line, 160) for line in r.log.splitlines()[-3:]]
            rows.append(("log", ("\n" + " " * 11).join(last)))
        if r.timed_out:
            rows.append(("timed out", "yes"))
        lines += [f"  {label:<8} {value}" for label, value in rows]
        blocks.append("\n".join(lines))
    # Run in a workflow step, this output must not be able to issue commands.
    return neutralise_commands("\n\n".join(blocks))
