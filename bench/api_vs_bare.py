"""Throughput of a tenant-scoped GET through the full stack, as a ratio of a bare Flask endpoint.

Full stack: ``GET /api/v1/users/<id>`` with ``Authorization: Bearer kh_...`` on the real app (token
look-up, tenant scope, ``SET ROLE kehu_app`` + row-level security, flask-smorest/marshmallow
serialization). Bare: a minimal Flask app in this module, with a plain SQLAlchemy engine connected to
the same database as the owner role, one endpoint selecting the same ``users`` row by
``(tenant_id, id)`` and returning it with ``jsonify``.

Both are driven by the same harness: the same number of requests, alternating between the two
tenants, after a warm-up, in several interleaved rounds of which the median is taken. Target: the
full stack reaches at least 0.25 of the bare throughput.
"""
from __future__ import annotations

import http.client
import logging
import threading
from dataclasses import dataclass

from bench.common import BenchEnv, interleaved, median, spread, timed

TARGET = 0.25


@dataclass
class Case:
    """One user of one tenant, and how each app is asked for that user's row."""

    tenant_id: int
    user_id: int
    username: str
    token: str

    @property
    def full_path(self) -> str:
        return f"/api/v1/users/{self.user_id}"

    @property
    def full_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def bare_path(self) -> str:
        return f"/bare/tenants/{self.tenant_id}/users/{self.user_id}"


# --- set-up --------------------------------------------------------------------------------------


def make_cases(app) -> list[Case]:
    """Two tenants, each with one (non-admin) user holding a read-scoped API token."""
    from core.accounts.service import create_user, issue_token
    from core.audit.recorder import acting_as
    from core.db import db
    from core.tenancy import tenant_scope
    from tenants.service import create_tenant

    cases = []
    with app.app_context():
        for slug, name in (("bench-a", "甲基准公司"), ("bench-b", "乙基准公司")):
            tenant = create_tenant(slug, name)
            with tenant_scope(tenant.id), acting_as("bench"):
                user = create_user(f"{slug}-user", f"{name}用户", None, roles=["salesperson"],
                                   email=f"user@{slug}.example")
                _token, raw = issue_token(user, "bench", ["read"])
                cases.append(Case(tenant.id, user.id, user.username, raw))
            db.session.commit()
        db.session.remove()
    return cases


def make_bare_app(url: str):
    """The baseline: Flask + a plain engine (owner role, no RLS, no ORM), one JSON endpoint."""
    from flask import Flask, abort, jsonify
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    app = Flask("kehu_bench_bare")
    stmt = text(
        "select id, username, display_name, email, phone, is_active, locale, created_at "
        "from users where tenant_id = :tenant_id and id = :id"
    )

    @app.get("/bare/tenants/<int:tenant_id>/users/<int:user_id>")
    def user(tenant_id: int, user_id: int):
        with engine.connect() as conn:
            row = conn.execute(stmt, {"tenant_id": tenant_id, "id": user_id}).mappings().first()
        if row is None:
            abort(404)
        data = dict(row)
        data["created_at"] = data["created_at"].isoformat()
        return jsonify(data)

    return app, engine


# --- diagnostics ---------------------------------------------------------------------------------


def _statements_of_one_request(engine, call) -> tuple[list[str], int]:
    """The SQL statements (as SQLAlchemy executes them) and pool check-outs of one ``call()``."""
    from sqlalchemy import event

    statements: list[str] = []
    checkouts = [0]

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        statements.append(" ".join(statement.split()))

    def on_checkout(*_args):
        checkouts[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine.pool, "checkout", on_checkout)
    return statements, checkouts[0]


def _check_same_row(full_client, bare_client, cases: list[Case]) -> None:
    for case in cases:
        full = full_client.get(case.full_path, headers=case.full_headers)
        bare = bare_client.get(case.bare_path)
        if full.status_code != 200 or bare.status_code != 200:
            raise RuntimeError(f"set-up check failed: full {full.status_code}, bare {bare.status_code}")
        f, b = full.get_json(), bare.get_json()
        for key in ("id", "username", "display_name", "email"):
            if f[key] != b[key]:
                raise RuntimeError(f"full and bare disagree on {key}: {f[key]!r} != {b[key]!r}")
    # and the tenant wall is really there: tenant A's token cannot read tenant B's user
    a, b = cases
    crossed = full_client.get(b.full_path, headers=a.full_headers)
    if crossed.status_code != 404:
        raise RuntimeError(f"tenant A's token read tenant B's user: {crossed.status_code}")


# --- measurement ---------------------------------------------------------------------------------


def _client_rate(client, requests: list[tuple[str, dict]], n: int):
    """A measure: ``n`` GETs through a WSGI test client, alternating over ``requests``; returns req/s."""

    def run():
        bad = 0
        for i in range(n):
            path, headers = requests[i % len(requests)]
            if client.get(path, headers=headers).status_code != 200:
                bad += 1
        if bad:
            raise RuntimeError(f"{bad} of {n} requests failed")

    return lambda: n / timed(run)


