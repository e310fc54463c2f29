"""Run Alembic for the core and every installed plugin (``kehu db upgrade``).

Version locations: ``core/migrations/versions`` plus each plugin's ``PluginInfo.migrations_dir``;
``upgrade heads`` applies every branch. Migrations run as the connecting (owner) role, never as the
application role.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

HERE = Path(__file__).parent


def alembic_config(plugins=None) -> Config:
    from core.plugins import get_plugins

    plugins = plugins or get_plugins()
    locations = [str(HERE / "versions")]
    for info in plugins.infos().values():
        if info.migrations_dir:
            locations.append(str(info.migrations_dir))
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def _run(url: str, action, *args, **kwargs):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            return action(cfg, *args, **kwargs)
    finally:
        engine.dispose()


def upgrade(url: str, target: str = "heads") -> None:
    _run(url, command.upgrade, target)


def downgrade(url: str, target: str) -> None:
    _run(url, command.downgrade, target)


def current(url: str) -> None:
    _run(url, command.current, verbose=True)


def revision(url: str, message: str, autogenerate: bool = True) -> None:
    _run(url, command.revision, message=message, autogenerate=autogenerate)
