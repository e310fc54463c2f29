"""Access rules of the portal that cross its parts (found in the review of the portal): decisions
follow the visibility of their subject for managers too, names of hidden customers never show, an
unmasked export is for its starter and the roles that may unmask, redirects stay in the tenant's portal,
month and id parameters out of range are bad input, not errors."""
from __future__ import annotations

import re

from core.customers.ownership import service as ownership
from core.customers.service import create_customer
from core.db import db, utcnow
from core.errors import Conflict
from core.tenancy import tenant_scope
from tests.web.portal.test_login import _csrf, login


def test_a_manager_accused_in_a_case_sees_neither_the_case_nor_its_decisions(client, two_tenants, make_tenant):
    """CMP-21 holds for managers: the decision log and the "why?" pages follow the case's visibility."""
    a, _b = two_tenants
    boss_id, _ = make_tenant.user(a, "boss", roles=["dept_manager"])
    case = client.post("/api/v1/complaints", headers=a.headers(), json={
        "channel": "phone", "content": "部门经理态度恶劣", "accused_user_id": boss_id}).get_json()
    assert case["id"]
    login(client, "tenant-a", "boss")
    assert client.get(f"/t/tenant-a/complaints/{case['id']}").status_code == 404
    assert client.get(f"/t/tenant-a/decisions?subject_type=complaint&subject_id={case['id']}").status_code == 403
    log = client.get("/t/tenant-a/decisions").get_data(as_text=True)
    assert f"complaint #{case['id']}" not in log and "涉及您无权查看的记录" in log
    login(client, "tenant-a")  # the administrator, not accused, sees them
    log = client.get("/t/tenant-a/decisions").get_data(as_text=True)
    decision_id = re.search(rf'complaint #{case["id"]}</td>.*?/decisions/(\d+)"', log, re.S).group(1)
    assert client.get(f"/t/tenant-a/decisions/{decision_id}").status_code == 200
    login(client, "tenant-a", "boss")
    assert client.get(f"/t/tenant-a/decisions/{decision_id}").status_code == 403


def test_new_work_order_never_names_a_customer_the_reader_may_not_see(client, two_tenants, make_tenant):
    a, _b = two_tenants
    owner_id, _ = make_tenant.user(a, "sales2", roles=["salesperson"])
    make_tenant.user(a, "sales1", roles=["salesperson"])
    with tenant_scope(a.id):
        customer, _ = create_customer({"name": "李秘密客户", "phones": [{"number": "13911114444"}]}, created_by=owner_id)
        ownership.record_claim(customer.id, kind="register", at=utcnow(), claimant_id=owner_id, source_type="test")
        db.session.commit()
        customer_id = customer.id
    login(client, "tenant-a", "sales1")
    assert client.get(f"/t/tenant-a/customers/{customer_id}").status_code == 404
    page = client.get(f"/t/tenant-a/work-orders/new?customer_id={customer_id}").get_data(as_text=True)
    assert "李秘密客户" not in page
    for bad in ("99999999999999999999", "-3", "abc"):
        assert client.get(f"/t/tenant-a/complaints/new?customer_id={bad}").status_code == 200
        assert client.get(f"/t/tenant-a/work-orders/new?customer_id={bad}").status_code == 200


def test_an_unmasked_export_is_for_its_starter_and_the_roles_that_may_unmask(client, two_tenants, make_tenant):
    a, _b = two_tenants
    _gm, gm_token = make_tenant.user(a, "gm1", roles=["gm"])
    _sm, sm_token = make_tenant.user(a, "sm1", roles=["sales_manager"])
    job = client.post("/api/v1/customers/exports", headers=a.headers(gm_token),
                      json={"purpose": "年度审计", "unmasked": True}).get_json()
    assert job["status"] == "finished", job
    assert client.get(f"/api/v1/customers/exports/{job['id']}/download", headers=a.headers(gm_token)).status_code == 200
    assert client.get(f"/api/v1/customers/exports/{job['id']}/download",
                      headers=a.headers(sm_token)).status_code == 404
    login(client, "tenant-a", "sm1")
    assert client.get(f"/t/tenant-a/data/jobs/{job['id']}/download").status_code == 404
    login(client, "tenant-a", "gm1")
    assert client.get(f"/t/tenant-a/data/jobs/{job['id']}/download").status_code == 200
    masked = client.post("/api/v1/customers/exports", headers=a.headers(gm_token), json={"purpose": "月报"}).get_json()
    login(client, "tenant-a", "sm1")
    assert client.get(f"/t/tenant-a/data/jobs/{masked['id']}/download").status_code == 200


