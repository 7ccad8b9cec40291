"""GitHub's GraphQL API (``POST /graphql``, GHES ``/api/graphql``), executed by graphql-core
against GitHub's real public schema.

The schema is ``schema.graphql`` of the npm package ``@octokit/graphql-schema`` at
version 15.26.1 (https://www.npmjs.com/package/@octokit/graphql-schema), installed by
``scripts/test.sh`` into ``.venv/graphql-schema`` (:func:`schema_path`; the env
variable ``GITHUB_SIMULATOR_GRAPHQL_SCHEMA`` names another file). It is built once
per process (about 0.6 s). graphql-core 3.3 finds the published schema
invalid in two ways GitHub's own server tolerates (two fields defined twice in
``EnterpriseOwnerInfo``; deprecated fields implementing non-deprecated interface
fields), so it is built with ``assume_valid_sdl`` and ``assume_valid``.

What resolves is in :mod:`github_simulator.graphql_resolvers`. Parse and validation
errors come back as GitHub sends them: 200 with ``errors`` and no ``data``.

Rate limits, as docs.github.com describes them:

* Primary (https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
  a budget of its own (``sim.graphql_rate_limit``, 5,000 points an hour like a
  user's), apart from the REST ``core`` one. A query costs the requests its
  connections need (each connection: the product of the ``first``/``last`` of the
  connections around it), divided by 100 and rounded, at least 1 point (a mutation
  too, by the same formula). Past it, "the response status will still be 200, but
  you will receive an error message, and the value of the x-ratelimit-remaining
  header will be 0": ``{"errors": [{"type": "RATE_LIMITED", ...}]}``. Answers carry
  ``X-RateLimit-*`` with ``X-RateLimit-Resource: graphql``. A call may request at
  most 500,000 nodes ("Node limit", same page).
* Secondary (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#calculating-points-for-the-secondary-rate-limit):
  "GraphQL requests without mutations cost 1 point. GraphQL requests with mutations
  cost 5 points", at most 2,000 points per minute for the GraphQL endpoint
  (``sim.graphql_points_per_minute``).

The docs do not say what a request that never runs costs; here a 400, a parse or
validation error, or a refusal spends no primary points (every request spends
secondary ones).
"""

from __future__ import annotations

import functools
import math
import os
import sys
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    execute_sync,
    get_named_type,
    get_operation_ast,
    parse,
    validate,
    value_from_ast,
)

from github_simulator.core import SimulatorCore
from github_simulator.graphql_resolvers import error, resolve_field, root
from github_simulator.wire import _Ctx, _HTTPError, _Resp

DOCS = "https://docs.github.com/graphql"
SCHEMA_ENV = "GITHUB_SIMULATOR_GRAPHQL_SCHEMA"
NODE_LIMIT = 500_000
RATE_LIMITED = "API rate limit exceeded for installation ID 12345678."
Json = dict[str, Any]


def schema_path() -> Path:
    """Where GitHub's ``schema.graphql`` is: ``$GITHUB_SIMULATOR_GRAPHQL_SCHEMA``, else
    under ``sys.prefix`` (the .venv that scripts/test.sh makes)."""
    given = os.environ.get(SCHEMA_ENV)
    if given:
        return Path(given)
    return Path(sys.prefix) / "graphql-schema/node_modules/@octokit/graphql-schema/schema.graphql"


@functools.cache
def _build(path: str) -> GraphQLSchema | None:
    try:
        with open(path, encoding="utf-8") as sdl:
            source = sdl.read()
    except OSError:
        return None
    return build_schema(source, assume_valid=True, assume_valid_sdl=True)


def schema() -> GraphQLSchema | None:
    """GitHub's schema, built once per process (None: there is no schema file)."""
    return _build(str(schema_path()))


def _error_json(err: GraphQLError) -> Json:
    """One error as GitHub writes it: its ``type`` (if any), ``path``, ``locations``."""
    out: Json = {}
    kind = (err.extensions or {}).get("type")
    if kind:
        out["type"] = kind
    if err.path:
        out["path"] = list(err.path)
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    out["message"] = err.message
    return out


def _errors(errors: list[GraphQLError]) -> _Resp:
    return _Resp(200, {"errors": [_error_json(e) for e in errors]})


