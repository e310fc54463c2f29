"""Launch-day holds of the real-estate plugin (RE-31) through the full stack, as a ratio of a bare Flask
endpoint doing the same conditional updates.

On launch day (开盘) every salesperson holds a unit for their customer before finance takes the deposit;
the hold must be atomic (one holder, checked in the database). One measured *cycle* is a hold and its
release, two requests:

Full stack: ``POST /api/v1/re/sales/units/<unit_id>/holds`` {customer_id} → 201, then
``POST /api/v1/re/sales/holds/<hold_id>/release`` → 200, on the real app as a salesperson with a
read/write API token: token look-up, tenant scope, ``SET ROLE kehu_app`` + row-level security, the plugin
enabled for the tenant (its endpoints answer 404 otherwise), the role check, the RE-30 move check, the
customer checked in the tenant, the conditional ``UPDATE re_units … WHERE state = 'available'``, the
``re.hold.ttl`` policy and the tenant calendar for the expiry, the hold row under the partial unique index,
master sales control notified — and on release the holder check, the hold locked, the unit moved back —
each in one transaction, the hold serialised back.

Bare: a minimal Flask app in this module with a plain SQLAlchemy engine as the owner role (no RLS, no ORM):
hold = ``UPDATE re_units SET state='held', version=version+1 WHERE tenant_id=:t AND id=:u AND
state='available'`` (0 rows → 409) and ``INSERT`` of the ``re_holds`` row (id from the same sequence,
expiry now + 30 minutes), commit, return the id; release = ``UPDATE re_holds SET status='released' …
WHERE status='active' RETURNING unit_id`` and the reverse ``UPDATE re_units … WHERE state='held'``,
commit. The least any atomic hold must do.

The plugin's tables come from its own migrations, so this benchmark makes a scratch database of its own,
migrated with the real-estate plugin installed (as the fan-out benchmark does); both sides run on it.
Two tenants, each with the plugin enabled (``tenants.service.set_plugin``), a project, a building and
units made through ``plugins/real_estate/units.py``, a customer, a salesperson and a master-sales-control
user (who receives the notifications). Interleaved rounds, medians, as the other API benchmarks.

Target: the full stack reaches at least 0.10 of the bare throughput, the bar of the work-order intake.
A hold is a person clicking "hold" in sales control: 10 bare cycles are a few milliseconds, so at 0.10 a
hold plus its release stays in the tens of milliseconds, far below what a person notices — and the rules,
the policy, the calendar, the notification and RLS it adds should cost no more than ten bare updates.
Launch day is a burst (dozens of salespeople on the same hundred units in minutes), not a sustained load:
at the bar, one process serves far more holds a second than an office can click, so a stricter bar
(the read API's 0.25) would buy nothing a person feels; a looser one would hide a regression in the one
path where the database, not the code, must decide who wins.
"""
from __future__ import annotations

import contextlib
import statistics
import tempfile

from bench.common import (
    BenchEnv,
    app_config,
    check_app_role,
    interleaved,
    median,
    scratch_database,
    spread,
    timed,
)

TARGET = 0.10
API = "/api/v1/re/sales"
UNITS = 20  # per tenant; cycles go round them


@contextlib.contextmanager
def re_app():
    """A scratch database of its own, migrated with the real-estate plugin installed, and the Kehu app on
    it with that plugin; the bench app and plugins are made current again at the end."""
    from core.db import db
    from core.migrations import runner
    from core.plugins import KehuPlugins, get_plugins, set_plugins
    from plugins.real_estate import hooks
    from web.app import create_app
    from workers.runtime import application, set_application

    previous_app, previous_plugins = application(), get_plugins()
    with scratch_database() as (_name, url), tempfile.TemporaryDirectory(prefix="kehu-bench-re-") as instance:
        app = create_app(app_config(url, instance), plugins=KehuPlugins(load_entry_points=False, extra=[hooks]))
        try:
            runner.upgrade(url)  # with the plugin's migrations: get_plugins() is the app's now
            check_app_role(app)
            yield app, url
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            set_plugins(previous_plugins)
            set_application(previous_app)


