"""pluggy markers of the ``kehu`` project. Plugins import ``hookimpl`` from ``core.plugins``."""
import pluggy

PROJECT = "kehu"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
