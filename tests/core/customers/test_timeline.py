"""The CUS-05 timeline is assembled from a plain list of sources (contacts, transactions, ownership,
decisions, events, complaints...), and paging merges the sources newest first."""
import datetime as dt

from core.customers import timeline
from core.customers.models import ContactLogEntry
from core.db import db
from core.tenancy import tenant_scope
from tests.web.api.test_customers_api import WANG

UTC = dt.timezone.utc


def test_complaints_join_the_timeline_and_paging_merges_sources(client, two_tenants):
    a, _b = two_tenants
    cid = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    with tenant_scope(a.id):
        for day in (1, 3, 5):
            db.session.add(ContactLogEntry(customer_id=cid, channel="phone_answered", user_id=a.admin_id,
                                           at=dt.datetime(2026, 3, day, 2, tzinfo=UTC), content=f"第{day}次"))
        db.session.commit()
    numbers = {}
    for day in (4, 2):
        r = client.post("/api/v1/complaints", headers=a.headers(), json={
            "channel": "phone", "content": f"投诉{day}", "customer_id": cid, "received_at": f"2026-03-0{day}T10:00:00+08:00"})
        assert r.status_code == 201, r.get_json()
        numbers[day] = r.get_json()["number"]
    with tenant_scope(a.id):
        assert "complaint" in timeline.item_types()
        page, total = timeline.timeline(cid, types=["contact", "complaint"], offset=0, limit=10)
        assert total == 5
        assert [(i["type"], i["at"].day) for i in page] == [
            ("contact", 5), ("complaint", 4), ("contact", 3), ("complaint", 2), ("contact", 1)]
        assert page[1]["summary_zh"] == f"投诉 {numbers[4]}（other，一般，已登记）" and page[1]["actor_name"]
        second, total = timeline.timeline(cid, types=["contact", "complaint"], offset=2, limit=2)
        assert [(i["type"], i["at"].day) for i in second] == [("contact", 3), ("complaint", 2)] and total == 5
        only, total = timeline.timeline(cid, types=["complaint"], offset=0, limit=10)
        assert [i["summary_en"] for i in only] == [f"Complaint {numbers[4]} (other, general, received)",
                                                   f"Complaint {numbers[2]} (other, general, received)"] and total == 2


def test_a_viewer_excluded_from_a_case_does_not_see_its_timeline_item(client, two_tenants):
    """CMP-21: the employee complained about never sees the case — on the customer's timeline neither."""
    from core.audit.recorder import acting_as

    a, _b = two_tenants
    cid = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    for content, excluded in (("投诉甲", [a.admin_id]), ("投诉乙", [])):
        r = client.post("/api/v1/complaints", headers=a.headers(), json={
            "channel": "phone", "content": content, "customer_id": cid, "excluded_user_ids": excluded,
            "received_at": "2026-03-02T10:00:00+08:00"})
        assert r.status_code == 201, r.get_json()
    with tenant_scope(a.id):
        page, total = timeline.timeline(cid, types=["complaint"], offset=0, limit=10)
        assert total == 2 and len(page) == 2  # a job or the CLI: no viewer
        with acting_as(f"user:{a.admin_id}", a.admin_id):
            page, total = timeline.timeline(cid, types=["complaint"], offset=0, limit=10)
        assert total == 1 and len(page) == 1
