"""The reception never names a customer the viewer may not see (CUS-70): the desk and a reception's page
and the API's reads are for those who register arrivals and the managers; a reception of a hidden
customer is 404 unless the viewer received it, registered it or manages the office; the decisions of the
receptions name the customer "#<id>". And the forms' ids: a superscript "²" is a 4xx, never a 500."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.audit.recorder import acting_as
from core.customers import ownership_store
from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.portal.reception import arrival_body, minutes_lines, order_from
from plugins.real_estate.reception_models import Reception
from tests.plugins.real_estate.office_world import D, build_office, reception
from tests.web.portal.test_login import _csrf, login

BASE = "/t/re-a/re/reception"
API = "/api/v1/re/reception"


@pytest.fixture
def office(make_tenant):
    """赵四 is li's protected customer: the core hides them from wang (CUS-70)."""
    office = build_office(make_tenant)
    with tenant_scope(office.handle.id), acting_as("test"):
        ownership_store.set_owner(office.customers["赵四"], owner_id=office.users["li"], state="protected",
                                  rule_id="CUS-21", reason_zh="测试", reason_en="test")
        db.session.commit()
    return office


def _hidden_reception(office) -> int:
    with tenant_scope(office.handle.id):
        reception(office, D(2026, 9, 21), customer="赵四", receiver="li")
        db.session.commit()
        return db.session.query(Reception.id).scalar()


def test_a_reception_of_a_hidden_customer_is_404_to_another_salesperson(client, office):
    rid = _hidden_reception(office)
    assert client.get(f"/api/v1/customers/{office.customers['赵四']}", headers=office.headers("wang")).status_code == 404
    assert login(client, "re-a", "wang").status_code == 302
    assert client.get(f"{BASE}/receptions/{rid}").status_code == 404
    assert client.get(f"{API}/receptions/{rid}", headers=office.headers("wang")).status_code == 404
    # its receiver and the managers see it
    assert client.get(f"{API}/receptions/{rid}", headers=office.headers("li")).status_code == 200
    assert client.get(f"{API}/receptions/{rid}", headers=office.headers("supervisor")).status_code == 200


def test_the_reception_pages_and_reads_are_for_the_office(client, office):
    rid = _hidden_reception(office)
    project = office.project_id
    for path in (f"/projects/{project}/desk", f"/projects/{project}/receptions", f"/receptions/{rid}"):
        assert client.get(f"{API}{path}", headers=office.headers("assistant")).status_code == 403, path
    assert login(client, "re-a", "assistant").status_code == 302
    assert client.get(f"{BASE}/{project}").status_code == 403
    assert client.get(f"{BASE}/receptions/{rid}").status_code == 403


def test_the_desk_names_a_hidden_customer_by_its_number(client, office):
    """Today's receptions on the desk: wang reads "#id" for li's protected customer."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with tenant_scope(office.handle.id):
        reception(office, today, customer="赵四", receiver="li")
        db.session.commit()
    assert login(client, "re-a", "wang").status_code == 302
    page = client.get(f"{BASE}/{office.project_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "赵四" not in html and f"#{office.customers['赵四']}" in html
    assert "/re/reception/receptions/" not in html  # no link to a page that would be 404 for wang


def test_the_decision_of_a_reception_does_not_name_the_customer(client, office):
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    r = client.put(f"{API}/projects/{office.project_id}/day", headers=office.headers("manager"),
                   json={"day": today, "order": [office.users["li"], office.users["wang"]]})
    assert r.status_code == 200, r.get_json()
    made = client.post(f"{API}/projects/{office.project_id}/receptions", headers=office.headers("li"),
                       json={"customer_name": "赵四", "phone": "13800138001", "visited_before": "yes",
                             "said_received_by": office.users["li"]})
    assert made.status_code == 201, made.get_json()
    decision = made.get_json()["decision"]
    customer_id = made.get_json()["customer_id"]
    assert "赵四" not in decision["reason_zh"] and "赵四" not in decision["reason_en"]
    assert f"#{customer_id}" in decision["reason_zh"]
    # the day's list (wang may read it) names nobody either
    listed = client.get(f"{API}/projects/{office.project_id}/receptions", headers=office.headers("wang"))
    assert listed.status_code == 200 and "赵四" not in listed.get_data(as_text=True)
    seen = client.get(f"{API}/receptions/{made.get_json()['id']}", headers=office.headers("wang"))
    assert seen.status_code == 404


def test_form_helpers_ignore_a_superscript_digit():
    assert arrival_body({"named": ["²", "7"], "assistant_id": "²", "designated_id": "²"})["named"] == [7]
    assert "assistant_id" not in arrival_body({"assistant_id": "²"})
    assert order_from({"position_1": "²", "position_²": "1", "position_3": "1"}) == [3]
    assert minutes_lines({"line": ["²:1", "5:6"]}) == [{"customer_id": 5, "salesperson_id": 6}]


def test_forms_posting_a_superscript_digit_get_a_4xx(client, office):
    assert login(client, "re-a", "manager").status_code == 302
    page = f"{BASE}/{office.project_id}/arrivals"
    token = _csrf(client.get(page).get_data(as_text=True))
    r = client.post(page, data={"csrf_token": token, "customer_name": "王", "phone": "13900000001",
                                "named": "²", "designated_id": "²"})
    assert r.status_code == 422  # RE-05 unanswered; the "²" ignored, not a 500
    day_page = f"{BASE}/{office.project_id}/day"
    token = _csrf(client.get(day_page).get_data(as_text=True))
    r = client.post(day_page, data={"csrf_token": token, "day": "2026-09-21",
                                    f"position_{office.users['wang']}": "²"})
    assert 400 <= r.status_code < 500
