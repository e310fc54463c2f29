"""The periodic fan-out across tenants with different plugin sets and time zones."""
import datetime as dt

from sqlalchemy import select

from core.db import db
from core.tenancy import tenant_scope
from tests.plugins.sample_models import SampleReading
from workers.fanout import MemoryLedger, fanout

UTC = dt.timezone.utc


class Recorder:
    """A backend that records what the fan-out enqueues."""

    def __init__(self):
        self.submitted = []

    def submit(self, spec, tenant_id, args, record_id=None, dedupe_key=None, job_id=None, pipeline=None):
        self.submitted.append((tenant_id, spec.name, dedupe_key))


def test_each_tenant_gets_exactly_its_own_jobs_once_per_slot(ctx, three_tenants):
    a, b, c = three_tenants
    backend, ledger = Recorder(), MemoryLedger()
    now = dt.datetime(2026, 12, 1, 2, 15, 31, tzinfo=UTC)  # 10:15 in Shanghai, 08:15 in Urumqi (no core job runs at :x0/:x5)
    result = fanout(now, backend, ledger)
    assert result.tenants == 3
    assert sorted(backend.submitted) == sorted([
        (a.id, "sample.tick", "sample.tick@2026-12-01T10:15+08:00"),
        (b.id, "sample.tick", "sample.tick@2026-12-01T08:15+06:00"),
    ])
    again = fanout(now + dt.timedelta(seconds=20), backend, ledger)  # a second tick in the same minute
    assert again.enqueued == [] and again.already_claimed == 2
    fanout(now + dt.timedelta(minutes=1), backend, ledger)  # the next minute: the next slot of each job
    ticks = [key for _, name, key in backend.submitted if name == "sample.tick"]
    assert sorted(ticks) == ["sample.tick@2026-12-01T08:15+06:00", "sample.tick@2026-12-01T08:16+06:00",
                             "sample.tick@2026-12-01T10:15+08:00", "sample.tick@2026-12-01T10:16+08:00"]


def test_cadences_are_evaluated_in_the_tenant_time_zone(ctx, three_tenants):
    a, b, _c = three_tenants
    backend = Recorder()
    # 03:00 in Shanghai is 19:00 UTC the day before; 03:00 in Urumqi is 21:00 UTC
    fanout(dt.datetime(2026, 11, 30, 19, 0, tzinfo=UTC), backend, MemoryLedger())
    fanout(dt.datetime(2026, 11, 30, 21, 0, tzinfo=UTC), backend, MemoryLedger())
    nightly = [(t, key) for t, name, key in backend.submitted if name == "sample.nightly"]
    assert nightly == [(a.id, "sample.nightly@2026-12-01T03:00+08:00"), (b.id, "sample.nightly@2026-12-01T03:00+06:00")]


def test_disabled_tenants_and_plugins_get_nothing(ctx, three_tenants):
    from tenants.registry import get_tenant
    from tenants.service import set_plugin

    a, b, _c = three_tenants
    get_tenant(a.id).status = "disabled"
    set_plugin(get_tenant(b.id), "sample", False)
    db.session.commit()
    backend = Recorder()
    fanout(dt.datetime(2026, 12, 1, 2, 15, tzinfo=UTC), backend, MemoryLedger())
    assert backend.submitted == []


def test_fanout_through_the_inline_backend_runs_each_slot_once(ctx, three_tenants):
    a, b, c = three_tenants
    backend = ctx.extensions["kehu_jobs"]
    now = dt.datetime(2026, 12, 1, 2, 15, tzinfo=UTC)
    fanout(now, backend, MemoryLedger())
    fanout(now, backend, MemoryLedger())  # a second scheduler with its own ledger: the job dedupes
    for tenant, expected in ((a, ["sample.tick@2026-12-01T10:15+08:00"]), (b, ["sample.tick@2026-12-01T08:15+06:00"]), (c, [])):
        with tenant_scope(tenant.id):
            assert list(db.session.scalars(select(SampleReading.meter))) == expected


def test_kehu_periodic_jobs_run_only_for_tenants_with_the_plugin(plugins):
    assert "sample.tick" in plugins.relay(["sample"]).records("kehu_periodic_jobs")
    assert "sample.tick" not in plugins.relay([]).records("kehu_periodic_jobs")


def test_a_broken_plugin_does_not_stop_the_fanout_for_others(ctx, plugins, three_tenants):
    from core.plugins import hookimpl
    from core.plugins.records import PluginInfo

    class Broken:
        @hookimpl
        def kehu_plugin_info(self):
            return PluginInfo(name="broken_periodic", title_zh="坏", title_en="Broken")

        @hookimpl
        def kehu_periodic_jobs(self):
            raise RuntimeError("plugin bug")

    plugins.register(Broken())
    try:
        from tenants.registry import get_tenant
        from tenants.service import set_plugin

        a, b, c = three_tenants
        set_plugin(get_tenant(c.id), "broken_periodic", True)
        db.session.commit()
        backend = Recorder()
        result = fanout(dt.datetime(2026, 12, 1, 2, 15, tzinfo=UTC), backend, MemoryLedger())
        assert result.failed_groups == 1
        assert sorted(t for t, _n, _k in backend.submitted) == sorted([a.id, b.id])
    finally:
        plugins.unregister("broken_periodic")


def test_embedded_mode_runs_periodic_jobs_without_redis(ctx, three_tenants):
    """The one-command run: no Redis, the same fan-out into the in-process job thread."""
    from workers.backends import EmbeddedBackend

    a, b, c = three_tenants
    embedded = EmbeddedBackend()
    now = dt.datetime(2026, 12, 1, 2, 15, tzinfo=UTC)
    fanout(now, embedded, MemoryLedger())
    assert embedded.join(timeout=30)
    db.session.rollback()
    with tenant_scope(a.id):
        assert list(db.session.scalars(select(SampleReading.meter))) == ["sample.tick@2026-12-01T10:15+08:00"]
    with tenant_scope(c.id):
        assert list(db.session.scalars(select(SampleReading.meter))) == []


def test_timer_sweeps_go_only_to_tenants_with_a_timer_due(ctx, three_tenants):
    """``only_when_due``: the every-minute deadline sweep (cmp.sla_timers) is enqueued for the tenants
    with a deadline due by the end of the slot, found by one query across tenants, and no other."""
    from core.sla.models import SlaMilestone

    a, b, c = three_tenants
    due = dt.datetime(2026, 12, 1, 2, 16, 30, tzinfo=UTC)  # 10:16:30 in Shanghai
    for tenant, check_at in ((a, due), (c, due + dt.timedelta(minutes=5))):
        with tenant_scope(tenant.id):
            db.session.add(SlaMilestone(subject_type="complaint", subject_id=1, code="reply", rule_id="CMP-31",
                                        duration="24 hours", start_at=due, due_at=check_at, next_check_at=check_at))
            db.session.commit()
    backend = Recorder()
    fanout(dt.datetime(2026, 12, 1, 2, 16, tzinfo=UTC), backend, MemoryLedger())
    sweeps = [(t, key) for t, name, key in backend.submitted if name == "cmp.sla_timers"]
    assert sweeps == [(a.id, "cmp.sla_timers@2026-12-01T10:16+08:00")]  # c's is due later, b has none
    assert not [s for s in backend.submitted if s[1] == "cmp.major_watch"]
    later = Recorder()
    fanout(dt.datetime(2026, 12, 1, 2, 21, tzinfo=UTC), later, MemoryLedger())
    assert sorted(t for t, name, _ in later.submitted if name == "cmp.sla_timers") == sorted([a.id, c.id])
