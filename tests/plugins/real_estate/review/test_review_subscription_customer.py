"""Review: a subscription is written for the buyer who paid the deposits on the unit (RE-32/33)."""
from __future__ import annotations

from tests.plugins.real_estate.sales_fixtures import API, SUBSCRIPTION, deposit, hold, office  # noqa: F401


def test_subscription_for_a_customer_other_than_the_depositor_is_refused(client, office):
    assert hold(client, office).status_code == 201
    assert deposit(client, office).status_code == 201
    assert deposit(client, office, "big", "50000.00", "DD-0001").status_code == 201
    other = client.post("/api/v1/customers", headers=office.handle.headers(), json={
        "name": "李四", "phones": [{"number": "13900139000"}]}).get_json()["id"]
    made = client.post(f"{API}/subscriptions", headers=office.h("li"),
                       json={"unit_id": office.unit_id, "customer_id": other, **SUBSCRIPTION})
    assert made.status_code in (409, 422), made.get_json()
