"""Users, tokens, scopes and roles through the API."""
from tests.helpers import PASSWORD


def test_me_names_user_tenant_and_scopes(client, two_tenants):
    a, _b = two_tenants
    r = client.get("/api/v1/me", headers=a.headers())
    assert r.status_code == 200
    body = r.get_json()
    assert body["tenant"]["slug"] == "tenant-a" and body["user"]["username"] == "admin"
    assert body["scopes"] == ["admin", "read", "write"]


def test_missing_or_bad_token_is_401(client, two_tenants):
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer kh_1_2_" + "x" * 43})
    assert r.status_code == 401 and r.get_json()["code"] == 401


def test_create_user_normalises_phone_and_checks_roles(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/users", headers=a.headers(), json={
        "username": "wq", "display_name": "王强", "password": PASSWORD, "roles": ["salesperson"],
        "phone": "138 0013 8000"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["phone"] == "+8613800138000"
    assert r.get_json()["roles"] == ["salesperson"]
    assert "password" not in r.get_json()


def test_user_errors_are_field_level(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/users", headers=a.headers(), json={
        "username": "x", "display_name": "x", "password": PASSWORD, "roles": ["astronaut"]})
    assert r.status_code == 422
    assert r.get_json()["errors"]["json"] == {"roles": ["unknown role: astronaut"]}
    r = client.post("/api/v1/users", headers=a.headers(), json={
        "username": "x", "display_name": "x", "password": PASSWORD, "phone": "12345"})
    assert r.status_code == 422
    assert r.get_json()["errors"]["json"] == {"phone": ["not a valid phone number: 12345"]}
    assert client.get("/api/v1/users?q=x", headers=a.headers()).get_json() == []  # nothing half-written
    r = client.post("/api/v1/users", headers=a.headers(), json={"username": "", "password": "short"})
    assert r.status_code == 422
    assert {"display_name", "password"} <= set(r.get_json()["errors"]["json"])


def test_duplicate_username_is_409(client, two_tenants):
    a, b = two_tenants
    body = {"username": "dup", "display_name": "重复", "password": PASSWORD}
    assert client.post("/api/v1/users", headers=a.headers(), json=body).status_code == 201
    assert client.post("/api/v1/users", headers=a.headers(), json=body).status_code == 409
    # the same username in another tenant is fine
    assert client.post("/api/v1/users", headers=b.headers(), json=body).status_code == 201


def test_read_scope_cannot_write_and_non_admin_cannot_manage_users(client, make_tenant):
    a = make_tenant("scopes", "权限公司")
    _uid, read_only = make_tenant.user(a, "reader", roles=["tenant_admin"], scopes=["read"])
    assert client.get("/api/v1/users", headers=a.headers(read_only)).status_code == 200
    r = client.post("/api/v1/users", headers=a.headers(read_only), json={"username": "n", "display_name": "n"})
    assert r.status_code == 403
    _uid, sales = make_tenant.user(a, "sales", roles=["salesperson"], scopes=["read", "write"])
    r = client.post("/api/v1/users", headers=a.headers(sales), json={"username": "n", "display_name": "n"})
    assert r.status_code == 403


def test_tokens_are_shown_once_and_can_be_revoked(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/tokens", headers=a.headers(), json={"name": "报表", "scopes": ["read"]})
    assert r.status_code == 201
    raw, token_id = r.get_json()["token"], r.get_json()["id"]
    assert raw.startswith(f"kh_{a.id}_{token_id}_")
    listed = client.get("/api/v1/tokens", headers=a.headers()).get_json()
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/me", headers=a.headers(raw)).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=a.headers()).status_code == 204
    assert client.get("/api/v1/me", headers=a.headers(raw)).status_code == 401


def test_token_of_deactivated_user_stops_working(client, make_tenant):
    a = make_tenant("deact", "停用公司")
    uid, token = make_tenant.user(a, "leaver", roles=["salesperson"])
    assert client.get("/api/v1/me", headers=a.headers(token)).status_code == 200
    assert client.patch(f"/api/v1/users/{uid}", headers=a.headers(), json={"is_active": False}).status_code == 200
    assert client.get("/api/v1/me", headers=a.headers(token)).status_code == 401


def test_users_list_is_paginated_and_filterable(client, make_tenant):
    a = make_tenant("paging", "分页公司")
    for i in range(3):
        make_tenant.user(a, f"sales{i}", roles=["salesperson"])
    r = client.get("/api/v1/users?page=1&page_size=2", headers=a.headers())
    assert len(r.get_json()) == 2
    assert '"total": 4' in r.headers["X-Pagination"]
    r = client.get("/api/v1/users?role=salesperson", headers=a.headers())
    assert sorted(u["username"] for u in r.get_json()) == ["sales0", "sales1", "sales2"]
