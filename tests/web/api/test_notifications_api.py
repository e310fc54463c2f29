"""Notifications: raised once per key and recipient, read by their recipient only."""
from core.db import db
from core.notifications import service
from core.tenancy import tenant_scope


def test_notify_is_idempotent_and_private(client, two_tenants, make_tenant):
    a, _b = two_tenants
    other_id, other_token = make_tenant.user(a, "li", roles=["salesperson"])
    with tenant_scope(a.id):
        first = service.notify([a.admin_id, other_id, None], kind="cus.test", title_zh="客户保护期将满",
                               title_en="Protection ends soon", dedupe_key="CUS-25:warn:1", rule_id="CUS-25")
        again = service.notify([a.admin_id], kind="cus.test", title_zh="x", title_en="x", dedupe_key="CUS-25:warn:1")
        db.session.commit()
    assert len(first) == 2 and again == []
    mine = client.get("/api/v1/notifications?unread=true", headers=a.headers()).get_json()
    assert [(n["rule_id"], n["title_en"]) for n in mine] == [("CUS-25", "Protection ends soon")]
    theirs = client.get("/api/v1/notifications", headers=a.headers(other_token)).get_json()
    assert client.post(f"/api/v1/notifications/{theirs[0]['id']}/read", headers=a.headers()).status_code == 404
    r = client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=a.headers())
    assert r.status_code == 200 and r.get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=a.headers()).get_json() == []
