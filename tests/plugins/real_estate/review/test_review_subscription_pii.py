"""Review: another salesperson's buyer (hidden by CUS-70) must not show with name and phone in the
subscription list."""
from __future__ import annotations

from tests.plugins.real_estate.sales_fixtures import API, office, subscribed  # noqa: F401


def test_subscription_list_shows_a_hidden_buyers_phone(client, office):
    sub = subscribed(client, office)  # wang's sale
    core = client.get(f"/api/v1/customers/{office.customer_id}", headers=office.h("li"))
    assert core.status_code == 404, "the core hides wang's customer from li"
    listed = client.get(f"{API}/subscriptions", headers=office.h("li")).get_json()
    assert all(s.get("phone") != sub["phone"] for s in listed), listed
