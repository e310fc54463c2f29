"""RE-30 units and their moves, RE-31 holds (atomic, lapse), RE-32 deposits through finance only,
over the API."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from core.db import db
from core.decisions import service as decisions
from core.notifications.models import Notification
from core.tenancy import tenant_scope
from plugins.real_estate.sales_models import Hold, Unit
from tests.plugins.real_estate import sales_fixtures
from tests.plugins.real_estate.sales_fixtures import (
    API,
    SUBSCRIPTION,
    at,
    deposit,
    hold,
)

office = sales_fixtures.office  # the fixture


def _unit(office):
    return db.session.scalars(select(Unit).where(Unit.id == office.unit_id)).one()


def unit_state(client, office):
    return client.get(f"{API}/units/{office.unit_id}", headers=office.h("wang")).get_json()["state"]


def test_projects_buildings_units_and_price_edits(client, office):
    listed = client.get(f"{API}/units", headers=office.h("wang"), query_string={"state": "available"}).get_json()
    assert [u["number"] for u in listed] == ["3-1502"]
    assert listed[0]["price"] == "1480000.00" and listed[0]["area"] == "118.00"
    # managers and master sales control edit prices; a salesperson does not
    assert client.patch(f"{API}/units/{office.unit_id}", headers=office.h("wang"),
                        json={"price": "1500000.00"}).status_code == 403
    edited = client.patch(f"{API}/units/{office.unit_id}", headers=office.h("sun"), json={"price": "1500000.00"})
    assert edited.status_code == 200 and edited.get_json()["price"] == "1500000.00"
    assert client.post(f"{API}/buildings/{office.building_id}/units", headers=office.h("zhao"), json={
        "number": "3-1502", "area": "90", "price": "900000"}).status_code == 422  # the number is taken


def test_re30_available_to_subscribed_without_a_hold_is_409(client, office):
    made = client.post(f"{API}/subscriptions", headers=office.h("wang"),
                       json={"unit_id": office.unit_id, "customer_id": office.customer_id, **SUBSCRIPTION})
    assert made.status_code == 409
    body = made.get_json()
    assert body["rule_id"] == "RE-30" and "须先核对销控并锁定房源" in body["reason_zh"]
    assert unit_state(client, office) == "available"


def test_re31_hold_then_second_hold_is_409_naming_the_holder(client, office):
    first = hold(client, office, "wang")
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["status"] == "active"
    second = hold(client, office, "li")
    assert second.status_code == 409
    assert "wang" in second.get_json()["reason_zh"] and second.get_json()["holder_id"] == office.ids["wang"]
    assert unit_state(client, office) == "held"
    with tenant_scope(office.handle.id):
        notes = db.session.scalars(select(Notification).where(Notification.kind == "re.hold")).all()
        assert [n.user_id for n in notes] == [office.ids["sun"]]  # master sales control is told


def test_re31_release_by_holder_or_manager_and_extension_by_manager(client, office):
    hold_id = hold(client, office, "wang").get_json()["id"]
    assert client.post(f"{API}/holds/{hold_id}/release", headers=office.h("li")).status_code == 403
    assert client.post(f"{API}/holds/{hold_id}/extend", headers=office.h("wang"),
                       json={"until": "2099-01-01T10:00:00+08:00"}).status_code == 403
    extended = client.post(f"{API}/holds/{hold_id}/extend", headers=office.h("zhao"),
                           json={"until": "2099-01-01T10:00:00+08:00"})
    assert extended.status_code == 200 and extended.get_json()["extended_by"] == office.ids["zhao"]
    released = client.post(f"{API}/holds/{hold_id}/release", headers=office.h("wang"))
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    assert unit_state(client, office) == "available"
    assert client.post(f"{API}/holds/{hold_id}/release", headers=office.h("wang")).status_code == 409


def test_re31_hold_at_10_without_deposit_is_available_again_at_1030(client, office):
    from core.accounts.models import User
    from plugins.real_estate import holds
    from workers import dispatch

    with tenant_scope(office.handle.id):
        wang = db.session.scalars(select(User).where(User.id == office.ids["wang"])).one()
        unit = _unit(office)
        record = holds.hold(unit, by=wang, customer_id=office.customer_id, at=at("2026-09-21 10:00"))
        db.session.commit()
        assert record.expires_at == at("2026-09-21 10:30")
        dispatch.enqueue("re.hold_lapse", {"as_of": at("2026-09-21 10:29").isoformat()})
        db.session.commit()
        assert _unit(office).state == "held"
        dispatch.enqueue("re.hold_lapse", {"as_of": at("2026-09-21 10:30").isoformat()})
        db.session.commit()
        db.session.expire_all()
        assert _unit(office).state == "available"
        lapsed = db.session.scalars(select(Hold).where(Hold.id == record.id)).one()
        assert lapsed.status == "lapsed" and lapsed.decision_id
        decision = db.session.scalars(decisions.query(rule_id="RE-31")).one()
        assert "2026-09-21 10:30" in decision.reason_zh and "恢复可售" in decision.reason_zh
        assert decision.reason_en.startswith("the hold lapsed at 2026-09-21 10:30")
        # idempotent: a second run changes nothing
        assert holds.lapse_due(at("2026-09-21 10:45")) == []
        assert len(db.session.scalars(decisions.query(rule_id="RE-31")).all()) == 1


@pytest.mark.postgres_only
def test_re31_two_concurrent_holds_on_3_1502_one_201_one_409(app, client, office):
    results, start = [], threading.Barrier(2)

    def hold_now(who):
        with app.app_context():
            start.wait(5)
            answer = app.test_client().post(f"{API}/units/{office.unit_id}/holds", headers=office.h(who),
                                            json={"customer_id": office.customer_id})
            results.append(answer.status_code)

    threads = [threading.Thread(target=hold_now, args=(who,)) for who in ("wang", "li")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == [201, 409]
    with tenant_scope(office.handle.id):
        active = db.session.scalars(select(Hold).where(Hold.unit_id == office.unit_id, Hold.status == "active")).all()
        assert len(active) == 1
        assert _unit(office).state == "held"


def test_re32_salesperson_posting_a_deposit_is_403_nothing_written(client, office):
    hold(client, office)
    refused = deposit(client, office, who="wang")
    assert refused.status_code == 403 and refused.get_json()["rule_id"] == "RE-32"
    assert unit_state(client, office) == "held"
    assert client.get(f"{API}/deposits", headers=office.h("qian")).get_json() == []


def test_re32_finance_posts_5000_small_deposit_unit_small_deposit_register_row(client, office):
    hold_id = hold(client, office).get_json()["id"]
    made = deposit(client, office, amount="5000")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["amount"] == "5000.00" and made.get_json()["salesperson_id"] == office.ids["wang"]
    assert unit_state(client, office) == "small_deposit"
    register = client.get(f"{API}/deposits", headers=office.h("zhou"), query_string={"kind": "small"}).get_json()
    assert [(r["receipt_no"], r["amount"]) for r in register] == [("XD-0001", "5000.00")]
    assert client.get(f"{API}/deposits", headers=office.h("zhou"), query_string={"kind": "big"}).get_json() == []
    assert client.get(f"{API}/holds/{hold_id}", headers=office.h("wang")).get_json()["status"] == "converted"
    # the receipt number is unique; a big deposit follows
    assert deposit(client, office, "big", "50000", "XD-0001").status_code == 422
    assert deposit(client, office, "big", "50000", "DD-0001").status_code == 201
    assert unit_state(client, office) == "big_deposit"


def test_re32_deposit_on_an_available_unit_is_409(client, office):
    assert deposit(client, office).status_code == 409


def test_units_import_from_csv_all_or_nothing(client, office):
    url = f"{API}/buildings/{office.building_id}/units/import"
    bad = "number,floor,area,price\n3-1601,16,118,1490000\n3-1602,16,,1490000\n"
    refused = client.post(url, headers=office.h("sun"), json={"csv": bad})
    assert refused.status_code == 422 and "row 3.area" in refused.get_json()["errors"]["json"]
    good = "number,floor,layout,area,price,orientation,popularity\n3-1601,16,三室两厅,118,1490000,南北,hot\n" \
           "3-1602,16,两室两厅,89,1150000,南,regular\n"
    made = client.post(url, headers=office.h("sun"), json={"csv": good})
    assert made.status_code == 201, made.get_json()
    assert [u["number"] for u in made.get_json()] == ["3-1601", "3-1602"]
    listed = client.get(f"{API}/units", headers=office.h("wang"), query_string={"building_id": office.building_id})
    assert len(listed.get_json()) == 3
    assert client.post(url, headers=office.h("wang"), json={"csv": good}).status_code == 403


def test_units_import_with_an_odd_floor_is_a_row_level_422(client, office):
    """A floor that is not a whole number of the building ("²" passes ``str.isdigit`` but not ``int``, a
    huge number overflows the column) is the row's field message, never a 500; nothing is imported."""
    url = f"{API}/buildings/{office.building_id}/units/import"
    for floor in ("²", "99999999999999999999", "B1"):
        refused = client.post(url, headers=office.h("sun"),
                              json={"csv": f"number,floor,area,price\n3-1601,16,118,1490000\n9-9,{floor},100,1000000\n"})
        assert refused.status_code == 422, (floor, refused.status_code)
        assert "row 3.floor" in refused.get_json()["errors"]["json"]
    made = client.post(url, headers=office.h("sun"), json={"csv": "number,floor,area,price\n-1-01,-1,30,90000\n"})
    assert made.status_code == 201 and made.get_json()[0]["floor"] == -1
    listed = client.get(f"{API}/units", headers=office.h("wang"), query_string={"building_id": office.building_id})
    assert len(listed.get_json()) == 2


