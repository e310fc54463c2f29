"""The deadline sweep ``cmp.sla_timers`` over 100,000 open complaints of 1,000 tenants, against a bare
SELECT of the due rows.

Seeded in bulk by the owner role (``COPY``): 1,000 tenants, each with 100 open complaints received in
the two days before 2026-10-12 10:00 (Shanghai) and their three deadlines each (reply 24 hours,
solution, resolve: 300,000 milestones), every one with the CMP-40 ladder; their warning, due and
next-check times spread over the three days after. In each tenant one reply reaches its warning time
and one resolve deadline its due time at 10:00.

Timed, per round over all 1,000 tenants, each tenant in its own transaction as ``kehu_app`` (its
tenant set, row-level security live), in the same process on the same database:

- **sweep** (the gated figure): :func:`core.sla.sweep.run` as of 09:50, a minute with nothing due
  (the common path: one ``LIMIT 1`` probe of the ``(tenant_id, next_check_at)`` index; with rows
  due, four set-based ``UPDATE … RETURNING`` claims on it);
- **bare SELECT**: ``SELECT id FROM sla_milestones WHERE next_check_at <= :now`` as of 09:50, the
  least any sweep must do to find its rows.

The rounds are interleaved; the ratio is median sweep time ÷ median bare-SELECT time (target ≤
1.5: a quiet minute costs the sweep one probe of the index, no more than finding the due rows).
Then, once, for context: the same sweep through the real job path (``workers.runtime.execute``: job
record, commit), and the busy minute at 10:00 (3,000 events: 1,000 warnings, 1,000 breaches and their
1,000 first escalation steps, each a decision, a notification and a line of the case history, and a
reminder per breached case) against the bare SELECT of those due rows, run twice — the second run
must find nothing (one effect), else the line says ERROR.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time

from bench.common import BenchEnv, interleaved, median, spread, timed

TARGET = 1.5
TENANTS = 1_000
CASES = 100  # per tenant
SH = dt.timezone(dt.timedelta(hours=8))
BUSY = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SH)
QUIET = BUSY - dt.timedelta(minutes=10)
LADDER = json.dumps(["supervisor", "dept_manager", "gm"])


def _ids(conn, count: int) -> list[int]:
    from core.db import allocate_ids

    return allocate_ids(conn, count)


def seed(env: BenchEnv, tenants: int, cases: int, seed_value: int = 20261012) -> list[int]:
    """The tenants, complaints and milestones (see the module doc); returns the tenant ids."""
    from sqlalchemy import insert, select

    from tenants.models import Tenant

    rng = random.Random(seed_value)
    with env.owner_engine.begin() as conn:
        conn.execute(insert(Tenant.__table__), [{"slug": f"sla-{i:05d}", "name": f"SLA tenant {i}"}
                                               for i in range(tenants)])
        tenant_ids = list(conn.execute(select(Tenant.id).where(Tenant.slug.like("sla-%")).order_by(Tenant.id)).scalars())
        ids = iter(_ids(conn, len(tenant_ids) * cases * 4))
    complaints, milestones = [], []
    now = BUSY.astimezone(dt.timezone.utc)
    for tenant_id in tenant_ids:
        for j in range(cases):
            cid = next(ids)
            received = now - dt.timedelta(minutes=rng.randrange(60, 2 * 24 * 60))
            complaints.append((tenant_id, cid, f"2610{j:03d}", "2610", j + 1, "complaint", "phone", received, False,
                               "bench", "[]", "[]", "[]", "[]", False, "{}", "[]", "[]", "other", "general", "[]",
                               False, 1, "received", 0, False, False, False, 0, received, received, "[]", 1, False))
            for code, hours in (("reply", 24), ("solution", 36), ("resolve", 72)):
                due = now + dt.timedelta(minutes=rng.randrange(20, hours * 60 + 21))
                warn = due - dt.timedelta(minutes=rng.randrange(10, 120))
                if warn <= now:
                    warn = now + dt.timedelta(minutes=5)
                state_due, next_check = due, warn
                if j == 0 and code == "reply":  # its warning comes at 10:00
                    warn, next_check = now, now
                if j == 1 and code == "resolve":  # due at 10:00, warned before
                    state_due = next_check = now
                milestones.append((tenant_id, next(ids), "complaint", cid, code, "CMP-31", f"{hours} hours", received,
                                   state_due, warn, False, "{}", "open", 0, LADDER, "1 working_days",
                                   now if (j == 1 and code == "resolve") else None, next_check, received))
    columns = {
        "complaints": ("tenant_id", "id", "number", "number_period", "serial", "case_type", "channel", "received_at",
                       "anonymous", "content", "demands", "excluded_user_ids", "witnesses", "evidence",
                       "complainant_signed", "extra", "warnings", "tags", "category", "severity", "major_criteria",
                       "is_repeat", "complainant_count", "status", "escalation_level", "special", "customer_confirmed",
                       "gap_in_standard", "policy_version", "created_at", "updated_at", "reported_to",
                       "intake_complainant_count", "human_negligence"),
        "sla_milestones": ("tenant_id", "id", "subject_type", "subject_id", "code", "rule_id", "duration", "start_at",
                           "due_at", "warn_at", "provisional", "computed_from", "state", "escalation_level",
                           "escalation_ladder", "escalation_interval", "warned_at", "next_check_at", "created_at"),
    }
    with env.owner_engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            for table, rows in (("complaints", complaints), ("sla_milestones", milestones)):
                names = ", ".join(columns[table])
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("ANALYZE complaints")
            cursor.execute("ANALYZE sla_milestones")
        raw.commit()
    return tenant_ids


def _each_tenant(app, tenant_ids, work) -> None:
    from core.db import db
    from core.tenancy import tenant_scope

    with app.app_context():
        for tenant_id in tenant_ids:
            with tenant_scope(tenant_id):
                work()
                db.session.commit()
        db.session.remove()


def _sweep(now):
    from core.sla import sweep

    return lambda: sweep.run(now)


def _bare(now):
    from sqlalchemy import select

    from core.db import db
    from core.sla.models import SlaMilestone

    return lambda: db.session.execute(select(SlaMilestone.id).where(SlaMilestone.next_check_at <= now)).all()


def _statements(app, tenant_id, work) -> int:
    from sqlalchemy import event

    from core.db import db

    count = 0

    def on_execute(*_args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            _each_tenant(app, [tenant_id], work)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
    return count


def _job_path(app, tenant_ids, now, tag: str) -> float:
    from workers.runtime import execute

    start = time.perf_counter()
    for tenant_id in tenant_ids:
        execute(tenant_id, "cmp.sla_timers", {"as_of": now.isoformat()}, dedupe_key=f"bench-sla-{tag}-{tenant_id}")
    return time.perf_counter() - start


def _busy(app, tenant_ids) -> tuple[float, dict, dict]:
    from core.db import db
    from core.sla import sweep
    from core.tenancy import tenant_scope

    totals = [dict.fromkeys(("warned", "breached", "hard_breached", "escalated"), 0) for _ in range(2)]
    seconds = []
    for run in range(2):
        start = time.perf_counter()
        with app.app_context():
            for tenant_id in tenant_ids:
                with tenant_scope(tenant_id):
                    for key, value in sweep.run(BUSY).items():
                        totals[run][key] += value
                    db.session.commit()
            db.session.remove()
        seconds.append(time.perf_counter() - start)
    return seconds[0], totals[0], totals[1]


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    tenants = 200 if quick else TENANTS
    rounds = 3 if quick else 5
    print(f"Deadline sweep: {tenants:,} tenants × {CASES} open complaints × 3 deadlines")
    start = time.perf_counter()
    tenant_ids = seed(env, tenants, CASES)
    print(f"  seeded {tenants * CASES:,} complaints and {tenants * CASES * 3:,} milestones in "
          f"{time.perf_counter() - start:.1f} s (COPY, owner role)")
    app = env.app
    _each_tenant(app, tenant_ids[:20], _sweep(QUIET))  # warm-up: compiled statements, policy schemas
    _each_tenant(app, tenant_ids[:20], _bare(QUIET))
    results = interleaved({
        "sweep": lambda: timed(lambda: _each_tenant(app, tenant_ids, _sweep(QUIET))),
        "bare": lambda: timed(lambda: _each_tenant(app, tenant_ids, _bare(QUIET))),
    }, rounds)
    sweep_s, bare_s = median(results["sweep"]), median(results["bare"])
    ratio = sweep_s / bare_s
    per_round = [s / b for s, b in zip(results["sweep"], results["bare"])]
    statements = _statements(app, tenant_ids[0], _sweep(QUIET))
    bare_statements = _statements(app, tenant_ids[0], _bare(QUIET))
    print(f"  quiet minute (nothing due), {tenants:,} tenants one after the other, median of {rounds} rounds:")
    print(f"    sweep      {sweep_s:6.2f} s = {sweep_s / tenants * 1000:.2f} ms per tenant "
          f"({statements} SQL statements per tenant incl. the tenant setting and commit) {spread(results['sweep'])}")
    print(f"    bare SELECT {bare_s:5.2f} s = {bare_s / tenants * 1000:.2f} ms per tenant "
          f"({bare_statements} statements) {spread(results['bare'])}")
    print(f"    ratio sweep/bare = {ratio:.2f} (per round: median {statistics.median(per_round):.2f}; "
          f"target <= {TARGET})")
    job_s = _job_path(app, tenant_ids, QUIET, "quiet")
    print(f"    through the job path (execute: job record, tenant check, commit): {job_s:.2f} s = "
          f"{job_s / tenants * 1000:.2f} ms per tenant")
    bare_busy_s = timed(lambda: _each_tenant(app, tenant_ids, _bare(BUSY)))
    busy_s, first, again = _busy(app, tenant_ids)
    events = first["warned"] + first["breached"] + first["escalated"]
    print(f"  busy minute (10:00): {first['warned']:,} warnings, {first['breached']:,} breaches, "
          f"{first['escalated']:,} escalation steps in {busy_s:.2f} s = {busy_s / max(events, 1) * 1000:.2f} ms per "
          f"event (each a decision, a notification, a line of the case history; a reminder per breached case); "
          f"the bare SELECT of those rows: {bare_busy_s:.2f} s (ratio {busy_s / bare_busy_s:.1f}, not gated)")
    print(f"    run again: {again}")
    ok_again = not any(again.values()) and first["warned"] == tenants and first["breached"] == tenants
    print()
    return [{"name": "SLA sweep ÷ bare SELECT (quiet)", "value": ratio, "target": f"<= {TARGET}",
             "verdict": ("PASS" if ratio <= TARGET else "ABOVE") if ok_again else "ERROR",
             "detail": f"{sweep_s / tenants * 1000:.2f} vs {bare_s / tenants * 1000:.2f} ms/tenant, "
                       f"{tenants * CASES * 3:,} milestones; busy {busy_s:.1f} s for {events:,} events"
                       + ("" if ok_again else f"; WRONG EFFECTS {first} / {again}")}]
