"""The attribution pages and endpoints: the disputed-attribution "why" page in Chinese (rule, reason,
both share sets, the deal's decision), recording facts through the portal and the API, the manager's
bulk attribution of a launch day, roles and other tenants' objects (404)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.decisions import service as decisions
from plugins.real_estate.reception_models import AttributionEvent
from tests.plugins.real_estate.attribution_support import Office, at
from tests.web.portal.test_login import _csrf, login


@pytest.fixture
def office(make_tenant):
    return Office(make_tenant)


def _post(client, page_url, url, data):
    token = _csrf(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _li_refuses_b(office):
    li = office.customer("李女士")
    office.reception(li, at(3, 1), "B", rotation=True)
    office.reception(li, at(4, 15), "A", refused="B", designated="A", present=("A", "B"))
    return li


def test_why_page_renders_the_rule_reason_and_split_in_chinese(client, office):
    with office.scope():
        li = _li_refuses_b(office)
        credit = office.subscribe(li, at(4, 20), "A")
        deal_decision = credit.decision_id
    assert login(client, office.handle.slug, "manager").status_code == 302
    page = client.get(f"/t/{office.handle.slug}/re/attribution/customers/{li}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "此客户现在成交归谁，为什么" in html and "RE-13" in html
    assert "客户拒绝" in html and "奖金" in html and "业绩" in html
    assert "80.00%" in html and "20.00%" in html
    assert f"/decisions/{deal_decision}" in html  # the deal's own decision page
    nav = client.get(f"/t/{office.handle.slug}/re/attribution").get_data(as_text=True)
    assert "判客" in nav


def test_recording_a_complaint_and_verifying_it_in_the_portal(client, office):
    with office.scope():
        li = _li_refuses_b(office)
    slug = office.handle.slug
    page = f"/t/{slug}/re/attribution/customers/{li}"
    assert login(client, slug, "sp-a").status_code == 302
    bad = _post(client, page, f"{page}/facts", {"kind": "complaint", "against_id": ""})
    assert bad.status_code == 422 and "不是本公司的员工" in bad.get_data(as_text=True)
    ok = _post(client, page, f"{page}/facts", {"kind": "complaint", "against_id": str(office["B"]),
                                               "at": "2026-04-15T11:00", "note": "态度差"})
    assert ok.status_code == 302
    with office.scope():
        event = db.session.query(AttributionEvent).one()
        event_id = event.id
    # a salesperson may not decide
    assert _post(client, page, f"/t/{slug}/re/attribution/facts/{event_id}/decision",
                 {"verdict": "verified"}).status_code == 403
    client.post(f"/t/{slug}/logout", data={"csrf_token": _csrf(client.get(page).get_data(as_text=True))})
    assert login(client, slug, "supervisor").status_code == 302
    done = _post(client, page, f"/t/{slug}/re/attribution/facts/{event_id}/decision", {"verdict": "verified"})
    assert done.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "RE-15" in html and "已核实" in html


def test_bulk_attribution_page(client, office):
    with office.scope():
        ids = [office.customer(f"开盘客户{i}") for i in range(3)]
        for i, cid in enumerate(ids):
            office.reception(cid, at(10, 10, 9, i), "ABC"[i], rotation=True, event="launch")
    slug = office.handle.slug
    assert login(client, slug, "manager").status_code == 302
    page = f"/t/{slug}/re/attribution/bulk?event=launch&day=2026-10-10"
    html = client.get(page).get_data(as_text=True)
    assert "开盘客户0" in html and "批量判客" in html
    refused = _post(client, page, f"/t/{slug}/re/attribution/bulk", {"event": "launch", "day": "2026-10-10",
                                                                      "reason": ""})
    assert refused.status_code == 422
    data = {"event": "launch", "day": "2026-10-10", "reason": "开盘当日按接待顺序判定",
            **{f"owner_{cid}": str(office["ABC"[i]]) for i, cid in enumerate(ids)}}
    assert _post(client, page, f"/t/{slug}/re/attribution/bulk", data).status_code == 302
    with office.scope():
        made = db.session.scalars(decisions.query(rule_id="RE-24", subject_type="customer")).all()
        assert len(made) == 3 and {d.decided_by for d in made} == {office.manager}


def test_api_preview_facts_and_bulk(client, office):
    with office.scope():
        li = _li_refuses_b(office)
        launch = office.customer("开盘客户")
        office.reception(launch, at(10, 10, 9), "C", rotation=True, event="launch")
    sales = {"Authorization": f"Bearer {office.manager_token}"}
    answer = client.get(f"/api/v1/re/attribution/customers/{li}", headers=sales).get_json()
    assert answer["rule_id"] == "RE-13" and answer["performance"] == [
        {"user_id": office["A"], "department_id": None, "percent": "100.00"}]
    assert [s["percent"] for s in answer["bonus"]] == ["80.00", "20.00"] and answer["credit_id"] is None
    r = client.post(f"/api/v1/re/attribution/customers/{li}/facts", headers=sales,
                    json={"kind": "discount_seeking", "approached_id": office["C"], "at": "2026-04-16T10:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/re/attribution/customers/{li}/facts", headers=sales,
                    json={"kind": "quarrel", "parties": [office["A"]]})
    assert r.status_code == 422 and "parties" in r.get_json()["errors"]["json"]
    body = {"event": "launch", "day": "2026-10-10", "reason": "开盘当日统一判定",
            "assignments": [{"customer_id": launch, "performance": [{"user_id": office["C"], "percent": "100"}],
                             "bonus": [{"user_id": office["C"], "percent": "100"}]}]}
    r = client.post("/api/v1/re/attribution/bulk", headers=sales, json=body)
    assert r.status_code == 201, r.get_json()
    override = r.get_json()[0]
    assert override["decided_by"] == office.manager
    got = client.get(f"/api/v1/re/attribution/overrides/{override['id']}", headers=sales)
    assert got.status_code == 200
    seller = {"Authorization": f"Bearer {_salesperson_token(office)}"}
    assert client.post("/api/v1/re/attribution/bulk", headers=seller, json=body).status_code == 403


def _salesperson_token(office):
    from core.accounts.service import issue_token
    from core.audit.recorder import acting_as
    from core.tenancy import tenant_scope
    from tests.plugins.real_estate.attribution_support import user_named

    with tenant_scope(office.handle.id), acting_as("test"):
        _token, raw = issue_token(user_named("sp-a"), "test", ["read", "write"])
        db.session.commit()
    return raw


def test_another_tenants_customer_is_404(client, make_tenant, office):
    other = Office(make_tenant, "re-b", "乙置业")
    with other.scope():
        theirs = other.customer("乙方客户")
    headers = {"Authorization": f"Bearer {office.manager_token}"}
    assert client.get(f"/api/v1/re/attribution/customers/{theirs}", headers=headers).status_code == 404
    assert login(client, office.handle.slug, "manager").status_code == 302
    assert client.get(f"/t/{office.handle.slug}/re/attribution/customers/{theirs}").status_code == 404


def test_the_supervisor_may_not_decide_a_complaint_about_themselves_through_the_api_or_portal(client, office):
    """RE-15: the refusal is the service's, so the API and the portal both answer 403, nothing written."""
    with office.scope():
        li = office.customer("李女士")
        office.reception(li, at(3, 1), "B", rotation=True)
    supervisor = {"Authorization": f"Bearer {office.supervisor_token}"}
    r = client.post(f"/api/v1/re/attribution/customers/{li}/facts", headers=supervisor,
                    json={"kind": "complaint", "against_id": office.supervisor, "at": "2026-04-15T11:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    event_id = r.get_json()["id"]
    r = client.post(f"/api/v1/re/attribution/facts/{event_id}/decision", headers=supervisor,
                    json={"verdict": "rejected"})
    assert r.status_code == 403 and "RE-15" in r.get_data(as_text=True)
    slug = office.handle.slug
    assert login(client, slug, "supervisor").status_code == 302
    page = f"/t/{slug}/re/attribution/customers/{li}"
    assert _post(client, page, f"/t/{slug}/re/attribution/facts/{event_id}/decision",
                 {"verdict": "verified"}).status_code == 403
    with office.scope():
        event = db.session.scalars(select(AttributionEvent).where(AttributionEvent.id == event_id)).one()
        assert event.status == "pending"
        assert db.session.scalars(decisions.query(rule_id="RE-15", subject_type="customer")).first() is None


def test_the_bulk_attribution_is_the_managers_not_the_supervisors(client, office):
    """RE-24 "the manager decides": the sales supervisor gets 403 from the API and the portal."""
    with office.scope():
        launch = office.customer("开盘客户")
        office.reception(launch, at(10, 10, 9), "C", rotation=True, event="launch")
    body = {"event": "launch", "day": "2026-10-10", "reason": "开盘当日统一判定",
            "assignments": [{"customer_id": launch, "performance": [{"user_id": office["C"], "percent": "100"}],
                             "bonus": [{"user_id": office["C"], "percent": "100"}]}]}
    supervisor = {"Authorization": f"Bearer {office.supervisor_token}"}
    assert client.post("/api/v1/re/attribution/bulk", headers=supervisor, json=body).status_code == 403
    slug = office.handle.slug
    assert login(client, slug, "supervisor").status_code == 302
    assert client.get(f"/t/{slug}/re/attribution/bulk?event=launch&day=2026-10-10").status_code == 403
    assert 'id="bulk"' not in client.get(f"/t/{slug}/re/attribution").get_data(as_text=True)
    with office.scope():
        assert db.session.scalars(decisions.query(rule_id="RE-24", subject_type="customer")).first() is None


def test_a_superscript_digit_in_a_form_is_a_4xx_not_a_500(client, office):
    """"²" is a digit for ``str.isdigit`` but not for ``int``: the ids of the forms are read with ``as_id``."""
    with office.scope():
        launch = office.customer("开盘客户")
        office.reception(launch, at(10, 10, 9), "C", rotation=True, event="launch")
    slug = office.handle.slug
    assert login(client, slug, "manager").status_code == 302
    assert client.get(f"/t/{slug}/re/attribution?customer_id=²").status_code == 404
    page = f"/t/{slug}/re/attribution/bulk?event=launch&day=2026-10-10"
    r = _post(client, page, f"/t/{slug}/re/attribution/bulk",
              {"event": "launch", "day": "2026-10-10", "reason": "开盘", "owner_²": "²", f"owner_{launch}": "²"})
    assert r.status_code == 422
