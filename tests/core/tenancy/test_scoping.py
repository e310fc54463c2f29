"""Automatic tenant scoping of ORM queries and stamping of new rows (fails closed)."""
import pytest
from sqlalchemy import select, update

from core.accounts.models import User
from core.accounts.service import create_user
from core.db import db
from core.tenancy import CrossTenantWrite, TenantNotSet, tenant_scope, unscoped


def test_query_without_tenant_fails_closed(two_tenants):
    with pytest.raises(TenantNotSet):
        db.session.scalars(select(User)).all()


def test_queries_only_see_current_tenant(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        create_user("wang", "王伟", "password-123")
        db.session.commit()
        names = {u.username for u in db.session.scalars(select(User))}
        assert names == {"admin", "wang"}
    with tenant_scope(b.id):
        names = {u.username for u in db.session.scalars(select(User))}
        assert names == {"admin"}
        # another tenant's id is simply not found
        assert db.session.scalars(select(User).where(User.id == a.admin_id)).first() is None


def test_relationship_and_join_loads_are_scoped(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        admin = db.session.scalars(select(User).where(User.id == a.admin_id)).one()
        assert admin.roles == ["tenant_admin"]
        joined = db.session.execute(select(User.username).join(User.role_rows)).all()
        assert joined == [("admin",)]


def test_new_rows_are_stamped_with_current_tenant(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        user = create_user("li", "李娜", "password-123")
        assert user.tenant_id == a.id


def test_new_row_without_tenant_is_refused(ctx):
    db.session.add(User(username="x", display_name="x"))
    with pytest.raises(TenantNotSet):
        db.session.flush()


def test_writing_a_row_of_another_tenant_is_refused(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        db.session.add(User(tenant_id=b.id, username="spy", display_name="spy"))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_changing_tenant_id_is_refused(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        user = db.session.scalars(select(User)).one()
        user.tenant_id = b.id
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_bulk_update_is_scoped(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        db.session.execute(update(User).values(display_name="改名"))
        db.session.commit()
    with tenant_scope(b.id):
        assert db.session.scalars(select(User.display_name)).one() == "乙公司管理员"


def test_ids_never_repeat_across_tenants(two_tenants):
    a, b = two_tenants
    assert a.admin_id != b.admin_id


def test_unscoped_needs_a_reason():
    with pytest.raises(ValueError):
        with unscoped(""):
            pass


def test_entity_inside_a_subquery_is_scoped_and_fails_closed(two_tenants):
    """select(count()).select_from(<ORM select>.subquery()) has no entity of its own: the tenant
    criteria must still reach the subquery, and with no tenant set it must refuse."""
    from sqlalchemy import func

    a, _b = two_tenants
    counting = select(func.count()).select_from(select(User).subquery())
    with pytest.raises(TenantNotSet):
        db.session.scalar(counting)
    with tenant_scope(a.id):
        assert db.session.scalar(counting) == 1
