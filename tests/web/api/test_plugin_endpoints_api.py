"""kehu_api_endpoints: a plugin's own REST endpoints live under /api/v1 with the core's authentication and
tenant scope, appear in the OpenAPI document, and answer 404 for every tenant without the plugin."""
from __future__ import annotations


def test_a_plugins_endpoints_for_tenants_that_enabled_it_only(client, make_tenant):
    a = make_tenant("ep-a", "甲", plugins=["sample"])
    b = make_tenant("ep-b", "乙", plugins=["sample"])
    c = make_tenant("ep-c", "丙")
    made = client.post("/api/v1/sample/readings", headers=a.headers(), json={"meter": "M-1", "value": 42})
    assert made.status_code == 201, made.get_json()
    reading = made.get_json()
    assert client.get(f"/api/v1/sample/readings/{reading['id']}", headers=a.headers()).get_json()["value"] == 42
    # another tenant with the plugin: its own rows only, the other's id is unknown
    assert client.get("/api/v1/sample/readings", headers=b.headers()).get_json() == []
    assert client.get(f"/api/v1/sample/readings/{reading['id']}", headers=b.headers()).status_code == 404
    # a tenant without the plugin: the endpoints do not exist, reading or writing
    assert client.get("/api/v1/sample/readings", headers=c.headers()).status_code == 404
    assert client.post("/api/v1/sample/readings", headers=c.headers(), json={"meter": "x", "value": 1}).status_code == 404
    # bad input gets the one error shape
    bad = client.post("/api/v1/sample/readings", headers=a.headers(), json={"meter": ""})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["json"]) == {"meter", "value"}
    assert client.get("/api/v1/sample/readings").status_code == 401


def test_a_plugins_endpoints_are_in_the_openapi_document(client, two_tenants):
    a, _b = two_tenants
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/sample/readings/{reading_id}" in spec["paths"]
