"""The sales office of the sales-control tests: tenant 甲置业 with the real-estate plugin, its people,
project 锦城花园, building 3号楼 and unit 3-1502 (118 m², ¥1,480,000), a customer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

API = "/api/v1/re/sales"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    """``"2026-09-21 10:00"`` in the office's zone (Asia/Shanghai), aware."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Office:
    handle: object
    tokens: dict
    ids: dict
    unit_id: int
    building_id: int
    project_id: int
    customer_id: int
    extra: dict = field(default_factory=dict)

    def h(self, who: str) -> dict:
        return self.handle.headers(self.tokens[who])


PEOPLE = {
    "wang": ["salesperson"], "li": ["salesperson"], "zhao": ["sales_manager"], "qian": ["finance"],
    "sun": ["master_sales_control"], "zhou": ["assistant"],
}


@pytest.fixture
def office(client, make_tenant):
    handle = make_tenant("re-a", "甲置业", plugins=["real_estate"])
    tokens, ids = {}, {}
    for name, roles in PEOPLE.items():
        ids[name], tokens[name] = make_tenant.user(handle, name, roles=roles)
    tokens["admin"] = handle.admin_token
    h = handle.headers(tokens["zhao"])
    project = client.post(f"{API}/projects", headers=h, json={"name": "锦城花园", "city": "成都"})
    assert project.status_code == 201, project.get_json()
    project_id = project.get_json()["id"]
    building = client.post(f"{API}/projects/{project_id}/buildings", headers=h, json={"name": "3号楼", "floors": 18})
    assert building.status_code == 201, building.get_json()
    building_id = building.get_json()["id"]
    unit = client.post(f"{API}/buildings/{building_id}/units", headers=h, json={
        "number": "3-1502", "floor": 15, "layout": "三室两厅", "area": "118.00", "price": "1480000.00",
        "orientation": "南北", "popularity": "hot"})
    assert unit.status_code == 201, unit.get_json()
    customer = client.post("/api/v1/customers", headers=handle.headers(), json={
        "name": "张伟", "phones": [{"number": "13800138000"}]})
    assert customer.status_code == 201, customer.get_json()
    return Office(handle, tokens, ids, unit.get_json()["id"], building_id, project_id, customer.get_json()["id"])


def hold(client, office, who="wang"):
    return client.post(f"{API}/units/{office.unit_id}/holds", headers=office.h(who),
                       json={"customer_id": office.customer_id})


def deposit(client, office, kind="small", amount="5000.00", receipt="XD-0001", who="qian"):
    return client.post(f"{API}/units/{office.unit_id}/deposits", headers=office.h(who), json={
        "kind": kind, "amount": amount, "receipt_no": receipt, "customer_id": office.customer_id})


SUBSCRIPTION = {"buyer_name": "张伟", "phone": "13800138000", "mailing_address": "成都市锦江区东大街1号",
                "postcode": "610000", "price": "1480000.00", "balance": "1000000.00",
                "schedule": [{"due_on": "2026-10-10", "amount": "500000.00"},
                             {"due_on": "2026-12-10", "amount": "500000.00"}]}


def subscribed(client, office):
    """Unit 3-1502 held, small and big deposits by finance, a signed subscription; returns it."""
    assert hold(client, office).status_code == 201
    assert deposit(client, office).status_code == 201
    assert deposit(client, office, "big", "50000.00", "DD-0001").status_code == 201
    made = client.post(f"{API}/subscriptions", headers=office.h("wang"),
                       json={"unit_id": office.unit_id, "customer_id": office.customer_id, **SUBSCRIPTION})
    assert made.status_code == 201, made.get_json()
    signed = client.post(f"{API}/subscriptions/{made.get_json()['id']}/sign", headers=office.h("wang"))
    assert signed.status_code == 200, signed.get_json()
    return signed.get_json()
