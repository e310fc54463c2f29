"""Cross-tenant suite for the API: every route of the OpenAPI document, every method.

Tenants A and B hold the same data. Acting as A (admin token with every scope), each operation is
called with B's ids in its path. Nothing may show B's data, every call on B's objects must answer
404, and afterwards every row B owns must be exactly as before. Routes are read from the OpenAPI
document, so a new endpoint is covered without touching this file.
"""
from __future__ import annotations

import json
import re

from sqlalchemy import text

from core.db import db, is_tenant_owned
from tests.isolation.seed import marker, seed

METHODS = ("get", "post", "put", "patch", "delete")
SHARED_NAMES = {"module"}  # path parameters that name a kind of thing, not one tenant's object


def _snapshot(owner_engine, tenant_id: int) -> dict:
    rows = {}
    with owner_engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if "tenant_id" not in table.c:
                continue
            result = conn.execute(table.select().where(table.c.tenant_id == tenant_id)).mappings().all()
            rows[table.name] = sorted(json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True) for r in result)
    with owner_engine.connect() as conn:
        rows["tenants"] = [str(conn.execute(text("select * from tenants where id = :t"), {"t": tenant_id}).one())]
    return rows


def _ids_in(value, found=None) -> set:
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(item, int):
                found.add(item)
            _ids_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _ids_in(item, found)
    return found


def _tenant_operations(spec):
    for path, item in sorted(spec["paths"].items()):
        if path.startswith("/api/v1/platform"):
            continue
        for method in METHODS:
            if method in item:
                yield path, method


def test_every_api_operation_is_isolated(app, client, two_tenants, owner_engine):
    a, b = two_tenants
    seed(client, a)
    b_ids = seed(client, b)
    b_mark = marker(b)
    before = _snapshot(owner_engine, b.id)
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = list(_tenant_operations(spec))
    assert len(operations) >= 15
    problems = []
    for path, method in operations:
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in b_ids]
        if unknown:
            problems.append(f"{method.upper()} {path}: seed has no {unknown} (add it to tests/isolation/seed.py)")
            continue
        url = path.format(**b_ids)
        kwargs = {"headers": a.headers()}
        if method in ("post", "put", "patch"):
            kwargs["json"] = {}
        response = getattr(client, method)(url, **kwargs)
        body = response.get_data(as_text=True)
        if b_mark in body:
            problems.append(f"{method.upper()} {url}: shows tenant B's data")
        if response.is_json and response.get_json() is not None:
            leaked = _ids_in(response.get_json()) & {v for k, v in b_ids.items() if k not in SHARED_NAMES}
            if leaked:
                problems.append(f"{method.upper()} {url}: shows tenant B's ids {leaked}")
        targets_b_object = any(p not in SHARED_NAMES for p in params)
        if targets_b_object and response.status_code not in (404, 422):
            problems.append(f"{method.upper()} {url}: {response.status_code} on tenant B's object (want 404)")
        if targets_b_object and response.status_code == 422:
            # a body was invalid before the object was looked up: send a valid-looking one to prove 404
            retry = getattr(client, method)(url, headers=a.headers(), json=_plausible_body(spec, path, method))
            if retry.status_code != 404:
                problems.append(f"{method.upper()} {url}: {retry.status_code} on tenant B's object (want 404)")
    assert problems == []
    assert _snapshot(owner_engine, b.id) == before


def _plausible_body(spec, path, method) -> dict:
    """A body with every required field filled with a harmless value of its type."""
    ref = (spec["paths"][path][method].get("requestBody") or {}).get("content", {}).get(
        "application/json", {}).get("schema", {}).get("$ref")
    if not ref:
        return {}
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    samples = {"string": "x", "integer": 1, "number": 1, "boolean": True, "object": {}, "array": []}
    formats = {"date": "2026-06-01", "date-time": "2026-06-01T10:00:00+08:00"}

    def sample(prop: dict):
        if prop.get("enum"):
            return prop["enum"][0]
        return formats.get(prop.get("format")) or samples.get(prop.get("type"), "x")

    return {name: sample(schema["properties"][name]) for name in schema.get("required", [])}


def test_tenant_tokens_cannot_use_platform_routes(client, two_tenants):
    a, b = two_tenants
    spec = client.get("/api/v1/openapi.json").get_json()
    platform = [(p, m) for p, item in spec["paths"].items() if p.startswith("/api/v1/platform")
                for m in METHODS if m in item]
    assert platform
    for path, method in platform:
        url = re.sub(r"{tenant_id}", str(b.id), re.sub(r"{plugin}", "sample", path))
        response = getattr(client, method)(url, headers=a.headers(), json={} if method != "get" else None)
        assert response.status_code == 401, (method, url)


def test_tenant_header_cannot_switch_tenant(client, two_tenants):
    a, b = two_tenants
    for header in ("X-Tenant", "X-Tenant-Id", "X-Kehu-Tenant"):
        r = client.get("/api/v1/me", headers={**a.headers(), header: str(b.id)})
        assert r.get_json()["tenant"]["id"] == a.id


def test_every_tenant_table_is_in_the_snapshot():
    """The harness compares every tenant table (so a new table is covered too)."""
    tables = {t.name for t in db.metadata.sorted_tables if is_tenant_owned(t)}
    assert {"users", "api_tokens", "policy_documents", "decisions", "audit_log"} <= tables
