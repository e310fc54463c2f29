"""Every create/update/delete of tenant data records actor, time, before and after."""
from sqlalchemy import select

from core.accounts.service import create_user, update_user
from core.audit.models import AuditEntry
from core.audit.recorder import acting_as
from core.db import db
from core.tenancy import tenant_scope


def test_create_update_delete_are_audited_with_actor(make_tenant):
    handle = make_tenant("audit-co", "审计公司")
    with tenant_scope(handle.id):
        with acting_as(f"user:{handle.admin_id}", handle.admin_id):
            user = create_user("zhao", "赵敏", "password-123", roles=["cs_agent"])
            db.session.commit()
            update_user(user, display_name="赵敏敏", roles=["cs_supervisor"])
            db.session.commit()
            db.session.delete(user)
            db.session.commit()
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "users").order_by(AuditEntry.id)).all()
        zhao = [e for e in entries if (e.after or e.before or {}).get("username") == "zhao" or e.action == "update"]
        assert [e.action for e in zhao] == ["create", "update", "delete"]
        create, update, delete = zhao
        assert create.actor == f"user:{handle.admin_id}" and create.actor_user_id == handle.admin_id
        assert "password_hash" not in create.after
        assert update.before == {"display_name": "赵敏"} and update.after == {"display_name": "赵敏敏"}
        assert delete.before["username"] == "zhao" and delete.after is None
        roles = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "user_roles")).all()
        assert {(e.action, e.entity_id.split("/")[1]) for e in roles if e.entity_id.startswith(str(user.id))} >= {
            ("create", "cs_agent"), ("delete", "cs_agent"), ("create", "cs_supervisor")}
