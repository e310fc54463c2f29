"""Tenant lifecycle through the platform API: create with a preset, plugins, users, export, erase."""
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select, text

from core.db import db
from tenants.platform import create_admin
from tests.helpers import PASSWORD


@pytest.fixture
def platform(ctx):
    _admin, token = create_admin("ops", "ops-password-1")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_create_tenant_with_preset_and_admin(client, platform):
    r = client.post("/api/v1/platform/tenants", headers=platform, json={
        "slug": "shuiwu", "name": "城东水务", "industry": "sample_industry",
        "admin": {"username": "boss", "password": PASSWORD}})
    assert r.status_code == 201, r.get_json()
    tenant = r.get_json()
    assert tenant["industry"] == "sample_industry"
    # the preset enabled its plugin and published its policy values as version 1
    from core.tenancy import tenant_scope
    from core.policy import service as policies

    with tenant_scope(tenant["id"]):
        assert policies.in_force("sample").values["visit_every_days"] == 3
    # its admin can log in to the API through a token made by the platform
    r = client.post(f"/api/v1/platform/tenants/{tenant['id']}/users", headers=platform, json={
        "username": "cs1", "display_name": "客服一", "password": PASSWORD, "roles": ["cs_agent", "meter_reader"]})
    assert r.status_code == 201, r.get_json()


def test_bad_tenant_gets_field_errors(client, platform):
    r = client.post("/api/v1/platform/tenants", headers=platform, json={
        "slug": "Bad Slug!", "name": "", "industry": "spaceships", "timezone": "Moon/Base"})
    assert r.status_code == 422
    assert {"slug", "name", "industry", "timezone"} <= set(r.get_json()["errors"]["json"])
    assert client.get("/api/v1/platform/tenants", headers=platform).get_json() == []


def test_duplicate_slug_is_409(client, platform):
    body = {"slug": "dup", "name": "重复"}
    assert client.post("/api/v1/platform/tenants", headers=platform, json=body).status_code == 201
    assert client.post("/api/v1/platform/tenants", headers=platform, json=body).status_code == 409


def test_enable_disable_plugin_changes_what_the_tenant_runs(client, platform, two_tenants):
    a, _b = two_tenants
    assert client.get("/api/v1/policies/sample", headers=a.headers()).status_code == 404
    r = client.put(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform,
                   json={"config": {"greeting": "早上好"}})
    assert r.status_code == 200 and r.get_json()["config"] == {"greeting": "早上好"}
    assert client.get("/api/v1/policies/sample", headers=a.headers()).status_code == 200
    plugins = {p["name"]: p["enabled"] for p in client.get("/api/v1/plugins", headers=a.headers()).get_json()}
    assert plugins == {"core": True, "sample": True, "real_estate": False}
    r = client.put(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform,
                   json={"config": {"greeting": "x" * 50}})
    assert r.status_code == 422 and "config" in r.get_json()["errors"]["json"]
    assert client.delete(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform).status_code == 200
    assert client.get("/api/v1/policies/sample", headers=a.headers()).status_code == 404
    assert client.put(f"/api/v1/platform/tenants/{a.id}/plugins/nope", headers=platform, json={}).status_code == 404


def test_disabled_tenant_is_locked_out(client, platform, two_tenants):
    a, b = two_tenants
    client.patch(f"/api/v1/platform/tenants/{a.id}", headers=platform, json={"status": "disabled"})
    assert client.get("/api/v1/me", headers=a.headers()).status_code == 403
    assert client.get("/t/tenant-a/login").status_code == 404
    assert client.get("/api/v1/me", headers=b.headers()).status_code == 200


def test_export_holds_everything_the_tenant_owns_and_nothing_else(client, platform, two_tenants, owner_engine):
    a, b = two_tenants
    client.post("/api/v1/policies/cal/versions", headers=a.headers(), json={"body": {}, "note": "甲的制度"})
    client.post("/api/v1/policies/cal/versions", headers=b.headers(), json={"body": {}, "note": "乙的制度"})
    r = client.get(f"/api/v1/platform/tenants/{a.id}/export", headers=platform)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    meta = json.loads(archive.read("tenant.json"))
    assert meta["slug"] == "tenant-a"
    with owner_engine.connect() as conn:
        for table in ("users", "api_tokens", "policy_documents", "audit_log", "user_roles"):
            lines = [json.loads(l) for l in archive.read(f"{table}.jsonl").decode().splitlines()]
            assert {row["tenant_id"] for row in lines} <= {a.id}
            truth = conn.execute(text(f"select count(*) from {table} where tenant_id = :t"), {"t": a.id}).scalar_one()
            assert len(lines) == truth, table
    assert "乙的制度" not in archive.read("policy_documents.jsonl").decode()
    assert "甲的制度" in archive.read("policy_documents.jsonl").decode()


def test_erase_removes_every_row_of_the_tenant_only(client, platform, two_tenants, owner_engine):
    a, b = two_tenants
    assert client.delete(f"/api/v1/platform/tenants/{a.id}", headers=platform).status_code == 204
    with owner_engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if "tenant_id" in table.c:
                left = conn.execute(select(func.count()).select_from(table).where(table.c.tenant_id == a.id)).scalar_one()
                assert left == 0, table.name
        assert conn.execute(text("select count(*) from users where tenant_id = :t"), {"t": b.id}).scalar_one() == 1
    assert client.get("/api/v1/me", headers=a.headers()).status_code == 401
    assert client.get("/api/v1/me", headers=b.headers()).status_code == 200


def test_platform_routes_need_a_platform_token(client, platform):
    assert client.get("/api/v1/platform/tenants").status_code == 401
    assert client.get("/api/v1/platform/tenants", headers={"Authorization": "Bearer kp_1_" + "y" * 43}).status_code == 401
    presets = {p["name"] for p in client.get("/api/v1/platform/presets", headers=platform).get_json()}
    assert {"generic", "sample_industry"} <= presets


def test_plugin_config_gets_its_schema_defaults(client, platform, two_tenants):
    a, _b = two_tenants
    r = client.put(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform, json={})
    assert r.get_json()["config"] == {"greeting": "你好"}


def test_kehu_tenant_created_tells_only_the_newly_enabled_plugin(make_tenant):
    from core.db import db
    from tenants.registry import get_tenant
    from tenants.service import set_plugin
    from tests.plugins import sample_plugin

    handle = make_tenant("once", "一次")
    sample_plugin.CALLS.clear()
    set_plugin(get_tenant(handle.id), "sample", True)
    set_plugin(get_tenant(handle.id), "sample", True)  # already on: nothing new
    db.session.commit()
    assert sample_plugin.CALLS == [("tenant_created", handle.id)]


def test_api_answers_chinese_as_utf8_not_escapes(client, two_tenants):
    a, _b = two_tenants
    body = client.get("/api/v1/me", headers=a.headers()).get_data(as_text=True)
    assert "甲公司" in body and "\\u" not in body


def test_plugins_read_their_per_tenant_config(client, platform, two_tenants):
    from tenants.registry import plugin_config

    a, b = two_tenants
    client.put(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform, json={"config": {"greeting": "早"}})
    assert plugin_config(a.id, "sample") == {"greeting": "早"}
    assert plugin_config(b.id, "sample") == {}  # not enabled there
    client.delete(f"/api/v1/platform/tenants/{a.id}/plugins/sample", headers=platform)
    assert plugin_config(a.id, "sample") == {}