def make_offices(app) -> list[dict]:
    """Two sales offices, each with the plugin enabled, a project, a building, ``UNITS`` available units,
    a customer, a salesperson with a read/write token and master sales control."""
    from core.accounts.service import create_user, issue_token
    from core.audit.recorder import acting_as
    from core.customers.service import create_customer
    from core.db import db
    from core.tenancy import tenant_scope
    from plugins.real_estate import units
    from tenants.service import create_tenant, set_plugin

    out = []
    with app.app_context():
        for k, (slug, name) in enumerate((("re-a", "甲置业"), ("re-b", "乙置业"))):
            tenant = create_tenant(slug, name)
            db.session.flush()
            set_plugin(tenant, "real_estate", True)
            db.session.commit()
            with tenant_scope(tenant.id), acting_as("bench"):
                project = units.create_project({"name": "锦城花园", "city": "成都"})
                building = units.create_building(project, {"name": "3号楼", "floors": 18})
                unit_ids = [units.create_unit(building, {
                    "number": f"3-{15 - i // 4:02d}0{i % 4 + 1}", "floor": 15 - i // 4, "layout": "三室两厅",
                    "area": "118.00", "price": "1480000.00", "orientation": "南北"}).id for i in range(UNITS)]
                customer, _verdict = create_customer({"name": "张伟", "phones": [{"number": f"1380013800{k}"}]})
                create_user(f"{slug}-msc", f"{name}总销控", None, roles=["master_sales_control"])
                seller = create_user(f"{slug}-sales", f"{name}置业顾问", None, roles=["salesperson"])
                _token, raw = issue_token(seller, "bench", ["read", "write"])
                db.session.flush()
                out.append({"tenant_id": tenant.id, "token": raw, "units": unit_ids, "customer_id": customer.id,
                            "seller_id": seller.id})
            db.session.commit()
        db.session.remove()
    return out


def make_bare_app(url: str):
    from flask import Flask, abort, jsonify, request
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    app = Flask("kehu_bench_bare_holds")
    take = text("update re_units set state = 'held', version = version + 1, updated_at = now() "
                "where tenant_id = :t and id = :u and state = 'available'")
    record = text("insert into re_holds (tenant_id, id, unit_id, customer_id, holder_id, held_at, expires_at, status) "
                  "values (:t, nextval('kehu_id_seq'), :u, :customer_id, :holder_id, now(), "
                  "now() + interval '30 minutes', 'active') returning id")
    end = text("update re_holds set status = 'released', ended_at = now() "
               "where tenant_id = :t and id = :h and status = 'active' returning unit_id")
    give_back = text("update re_units set state = 'available', version = version + 1, updated_at = now() "
                     "where tenant_id = :t and id = :u and state = 'held'")

    @app.post("/bare/tenants/<int:tenant_id>/users/<int:user_id>/units/<int:unit_id>/holds")
    def hold(tenant_id: int, user_id: int, unit_id: int):
        body = request.get_json()
        with engine.begin() as conn:
            if conn.execute(take, {"t": tenant_id, "u": unit_id}).rowcount != 1:
                abort(409)
            hold_id = conn.execute(record, {"t": tenant_id, "u": unit_id, "customer_id": body.get("customer_id"),
                                            "holder_id": user_id}).scalar_one()
        return jsonify({"id": hold_id, "unit_id": unit_id, "status": "active"}), 201

    @app.post("/bare/tenants/<int:tenant_id>/holds/<int:hold_id>/release")
    def release(tenant_id: int, hold_id: int):
        with engine.begin() as conn:
            unit_id = conn.execute(end, {"t": tenant_id, "h": hold_id}).scalar()
            if unit_id is None or conn.execute(give_back, {"t": tenant_id, "u": unit_id}).rowcount != 1:
                abort(409)
        return jsonify({"id": hold_id, "unit_id": unit_id, "status": "released"})

    return app, engine


