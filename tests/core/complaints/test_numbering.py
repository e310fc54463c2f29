"""CMP-05 case numbers: the spec's vectors (pure), then gap-free consecutive serials under 50
concurrent creates on PostgreSQL."""
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from core.complaints import numbering
from core.complaints.models import Complaint
from core.db import db
from core.tenancy import tenant_scope

SH = ZoneInfo("Asia/Shanghai")


def test_cmp05_period_follows_the_tenant_zone():
    received = dt.datetime(2026, 8, 31, 16, 5, tzinfo=dt.timezone.utc)  # 2026-09-01 00:05 Shanghai
    local = received.astimezone(SH)
    assert numbering.period_key(local, "monthly") == "202609"
    assert numbering.format_number("{YY}{MM}{serial:02}", local, 1) == "260901"
    assert numbering.format_number("{YY}{MM}{serial:02}", local, 12) == "260912"
    october = dt.datetime(2026, 10, 1, 9, tzinfo=SH)
    assert numbering.format_number("{YY}{MM}{serial:02}", october, 1) == "261001"


def test_cmp05_the_100th_case_widens_the_serial():
    local = dt.datetime(2026, 9, 30, 9, tzinfo=SH)
    assert numbering.format_number("{YY}{MM}{serial:02}", local, 100) == "2609100"
    assert numbering.overflows("{YY}{MM}{serial:02}", 100) and not numbering.overflows("{YY}{MM}{serial:02}", 99)
    assert numbering.format_number("KS-{YYYY}-{serial:04}", local, 7) == "KS-2026-0007"
    assert numbering.period_key(local, "yearly") == "2026" and numbering.period_key(local, "never") == "all"


def test_cmp05_numbers_through_the_api_reset_each_month(client, make_tenant):
    a = make_tenant("num-a", "编号公司")
    numbers = []
    for at in ("2026-09-01T00:05:00+08:00", "2026-09-15T10:00:00+08:00", "2026-10-01T08:00:00+08:00"):
        r = client.post("/api/v1/complaints", headers=a.headers(), json={
            "channel": "phone", "content": "测试", "received_at": at})
        assert r.status_code == 201, r.get_json()
        numbers.append(r.get_json()["number"])
    assert numbers == ["260901", "260902", "261001"]


@pytest.mark.postgres_only
def test_cmp05_fifty_concurrent_creates_get_fifty_consecutive_serials(app, make_tenant):
    a = make_tenant("num-b", "并发编号公司")
    start, results = threading.Barrier(50), []

    def create(i):
        with app.app_context():
            start.wait(10)
            r = app.test_client().post("/api/v1/complaints", headers=a.headers(), json={
                "channel": "hotline", "content": f"并发{i}", "received_at": "2026-11-20T10:00:00+08:00"})
            results.append((r.status_code, (r.get_json() or {}).get("number")))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(code for code, _ in results) == [201] * 50
    assert sorted(n for _, n in results) == [f"2611{i:02d}" for i in range(1, 51)]
    with tenant_scope(a.id):
        assert sorted(db.session.scalars(db.select(Complaint.serial))) == list(range(1, 51))
        assert numbering.counter_value("202611") == 50
