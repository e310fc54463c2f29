"""Review: changes after the deal (RE-33, RE-41)."""
from __future__ import annotations

import pytest

from plugins.real_estate.sales_models import Subscription
from tests.plugins.real_estate.changes_world import add_contract, build_office, rows

API = "/api/v1/re/changes"
SALES = "/api/v1/re/sales"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def test_re41_a_rename_requested_before_the_contract_completes_after_it_without_the_fee(client, office):
    r = client.post(f"{API}/renames", json={"subscription_id": office.ids["subscription"], "new_name": "陈小姐"},
                    headers=office.headers("wang"))
    assert r.status_code == 201 and r.get_json()["fee"] == "0.00"
    add_contract(office, price="1480000")  # the contract is signed while the rename is open
    done = client.post(f"{API}/{r.get_json()['id']}/complete", headers=office.headers("wang"))
    # RE-41: after the contract a rename is a title transfer with its fee: it must not complete for free
    assert done.status_code == 409, done.get_json()


def test_an_amendment_pending_and_a_rename_both_make_version_2(client, office):
    sid = office.ids["subscription"]
    amend = client.post(f"{SALES}/subscriptions/{sid}/amendments", headers=office.headers("wang"),
                        json={"amendment_reason": "new mailing address", "mailing_address": "成都市武侯区1号",
                              "schedule": [{"due_on": "2026-03-10", "amount": "1130000.00"}]})
    assert amend.status_code == 201, amend.get_json()
    r = client.post(f"{API}/renames", json={"subscription_id": sid, "new_name": "陈小姐"},
                    headers=office.headers("wang"))
    assert r.status_code in (201, 409), r.get_json()
    if r.status_code == 201:
        done = client.post(f"{API}/{r.get_json()['id']}/complete", headers=office.headers("wang"))
        print("COMPLETE", done.status_code, done.get_json())
        assert done.status_code in (200, 409), done.status_code  # not a 500 (unique number+version)
        if done.status_code == 200:
            from plugins.real_estate.sales_models import Subscription
            with office.scope():
                versions = [(s.version, s.previous_id, s.status) for s in rows(Subscription)]
            print(versions)
            assert len({v for v, _p, _s in versions}) == len(versions), versions
