"""Plugins bring their own migrations: `kehu db upgrade` applies every branch, RLS included."""
import pytest
from sqlalchemy import inspect, text


def test_plugin_table_is_migrated_with_its_plugin(ctx, owner_engine):
    assert "sample_readings" in inspect(owner_engine).get_table_names()
    with owner_engine.connect() as conn:
        heads = set(conn.execute(text("select version_num from alembic_version")).scalars())
    from alembic.script import ScriptDirectory

    from core.migrations.runner import alembic_config

    expected = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert "s001_sample" in expected and len(expected) >= 2  # the core's head and the plugin's branch
    assert heads == expected  # s001 depends on 0001_core, applied first
    assert "users" in inspect(owner_engine).get_table_names()


@pytest.mark.postgres_only
def test_plugin_table_has_row_level_security(ctx, owner_engine):
    with owner_engine.connect() as conn:
        enabled = conn.execute(text("select relrowsecurity from pg_class where relname = 'sample_readings'")).scalar_one()
    assert enabled is True
