"""CUS-15 merge service: rows that cannot move stay with the tombstone and are restored as they were,
a household link between the two never makes a self-link, tombstones leave households and duplicate
detection, and nothing crosses tenants."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.customers.archive.models import CustomerDocument
from core.customers.merging import service as merging
from core.customers.models import CustomerKey
from core.customers.ownership import clock, households
from core.customers.ownership.models import HouseholdLink
from core.customers.policy import cus_policy
from core.customers.service import create_customer, search
from core.db import db
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy import tenant_scope

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def merge_day(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 5, 5, 10, 0, tzinfo=SH))


def _documents(customer_id):
    return sorted((d.item_code, d.scan_ref) for d in db.session.scalars(
        select(CustomerDocument).where(CustomerDocument.customer_id == customer_id)))


def test_unique_rows_and_links_between_the_two_stay_with_the_tombstone(ctx, two_tenants):
    t1, _t2 = two_tenants
    with tenant_scope(t1.id):
        a, _ = create_customer({"name": "王小明", "phones": [{"number": "13800138000"}]})
        b, _ = create_customer({"name": "王晓明", "phones": [{"number": "13900139000"}]})
        c, _ = create_customer({"name": "王大明", "phones": [{"number": "13700137000"}]})
        db.session.add_all([CustomerDocument(customer_id=a.id, item_code="id_copy", scan_ref="a-id"),
                            CustomerDocument(customer_id=b.id, item_code="id_copy", scan_ref="b-id"),
                            CustomerDocument(customer_id=b.id, item_code="licence", scan_ref="b-lic")])
        link_ab = households.add_link(b.id, a.id, "spouse")
        link_bc = households.add_link(c.id, b.id, "child")
        db.session.flush()
        a_id, b_id, c_id = a.id, b.id, c.id
        record = merging.merge(a_id, b_id, reason="重复建档", by=t1.admin_id)
        db.session.commit()

        assert _documents(a_id) == [("id_copy", "a-id"), ("licence", "b-lic")]
        assert _documents(b_id) == [("id_copy", "b-id")]  # A already had an ID copy
        kept = record.kept
        assert [why for _id, why in kept["customer_documents"]["customer_id"]] == ["unique"]
        assert kept["household_links"]["customer_id"] == [[link_ab.id, "self"]]
        links = {link.id: (link.customer_id, link.related_id) for link in db.session.scalars(select(HouseholdLink))}
        assert links == {link_ab.id: (b_id, a_id), link_bc.id: (c_id, a_id)}  # C's link now names A
        # the tombstone is out of households, search and duplicate detection
        assert households.household(a_id, cus_policy().values)[0] == sorted([a_id, c_id])
        assert b_id not in [x.id for x in db.session.scalars(search())]
        assert not list(db.session.scalars(select(CustomerKey).where(CustomerKey.customer_id == b_id)))
        with pytest.raises(Conflict) as err:
            create_customer({"name": "王晓明", "phones": [{"number": "13900139000"}]})
        assert err.value.extra["existing_id"] == a_id  # B's mobile lives on A
        db.session.rollback()

        undone = merging.undo(a_id, record.id, by=t1.admin_id)
        db.session.commit()
        assert undone.status == "undone"
        assert _documents(a_id) == [("id_copy", "a-id")]
        assert _documents(b_id) == [("id_copy", "b-id"), ("licence", "b-lic")]
        links = {link.id: (link.customer_id, link.related_id) for link in db.session.scalars(select(HouseholdLink))}
        assert links == {link_ab.id: (b_id, a_id), link_bc.id: (c_id, b_id)}


def test_bad_input_and_other_tenants(ctx, two_tenants):
    t1, t2 = two_tenants
    with tenant_scope(t2.id):
        foreign, _ = create_customer({"name": "外人", "phones": [{"number": "13900139000"}]})
        db.session.commit()
        foreign_id = foreign.id
    with tenant_scope(t1.id):
        a, _ = create_customer({"name": "王小明", "phones": [{"number": "13800138000"}]})
        db.session.commit()
        with pytest.raises(InvalidInput) as err:
            merging.merge(a.id, a.id, reason="x", by=None)
        assert "merged_id" in err.value.fields
        with pytest.raises(InvalidInput) as err:
            merging.merge(a.id, foreign_id, reason="  ", by=None)
        assert "reason" in err.value.fields
        with pytest.raises(NotFound):
            merging.merge(a.id, foreign_id, reason="x", by=None)
        with pytest.raises(NotFound):
            merging.undo(a.id, 999999, by=None)
        db.session.rollback()
    with tenant_scope(t2.id):
        assert [x.id for x in db.session.scalars(search())] == [foreign_id]
