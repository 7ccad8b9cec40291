"""Agent profiles: what each coding agent leaves on GitHub, as data (`*.toml` here)."""

from agent_job_status.defaults import AGENTS, BUILTIN
from agent_job_status.profiles.load import builtin, choose, parse_profile
from agent_job_status.profiles.model import Profile

__all__ = ["AGENTS", "BUILTIN", "Profile", "builtin", "choose", "parse_profile"]
