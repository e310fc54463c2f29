"""Departments and availability of staff (CAL-11), and the contact log of a customer (CUS-60)."""
from tests.helpers import policy_since
from tests.web.api.test_customers_api import WANG, _count


def test_departments_form_a_tree_and_users_join_them(client, two_tenants, make_tenant):
    a, _b = two_tenants
    sales = client.post("/api/v1/departments", headers=a.headers(), json={"name": "销售部"}).get_json()
    team = client.post("/api/v1/departments", headers=a.headers(),
                       json={"name": "销售一组", "parent_id": sales["id"]}).get_json()
    assert team["parent_id"] == sales["id"]
    r = client.patch(f"/api/v1/departments/{sales['id']}", headers=a.headers(), json={"parent_id": team["id"]})
    assert r.status_code == 422 and r.get_json()["errors"]["json"]["parent_id"] == ["would make a cycle"]
    r = client.post("/api/v1/departments", headers=a.headers(), json={"name": "销售部"})
    assert r.status_code == 409
    seller_id, _token = make_tenant.user(a, "li", roles=["salesperson"])
    r = client.patch(f"/api/v1/users/{seller_id}", headers=a.headers(),
                     json={"department_id": team["id"], "availability": "leave", "team": "A组"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["department_id"], r.get_json()["availability"]) == (team["id"], "leave")
    r = client.patch(f"/api/v1/users/{seller_id}", headers=a.headers(), json={"department_id": 999999})
    assert r.status_code == 422 and "department_id" in r.get_json()["errors"]["json"]
    r = client.patch(f"/api/v1/users/{seller_id}", headers=a.headers(), json={"availability": "asleep"})
    assert r.status_code == 422
    listed = client.get(f"/api/v1/users?department_id={team['id']}", headers=a.headers()).get_json()
    assert [u["username"] for u in listed] == ["li"]


def test_contact_log_cus60(client, two_tenants, owner_engine):
    a, _b = two_tenants
    cid = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    url = f"/api/v1/customers/{cid}/contact-log"
    r = client.post(url, headers=a.headers(), json={"channel": "phone_unanswered", "at": "2026-06-03T10:00:00+08:00"})
    assert r.status_code == 201 and r.get_json()["status"] == "logged"  # CUS-60 (2): logged all the same
    r = client.post(url, headers=a.headers(), json={"channel": "on_site", "at": "2026-06-04T10:00:00+08:00"})
    assert r.status_code == 422  # CUS-60 (1): on-site without the customer's signature
    body = r.get_json()
    assert "customer_signed" in body["errors"]["json"] and body["rule_id"] == "CUS-60"
    assert _count(owner_engine, "contact_log", a.id) == 1  # nothing written
    r = client.post(url, headers=a.headers(), json={"channel": "on_site", "at": "2026-06-04T10:00:00+08:00",
                                                    "customer_signed": True, "content": "安装调试"})
    assert r.status_code == 201
    r = client.post(url, headers=a.headers(), json={"channel": "visit", "at": "2026-06-04T10:00:00"})
    assert r.status_code == 422  # a naive time is refused
    r = client.post(url, headers=a.headers(), json={"channel": "visit", "at": "2099-01-01T10:00:00+08:00"})
    assert r.status_code == 422 and "at" in r.get_json()["errors"]["json"]
    listed = client.get(url, headers=a.headers()).get_json()
    assert [e["channel"] for e in listed] == ["on_site", "phone_unanswered"]  # newest first


def test_offline_capture_keeps_pending_signature_until_confirmed(client, two_tenants):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"contact_log": {"offline_capture": True}}, "2026-01-01")
    cid = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    url = f"/api/v1/customers/{cid}/contact-log"
    entry = client.post(url, headers=a.headers(), json={"channel": "on_site", "at": "2026-06-04T10:00:00+08:00"})
    assert entry.status_code == 201 and entry.get_json()["status"] == "pending_signature"
    confirm = f"{url}/{entry.get_json()['id']}/confirm"
    assert client.post(confirm, headers=a.headers(), json={}).status_code == 422
    r = client.post(confirm, headers=a.headers(), json={"customer_signed": True})
    assert r.status_code == 200 and r.get_json()["status"] == "logged" and r.get_json()["confirmed_at"]
