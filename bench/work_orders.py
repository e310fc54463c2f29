"""Work-order intake through the full stack, as a ratio of a bare Flask endpoint inserting the same row.

Full stack: ``POST /api/v1/work-orders`` (a repair with every required field, SVC-03) on the real app as a
customer-service agent: token look-up, tenant scope, ``SET ROLE kehu_app`` + row-level security, the
``svc`` policy in force, the tenant's types through its plugin relay, the phone number normalised to
E.164, a gap-free number from the locked monthly counter, the order row, its SVC-03 decision and history
line, its completion deadline computed on the tenant calendar (``svc.sla``: 24 hours) with its own
decision — all in one transaction — and the order with its deadline and history serialised back.

Bare: a minimal Flask app in this module with a plain SQLAlchemy engine as the owner role (no RLS, no
ORM): parse the JSON, take an id from the same sequence, ``INSERT`` the same columns into
``work_orders``, commit, return the id. The least any intake must do.

Interleaved rounds, median taken, as the other API benchmark. Target: the full stack reaches at least
0.10 of the bare throughput (an order is taken in by a person on the phone: the bar is that the rules,
the deadline and the records it writes cost no more than ten bare inserts).
"""
from __future__ import annotations

from bench.common import BenchEnv, interleaved, median, spread, timed

TARGET = 0.10
REPAIR = {"type": "repair", "customer_name": "王建国", "address": "北京市朝阳区建国路88号", "contact_name": "王建国",
          "contact_phone": "138 0013 8000", "description": "终端不开机",
          "data": {"model": "GT-06", "purchase_date": "2026-01-05"}}


def make_tenants(app) -> list[tuple[int, str]]:
    """Two tenants with a deadline for repairs and a write-scoped customer-service agent each."""
    import datetime as dt

    from core.accounts.service import create_user, issue_token
    from core.audit.recorder import acting_as
    from core.db import db
    from core.policy import service as policy
    from core.policy.models import PolicyDocument
    from core.tenancy import tenant_scope
    from tenants.service import create_tenant

    out = []
    with app.app_context():
        for slug, name in (("wo-a", "甲服务公司"), ("wo-b", "乙服务公司")):
            tenant = create_tenant(slug, name)
            with tenant_scope(tenant.id), acting_as("bench"):
                db.session.add(PolicyDocument(module="svc", version=1, effective_from=dt.date(2026, 1, 1),
                                              body=policy.validate("svc", {"sla": {"repair": {"*": {
                                                  "complete": "24 hours"}}}}), note="bench"))
                user = create_user(f"{slug}-cs", f"{name}客服", None, roles=["cs_agent"])
                _token, raw = issue_token(user, "bench", ["read", "write"])
                out.append((tenant.id, raw))
            db.session.commit()
        db.session.remove()
    return out


def make_bare_app(url: str):
    import itertools
    import json

    from flask import Flask, jsonify, request
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    app = Flask("kehu_bench_bare_orders")
    serials = itertools.count(1)
    insert = text(
        "insert into work_orders (tenant_id, id, number, type, status, priority, customer_name, address, "
        "contact_name, contact_phone, description, data, requested_at, approval_roles, rework_count, "
        "policy_version, created_at, updated_at) values (:tenant_id, nextval('kehu_id_seq'), :number, :type, "
        "'requested', 'general', :customer_name, :address, :contact_name, :contact_phone, :description, "
        "cast(:data as jsonb), now(), '[]', 0, 0, now(), now()) returning id")

    @app.post("/bare/tenants/<int:tenant_id>/work-orders")
    def create(tenant_id: int):
        body = request.get_json()
        with engine.begin() as conn:
            new_id = conn.execute(insert, {"tenant_id": tenant_id, "number": f"B{next(serials)}", "type": body["type"],
                                           "customer_name": body["customer_name"], "address": body["address"],
                                           "contact_name": body["contact_name"],
                                           "contact_phone": body["contact_phone"],
                                           "description": body["description"], "data": json.dumps(body["data"])}
                                  ).scalar_one()
        return jsonify({"id": new_id}), 201

    return app, engine


def _rate(client, calls: list, n: int):
    def run():
        bad = 0
        for i in range(n):
            path, headers, body = calls[i % len(calls)]
            if client.post(path, headers=headers, json=body).status_code != 201:
                bad += 1
        if bad:
            raise RuntimeError(f"{bad} of {n} requests failed")

    return lambda: n / timed(run)


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    n, rounds, warmup = (20, 7, 10) if quick else (40, 15, 40)
    print("Work orders: POST /api/v1/work-orders through the full stack vs a bare Flask insert (same database)")
    tenants = make_tenants(env.app)
    bare_app, bare_engine = make_bare_app(env.url)
    full = [("/api/v1/work-orders", {"Authorization": f"Bearer {token}"}, REPAIR) for _tid, token in tenants]
    bare = [(f"/bare/tenants/{tid}/work-orders", {}, REPAIR) for tid, _token in tenants]
    try:
        full_client, bare_client = env.app.test_client(), bare_app.test_client()
        first = full_client.post(full[0][0], headers=full[0][1], json=REPAIR)
        if first.status_code != 201 or len(first.get_json()["milestones"]) != 1:
            raise RuntimeError(f"set-up check failed: {first.status_code} {first.get_json()}")
        for _ in range(warmup):
            _rate(full_client, full, 2)()
            _rate(bare_client, bare, 2)()
        rates = interleaved({"full": _rate(full_client, full, n), "bare": _rate(bare_client, bare, n)}, rounds)
    finally:
        bare_engine.dispose()
    f, b = median(rates["full"]), median(rates["bare"])
    ratio = f / b
    print(f"  {rounds} rounds x {n} orders each, median")
    print(f"    full stack {f:9.1f} orders/s  {spread(rates['full']):>5}  {1000 / f:7.2f} ms/order")
    print(f"    bare Flask {b:9.1f} orders/s  {spread(rates['bare']):>5}  {1000 / b:7.2f} ms/order")
    verdict = "PASS" if ratio >= TARGET else "BELOW"
    print(f"    ratio full/bare {ratio:6.3f}   target >= {TARGET}   {verdict}\n")
    return [{"name": "work-order intake full/bare", "value": ratio, "target": f">= {TARGET}", "verdict": verdict,
             "detail": f"{f:.0f} vs {b:.0f} orders/s"}]
