"""The CUS-05 timeline is assembled from a plain list of sources: a new module (complaints, work orders)
adds its records by appending a source, and paging merges the sources newest first."""
import datetime as dt

from core.customers import timeline
from core.customers.models import ContactLogEntry
from core.db import db
from core.tenancy import tenant_scope
from tests.web.api.test_customers_api import WANG

UTC = dt.timezone.utc


def test_a_new_source_joins_the_timeline_and_paging_merges_sources(client, two_tenants, monkeypatch):
    a, _b = two_tenants
    cid = client.post("/api/v1/customers", headers=a.headers(), json=WANG).get_json()["id"]
    with tenant_scope(a.id):
        for day in (1, 3, 5):
            db.session.add(ContactLogEntry(customer_id=cid, channel="phone_answered", user_id=a.admin_id,
                                           at=dt.datetime(2026, 3, day, 2, tzinfo=UTC), content=f"第{day}次"))
        db.session.commit()

        def complaints(customer_id, types, limit):
            assert customer_id == cid
            return [timeline.TimelineItem("complaint", dt.datetime(2026, 3, d, 2, tzinfo=UTC), None, f"投诉{d}",
                                          f"complaint {d}", "complaints", 100 + d) for d in (4, 2)][:limit]

        sources = [*timeline.SOURCES, timeline.Source(("complaint",), complaints, lambda customer_id, types: 2)]
        monkeypatch.setattr(timeline, "SOURCES", sources)
        assert "complaint" in timeline.item_types()
        page, total = timeline.timeline(cid, offset=0, limit=10)
        assert total == 5
        assert [(i["type"], i["at"].day) for i in page] == [
            ("contact", 5), ("complaint", 4), ("contact", 3), ("complaint", 2), ("contact", 1)]
        assert page[0]["actor_name"] and page[1]["actor_name"] is None
        second, total = timeline.timeline(cid, offset=2, limit=2)
        assert [(i["type"], i["at"].day) for i in second] == [("contact", 3), ("complaint", 2)] and total == 5
        only, total = timeline.timeline(cid, types=["complaint"], offset=0, limit=10)
        assert [i["summary_en"] for i in only] == ["complaint 4", "complaint 2"] and total == 2