def _expired_hold(office):
    """wang's hold on 3-1502 taken 31 minutes ago (``re.hold.ttl`` 30): past its expiry, not lapsed yet."""
    import datetime as dt

    from core.accounts.models import User
    from core.db import utcnow
    from plugins.real_estate import holds

    with tenant_scope(office.handle.id):
        wang = db.session.scalars(select(User).where(User.id == office.ids["wang"])).one()
        record = holds.hold(_unit(office), by=wang, customer_id=office.customer_id,
                            at=utcnow() - dt.timedelta(minutes=31))
        db.session.commit()
        return record.id


def test_re31_a_deposit_on_an_expired_hold_is_409_hold_again(client, office):
    """RE-31/32: the hold expired a minute ago (the lapse job has not run yet): finance's ¥5,000 deposit
    is 409 "hold again", nothing written; the unit stays held until the job lapses it."""
    _expired_hold(office)
    refused = deposit(client, office)
    assert refused.status_code == 409 and "锁定已过期" in refused.get_json()["reason_zh"], refused.get_json()
    assert client.get(f"{API}/deposits", headers=office.h("qian")).get_json() == []
    assert unit_state(client, office) == "held"


@pytest.mark.postgres_only
def test_re31_the_lapse_job_skips_a_unit_locked_by_a_deposit_in_progress(client, office, owner_engine):
    """RE-31: lock order unit → hold. While another transaction holds 3-1502's row (a deposit being
    recorded), the lapse job skips it instead of waiting; once it is free, the hold lapses."""
    from plugins.real_estate import holds

    hold_id = _expired_hold(office)
    with owner_engine.connect() as other:  # the table owner: no row-level security in the way
        locked = other.execute(Unit.__table__.select().where(Unit.id == office.unit_id).with_for_update()).all()
        assert len(locked) == 1
        with tenant_scope(office.handle.id):
            assert holds.lapse_due() == []
            db.session.rollback()
        other.rollback()
    with tenant_scope(office.handle.id):
        assert holds.lapse_due() == [hold_id]
        db.session.commit()
        assert _unit(office).state == "available"
