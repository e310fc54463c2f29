"""Plugins bring their own migrations: `kehu db upgrade` applies every branch, RLS included."""
import pytest
from sqlalchemy import inspect, text


def test_plugin_table_is_migrated_with_its_plugin(ctx, owner_engine):
    assert "sample_readings" in inspect(owner_engine).get_table_names()
    with owner_engine.connect() as conn:
        heads = set(conn.execute(text("select version_num from alembic_version")).scalars())
    from alembic.script import ScriptDirectory

    from core.migrations.runner import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    expected = set(script.get_heads())
    assert {"s001_sample", "re001_tables"} <= expected and len(expected) >= 3  # the core's head and the plugins'
    # every revision is applied: the database's heads and what they stand on (down revisions and the
    # core revisions a plugin branch depends on, e.g. re001 on the core's latest) are all of them
    applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(heads), "base",
                                                                          select_for_downgrade=True)}
    assert applied == {r.revision for r in script.walk_revisions()}
    assert "users" in inspect(owner_engine).get_table_names()


@pytest.mark.postgres_only
def test_plugin_table_has_row_level_security(ctx, owner_engine):
    with owner_engine.connect() as conn:
        enabled = conn.execute(text("select relrowsecurity from pg_class where relname = 'sample_readings'")).scalar_one()
    assert enabled is True
