"""Every route declares exactly one access rule, and the rule holds for every kind of caller.

The test walks `app.routes`, so a new route without a declared rule fails here."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.deps import ACCESS_RULES
from api.graphql import ACCESS as GRAPHQL_ACCESS
from api.mcp import ACCESS as MCP_ACCESS
from tests.fix_app import Users

pytestmark = pytest.mark.integration

# Routes FastAPI itself adds (documentation); they are public by design.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs-assets", "/static"}
# Plain ASGI routes of the protocol endpoints (MCP, GraphQL's WebSocket), with the rule each declares.
PROTOCOL_ROUTES = {**MCP_ACCESS, **GRAPHQL_ACCESS}
PATH_VALUES = {"reference": "SRPD55K1", "order_id": "999999", "customer_id": "999999",
               "decision_id": "00000000-0000-4000-8000-000000000000", "name": "no_such_prompt", "label": "candidate",
               "proposal_id": "999999", "run_id": "00000000-0000-4000-8000-000000000000", "job_id": "999999"}
CALLERS = ("anonymous", "customer", "ops", "admin")
# Who is refused, and how, for each declared rule.
REFUSED = {
    "public": {},
    "machine": {"anonymous": 401, "customer": 401, "ops": 401, "admin": 401},  # only the machine's own token
    "customer": {"anonymous": 401},
    "ops": {"anonymous": 401, "customer": 403},
    "admin": {"anonymous": 401, "customer": 403, "ops": 403},
    # Pages send anonymous browsers to sign in (303) and show signed-in users without the role a 403 page.
    "customer_page": {"anonymous": 303},
    "ops_page": {"anonymous": 303, "customer": 403},
}


def declared_rules(dependant: Dependant) -> list[str]:
    found = [ACCESS_RULES[d.call] for d in dependant.dependencies if d.call in ACCESS_RULES]
    for sub in dependant.dependencies:
        found.extend(declared_rules(sub))
    return found


def all_routes(app: FastAPI) -> list[RouteContext]:
    """Every route as served, with included routers flattened (full path, inherited dependencies)."""
    return list(iter_route_contexts(app.routes))


def api_routes(app: FastAPI) -> list[RouteContext]:
    return [r for r in all_routes(app) if isinstance(r.original_route, APIRoute)]


def test_every_route_declares_exactly_one_rule(app: FastAPI) -> None:
    undeclared = []
    for route in all_routes(app):
        path = route.path or ""
        if isinstance(route.original_route, APIRoute):
            rules = declared_rules(route.dependant)
            if len(rules) != 1:
                undeclared.append(f"{sorted(route.methods or ())} {path}: {rules}")
        elif path not in FRAMEWORK_ROUTES and path not in PROTOCOL_ROUTES:
            undeclared.append(f"{path}: not an APIRoute, no rule can be declared")
    assert undeclared == []
    assert len(api_routes(app)) >= 25


async def test_the_matrix_holds_for_every_route(app: FastAPI, client: httpx.AsyncClient, users: Users) -> None:
    headers = {"anonymous": {}, "customer": await users.customer(), "ops": await users.ops(),
               "admin": await users.admin()}
    failures = []
    for route in api_routes(app):
        (rule,) = declared_rules(route.dependant)
        path = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], route.path or "")
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if path in ("/api/v1/auth/logout", "/api/v1/auth/session") and method in ("POST", "DELETE"):
                continue  # exercised below: it would end the sessions this test uses
            for caller in CALLERS:
                body = {} if method in {"POST", "PUT", "PATCH"} else None
                r = await client.request(method, path, json=body, headers=headers[caller])
                expected = REFUSED[rule].get(caller)
                if expected is not None and r.status_code != expected:
                    failures.append(f"{method} {path} as {caller}: {r.status_code}, want {expected}")
                # A public page may redirect a signed-in user onwards (e.g. the sign-in page).
                if expected is None and r.status_code in (303, 401, 403) and not (
                        r.status_code == 303 and rule == "public"):
                    failures.append(f"{method} {path} as {caller}: {r.status_code}, want access")
    for path, rule in PROTOCOL_ROUTES.items():  # the MCP endpoints: a JSON-RPC call, as each caller
        for caller in CALLERS:
            r = await client.post(path, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                  headers={**headers[caller], "Accept": "application/json, text/event-stream"})
            expected = REFUSED[rule].get(caller)
            if (expected is not None and r.status_code != expected) or (
                    expected is None and r.status_code in (401, 403)):
                failures.append(f"POST {path} as {caller}: {r.status_code}, want {expected or 'access'}")
    assert failures == []
    assert (await client.post("/api/v1/auth/logout")).status_code == 401
    assert (await client.post("/api/v1/auth/logout", headers=headers["customer"])).status_code == 204
