"""Hook-relay cost: calling a tenant hook through the per-tenant relay with 1 tenant vs 10,000 tenants.

A ``KehuPlugins`` is built with the core plugin plus four optional plugins defined here. 10,000 real
``Tenant`` rows (a platform table, inserted in bulk as the owner role) are spread over three plugin
sets by ``tenant_plugins`` rows: core only, ``{bench_a}``, ``{bench_a, bench_b, bench_c}``
(``bench_d`` is installed but never enabled). The Tenant objects are loaded once and kept in memory,
and every tenant's relay is resolved once before timing (that first call per tenant runs one query,
reported separately as the cache fill).

Timed, per call: ``plugins.for_tenant(tenant).records("kehu_roles")``.

- 10,000 tenants: one manager that has seen (and cached) every tenant, called for the tenants in a
  shuffled order (fixed seed).
- 1 tenant: for each plugin set, a fresh manager that has only ever seen one tenant of that set. The
  call sequence is the same as above with each tenant replaced by the single tenant of its set, so
  both sides call the same plugin sets call by call: the ratio measures the number of tenants, not
  the number of plugins.

The two are timed back to back in many short rounds (alternating which goes first) and the ratio is
the median of the per-round ratios, which keeps the noise of a shared machine out of it.

Target: the 10,000-tenant cost is within 10% of the 1-tenant cost (ratio <= 1.10). Also shown, not
gated: ``for_tenant(tenant)`` alone (relay resolution only) and ``relay(enabled_names)`` with a
per-tenant enabled set, the path that needs no Tenant row.
"""
from __future__ import annotations

import gc
import random
import time

from bench.common import BenchEnv, median, spread, timed
from core.plugins import hookimpl
from core.plugins.records import NavItem, PluginInfo, Role

TARGET = 1.10
TENANTS = 10_000
PLUGIN_SETS: list[tuple[str, ...]] = [(), ("bench_a",), ("bench_a", "bench_b", "bench_c")]
OPTIONAL = ("bench_a", "bench_b", "bench_c", "bench_d")
HOOK = "kehu_roles"


class BenchPlugin:
    """An optional plugin with a few roles and a navigation item."""

    def __init__(self, name: str, roles: int = 3):
        self.name = name
        self._roles = [Role(f"{name}_role_{i}", f"{name}角色{i}", f"{name} role {i}") for i in range(roles)]

    @hookimpl
    def kehu_plugin_info(self):
        return PluginInfo(name=self.name, title_zh=f"基准{self.name}", title_en=f"Bench {self.name}",
                          industry="bench")

    @hookimpl
    def kehu_roles(self):
        return list(self._roles)

    @hookimpl
    def kehu_nav_items(self):
        return [NavItem(self.name, self.name, self.name, "portal.home", order=60)]


def make_plugins():
    from core.plugins import KehuPlugins

    return KehuPlugins(load_entry_points=False, extra=[BenchPlugin(name) for name in OPTIONAL])


def seed_tenants(env: BenchEnv, count: int = TENANTS) -> None:
    """``count`` tenants ``relay-00000``...; tenant number i gets plugin set ``i % 3``."""
    from sqlalchemy import insert, select

    from tenants.models import Tenant, TenantPlugin

    with env.owner_engine.begin() as conn:
        conn.execute(insert(Tenant.__table__),
                     [{"slug": f"relay-{i:05d}", "name": f"Relay tenant {i}"} for i in range(count)])
        rows = conn.execute(select(Tenant.id, Tenant.slug).where(Tenant.slug.like("relay-%"))).all()
        plugin_rows = [
            {"tenant_id": tenant_id, "plugin": plugin, "enabled": True, "config": {}}
            for tenant_id, slug in rows
            for plugin in PLUGIN_SETS[int(slug.split("-")[1]) % len(PLUGIN_SETS)]
        ]
        # a disabled row too, so that "enabled" is really filtered on
        plugin_rows += [{"tenant_id": tenant_id, "plugin": "bench_d", "enabled": False, "config": {}}
                        for tenant_id, _slug in rows[::7]]
        conn.execute(insert(TenantPlugin.__table__), plugin_rows)


def _loop_full(pairs):
    for plugins, tenant in pairs:
        plugins.for_tenant(tenant).records(HOOK)


def _loop_resolve(pairs):
    for plugins, tenant in pairs:
        plugins.for_tenant(tenant)


def _loop_relay(pairs):
    for plugins, enabled in pairs:
        plugins.relay(enabled).records(HOOK)


VARIANTS = {  # key: (label, loop, by enabled set instead of Tenant row)
    "full": ("for_tenant(t).records('kehu_roles')", _loop_full, False),
    "resolve": ("for_tenant(t) only", _loop_resolve, False),
    "relay": ("relay(enabled).records('kehu_roles')", _loop_relay, True),
}


