"""The plugin system: hook specifications, hook record types, the manager and the per-tenant relay."""
from core.plugins.manager import KehuPlugins, PluginConflict, TenantScopeError, get_plugins, set_plugins
from core.plugins.markers import hookimpl

__all__ = [
    "KehuPlugins",
    "PluginConflict",
    "TenantScopeError",
    "get_plugins",
    "hookimpl",
    "set_plugins",
]
