"""Periodic fan-out for 10,000 tenants: seconds per minute tick, as ``kehu scheduler`` runs it.

A scratch database of its own (so that the tenants of the other benchmarks do not count) holds
10,000 active tenants, inserted in bulk as the owner role, spread over three plugin sets of small
plugins defined here (each registering ``PeriodicJob`` records) and three time zones. The Kehu app
is created with a ``KehuPlugins`` holding these plugins and with ``KEHU_REDIS_URL`` set, so its job
backend is an ``RQBackend``; each tick is ``fanout(minute, app.extensions["kehu_jobs"],
RedisLedger(connection))`` in an app context, as ``workers.fanout.tick_forever`` calls it.

Ticks timed, each round starting from an empty Redis database:

- the **busy tick** (02:30 UTC): every job of every plugin set is due except a nightly one, at least
  one per tenant (16,666 enqueues with these plugin sets) -- gated;
- the **same minute again** (a second scheduler, or a retry): everything already claimed in the
  ledger, nothing enqueued;
- an **ordinary minute** (02:31 UTC): one job per tenant due, 10,000 enqueues.

For context: the same number of plain ``Queue.enqueue_call`` calls (rq's no-op, no arguments) in one
Redis pipeline, and the lost-job recovery sweep that ``tick_forever`` adds on :x0/:x5 ticks. Target:
the busy tick under 5 s on this machine (an absolute target, the issue's; the ratio to the plain
enqueues is printed beside it).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import tempfile

from bench.common import REDIS_URL, BenchEnv, bench_redis, check_app_role, median, scratch_database, timed
from bench.noop import RQ_NOOP
from core.plugins import hookimpl
from core.plugins.records import PeriodicJob, PluginInfo
from workers.registry import tenant_job

TARGET_SECONDS = 5.0
TENANTS = 10_000
TIMEZONES = ("Asia/Shanghai", "Asia/Kolkata", "America/New_York")
UTC = dt.timezone.utc
# 10:30 in Shanghai, 08:00 in Kolkata, 21:30 (the day before) in New York: a multiple of 15 minutes
# (and of 2) everywhere, so every job below except the nightly one is due
BUSY_TICK = dt.datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
ORDINARY_TICK = dt.datetime(2026, 12, 1, 2, 31, tzinfo=UTC)  # :31 / :01 / :31: only the minutely ones

PERIODIC = {
    "bench_fan_a": [PeriodicJob("bench.fan.minutely", "* * * * *")],
    "bench_fan_b": [PeriodicJob("bench.fan.quarter", "*/15 * * * *"), PeriodicJob("bench.fan.nightly", "0 3 * * *")],
    "bench_fan_c": [PeriodicJob("bench.fan.every1", "every 1 minutes"),
                    PeriodicJob("bench.fan.every2", "every 2 minutes")],
}
PLUGIN_SETS: list[tuple[str, ...]] = [("bench_fan_a",), ("bench_fan_a", "bench_fan_b"), ("bench_fan_c",)]


def _nothing(job):
    return None


for _plugin_jobs in PERIODIC.values():
    for _periodic in _plugin_jobs:
        tenant_job(_periodic.job)(_nothing)


class FanPlugin:
    """An optional plugin that only registers periodic jobs."""

    def __init__(self, name: str):
        self.name = name

    @hookimpl
    def kehu_plugin_info(self):
        return PluginInfo(name=self.name, title_zh=f"基准{self.name}", title_en=f"Bench {self.name}",
                          industry="bench")

    @hookimpl
    def kehu_periodic_jobs(self):
        return list(PERIODIC[self.name])


@contextlib.contextmanager
def fanout_app(redis_url: str):
    """A scratch database of its own, migrated, and a Kehu app on it with the fan-out plugins and
    the rq backend. The bench app of ``env`` is made current again at the end."""
    from sqlalchemy import create_engine

    from bench.common import app_config
    from core.db import db
    from core.migrations import runner
    from core.plugins import KehuPlugins, get_plugins, set_plugins
    from web.app import create_app
    from workers.runtime import application, set_application

    previous_app, previous_plugins = application(), get_plugins()
    with scratch_database() as (_name, url), tempfile.TemporaryDirectory(prefix="kehu-bench-fan-") as instance:
        runner.upgrade(url)
        plugins = KehuPlugins(load_entry_points=False, extra=[FanPlugin(n) for n in PERIODIC])
        app = create_app(app_config(url, instance, KEHU_REDIS_URL=redis_url, KEHU_JOBS_MODE="rq"),
                         plugins=plugins)
        owner_engine = create_engine(url)
        try:
            check_app_role(app)
            yield app, owner_engine
        finally:
            owner_engine.dispose()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            set_plugins(previous_plugins)
            set_application(previous_app)


def seed_tenants(owner_engine, count: int = TENANTS) -> dict[tuple[int, str], int]:
    """``count`` active tenants ``fan-00000``...: tenant i gets plugin set ``i % 3`` and time zone
    ``(i // 3) % 3``, so every (set, zone) group is about the same size. Returns the number of
    tenants per (plugin set index, zone)."""
    from sqlalchemy import insert, select

    from tenants.models import Tenant, TenantPlugin

    with owner_engine.begin() as conn:
        conn.execute(insert(Tenant.__table__), [
            {"slug": f"fan-{i:05d}", "name": f"Fan-out tenant {i}", "timezone": TIMEZONES[(i // 3) % 3]}
            for i in range(count)])
        rows = conn.execute(select(Tenant.id, Tenant.slug, Tenant.timezone).where(Tenant.slug.like("fan-%"))).all()
        sets = {tenant_id: int(slug.split("-")[1]) % len(PLUGIN_SETS) for tenant_id, slug, _zone in rows}
        plugin_rows = [{"tenant_id": tenant_id, "plugin": plugin, "enabled": True, "config": {}}
                       for tenant_id, k in sets.items() for plugin in PLUGIN_SETS[k]]
        # a disabled plugin row every 7th tenant, so that "enabled" is really filtered on
        plugin_rows += [{"tenant_id": tenant_id, "plugin": "bench_fan_b", "enabled": False, "config": {}}
                        for tenant_id, k in list(sets.items())[::7] if "bench_fan_b" not in PLUGIN_SETS[k]]
        conn.execute(insert(TenantPlugin.__table__), plugin_rows)
    groups: dict[tuple[int, str], int] = {}
    for tenant_id, _slug, zone in rows:
        groups[(sets[tenant_id], zone)] = groups.get((sets[tenant_id], zone), 0) + 1
    return groups


def expected_jobs(plugins, groups: dict[tuple[int, str], int], tick: dt.datetime) -> int:
    """How many jobs a tick should enqueue: per (plugin set, zone), the registered periodic jobs of
    the set (core plugins included) due at the local minute, times the tenants of the group; the
    every-minute timer sweeps are asked for only by tenants with a timer due, and none has one here."""
    from zoneinfo import ZoneInfo

    from workers.cadence import is_due
    from workers.registry import JOBS

    total = 0
    for (k, zone), tenants in groups.items():
        local = tick.astimezone(ZoneInfo(zone))
        periodic = plugins.relay(PLUGIN_SETS[k]).records("kehu_periodic_jobs").values()
        # timer sweeps (only_when_due) go only to tenants with a timer due: the benchmark's have none
        total += tenants * sum(1 for p in periodic
                               if p.job in JOBS and p.only_when_due is None and is_due(p.cadence, local))
    return total


def _tick(app, backend, ledger, now: dt.datetime):
    """One tick as ``tick_forever`` runs it; returns (seconds, FanoutResult)."""
    from workers.fanout import fanout

    out = {}

    def run():
        with app.app_context():
            out["result"] = fanout(now, backend, ledger)

    return timed(run), out["result"]


def _plain_enqueues(connection, n: int) -> float:
    """Seconds for ``n`` plain ``Queue.enqueue_call`` (rq's no-op, no arguments) in one pipeline."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    queue = Queue("bench-baseline", connection=connection, serializer=JSONSerializer)

    def run():
        pipe = connection.pipeline(transaction=False)
        for _ in range(n):
            queue.enqueue_call(RQ_NOOP, pipeline=pipe)
        pipe.execute()

    seconds = timed(run)
    if queue.count != n:
        raise RuntimeError(f"baseline: {queue.count} of {n} jobs in the queue")
    return seconds


def _queued(connection) -> int:
    from rq import Queue

    return Queue("default", connection=connection).count


def _verdict(seconds: float) -> str:
    return "PASS" if seconds < TARGET_SECONDS else "ABOVE"


def _sweep_seconds(app) -> str:
    """The lost-job recovery sweep that ``tick_forever`` runs after the fan-out on :x0/:x5 ticks
    (nothing is stale here: the cost of asking). Informative only; "n/a" when there is none."""
    try:
        from workers.recovery import sweep
    except ImportError:
        return "n/a"

    def run():
        with app.app_context():
            sweep()

    try:
        return f"{timed(run):.2f} s"
    except Exception as exc:  # noqa: BLE001  informative only: say why
        return f"n/a ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})"


def _check(label: str, result, expected: int, connection) -> None:
    covered = len({tenant_id for tenant_id, _job, _slot in result.enqueued})
    queued = _queued(connection)
    if (result.tenants, len(result.enqueued), queued, covered) != (TENANTS, expected, expected, TENANTS):
        raise RuntimeError(f"{label}: {result.tenants} tenants read, {len(result.enqueued)} jobs enqueued, "
                           f"{queued} in the queue, {covered} tenants with a job; expected {TENANTS:,} "
                           f"tenants, {expected:,} jobs, every tenant with one")


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    from workers.fanout import RedisLedger

    rounds = 1 if quick else 3
    print(f"Fan-out: one minute tick of workers.fanout.fanout for {TENANTS:,} tenants (RQBackend, RedisLedger)")
    times: dict[str, list[float]] = {"busy": [], "again": [], "ordinary": [], "plain": []}
    groups: dict[tuple[int, str], int] = {}
    with bench_redis() as connection, fanout_app(REDIS_URL) as (app, owner_engine):
        seed = timed(lambda: groups.update(seed_tenants(owner_engine)))
        backend = app.extensions["kehu_jobs"]
        ledger = RedisLedger(backend.connection)
        plugins = app.extensions["kehu_plugins"]
        busy_jobs, ordinary_jobs = expected_jobs(plugins, groups, BUSY_TICK), expected_jobs(plugins, groups, ORDINARY_TICK)
        for _ in range(rounds):
            connection.flushdb()
            seconds, result = _tick(app, backend, ledger, BUSY_TICK)
            _check("busy tick", result, busy_jobs, connection)
            times["busy"].append(seconds)
            seconds, again = _tick(app, backend, ledger, BUSY_TICK + dt.timedelta(seconds=20))
            if again.enqueued or again.already_claimed != busy_jobs:
                raise RuntimeError(f"same minute again: {len(again.enqueued)} enqueued, "
                                   f"{again.already_claimed} refused by the ledger (expected {busy_jobs})")
            times["again"].append(seconds)
            connection.flushdb()
            seconds, result = _tick(app, backend, ledger, ORDINARY_TICK)
            _check("ordinary tick", result, ordinary_jobs, connection)
            times["ordinary"].append(seconds)
            connection.flushdb()
            times["plain"].append(_plain_enqueues(connection, busy_jobs))
            connection.flushdb()
        sweep = _sweep_seconds(app)

    busy, again, ordinary, plain = (median(times[k]) for k in ("busy", "again", "ordinary", "plain"))
    per_set = {k: sum(n for (s, _z), n in groups.items() if s == k) for k in range(len(PLUGIN_SETS))}
    sizes = ", ".join(f"{{{','.join(PLUGIN_SETS[k])}}} {n:,}" for k, n in per_set.items())
    print(f"  {TENANTS:,} tenants seeded in {seed:.1f} s; plugin sets: {sizes}; zones: {', '.join(TIMEZONES)}")
    print(f"  {rounds} round{'s' if rounds > 1 else ''}, median; each round starts from an empty Redis database")
    print(f"    busy tick      {BUSY_TICK:%H:%M} UTC  {busy_jobs:>7,} jobs enqueued  {busy:6.2f} s"
          f"  {busy / busy_jobs * 1e6:5.0f} µs/job   target < {TARGET_SECONDS:.0f} s  {_verdict(busy)}")
    print(f"    same minute again          {0:>7,} jobs enqueued  {again:6.2f} s"
          f"  ({busy_jobs:,} claims refused by the ledger)")
    print(f"    ordinary tick  {ORDINARY_TICK:%H:%M} UTC  {ordinary_jobs:>7,} jobs enqueued  {ordinary:6.2f} s"
          f"  {ordinary / ordinary_jobs * 1e6:5.0f} µs/job")
    print(f"    plain Queue.enqueue_call x {busy_jobs:,} in one pipeline:    {plain:6.2f} s"
          f"  {plain / busy_jobs * 1e6:5.0f} µs/job   (busy tick / plain = {busy / plain:.2f})")
    print(f"    recovery sweep (tick_forever, :x0/:x5 ticks, after the fan-out; not in the figures above): {sweep}")
    if verbose:
        for key, values in times.items():
            print(f"      {key}: {', '.join(f'{t:.2f}' for t in values)} s")
    print()
    return [
        {"name": f"fan-out busy tick, {TENANTS // 1000}k tenants (s)", "value": busy,
         "target": f"< {TARGET_SECONDS:.0f} s", "verdict": _verdict(busy),
         "detail": f"{busy_jobs:,} jobs, {busy / plain:.2f}x plain enqueue_call ({plain:.2f} s)"},
        {"name": f"fan-out ordinary tick, {TENANTS // 1000}k (s)", "value": ordinary,
         "target": f"< {TARGET_SECONDS:.0f} s", "verdict": _verdict(ordinary),
         "detail": f"{ordinary_jobs:,} jobs; same minute again {again:.2f} s"},
    ]
