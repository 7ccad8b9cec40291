"""`python -m agent_job_status` is the same as the `agent-job-status` command."""

from agent_job_status.cli import main

raise SystemExit(main())