class _Server:
    """A real HTTP server (werkzeug ``make_server``, single-threaded) on 127.0.0.1 in a thread.
    Werkzeug's server closes the connection after every response, so each request opens one."""

    def __init__(self, app):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server("127.0.0.1", 0, app, request_handler=QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="bench-http", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _http_rate(port: int, requests: list[tuple[str, dict]], n: int):
    def run():
        bad = 0
        for i in range(n):
            path, headers = requests[i % len(requests)]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                bad += 1
            conn.close()
        if bad:
            raise RuntimeError(f"{bad} of {n} HTTP requests failed")

    return lambda: n / timed(run)


def _verdict(ratio: float) -> str:
    return "PASS" if ratio >= TARGET else "BELOW"


def _report(label: str, rates: dict[str, list[float]], rounds: int, n: int, extra: dict[str, str]) -> float:
    full, bare = median(rates["full"]), median(rates["bare"])
    ratio = full / bare
    print(f"  {label}: {rounds} rounds x {n} requests each, median")
    for name, value in (("full stack", full), ("bare Flask", bare)):
        key = "full" if name == "full stack" else "bare"
        print(f"    {name:<11} {value:9.1f} req/s  {spread(rates[key]):>5}  {1000 / value:7.2f} ms/req"
              f"  {extra.get(key, '')}")
    paired = sorted(f / b for f, b in zip(rates["full"], rates["bare"]))
    q1, q3 = paired[len(paired) // 4], paired[(3 * len(paired)) // 4]
    print(f"    ratio full/bare {ratio:6.3f}   target >= {TARGET}   {_verdict(ratio)}"
          f"   (per-round ratios: median {median(paired):.3f}, interquartile {q1:.3f}-{q3:.3f})")
    return ratio


def run(env: BenchEnv, *, quick: bool = False, http: bool = True, verbose: bool = False) -> list[dict]:
    from core.db import db

    n, rounds, warmup = (40, 15, 30) if quick else (50, 31, 100)
    http_n, http_rounds = (30, 7) if quick else (40, 13)

    print("API: GET /api/v1/users/<id> through the full stack vs a bare Flask endpoint (same database)")
    cases = make_cases(env.app)
    bare_app, bare_engine = make_bare_app(env.url)
    full_requests = [(c.full_path, c.full_headers) for c in cases]
    bare_requests = [(c.bare_path, {}) for c in cases]
    results = []
    try:
        full_client, bare_client = env.app.test_client(), bare_app.test_client()
        _check_same_row(full_client, bare_client, cases)

        with env.app.app_context():
            full_engine = db.engine
        full_sql, full_checkouts = _statements_of_one_request(
            full_engine, lambda: full_client.get(full_requests[0][0], headers=full_requests[0][1]))
        bare_sql, bare_checkouts = _statements_of_one_request(
            bare_engine, lambda: bare_client.get(bare_requests[0][0]))
        pre_ping = env.app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping", False)
        print(f"  SQL per request: full stack {len(full_sql)} statements, {full_checkouts} pool check-out"
              f"{' (pool_pre_ping: +1 round trip each)' if pre_ping else ''}; "
              f"bare {len(bare_sql)} statement, {bare_checkouts} check-out")
        if verbose:
            for statement in full_sql:
                print(f"      {statement[:110]}")

        for _ in range(warmup):  # warm-up: pools, statement caches, psycopg prepared statements
            for (fp, fh), (bp, _bh) in zip(full_requests, bare_requests):
                full_client.get(fp, headers=fh)
                bare_client.get(bp)

        rates = interleaved({"full": _client_rate(full_client, full_requests, n),
                             "bare": _client_rate(bare_client, bare_requests, n)}, rounds)
        extra = {"full": f"{len(full_sql)} SQL/req", "bare": f"{len(bare_sql)} SQL/req"}
        ratio = _report("in-process, WSGI test client", rates, rounds, n, extra)
        results.append({"name": "API full/bare (WSGI test client)", "value": ratio,
                        "target": f">= {TARGET}", "verdict": _verdict(ratio),
                        "detail": f"{median(rates['full']):.0f} vs {median(rates['bare']):.0f} req/s"})

        if http:
            with _Server(env.app) as full_server, _Server(bare_app) as bare_server:
                for _ in range(20):
                    _http_rate(full_server.port, full_requests, 2)()
                    _http_rate(bare_server.port, bare_requests, 2)()
                rates = interleaved({"full": _http_rate(full_server.port, full_requests, http_n),
                                     "bare": _http_rate(bare_server.port, bare_requests, http_n)}, http_rounds)
            ratio = _report("real HTTP, werkzeug make_server on 127.0.0.1 (client in the same process)",
                            rates, http_rounds, http_n, {})
            results.append({"name": "API full/bare (HTTP, 127.0.0.1)", "value": ratio,
                            "target": f">= {TARGET}", "verdict": _verdict(ratio),
                            "detail": f"{median(rates['full']):.0f} vs {median(rates['bare']):.0f} req/s"})
    finally:
        bare_engine.dispose()
    print()
    return results