class _Cost:
    """The requests and nodes an operation may need (GitHub's point formula)."""

    def __init__(self, tree: GraphQLSchema, document: DocumentNode, variables: Json) -> None:
        self.schema = tree
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.requests = 0
        self.nodes = 0

    @property
    def points(self) -> int:
        return max(1, math.floor(self.requests / 100 + 0.5))

    def walk(self, parent: Any, selections: SelectionSetNode, multiplier: int) -> None:
        for sel in selections.selections:
            if isinstance(sel, FieldNode):
                field = getattr(parent, "fields", {}).get(sel.name.value)
                if field is not None:
                    self._field(field, sel, multiplier)
            elif isinstance(sel, InlineFragmentNode):
                kind = sel.type_condition
                inner = self.schema.get_type(kind.name.value) if kind else parent
                self.walk(inner, sel.selection_set, multiplier)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments[sel.name.value]
                inner = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(inner, fragment.selection_set, multiplier)

    def _field(self, field: GraphQLField, node: FieldNode, multiplier: int) -> None:
        named = get_named_type(field.type)
        if named.name.endswith("Connection"):
            self.requests += multiplier
            size = max(self._bound(field, node, "first"), self._bound(field, node, "last"))
            self.nodes += multiplier * size
            multiplier *= max(1, size)
        if node.selection_set is not None:
            self.walk(named, node.selection_set, multiplier)

    def _bound(self, field: GraphQLField, node: FieldNode, name: str) -> int:
        arg = field.args.get(name)
        given = next((a for a in node.arguments or () if a.name.value == name), None)
        if arg is None or given is None:
            return 0
        value = value_from_ast(given.value, arg.type, self.variables)
        return value if isinstance(value, int) and 0 < value <= 100 else 0


def secondary_points(body: Any) -> int:
    """5 for a request whose operation is a mutation, else 1 (unparseable ones too)."""
    query = body.get("query") if isinstance(body, dict) else None
    name = body.get("operationName") if isinstance(body, dict) else None
    try:
        document = parse(query) if isinstance(query, str) else None
    except GraphQLError:
        document = None
    if document is None:
        return 1
    operation = get_operation_ast(document, name if isinstance(name, str) else None)
    operations = [operation] if operation is not None else document.definitions
    mutation = any(
        isinstance(op, OperationDefinitionNode) and op.operation == OperationType.MUTATION
        for op in operations
    )
    return 5 if mutation else 1


def _request(body: Any) -> tuple[str, Json, str | None]:
    """(query, variables, operationName) of a request body; 400 as GitHub's otherwise."""
    query = body.get("query") if isinstance(body, dict) else None
    variables = body.get("variables") if isinstance(body, dict) else None
    name = body.get("operationName") if isinstance(body, dict) else None
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
    ):
        raise _HTTPError(400, "Problems parsing JSON", DOCS)
    return query, variables or {}, name


def _prepare(
    tree: GraphQLSchema, query: str, variables: Json, name: str | None
) -> tuple[DocumentNode, _Cost] | list[GraphQLError]:
    """The parsed, validated document and its cost, or the errors that stop it."""
    try:
        document = parse(query)
    except GraphQLError as err:
        return [err]
    errors = validate(tree, document)
    if errors:
        return errors
    operation = get_operation_ast(document, name)
    if operation is None:
        return execute_sync(tree, document, operation_name=name).errors or []
    values = dict(variables)
    for definition in operation.variable_definitions or ():  # Int defaults, for first/last
        default = definition.default_value
        if isinstance(default, IntValueNode):
            values.setdefault(definition.variable.name.value, int(default.value))
    cost = _Cost(tree, document, values)
    start = tree.mutation_type if operation.operation == OperationType.MUTATION else tree.query_type
    cost.walk(start, operation.selection_set, 1)
    if cost.nodes > NODE_LIMIT:
        too_many = f"This query requests up to {cost.nodes:,} possible nodes, which exceeds "
        too_many += f"the maximum limit of {NODE_LIMIT:,}."
        return [error(too_many, "MAX_NODE_LIMIT_EXCEEDED")]
    return document, cost


def answer(sim: SimulatorCore, ctx: _Ctx) -> tuple[_Resp, bool]:
    """The answer to ``POST /graphql`` (call with ``sim._lock`` and the state lock held):
    (response, whether it was counted, i.e. not refused by the primary limit)."""
    tree = schema()
    if tree is None:
        raise _HTTPError(404, "Not Found", DOCS)
    try:
        query, variables, name = _request(ctx.body)
    except _HTTPError as err:
        return err.resp, True
    prepared = _prepare(tree, query, variables, name)
    if isinstance(prepared, list):
        return _errors(prepared), True
    document, cost = prepared
    budget = sim.graphql_rate_limit
    if budget.remaining < cost.points:
        refused = error(RATE_LIMITED, "RATE_LIMITED")
        return _errors([refused]), False
    budget.remaining -= cost.points
    result: ExecutionResult = execute_sync(
        tree,
        document,
        root_value=root(sim, cost.points, cost.nodes),
        variable_values=variables,
        operation_name=name,
        field_resolver=resolve_field,
    )
    body: Json = {"data": result.data}
    if result.errors:
        body["errors"] = [_error_json(e) for e in result.errors]
    return _Resp(200, body), True
