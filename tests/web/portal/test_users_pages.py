"""The tenant administrator's users pages: create with field errors kept, change roles and availability,
switch off; other roles are refused."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.tenancy import tenant_scope
from tests.helpers import PASSWORD
from tests.web.portal.test_login import _csrf, login


def _post(client, url, data):
    token = _csrf(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _user(tenant_id, username):
    """The user's facts, read inside the tenant."""
    with tenant_scope(tenant_id):
        db.session.expire_all()
        user = db.session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            return None
        return SimpleNamespace(phone=user.phone, roles=sorted(user.roles), display_name=user.display_name,
                               availability=user.availability, is_active=user.is_active)


def test_create_user_keeps_what_was_typed_and_explains_each_field(client, two_tenants):
    a, _b = two_tenants
    login(client, "tenant-a")
    r = _post(client, "/t/tenant-a/users/new", {"username": "wang", "display_name": "王强", "phone": "12345",
                                                "password": "short", "roles": ["salesperson", "nobody"]})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "电话号码无效：12345" in page or "至少 8 个字符" in page
    assert 'value="王强"' in page and 'value="12345"' in page  # nothing typed is lost
    assert _user(a.id, "wang") is None  # nothing saved
    r = _post(client, "/t/tenant-a/users/new", {"username": "wang", "display_name": "王强", "phone": "13700001111",
                                                "password": "long-enough-1", "roles": ["salesperson"]})
    assert r.status_code == 302
    user = _user(a.id, "wang")
    assert user.phone == "+8613700001111" and user.roles == ["salesperson"]


def test_unknown_role_and_taken_username(client, two_tenants):
    login(client, "tenant-a")
    r = _post(client, "/t/tenant-a/users/new", {"username": "admin", "display_name": "x", "password": PASSWORD})
    assert r.status_code == 422 and "已被占用" in r.get_data(as_text=True)
    r = _post(client, "/t/tenant-a/users/new", {"username": "x1", "display_name": "x", "password": PASSWORD,
                                                "roles": "ghost"})
    assert r.status_code == 422 and "未知角色：ghost" in r.get_data(as_text=True)


def test_edit_roles_availability_and_switch_off(client, two_tenants, make_tenant):
    a, _b = two_tenants
    user_id, _ = make_tenant.user(a, "chen", roles=["cs_agent"])
    login(client, "tenant-a")
    page = client.get(f"/t/tenant-a/users/{user_id}").get_data(as_text=True)
    assert 'value="cs_agent" checked' in page
    r = _post(client, f"/t/tenant-a/users/{user_id}", {"display_name": "陈静", "roles": ["cs_agent", "cs_supervisor"],
                                                       "availability": "company_business"})
    assert r.status_code == 302
    user = _user(a.id, "chen")
    assert user.display_name == "陈静" and user.roles == ["cs_agent", "cs_supervisor"]
    assert user.availability == "company_business" and user.is_active is False  # the box was not ticked
    assert "chen" in client.get("/t/tenant-a/users?q=che").get_data(as_text=True)
    assert "chen" not in client.get("/t/tenant-a/users?q=zzz").get_data(as_text=True)


def test_only_the_tenant_admin_manages_users(client, make_tenant):
    t = make_tenant("roles", "角色公司")
    make_tenant.user(t, "sales", roles=["salesperson"])
    login(client, "roles", "sales")
    assert client.get("/t/roles/users").status_code == 403
    assert client.get("/t/roles/users/new").status_code == 403
