"""The OpenAPI description `serve` publishes at /openapi.json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent_job_status.inputs import (
    MAX_JOB_ID,
)
from agent_job_status.status import Lifecycle, Status

if TYPE_CHECKING:
    pass


from agent_job_status.serve.config import JOB_ID_PATTERN, MINTLIFY_FIELDS, POPEBOT_FIELDS


# -- the OpenAPI description ----------------------------------------------------------
def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _error(description: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": example},
            }
        },
    }


def _job_id_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_JOB_ID,
        "pattern": JOB_ID_PATTERN,
        "description": "The agent job's id: its branch is <branch-prefix><id>.",
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _job_status_path() -> dict[str, Any]:
    """GET /api/jobs/status: the first reference API."""
    return {
        "get": {
            "operationId": "getJobStatus",
            "summary": "The job status API",
            "security": [{"apiKey": []}],
            "parameters": [
                {"name": "job_id", "in": "query", "required": True, "schema": _job_id_schema()}
            ],
            "responses": {
                "200": _ok("The job's status", "JobStatus"),
                "400": _error("Missing or invalid job_id", "Input 'job_id': is empty"),
                "401": _error("Missing or wrong x-api-key", "Unauthorized"),
                "404": _error("No branch, pull request or run for this job", "Job not found"),
                "500": _error("GitHub unreachable or failing", "Failed to get job status"),
            },
        }
    }


def _agent_job_path(project_id: str) -> dict[str, Any]:
    """GET /v2/agent/{projectId}/job/{id}: the second reference API."""
    return {
        "get": {
            "operationId": "getAgentJob",
            "summary": "The agent job API",
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "projectId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": [project_id]},
                },
                {"name": "id", "in": "path", "required": True, "schema": _job_id_schema()},
            ],
            "responses": {
                "200": _ok("The agent job", "AgentJob"),
                "400": _error("Invalid job id", "Input 'id': is empty"),
                "401": _error("Missing or wrong bearer token", "Unauthorized"),
                "404": _error(
                    "Unknown projectId, or no branch, PR or run for this job", "Job not found"
                ),
                "500": _error("GitHub unreachable or failing", "Failed to get job status"),
            },
        }
    }


def _job_status_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(POPEBOT_FIELDS),
        "properties": {
            "status": {
                "type": "string",
                "enum": list(dict.fromkeys(s.traits.popebot for s in Status)),
            },
            "branch": {"type": "string"},
            "pr_url": _nullable({"type": "string"}),
            "run_url": _nullable({"type": "string"}),
            "log": {"type": "string"},
            "changed_files": {"type": "array", "items": {"type": "string"}},
        },
    }


def _agent_job_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(MINTLIFY_FIELDS),
        "properties": {
            "id": {"type": "string"},
            "status": {
                "description": "null when no branch, run or PR exists for the id",
                "anyOf": [
                    {"type": "string", "enum": [c.value for c in Lifecycle]},
                    {"type": "null"},
                ],
            },
            "source": {
                "type": "object",
                "additionalProperties": False,
                "required": ["repository", "ref"],
                "properties": {"repository": {"type": "string"}, "ref": {"type": "string"}},
            },
            "model": _nullable({"type": "string"}),
            "prLink": _nullable({"type": "string"}),
            "createdAt": _nullable({"type": "string", "format": "date-time"}),
            "archivedAt": _nullable({"type": "string", "format": "date-time"}),
        },
    }


def openapi(project_id: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of both endpoints, written by hand."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "agent-job-status serve",
            "version": "1.0.0",
            "description": (
                "Where an autonomous coding agent's job stands, worked out from GitHub "
                "(its branch, pull request and workflow run), in the response shapes of "
                "two reference job-status APIs."
            ),
        },
        "paths": {
            "/api/jobs/status": _job_status_path(),
            "/v2/agent/{projectId}/job/{id}": _agent_job_path(project_id),
        },
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {
                "JobStatus": _job_status_schema(),
                "AgentJob": _agent_job_schema(),
                "Error": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            },
        },
    }
