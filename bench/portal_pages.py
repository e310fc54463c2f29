"""A portal page through the full stack, as a ratio of a bare Flask page listing the same rows.

Full stack: ``GET /t/<slug>/complaints`` — a customer-service agent's list of open cases, the page an
agent keeps open all day — on the real app with a logged-in session: tenant from the URL, the session's
user loaded inside that tenant, ``SET ROLE kehu_app`` + row-level security, the navigation from the
tenant's plugin relay, the case query (the agent's cases, not closed, nearest running deadline first),
the clock of each case (time left to its next deadline, in the tenant's time zone), names, the
translations (zh_Hans), the layout and its CSRF token.

Bare: a minimal Flask app in this module with a plain SQLAlchemy engine as the owner role (no RLS, no
ORM, no session): ``SELECT`` the tenant's first 25 open cases by id and render them with a small Jinja
table. The least a page listing cases must do.

Interleaved rounds, median taken, as the other benchmarks. Target: the portal page reaches at least 0.25
of the bare throughput (the same bar as the API: what a person sees costs no more than four bare pages).
"""
from __future__ import annotations

import re

from bench.common import BenchEnv, interleaved, median, spread, timed

TARGET = 0.25
CASES = 120
PASSWORD = "bench-portal-1"
BARE_PAGE = """<!doctype html><html><body><table>{% for r in rows %}<tr><td>{{ r.number }}</td><td>{{ r.category }}</td>
<td>{{ r.severity }}</td><td>{{ r.status }}</td><td>{{ r.received_at }}</td></tr>{% endfor %}</table></body></html>"""


def make_desk(app) -> tuple[int, str]:
    """A tenant with an agent who holds ``CASES`` open complaints (taken in through the API)."""
    from core.accounts.service import create_user, issue_token
    from core.audit.recorder import acting_as
    from core.db import db
    from core.tenancy import tenant_scope
    from tenants.service import create_tenant

    with app.app_context():
        tenant = create_tenant("portal-bench", "门户基准公司")
        with tenant_scope(tenant.id), acting_as("bench"):
            agent = create_user("agent", "客服甲", PASSWORD, roles=["cs_agent"])
            _token, raw = issue_token(agent, "bench", ["read", "write"])
        db.session.commit()
        tenant_id = tenant.id
        db.session.remove()
    client = app.test_client()
    for i in range(CASES):
        r = client.post("/api/v1/complaints", headers={"Authorization": f"Bearer {raw}"}, json={
            "channel": "phone", "content": f"第{i}号投诉：安装后终端离线", "category": "other",
            "complainant_name": "张先生", "complainant_phone": "13812345678"})
        if r.status_code != 201:
            raise RuntimeError(f"set-up: {r.status_code} {r.get_json()}")
    return tenant_id, "portal-bench"


def logged_in(app, slug: str):
    client = app.test_client()
    page = client.get(f"/t/{slug}/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/t/{slug}/login", data={"username": "agent", "password": PASSWORD, "csrf_token": token})
    if r.status_code != 302:
        raise RuntimeError(f"set-up: log-in answered {r.status_code}")
    return client


def make_bare_app(url: str):
    from flask import Flask, render_template_string
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    app = Flask("kehu_bench_bare_portal")
    query = text("select number, category, severity, status, received_at from complaints "
                 "where tenant_id = :tenant_id and status <> 'closed' order by id limit 25")

    @app.get("/bare/<int:tenant_id>/complaints")
    def cases(tenant_id: int):
        with engine.connect() as conn:
            rows = conn.execute(query, {"tenant_id": tenant_id}).mappings().all()
        return render_template_string(BARE_PAGE, rows=rows)

    return app, engine


def _rate(client, path: str, n: int, expect: str):
    def run():
        for _ in range(n):
            r = client.get(path)
            if r.status_code != 200 or expect not in r.get_data(as_text=True):
                raise RuntimeError(f"{path}: {r.status_code}")

    return lambda: n / timed(run)


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    n, rounds, warmup = (20, 7, 10) if quick else (40, 15, 30)
    print(f"Portal: an agent's case list (GET /t/<slug>/complaints, {CASES} open cases) vs a bare Flask page (same database)")
    tenant_id, slug = make_desk(env.app)
    bare_app, bare_engine = make_bare_app(env.url)
    try:
        full_client, bare_client = logged_in(env.app, slug), bare_app.test_client()
        full_path, bare_path = f"/t/{slug}/complaints", f"/bare/{tenant_id}/complaints"
        first = full_client.get(full_path).get_data(as_text=True)
        if first.count('class="clock') < 25:
            raise RuntimeError("set-up check failed: the page does not list 25 cases with their clocks")
        for _ in range(warmup):
            _rate(full_client, full_path, 1, "clock")()
            _rate(bare_client, bare_path, 1, "<td>")()
        rates = interleaved({"full": _rate(full_client, full_path, n, "clock"),
                             "bare": _rate(bare_client, bare_path, n, "<td>")}, rounds)
    finally:
        bare_engine.dispose()
    f, b = median(rates["full"]), median(rates["bare"])
    ratio = f / b
    print(f"  {rounds} rounds x {n} pages each, median")
    print(f"    portal page {f:9.1f} pages/s  {spread(rates['full']):>5}  {1000 / f:7.2f} ms/page")
    print(f"    bare Flask  {b:9.1f} pages/s  {spread(rates['bare']):>5}  {1000 / b:7.2f} ms/page")
    verdict = "PASS" if ratio >= TARGET else "BELOW"
    print(f"    ratio portal/bare {ratio:6.3f}   target >= {TARGET}   {verdict}\n")
    return [{"name": "portal case list/bare", "value": ratio, "target": f">= {TARGET}", "verdict": verdict,
             "detail": f"{f:.0f} vs {b:.0f} pages/s"}]
