"""Reading, proposing and publishing policies through the API."""
import datetime as dt


def test_read_defaults_propose_and_publish(client, two_tenants):
    a, _b = two_tenants
    modules = client.get("/api/v1/policies", headers=a.headers()).get_json()
    assert [(m["module"], m["version"]) for m in modules] == [("cal", 0), ("cmp", 0), ("cus", 0), ("stf", 0), ("svc", 0)]
    r = client.post("/api/v1/policies/cal/proposals", headers=a.headers(),
                    json={"body": {"business_hours": [{"start": "08:30", "end": "17:30"}]}})
    assert r.status_code == 200 and r.get_json()["body"]["weekly_rest_days"] == ["sat", "sun"]
    assert client.get("/api/v1/policies/cal/versions", headers=a.headers()).get_json() == []
    r = client.post("/api/v1/policies/cal/versions", headers=a.headers(),
                    json={"body": {"overrides": [{"date": "2026-12-24", "kind": "off", "note": "年会"}]},
                          "note": "公司年会"})
    assert r.status_code == 201 and r.get_json()["version"] == 1
    current = client.get("/api/v1/policies/cal", headers=a.headers()).get_json()
    assert current["version"] == 1 and current["body"]["overrides"][0]["note"] == "年会"
    assert client.get("/api/v1/policies/cal?version=0", headers=a.headers()).get_json()["body"]["overrides"] == []


def test_bad_policy_is_422_with_fields(client, two_tenants):
    a, _b = two_tenants
    r = client.post("/api/v1/policies/cal/proposals", headers=a.headers(),
                    json={"body": {"business_hours": [{"start": "18:00", "end": "09:00"}], "weekly_rest_days": ["x"]}})
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert "business_hours" in errors and "weekly_rest_days" in errors
    r = client.post("/api/v1/policies/cal/versions", headers=a.headers(),
                    json={"body": {}, "effective_from": (dt.date.today() - dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422 and "effective_from" in r.get_json()["errors"]["json"]


def test_unknown_module_is_404(client, two_tenants):
    a, _b = two_tenants
    assert client.get("/api/v1/policies/sample", headers=a.headers()).status_code == 404


def test_only_admins_publish(client, make_tenant):
    a = make_tenant("pol", "制度")
    _uid, sales = make_tenant.user(a, "s", roles=["salesperson"])
    assert client.post("/api/v1/policies/cal/versions", headers=a.headers(sales), json={"body": {}}).status_code == 403