def _paired(loop, one_pairs, many_pairs, rounds: int, chunk: int):
    """Per round, the same slice of calls (same plugin sets, call by call) timed for 1 tenant and for
    10,000 tenants, back to back and in alternating order; returns per-call seconds of each round.
    Rounds are short (a few ms) so that both sides of a pair see the same state of the machine."""
    one, many = [], []
    clock = time.perf_counter
    for r in range(rounds):
        start = (r * chunk) % len(many_pairs)
        a, b = one_pairs[start:start + chunk], many_pairs[start:start + chunk]
        gc.collect(0)
        if r % 2:
            t0 = clock(); loop(b); t1 = clock(); loop(a); t2 = clock()
            many.append((t1 - t0) / len(b)); one.append((t2 - t1) / len(a))
        else:
            t0 = clock(); loop(a); t1 = clock(); loop(b); t2 = clock()
            one.append((t1 - t0) / len(a)); many.append((t2 - t1) / len(b))
    return one, many


def _verdict(ratio: float) -> str:
    return "PASS" if ratio <= TARGET else "ABOVE"


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    from sqlalchemy import select

    from core.db import db
    from tenants.models import Tenant

    rounds, chunk = (80, 500) if quick else (240, 500)
    print(f"Relay: tenant hook {HOOK} through the per-tenant relay, 1 tenant vs {TENANTS:,} tenants")
    seed_tenants(env)

    with env.app.app_context():
        tenants = list(db.session.scalars(
            select(Tenant).where(Tenant.slug.like("relay-%")).order_by(Tenant.id)))
        set_of = {t.id: int(t.slug.split("-")[1]) % len(PLUGIN_SETS) for t in tenants}

        many = make_plugins()
        fill = timed(lambda: [many.for_tenant(t) for t in tenants]) / len(tenants)
        singles = []  # per plugin set: a manager that only ever sees one tenant (of that set)
        for k in range(len(PLUGIN_SETS)):
            tenant = next(t for t in tenants if set_of[t.id] == k)
            plugins = make_plugins()
            plugins.for_tenant(tenant)
            singles.append((plugins, tenant))
        # nothing is queried from here on; detached, the Tenant objects keep their loaded attributes
        db.session.expunge_all()
        db.session.rollback()

    # every tenant resolves to the relay of its own plugin set
    for tenant in tenants:
        optional = many.for_tenant(tenant).enabled - many.core_plugin_names()
        if optional != set(PLUGIN_SETS[set_of[tenant.id]]):
            raise RuntimeError(f"tenant {tenant.id}: relay enables {sorted(optional)}")
    relays = len({id(many.for_tenant(t)) for t in tenants})
    enabled_of = {t.id: frozenset(many.for_tenant(t).enabled - many.core_plugin_names()) for t in tenants}

    order = tenants[:]
    random.Random(20240601).shuffle(order)
    # the preloaded ORM objects are long-lived: keep them out of the collector's way, so that the
    # rounds measure the relay and not collections of the benchmark's own set-up
    gc.collect()
    gc.freeze()
    times = {}
    try:
        for key, (_label, loop, by_enabled) in VARIANTS.items():
            one_pairs, many_pairs = [], []
            for tenant in order:
                single, single_tenant = singles[set_of[tenant.id]]
                if by_enabled:  # the single tenant's set object, vs each tenant's own set object
                    one_pairs.append((single, enabled_of[single_tenant.id]))
                    many_pairs.append((many, enabled_of[tenant.id]))
                else:
                    one_pairs.append((single, single_tenant))
                    many_pairs.append((many, tenant))
            loop(one_pairs[:chunk]), loop(many_pairs)  # warm-up
            times[key] = _paired(loop, one_pairs, many_pairs, rounds, chunk)
    finally:
        gc.unfreeze()

    sizes = ", ".join(f"{{{','.join(s) or 'core only'}}} {sum(1 for v in set_of.values() if v == k):,}"
                      for k, s in enumerate(PLUGIN_SETS))
    print(f"  {len(tenants):,} Tenant rows preloaded, {relays} distinct relays; plugin sets: {sizes}")
    print(f"  cache fill (first for_tenant per tenant, one query each): {fill * 1e6:.0f} µs per tenant")
    print(f"  per call, {rounds} paired rounds x {chunk:,} calls (same plugin sets call by call), median;")
    print("  ratio = median of the per-round ratios 10,000/1 (interquartile range in brackets)")
    print(f"    {'':<38} {'1 tenant':>10} {f'{TENANTS:,} tenants':>15} {'ratio':>7}")
    results = []
    for key, (label, _loop, _by_enabled) in VARIANTS.items():
        one, many_t = times[key]
        ratios = sorted(m / o for o, m in zip(one, many_t))
        ratio = median(ratios)
        q1, q3 = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
        gated = key == "full"
        tail = f"{_verdict(ratio)} (target <= {TARGET:.2f})" if gated else "(not gated)"
        print(f"    {label:<38} {median(one) * 1e6:7.2f} µs {median(many_t) * 1e6:10.2f} µs"
              f" {ratio:7.3f} [{q1:.2f}-{q3:.2f}]  {tail}")
        if verbose:
            print(f"      spread of the rounds: 1 tenant {spread(one)}, {TENANTS:,} tenants {spread(many_t)}")
        if gated:
            results.append({"name": f"relay cost {TENANTS:,} / 1 tenant", "value": ratio,
                            "target": f"<= {TARGET:.2f}", "verdict": _verdict(ratio),
                            "detail": f"{median(many_t) * 1e6:.2f} vs {median(one) * 1e6:.2f} µs/call"})
    print()
    return results