class Side:
    """The two requests of a cycle on one side, for each office in turn and each unit in turn."""

    def __init__(self, client, offices: list[dict], bare: bool):
        self.client, self.offices, self.bare, self.i = client, offices, bare, 0

    def hold_path(self, office: dict, unit_id: int) -> tuple[str, dict]:
        if self.bare:
            return f"/bare/tenants/{office['tenant_id']}/users/{office['seller_id']}/units/{unit_id}/holds", {}
        return f"{API}/units/{unit_id}/holds", {"Authorization": f"Bearer {office['token']}"}

    def release_path(self, office: dict, hold_id: int) -> tuple[str, dict]:
        if self.bare:
            return f"/bare/tenants/{office['tenant_id']}/holds/{hold_id}/release", {}
        return f"{API}/holds/{hold_id}/release", {"Authorization": f"Bearer {office['token']}"}

    def cycle(self) -> None:
        office = self.offices[self.i % len(self.offices)]
        unit_id = office["units"][(self.i // len(self.offices)) % len(office["units"])]
        self.i += 1
        path, headers = self.hold_path(office, unit_id)
        held = self.client.post(path, headers=headers, json={"customer_id": office["customer_id"]})
        if held.status_code != 201:
            raise RuntimeError(f"hold: {held.status_code} {held.get_json()}")
        path, headers = self.release_path(office, held.get_json()["id"])
        released = self.client.post(path, headers=headers)
        if released.status_code != 200:
            raise RuntimeError(f"release: {released.status_code} {released.get_json()}")

    def rate(self, n: int):
        def run():
            for _ in range(n):
                self.cycle()

        return lambda: n / timed(run)


def _check_atomic(side: Side, office: dict) -> None:
    """A second hold on a held unit is refused (409) on both sides; the unit is released again."""
    unit_id = office["units"][0]
    path, headers = side.hold_path(office, unit_id)
    first = side.client.post(path, headers=headers, json={"customer_id": office["customer_id"]})
    second = side.client.post(path, headers=headers, json={"customer_id": office["customer_id"]})
    if first.status_code != 201 or second.status_code != 409:
        raise RuntimeError(f"set-up check failed ({'bare' if side.bare else 'full'}): {first.status_code} then "
                           f"{second.status_code} {second.get_json()}")
    path, headers = side.release_path(office, first.get_json()["id"])
    if side.client.post(path, headers=headers).status_code != 200:
        raise RuntimeError("set-up check failed: the release of the first hold")


def _statements(app, side: Side) -> list[str]:
    from sqlalchemy import event

    from core.db import db

    with app.app_context():
        engine = db.engine
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        side.cycle()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def _final_state(url: str, offices: list[dict]) -> tuple[int, int, int]:
    """(units not available, active holds, notifications of holds): the first two must be 0."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ids = [o["tenant_id"] for o in offices]
            busy = conn.execute(text("select count(*) from re_units where tenant_id = any(:t) and state <> 'available'"),
                                {"t": ids}).scalar_one()
            active = conn.execute(text("select count(*) from re_holds where status = 'active'")).scalar_one()
            notes = conn.execute(text("select count(*) from notifications where kind = 're.hold'")).scalar_one()
    finally:
        engine.dispose()
    return busy, active, notes


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    n, rounds, warmup = (10, 7, 5) if quick else (20, 15, 20)
    print("Holds (RE-31): POST .../units/<id>/holds + POST .../holds/<id>/release through the full stack "
          "vs a bare Flask hold and release (same database)")
    with re_app() as (app, url):
        offices = make_offices(app)
        bare_app, bare_engine = make_bare_app(url)
        try:
            full, bare = Side(app.test_client(), offices, False), Side(bare_app.test_client(), offices, True)
            _check_atomic(full, offices[0])
            _check_atomic(bare, offices[1])
            for _ in range(warmup):
                full.cycle()
                bare.cycle()
            statements = _statements(app, full)
            rates = interleaved({"full": full.rate(n), "bare": bare.rate(n)}, rounds)
        finally:
            bare_engine.dispose()
        busy, active, notes = _final_state(url, offices)
        if busy or active:
            raise RuntimeError(f"after the run {busy} units are not available and {active} holds are active")
    if verbose:
        print("  SQL of one full-stack cycle (hold, then release):")
        for statement in statements:
            print("    " + " ".join(statement.split())[:160])
    f, b = median(rates["full"]), median(rates["bare"])
    ratio = f / b
    print(f"  {rounds} rounds x {n} cycles (hold + release) each, median; {len(statements)} SQL statements a full-stack "
          f"cycle; {notes} hold notifications written")
    print(f"    full stack {f:9.1f} cycles/s  {spread(rates['full']):>5}  {1000 / f:7.2f} ms/cycle")
    print(f"    bare Flask {b:9.1f} cycles/s  {spread(rates['bare']):>5}  {1000 / b:7.2f} ms/cycle")
    per_round = [x / y for x, y in zip(rates["full"], rates["bare"], strict=True)]
    q1, mid, q3 = statistics.quantiles(per_round, n=4)
    verdict = "PASS" if ratio >= TARGET else "BELOW"
    print(f"    per-round ratios: median {mid:.3f} [IQR {q1:.3f}-{q3:.3f}] (when far from the headline ratio, the machine "
          "was busy)")
    print(f"    ratio full/bare {ratio:6.3f}   target >= {TARGET}   {verdict}\n")
    return [{"name": "RE-31 hold+release full/bare", "value": ratio, "target": f">= {TARGET}", "verdict": verdict,
             "detail": f"{f:.0f} vs {b:.0f} cycles/s"}]
