"""Every input's default, in the input form action.yml declares (a test checks
they agree), and the agent names the `agent` input accepts.

Apart from `settings.py`, which builds the typed settings from them, so that
the CLI's parser (`--help`, a usage error) shows them without importing that
machinery: this module imports nothing.
"""

DEFAULTS: dict[str, str] = {
    "job_id": "",
    "repository": "",
    "token": "",
    "api_url": "https://api.github.com",
    "cache": "true",
    "branch_prefix": "job/,agent-job/",
    "workflow": "run-job.yml",
    "agent": "popebot",
    "profile_file": "",
    "wait": "false",
    "wait_for": "finished",
    "timeout": "60m",
    "poll_interval": "10s",
    "start_timeout": "5m",
    "fail_on": "failed",
    "fail_on_timeout": "true",
    "summary": "true",
    "summary_template": "",
    "comment": "false",
    "comment_pr": "",
    "comment_template": "",
    "comment_header": "",
    "comment_mode": "update",
    "log_path": ".agent-job-status/{job_id}.log",
    "log_max_bytes": "65536",
    "reports_path": ".agent-job-status/reports.json",
}
INPUT_NAMES = tuple(DEFAULTS)

# The built-in agent profiles, one file each in profiles/; `custom` reads `profile_file`.
BUILTIN = ("popebot", "copilot", "claude", "openhands")
AGENTS = (*BUILTIN, "custom")