def test_redirects_after_the_language_switch_and_the_log_in_stay_in_the_portal(client, two_tenants):
    login(client, "tenant-a")
    for target in ("/%09/evil.example/x", "//evil.example/", "/t/tenant-a/\\evil", "https://evil.example/",
                   "/t/tenant-b/"):
        r = client.get("/t/tenant-a/lang/en", query_string={"next": target.replace("%09", "\t")})
        assert r.headers["Location"] == "/t/tenant-a/", target
    r = client.get("/t/tenant-a/lang/en", query_string={"next": "/t/tenant-a/customers?q=x"})
    assert r.headers["Location"] == "/t/tenant-a/customers?q=x"
    client.post("/t/tenant-a/logout", data={"csrf_token": _csrf(client.get("/t/tenant-a/").get_data(as_text=True))})
    page = client.get("/t/tenant-a/login").get_data(as_text=True)
    from tests.helpers import PASSWORD

    r = client.post("/t/tenant-a/login?next=//evil.example/", data={"username": "admin", "password": PASSWORD,
                                                                  "csrf_token": _csrf(page)})
    assert r.headers["Location"] == "/t/tenant-a/"


def test_months_out_of_range_are_bad_input_not_errors(client, two_tenants):
    login(client, "tenant-a")
    for month in ("0001-01", "9999-12", "2026-13", "x"):
        for url in ("/t/tenant-a/staff/credit", "/t/tenant-a/staff/scorecards", "/t/tenant-a/dashboards"):
            r = client.get(url, query_string={"month": month})
            assert r.status_code in (200, 422), (url, month, r.status_code)
        page = client.get("/t/tenant-a/dashboards", query_string={"month": month}).get_data(as_text=True)
        assert "YYYY-MM" in page, month  # the dashboard's own message, not a generic error page


def test_a_merge_never_names_a_customer_the_reader_may_not_see(client, two_tenants, make_tenant):
    """CUS-70 on the merge pages: after an undone merge the other customer is hidden again from a
    salesperson who may see only their own customers: "#id", never its name."""
    from core.customers.merging import service as merging
    from tests.helpers import policy_since

    a, _b = two_tenants
    policy_since(a.id, "cus", {"visibility": "own", "pool_visible": False}, "2026-01-01")
    mine_id, _ = make_tenant.user(a, "sales-a", roles=["salesperson"])
    other_id, _ = make_tenant.user(a, "sales-c", roles=["salesperson"])
    with tenant_scope(a.id):
        mine, _ = create_customer({"name": "张三", "phones": [{"number": "13911115555"}]}, created_by=mine_id)
        theirs, _ = create_customer({"name": "张三丰", "phones": [{"number": "13911116666"}]}, created_by=other_id)
        ownership.record_claim(mine.id, kind="register", at=utcnow(), claimant_id=mine_id, source_type="test")
        ownership.record_claim(theirs.id, kind="register", at=utcnow(), claimant_id=other_id, source_type="test")
        record = merging.merge(mine.id, theirs.id, reason="同一客户重复登记", by=None)
        merging.undo(mine.id, record.id, by=None, reason="并非同一客户")
        db.session.commit()
        mine_id_, theirs_id, merge_id = mine.id, theirs.id, record.id
    login(client, "tenant-a", "sales-a")
    assert client.get(f"/t/tenant-a/customers/{theirs_id}").status_code == 404
    for url in ("/t/tenant-a/customers/manage/merges", f"/t/tenant-a/customers/manage/{mine_id_}/merges/{merge_id}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "张三丰" not in page, url


def test_a_foreign_customer_is_404_before_any_role_is_checked(client, two_tenants, make_tenant):
    """The object first: a salesperson posting a manager's step on another tenant's customer learns
    nothing (404), not that the step needs another role (403)."""
    a, b = two_tenants
    make_tenant.user(a, "plain-sales", roles=["salesperson"])
    with tenant_scope(b.id):
        foreign, _ = create_customer({"name": "乙方客户", "phones": [{"number": "13911117777"}]})
        db.session.commit()
        foreign_id = foreign.id
    login(client, "tenant-a", "plain-sales")
    token = _csrf(client.get("/t/tenant-a/").get_data(as_text=True))
    for step in ("claims/1/void", "cases", "cases/1/objections", "cases/1/quarrels", "grades/grade"):
        r = client.post(f"/t/tenant-a/customers/manage/{foreign_id}/{step}", data={"csrf_token": token})
        assert r.status_code == 404, (step, r.status_code)


def test_refusal_status():
    from marshmallow import ValidationError

    from core.errors import Forbidden, NotFound
    from web.portal.forms import refusal_status

    assert refusal_status(ValidationError({"x": ["bad"]})) == 422
    assert refusal_status(Conflict("no")) == 409 and refusal_status(Forbidden("no")) == 403
    try:
        refusal_status(NotFound("renewal not found"))
    except NotFound:
        pass
    else:
        raise AssertionError("a record of another tenant named in a form is a 404, not a form error")
