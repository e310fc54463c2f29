"""Hook-relay cost: calling a tenant hook through the per-tenant relay with 1 tenant vs 10,000 tenants.

A ``KehuPlugins`` is built with the core plugin plus four optional plugins defined here. 10,000 real
``Tenant`` rows (a platform table, inserted in bulk as the owner role) are spread over three plugin
sets by ``tenant_plugins`` rows: core only, ``{bench_a}``, ``{bench_a, bench_b, bench_c}``
(``bench_d`` is installed but never enabled). The Tenant objects are loaded once and kept in memory,
and every tenant's relay is resolved once before timing (that first call per tenant runs one query,
reported separately as the cache fill).

Timed, per call: ``plugins.for_tenant(tenant).records("kehu_roles")``.

- 10,000 tenants: one manager that has seen all tenants, called for every tenant in a shuffled order
  (fixed seed), twice over per round.
- 1 tenant: for each plugin set, a fresh manager that has only ever seen one tenant of that set,
  called for that tenant as many times. The three are weighted by the share of tenants in each set,
  so that the ratio measures the number of tenants, not the number of plugins of the sets.

Target: the 10,000-tenant cost is within 10% of the 1-tenant cost (ratio <= 1.10). Also shown, not
gated: ``for_tenant(tenant)`` alone (relay resolution only) and ``relay(enabled_names)`` with a
per-tenant enabled set, the path that needs no Tenant row.
"""
from __future__ import annotations

import random

from bench.common import BenchEnv, interleaved, median, spread, timed
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


def _per_call_full(plugins, seq):
    def run():
        for_tenant = plugins.for_tenant
        for tenant in seq:
            for_tenant(tenant).records(HOOK)

    return lambda: timed(run) / len(seq)


def _per_call_resolve(plugins, seq):
    def run():
        for_tenant = plugins.for_tenant
        for tenant in seq:
            for_tenant(tenant)

    return lambda: timed(run) / len(seq)


def _per_call_relay(plugins, seq):
    def run():
        relay = plugins.relay
        for enabled in seq:
            relay(enabled).records(HOOK)

    return lambda: timed(run) / len(seq)


def _verdict(ratio: float) -> str:
    return "PASS" if ratio <= TARGET else "ABOVE"


def run(env: BenchEnv, *, quick: bool = False, verbose: bool = False) -> list[dict]:
    from sqlalchemy import select

    from core.db import db
    from tenants.models import Tenant

    calls, rounds = (10_000, 3) if quick else (20_000, 7)
    print(f"Relay: tenant hook {HOOK} through the per-tenant relay, 1 tenant vs {TENANTS:,} tenants")
    seed_tenants(env)

    with env.app.app_context():
        tenants = list(db.session.scalars(
            select(Tenant).where(Tenant.slug.like("relay-%")).order_by(Tenant.id)))
        set_of = {t.id: int(t.slug.split("-")[1]) % len(PLUGIN_SETS) for t in tenants}
        weights = [sum(1 for s in set_of.values() if s == k) / len(tenants) for k in range(len(PLUGIN_SETS))]

        many = make_plugins()
        fill = timed(lambda: [many.for_tenant(t) for t in tenants]) / len(tenants)
        singles = []
        for k in range(len(PLUGIN_SETS)):
            tenant = next(t for t in tenants if set_of[t.id] == k)
            plugins = make_plugins()
            plugins.for_tenant(tenant)
            singles.append((plugins, tenant))
        # nothing is queried from here on; detached, the Tenant objects keep their loaded attributes
        db.session.expunge_all()
        db.session.rollback()

        # every tenant resolves to the relay of its set
        for tenant in tenants[:30]:
            expected = set(PLUGIN_SETS[set_of[tenant.id]])
            relay = many.for_tenant(tenant)
            optional = relay.enabled - many.core_plugin_names()
            if optional != expected:
                raise RuntimeError(f"tenant {tenant.id}: relay enables {sorted(optional)}, expected {sorted(expected)}")
        relays = len({id(many.for_tenant(t)) for t in tenants})

        order = tenants[:]
        random.Random(20240601).shuffle(order)
        many_seq = (order * (calls // len(order) + 1))[:calls]
        enabled_of = {t.id: many._tenant_sets[(t.id, t.plugin_set_version)] for t in tenants}
        many_enabled_seq = [enabled_of[t.id] for t in many_seq]

        variants = {
            "full": ("for_tenant(t).records('kehu_roles')", _per_call_full, False),
            "resolve": ("for_tenant(t) only", _per_call_resolve, False),
            "relay": ("relay(enabled).records('kehu_roles')", _per_call_relay, True),
        }
        measures = {}
        for key, (_label, factory, by_enabled) in variants.items():
            for k, (plugins, tenant) in enumerate(singles):
                item = enabled_of[tenant.id] if by_enabled else tenant
                measures[f"{key}:one:{k}"] = factory(plugins, [item] * calls)
            measures[f"{key}:many"] = factory(many, many_enabled_seq if by_enabled else many_seq)
        for fn in measures.values():  # warm-up
            fn()
        times = interleaved(measures, rounds)

    sizes = ", ".join(f"{{{','.join(s) or 'core only'}}} {sum(1 for v in set_of.values() if v == k):,}"
                      for k, s in enumerate(PLUGIN_SETS))
    print(f"  {len(tenants):,} Tenant rows preloaded, {relays} distinct relays; plugin sets: {sizes}")
    print(f"  cache fill (first for_tenant per tenant, one query each): {fill * 1e6:.0f} µs per tenant")
    print(f"  per call, {rounds} rounds x {calls:,} calls, median; '1 tenant' is weighted over the sets")
    print(f"    {'':<40} {'1 tenant':>10} {f'{TENANTS:,} tenants':>16} {'ratio':>7}")
    results = []
    for key, (label, _factory, _by_enabled) in variants.items():
        one_each = [median(times[f"{key}:one:{k}"]) for k in range(len(PLUGIN_SETS))]
        one = sum(w * t for w, t in zip(weights, one_each))
        many_t = median(times[f"{key}:many"])
        ratio = many_t / one
        gated = key == "full"
        tail = f"  {_verdict(ratio)} (target <= {TARGET:.2f})" if gated else "  (not gated)"
        print(f"    {label:<40} {one * 1e6:8.2f} µs {many_t * 1e6:11.2f} µs {spread(times[f'{key}:many']):>4}"
              f" {ratio:7.3f}{tail}")
        if verbose:
            for k, s in enumerate(PLUGIN_SETS):
                print(f"      1 tenant of {{{','.join(s) or 'core only'}}}: {one_each[k] * 1e6:.2f} µs"
                      f" {spread(times[f'{key}:one:{k}'])}")
        if gated:
            results.append({"name": f"relay cost {TENANTS:,} / 1 tenant", "value": ratio,
                            "target": f"<= {TARGET:.2f}", "verdict": _verdict(ratio),
                            "detail": f"{many_t * 1e6:.2f} vs {one * 1e6:.2f} µs/call"})
    print()
    return results
