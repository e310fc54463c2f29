"""One plugin manager per process and the per-tenant hook relay.

``KehuPlugins`` wraps a pluggy ``PluginManager``. Global hooks are called through ``.hook``; tenant
hooks only through ``.for_tenant(tenant)``, which returns a relay that calls the hook on the core plugins
plus the plugins the tenant has enabled (``subset_hook_caller``). Relays are cached by the set of
removed plugins, so 10,000 tenants on three plugin sets share three relays; a tenant's relay is
looked up by ``(tenant_id, plugin_set_version)``, and the version is bumped on every change.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

import pluggy

from core.plugins import hookspecs
from core.plugins.markers import PROJECT
from core.plugins.records import PluginInfo

ENTRY_POINT_GROUP = "kehu.plugins"


class TenantScopeError(RuntimeError):
    """A tenant hook was called outside the per-tenant relay."""


class PluginConflict(RuntimeError):
    """Two plugins registered records with the same key, or a plugin is unknown."""


class GlobalHooks:
    """Attribute access to the global hooks only."""

    def __init__(self, pm: pluggy.PluginManager):
        self._pm = pm

    def __getattr__(self, name: str):
        if name in hookspecs.TENANT_HOOKS:
            raise TenantScopeError(f"{name} is a tenant hook: call it through plugins.for_tenant(tenant)")
        if name not in hookspecs.GLOBAL_HOOKS:
            raise AttributeError(name)
        return getattr(self._pm.hook, name)


class TenantHooks:
    """The relay of one plugin set: attribute access to the tenant hooks, limited to that set."""

    def __init__(self, pm: pluggy.PluginManager, removed: frozenset[str], enabled: frozenset[str]):
        self._pm = pm
        self._removed_objects = [pm.get_plugin(name) for name in removed]
        self._callers: dict[str, object] = {}
        self.enabled = enabled

    def __getattr__(self, name: str):
        if name not in hookspecs.TENANT_HOOKS:
            raise AttributeError(f"{name} is not a tenant hook")
        caller = self._callers.get(name)
        if caller is None:
            caller = self._pm.subset_hook_caller(name, remove_plugins=self._removed_objects)
            self._callers[name] = caller
        return caller

    def records(self, hook_name: str, **kwargs) -> dict:
        """Call a registry hook and return its records by key; duplicate keys are an error."""
        found: dict = {}
        for batch in getattr(self, hook_name)(**kwargs):
            for record in batch or ():
                if record.key in found:
                    raise PluginConflict(f"{hook_name}: two plugins registered {record.key!r}")
                found[record.key] = record
        return found


class KehuPlugins:
    def __init__(self, *, load_entry_points: bool = True, extra: Iterable = ()):
        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._lock = threading.Lock()
        self._relays: dict[frozenset[str], TenantHooks] = {}
        # (tenant id, plugin set version) -> relay; a version bump makes a new key (other processes
        # see the new version on the tenant row), so entries never go stale
        self._tenant_relays: dict[tuple[int, int], TenantHooks] = {}
        self._known: frozenset[str] = frozenset()
        self._core: frozenset[str] = frozenset()
        from core.plugins import defaults

        for module in defaults.CORE_PLUGINS:
            self.register(module)
        if load_entry_points:
            self._load_entry_points()
        for plugin in extra:
            self.register(plugin)
        self.hook = GlobalHooks(self._pm)

    # --- registration ---------------------------------------------------------------------------

    def register(self, plugin) -> str:
        """Register a plugin module or object under the name its ``kehu_plugin_info`` gives."""
        info = plugin.kehu_plugin_info()
        if self._pm.get_plugin(info.name) is not None:
            if self._pm.get_plugin(info.name) is plugin:
                return info.name
            raise PluginConflict(f"two plugins are named {info.name!r}")
        self._pm.register(plugin, name=info.name)
        self._refresh()
        return info.name

    def unregister(self, name: str) -> None:
        self._pm.unregister(name=name)
        self._refresh()

    def _refresh(self) -> None:
        with self._lock:
            self._relays.clear()
            self._tenant_relays.clear()
            self._known = frozenset(name for name, _ in self._pm.list_name_plugin())
            self._core = frozenset(name for name, i in self.infos().items() if i.core)

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            self.register(ep.load())

    # --- what is installed ----------------------------------------------------------------------

    def infos(self) -> dict[str, PluginInfo]:
        return {info.name: info for info in self._pm.hook.kehu_plugin_info()}

    def portal_pages(self) -> list:
        """Every installed plugin's portal pages (``kehu_portal_pages``), mounted once at start-up; each
        answers 404 for tenants without its plugin."""
        return [page for batch in self._pm.hook.kehu_portal_pages() for page in batch or ()]

    def api_endpoints(self) -> list:
        """Every installed plugin's REST endpoints (``kehu_api_endpoints``), registered once at start-up;
        each answers 404 for tenants without its plugin."""
        return [found for batch in self._pm.hook.kehu_api_endpoints() for found in batch or ()]

    def optional_plugins(self) -> dict[str, PluginInfo]:
        return {name: info for name, info in self.infos().items() if not info.core}

    def core_plugin_names(self) -> frozenset[str]:
        return self._core

    # --- per-tenant relay -----------------------------------------------------------------------

    def relay(self, enabled: Iterable[str]) -> TenantHooks:
        """The relay for core plugins plus ``enabled`` (names of optional plugins)."""
        enabled_set = frozenset(enabled) | self._core
        known = self._known
        removed = known - enabled_set
        relay = self._relays.get(removed)
        if relay is None:
            with self._lock:
                relay = self._relays.get(removed)
                if relay is None:
                    relay = TenantHooks(self._pm, removed, frozenset(known & enabled_set))
                    self._relays[removed] = relay
        return relay

    def only(self, plugin: str) -> TenantHooks:
        """A relay of one plugin alone (e.g. to tell just that plugin it was enabled)."""
        removed = self._known - {plugin}
        return TenantHooks(self._pm, removed, frozenset({plugin}))

    def for_tenant(self, tenant) -> TenantHooks:
        """The relay of ``tenant`` (a ``Tenant`` row, or an id to look up)."""
        if isinstance(tenant, int):
            tenant = _registry().get_tenant(tenant)
        key = (tenant.id, tenant.plugin_set_version)
        relay = self._tenant_relays.get(key)
        if relay is None:
            relay = self.relay(_registry().enabled_plugin_names(tenant.id))
            self._tenant_relays[key] = relay
        return relay

    def forget_tenant(self, tenant_id: int) -> None:
        for key in [k for k in self._tenant_relays if k[0] == tenant_id]:
            self._tenant_relays.pop(key, None)


def _registry():
    """tenants.registry, imported on first use (it imports the models, which import this package)."""
    global _registry_module
    if _registry_module is None:
        from tenants import registry

        _registry_module = registry
    return _registry_module


_registry_module = None
_plugins: KehuPlugins | None = None


def set_plugins(plugins: KehuPlugins) -> None:
    global _plugins
    _plugins = plugins


def get_plugins() -> KehuPlugins:
    if _plugins is None:
        set_plugins(KehuPlugins())
    return _plugins
