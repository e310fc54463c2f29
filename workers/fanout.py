"""The periodic fan-out: once a minute, every active tenant's due periodic jobs are enqueued once.

Tenants are grouped by plugin set and time zone, so the cadences are evaluated once per group, not
once per tenant. Each (tenant, job, slot) is claimed in a ledger before it is enqueued (Redis ``SET NX``,
or in process for the embedded mode), and the job itself carries the dedupe key ``<job>@<slot>``, so a
slot runs once even if two schedulers tick or a worker retries.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.db import db
from core.plugins import get_plugins
from tenants.models import Tenant, TenantPlugin
from workers.cadence import is_due, slot_id
from workers.due import tenants_due
from workers.recovery import sweep
from workers.registry import JOBS

log = logging.getLogger("kehu.fanout")
LEDGER_TTL = 3 * 24 * 3600
SWEEP_EVERY_MINUTES = 5  # the lost-job recovery sweep (workers.recovery)


class MemoryLedger:
    def __init__(self):
        self._claimed: set[str] = set()
        self._lock = threading.Lock()

    def claim_many(self, keys: list[str]) -> list[bool]:
        with self._lock:
            won = [key not in self._claimed for key in keys]
            self._claimed.update(keys)
            return won

    def release(self, keys: list[str]) -> None:
        with self._lock:
            self._claimed.difference_update(keys)


class RedisLedger:
    def __init__(self, connection):
        self.connection = connection

    def claim_many(self, keys: list[str]) -> list[bool]:
        pipe = self.connection.pipeline(transaction=False)
        for key in keys:
            pipe.set(f"kehu:slot:{key}", 1, nx=True, ex=LEDGER_TTL)
        return [bool(ok) for ok in pipe.execute()]

    def release(self, keys: list[str]) -> None:
        if keys:
            self.connection.delete(*(f"kehu:slot:{key}" for key in keys))


@dataclass
class FanoutResult:
    slot_utc: dt.datetime
    tenants: int = 0
    enqueued: list[tuple[int, str, str]] = field(default_factory=list)  # (tenant, job, slot id)
    already_claimed: int = 0
    failed_groups: int = 0


def rq_job_id(tenant_id: int, job: str, slot_utc: dt.datetime) -> str:
    """rq accepts letters, digits, '_' and '-' in job ids: kehu-12-sample_tick-202612010217."""
    return f"kehu-{tenant_id}-{job.replace('.', '_')}-{slot_utc.strftime('%Y%m%d%H%M')}"


def _tenants_by_group() -> dict[tuple[frozenset, str], list[int]]:
    enabled: dict[int, set[str]] = defaultdict(set)
    for tenant_id, plugin in db.session.execute(
            select(TenantPlugin.tenant_id, TenantPlugin.plugin).where(TenantPlugin.enabled)):
        enabled[tenant_id].add(plugin)
    groups: dict[tuple[frozenset, str], list[int]] = defaultdict(list)
    for tenant_id, timezone in db.session.execute(
            select(Tenant.id, Tenant.timezone).where(Tenant.status == "active").order_by(Tenant.id)):
        groups[(frozenset(enabled.get(tenant_id, ())), timezone)].append(tenant_id)
    return groups


class DueProbe:
    """The tenants with timers due by the end of the slot, asked once per source and fan-out
    (:mod:`workers.due`)."""

    def __init__(self, at: dt.datetime):
        self.at = at
        self._found: dict[str, set[int]] = {}

    def tenants(self, source: str) -> set[int]:
        if source not in self._found:
            self._found.update(tenants_due([source], self.at))
        return self._found[source]


def _tenants_for(periodic, tenant_ids: list[int], probe: DueProbe) -> list[int]:
    """All the group's tenants, or for a job ``only_when_due`` those with a timer of its source due."""
    if periodic.only_when_due is None:
        return tenant_ids
    due = probe.tenants(periodic.only_when_due)
    return [tenant_id for tenant_id in tenant_ids if tenant_id in due]


