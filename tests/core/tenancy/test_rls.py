"""PostgreSQL row-level security: the second wall, for raw SQL run as the application role."""
import pytest
from sqlalchemy import text

from core.db import db, is_tenant_owned

pytestmark = pytest.mark.postgres_only


def _tenant_tables():
    return [t.name for t in db.metadata.sorted_tables if is_tenant_owned(t)]


def test_every_tenant_table_has_rls_and_the_policy(ctx, owner_engine):
    with owner_engine.connect() as conn:
        rows = conn.execute(text(
            "select c.relname, c.relrowsecurity, p.polname from pg_class c "
            "left join pg_policy p on p.polrelid = c.oid where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace"
        )).all()
    rls = {name: (enabled, policy) for name, enabled, policy in rows}
    tables = _tenant_tables()
    assert "users" in tables and "decisions" in tables
    for table in tables:
        assert rls[table] == (True, "tenant_isolation"), table


def test_app_role_owns_no_table(ctx, owner_engine):
    with owner_engine.connect() as conn:
        owned = conn.execute(text(
            "select count(*) from pg_tables where tableowner = 'kehu_app'")).scalar_one()
        is_super = conn.execute(text("select rolsuper or rolbypassrls from pg_roles where rolname = 'kehu_app'")).scalar_one()
    assert owned == 0
    assert is_super is False


def test_raw_sql_without_tenant_returns_no_rows(two_tenants):
    # the app's own connection: it acts as kehu_app
    assert db.session.execute(text("select current_user")).scalar_one() == "kehu_app"
    for table in _tenant_tables():
        assert db.session.execute(text(f"select count(*) from {table}")).scalar_one() == 0, table


def test_raw_sql_sees_only_the_tenant_set(two_tenants, owner_engine):
    a, b = two_tenants
    db.session.execute(text("select set_config('kehu.tenant_id', :t, true)"), {"t": str(a.id)})
    tenants_seen = db.session.execute(text("select distinct tenant_id from users")).scalars().all()
    assert tenants_seen == [a.id]
    with owner_engine.connect() as conn:  # the truth: both tenants have users
        assert conn.execute(text("select count(distinct tenant_id) from users")).scalar_one() == 2


def test_raw_insert_for_another_tenant_is_refused(two_tenants):
    a, b = two_tenants
    from sqlalchemy.exc import ProgrammingError

    db.session.execute(text("select set_config('kehu.tenant_id', :t, true)"), {"t": str(a.id)})
    with pytest.raises(ProgrammingError, match="row-level security"):
        db.session.execute(text(
            "insert into users (tenant_id, id, username, display_name, is_active, created_at) "
            "values (:t, nextval('kehu_id_seq'), 'spy', 'spy', true, now())"), {"t": b.id})
    db.session.rollback()


def test_raw_update_cannot_reach_another_tenant(two_tenants, owner_engine):
    a, b = two_tenants
    db.session.execute(text("select set_config('kehu.tenant_id', :t, true)"), {"t": str(a.id)})
    changed = db.session.execute(text("update users set display_name = 'x' where tenant_id = :t"), {"t": b.id})
    assert changed.rowcount == 0
    db.session.commit()
    with owner_engine.connect() as conn:
        assert conn.execute(text("select display_name from users where tenant_id = :t"), {"t": b.id}).scalar_one() == "乙公司管理员"
