"""The core's own behaviour, written as plugins that every tenant has."""
from core.plugins import core_plugin

CORE_PLUGINS = [core_plugin]