def fanout(now: dt.datetime, backend, ledger) -> FanoutResult:
    """Enqueue every job due in the minute of ``now`` (aware) for every active tenant."""
    slot_utc = now.astimezone(dt.timezone.utc).replace(second=0, microsecond=0)
    result = FanoutResult(slot_utc)
    plugins = get_plugins()
    probe = DueProbe(slot_utc + dt.timedelta(minutes=1))
    for (enabled, timezone), tenant_ids in _tenants_by_group().items():
        result.tenants += len(tenant_ids)
        local_slot = slot_utc.astimezone(ZoneInfo(timezone))
        try:
            periodic = plugins.relay(enabled).records("kehu_periodic_jobs").values()
            due = [p for p in periodic if is_due(p.cadence, local_slot)]
        except Exception:  # noqa: BLE001 - a broken plugin loses its own group's minute, no more
            log.exception("periodic jobs of plugin set %s could not be read", sorted(enabled))
            result.failed_groups += 1
            continue
        if not due:
            continue
        slot = slot_id(local_slot)
        wanted = [(tenant_id, p.job) for p in due for tenant_id in _tenants_for(p, tenant_ids, probe)]
        keys = [f"{tenant_id}:{job}:{slot}" for tenant_id, job in wanted]
        claims = ledger.claim_many(keys)
        pipeline = getattr(backend, "connection", None)
        pipeline = pipeline.pipeline(transaction=False) if pipeline is not None else None
        claimed, enqueued = [], []
        try:
            for key, (tenant_id, job), won in zip(keys, wanted, claims):
                if not won:
                    result.already_claimed += 1
                    continue
                claimed.append(key)
                spec = JOBS.get(job)
                if spec is None:
                    log.error("periodic job %s is not registered (@tenant_job)", job)
                    continue
                backend.submit(spec, tenant_id, {}, dedupe_key=f"{job}@{slot}",
                               job_id=rq_job_id(tenant_id, job, slot_utc), pipeline=pipeline)
                enqueued.append((tenant_id, job, slot))
            if pipeline is not None:
                pipeline.execute()
        except Exception:
            ledger.release(claimed)  # the next tick may try these slots again
            raise
        result.enqueued.extend(enqueued)
    db.session.rollback()
    return result


def tick_forever(app, ledger, stop: threading.Event, lock=None) -> None:
    """Run the fan-out at the start of every minute until ``stop`` is set. ``lock(minute)`` (Redis)
    makes sure one scheduler of several runs each minute."""
    backend = app.extensions["kehu_jobs"]
    while not stop.is_set():
        now = dt.datetime.now(dt.timezone.utc)
        minute = now.replace(second=0, microsecond=0)
        if lock is None or lock(minute):
            try:
                with app.app_context():
                    result = fanout(minute, backend, ledger)
                    if minute.minute % SWEEP_EVERY_MINUTES == 0:
                        requeued = sweep()
                        if requeued:
                            log.warning("recovery sweep requeued %s", requeued)
                log.info("fan-out %s: %d tenants, %d jobs enqueued", minute.isoformat(), result.tenants,
                         len(result.enqueued))
            except Exception:  # noqa: BLE001 - the next minute tries again
                log.exception("fan-out %s failed", minute.isoformat())
        next_minute = minute + dt.timedelta(minutes=1)
        stop.wait(max(0.5, (next_minute - dt.datetime.now(dt.timezone.utc)).total_seconds() + 0.05))


def redis_minute_lock(connection):
    def lock(minute: dt.datetime) -> bool:
        return bool(connection.set(f"kehu:fanout:{minute.strftime('%Y%m%d%H%M')}", 1, nx=True, ex=600))

    return lock


def start_embedded_scheduler(app) -> threading.Event:
    """The embedded mode's scheduler thread (no Redis): same fan-out, in-process ledger."""
    stop = threading.Event()
    thread = threading.Thread(target=tick_forever, args=(app, MemoryLedger(), stop), name="kehu-fanout",
                              daemon=True)
    thread.start()
    return stop

