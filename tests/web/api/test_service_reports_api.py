"""SVC-40 through the API, on real orders with real deadlines: September 2026, 40 completion deadlines
due, 34 met on time → on-time rate 85.0%; open orders at the month's end by type and technician (from
the orders' history: an order completed in October was open then); fees collected vs remitted;
monthly statistics; the export job and its CSV (BOM, formulas neutralised); the monthly pack stored
once by ``svc.monthly_reports``; the 403/404/409/422 paths. Orders move with ``orders.move`` (dispatch
and completion are other modules' endpoints)."""
import datetime as dt

import pytest

from core.db import db
from core.service import orders
from core.service.reports import SECTIONS
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.service_desk import REPAIR, ServiceDesk
from workers.models import JobRecord

SH = dt.timezone(dt.timedelta(hours=8))
H = dt.timedelta(hours=1)
SEPTEMBER = {"date_from": "2026-09-01", "date_to": "2026-09-30"}


def local(*args):
    return dt.datetime(*args, tzinfo=SH)


class September:
    """The month: 40 repair orders whose completion is due in September (24 hours from the request):
    #0 requested 08-31 10:00 (due 09-01), #1..#39 requested 09-01..09-29; #0..#33 completed in 20 hours
    (on time), #34..#37 in 30 hours (late), #38 on site at the month's end, #39 dispatched then and
    completed 10-02. Besides: a repair requested 09-30 10:00 (due in October, unassigned), a repair
    cancelled the day it came, an installation dispatched to Zheng. Fees: ¥150 by Zheng on #1 collected
    09-10 and remitted 09-11, ¥380 by Wu on #38 collected 09-30 15:00, ¥60 voided."""

    def __init__(self, desk):
        self.desk = desk
        policy_since(desk.handle.id, "svc", {"sla": {"repair": {"*": {"complete": "24 hours"}}}}, "2026-01-01")
        with tenant_scope(desk.handle.id):
            requested = [local(2026, 8, 31, 10)] + [local(2026, 9, 1 + i % 29, 9 + i // 29) for i in range(39)]
            self.orders = [self._order(REPAIR, at) for at in requested]
            for index, order in enumerate(self.orders):
                tech = desk.id("wu") if index % 2 == 0 else desk.id("zheng")
                self._move(order, tech, order.requested_at, "dispatched")
                if index == 39:
                    continue
                self._move(order, tech, order.requested_at + 2 * H, "on_site")
                if index < 34:
                    self._move(order, tech, order.requested_at + 20 * H, "completed")
                elif index < 38:
                    self._move(order, tech, order.requested_at + 30 * H, "completed")
            self._move(self.orders[39], None, local(2026, 10, 2, 9), "on_site", "completed")
            self.waiting = self._order(REPAIR, local(2026, 9, 30, 10))
            cancelled = self._order(REPAIR, local(2026, 9, 10, 9))
            orders.cancel(cancelled, "客户自行修好", by=desk.id("ma"), at=local(2026, 9, 10, 12))
            self.install = self._order({**REPAIR, "type": "installation", "data": {
                "request_doc": "安装申请单", "asset_list": [{"plate": "京A12345"}]}}, local(2026, 9, 15, 9))
            self._move(self.install, desk.id("zheng"), local(2026, 9, 15, 10), "dispatched")
            self.ids = [o.id for o in self.orders]
            db.session.commit()
        self.fees = {
            "150": self._fee(1, "zheng", "150", "FP-0910", "2026-09-10T15:00:00+08:00"),
            "380": self._fee(38, "wu", "380", "FP-0930", "2026-09-30T15:00:00+08:00"),
            "60": self._fee(2, "wu", "60", "FP-VOID", "2026-09-12T15:00:00+08:00"),
        }
        c, h = desk.client, desk.headers("fu")
        assert c.post(f"/api/v1/service-fees/{self.fees['150']}/remit", headers=h,
                      json={"remitted_at": "2026-09-11T10:00:00+08:00"}).status_code == 200
        assert c.post(f"/api/v1/service-fees/{self.fees['60']}/void", headers=h,
                      json={"reason": "录错"}).status_code == 200

    def _order(self, body, at):
        return orders.create_order({**body, "requested_at": at}, by=self.desk.id("ma"))

    def _move(self, order, tech, at, *states):
        if tech is not None:
            order.assignee_id = tech
        for state in states:
            orders.move(order, state, by=tech, at=at)

    def _fee(self, index, who, amount, receipt, at):
        r = self.desk.client.post(f"/api/v1/work-orders/{self.ids[index]}/fees", headers=self.desk.headers("ma"),
                                  json={"amount_parts": amount, "receipt_no": receipt, "collected_at": at,
                                        "collector_id": self.desk.id(who)})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]


@pytest.fixture
def month(client, make_tenant):
    desk = ServiceDesk(client, make_tenant, "huaxin-reports")
    r = client.patch(f"/api/v1/users/{desk.id('zheng')}", headers=desk.headers(), json={"display_name": "=1+1郑"})
    assert r.status_code == 200, r.get_json()
    return September(desk)


def test_svc40_statistics_of_september(client, month):
    desk = month.desk
    r = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"), query_string=SEPTEMBER)
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    assert report["period"]["from"] == "2026-08-31T16:00:00+00:00" and report["period"]["to"] == "2026-09-30T16:00:00+00:00"
    # SVC-40 (1): 40 due in September, 34 on time → 85.0% (#39, completed 10-02, is late by now)
    assert report["on_time"] == [{"milestone": "complete", "due": 40, "met_on_time": 34, "met_late": 5,
                                  "not_met": 1, "rate": 85.0}]
    opened = report["open_orders"]
    assert opened["at"] == "2026-09-30T16:00:00+00:00" and opened["total"] == {"open": 4, "overdue": 2}
    assert [(r["type"], r["technician_id"], r["open"], r["overdue"]) for r in opened["rows"]] == [
        ("installation", desk.id("zheng"), 1, 0), ("repair", desk.id("zheng"), 1, 1), ("repair", desk.id("wu"), 1, 1),
        ("repair", None, 1, 0)]  # technicians by name: "=1+1郑" before "wu"
    assert opened["by_type"] == [{"type": "repair", "open": 3, "overdue": 2}, {"type": "installation", "open": 1, "overdue": 0}]
    assert opened["by_technician"][0] == {"technician_id": desk.id("zheng"), "technician": "=1+1郑", "open": 2, "overdue": 1}

    fees = report["fees"]
    assert (fees["collected"], fees["remitted"], fees["remitted_on_time"]) == (
        {"count": 2, "amount": "530.00"}, {"count": 1, "amount": "150.00"}, {"count": 1, "amount": "150.00"})
    assert (fees["outstanding"], fees["overdue"], fees["void"]) == (
        {"count": 1, "amount": "380.00"}, {"count": 1, "amount": "380.00"}, {"count": 1, "amount": "60.00"})
    assert fees["remittance_rate"] == 50.0 and fees["remitted_in_period"] == {"count": 1, "amount": "150.00"}
    assert [(c["collector_id"], c["collected"]["amount"]) for c in fees["by_collector"]] == [
        (desk.id("wu"), "380.00"), (desk.id("zheng"), "150.00")]

    stats = report["statistics"]
    repair = stats["types"][0]
    # states at the month's end: #39 was still dispatched
    assert repair == {"type": "repair", "requested": 41, "states": {"cancelled": 1, "completed": 37, "dispatched": 1,
                                                                    "on_site": 1, "requested": 1},
                      "completed": 38, "average_hours_to_complete": 21.1, "cancelled": 1}
    assert stats["types"][1]["type"] == "installation" and stats["types"][1]["states"] == {"dispatched": 1}
    assert stats["total"] == {"requested": 42, "completed": 38, "average_hours_to_complete": 21.1, "cancelled": 1}

    october = client.get("/api/v1/service-reports/statistics", headers=desk.headers("fu"),
                         query_string={"date_from": "2026-10-01", "date_to": "2026-10-31"}).get_json()
    assert october["on_time"] == [{"milestone": "complete", "due": 1, "met_on_time": 0, "met_late": 0, "not_met": 1,
                                   "rate": 0.0}]  # the order of 09-30 10:00, still waiting
    assert october["statistics"]["total"]["completed"] == 1  # #39
    assert october["open_orders"]["total"] == {"open": 3, "overdue": 2}  # #38, the waiting one, the installation


def test_svc40_refusals(client, month):
    desk = month.desk
    assert client.get("/api/v1/service-reports/statistics", headers=desk.headers("wu"),
                      query_string=SEPTEMBER).status_code == 403
    bad = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"),
                     query_string={"date_from": "2026-01-01", "date_to": "2027-01-02"})
    assert bad.status_code == 422 and "366" in str(bad.get_json()["errors"])
    bad = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"),
                     query_string={"date_from": "2026-09-30", "date_to": "2026-09-01"})
    assert bad.status_code == 422 and "date_to" in str(bad.get_json())
    far = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"),
                     query_string={"date_from": "2020-01-01"})
    assert far.status_code == 422 and "date_from" in far.get_json()["errors"]["json"]
    assert client.post("/api/v1/service-reports/exports", headers=desk.headers("zhao"),
                       json={**SEPTEMBER, "format": "pdf"}).status_code == 422


def test_svc40_export_job_with_progress_then_csv_download(client, month):
    desk = month.desk
    r = client.post("/api/v1/service-reports/exports", headers=desk.headers("zhao"), json={**SEPTEMBER, "format": "csv"})
    assert r.status_code == 202, r.get_json()
    job = client.get(f"/api/v1/jobs/{r.get_json()['id']}", headers=desk.headers("zhao")).get_json()
    assert (job["name"], job["status"], job["percent"], job["step"], job["progress_total"]) == (
        "svc.report_export", "finished", 100, "done", len(SECTIONS))
    csv = client.get(f"/api/v1/service-reports/exports/{job['id']}/download", headers=desk.headers("zhao"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "service-huaxin-reports-2026-09-01_2026-09-30.csv" in csv.headers["Content-Disposition"]
    assert csv.data.startswith(b"\xef\xbb\xbf")
    lines = csv.data[3:].decode("utf-8").split("\r\n")
    assert "期间 period,2026-09-01..2026-09-30" in lines and "时区 time zone,Asia/Shanghai" in lines
    assert "未完工单 open orders（2026-10-01 00:00）" in lines
    assert "installation,'=1+1郑,1,0" in lines and "repair,（未分配 none）,1,0" in lines and "合计 total,,4,2" in lines
    assert "complete,40,34,5,1,85.0%" in lines
    assert "wu,1,380.00,380.00,0.00,0,0.00,0,1,380.00,1,380.00,1,0.0%" in lines  # and a voided ¥60
    assert "合计 total,2,530.00,530.00,0.00,1,150.00,1,1,380.00,1,380.00,1,50.0%" in lines
    assert "repair,41,1,37,1,1,1,38,21.1,1" in lines  # states: cancelled, completed, dispatched, on_site, requested

    as_json = client.post("/api/v1/service-reports/exports", headers=desk.headers("fu"), json={**SEPTEMBER, "format": "json"})
    download = client.get(f"/api/v1/service-reports/exports/{as_json.get_json()['id']}/download", headers=desk.headers("fu"))
    assert download.mimetype == "application/json" and download.get_json()["on_time"][0]["rate"] == 85.0

    assert client.post("/api/v1/service-reports/exports", headers=desk.headers("wu"), json=SEPTEMBER).status_code == 403
    with tenant_scope(desk.handle.id):
        queued = JobRecord(name="svc.report_export", args={}, status="queued")
        other = JobRecord(name="cmp.report_export", args={}, status="finished")
        db.session.add_all([queued, other])
        db.session.commit()
        queued_id, other_id = queued.id, other.id
    assert client.get(f"/api/v1/service-reports/exports/{queued_id}/download", headers=desk.headers("zhao")).status_code == 409
    assert client.get(f"/api/v1/service-reports/exports/{other_id}/download", headers=desk.headers("zhao")).status_code == 404


def test_svc40_monthly_pack_is_stored_once_and_listed(client, month):
    desk = month.desk
    first, again = desk.twice("svc.monthly_reports", "2026-10-01T03:03:00+08:00")
    assert (first["period"], first["created"], again["created"]) == ("2026-09", True, False)
    assert again["pack_id"] == first["pack_id"]
    later = client.post("/api/v1/service-reports/packs", headers=desk.headers("zhao"),
                        json={"as_of": "2026-10-20T10:00:00+08:00"}).get_json()
    assert later["result"]["created"] is False and later["result"]["pack_id"] == first["pack_id"]

    listed = client.get("/api/v1/service-reports/packs", headers=desk.headers("zhao")).get_json()
    assert [(p["kind"], p["period_key"], p["first_day"], p["last_day"]) for p in listed] == [
        ("monthly", "2026-09", "2026-09-01", "2026-09-30")]
    assert "data" not in listed[0]
    assert listed[0]["summary"]["on_time"] == {"complete": 85.0} and listed[0]["summary"]["open_orders"] == 4
    pack = client.get(f"/api/v1/service-reports/packs/{first['pack_id']}", headers=desk.headers("fu")).get_json()
    data = pack["data"]
    # as of 10-01 03:03: #39 is not completed yet, the ¥380 not yet overdue (due through 10-08)
    assert data["on_time"] == [{"milestone": "complete", "due": 40, "met_on_time": 34, "met_late": 4, "not_met": 2,
                                "rate": 85.0}]
    assert data["fees"]["outstanding"] == {"count": 1, "amount": "380.00"} and data["fees"]["overdue"]["count"] == 0
    assert data["statistics"]["types"][0]["states"]["dispatched"] == 1  # #39 at the month's end
    with tenant_scope(desk.handle.id):
        from core.decisions.models import Decision
        from sqlalchemy import select

        decision = db.session.scalars(select(Decision).where(Decision.id == pack["decision_id"])).one()
        assert decision.rule_id == "SVC-40" and decision.subject_type == "service_report_pack"
        assert "2026-09-01至2026-09-30" in decision.reason_zh
    csv = client.get(f"/api/v1/service-reports/packs/{first['pack_id']}/download", headers=desk.headers("zhao"))
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    assert "complete,40,34,4,2,85.0%" in csv.data.decode("utf-8-sig").split("\r\n")
    as_json = client.get(f"/api/v1/service-reports/packs/{first['pack_id']}/download", headers=desk.headers("zhao"),
                         query_string={"format": "json"})
    assert as_json.get_json()["on_time"][0]["rate"] == 85.0

    assert client.get("/api/v1/service-reports/packs", headers=desk.headers("wu")).status_code == 403
    assert client.post("/api/v1/service-reports/packs", headers=desk.headers("wu"), json={}).status_code == 403
    assert client.get("/api/v1/service-reports/packs/999999999", headers=desk.headers("zhao")).status_code == 404
    assert client.get("/api/v1/service-reports/packs", headers=desk.headers("zhao"),
                      query_string={"kind": "weekly"}).status_code == 422
    future = client.post("/api/v1/service-reports/packs", headers=desk.headers("zhao"),
                         json={"as_of": "2099-01-01T00:00:00+08:00"})
    assert future.status_code == 422 and "as_of" in str(future.get_json())


def test_a_section_added_to_the_report_is_one_line(client, month, monkeypatch):
    """The lead adds sections built by other helpers (return visits, contracts, duties) with one line."""
    from core.service import reports

    monkeypatch.setattr(reports, "SECTIONS", [*reports.SECTIONS, reports.ReportSection(
        "return_visits", "回访结果 return visits", lambda ctx: {"visited": 3, "rows": [{"result": "满意", "n": 3}]})])
    desk = month.desk
    report = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"), query_string=SEPTEMBER).get_json()
    assert report["return_visits"] == {"visited": 3, "rows": [{"result": "满意", "n": 3}]}
    job = client.post("/api/v1/service-reports/exports", headers=desk.headers("zhao"), json=SEPTEMBER).get_json()
    lines = client.get(f"/api/v1/service-reports/exports/{job['id']}/download",
                       headers=desk.headers("zhao")).data.decode("utf-8-sig").split("\r\n")
    assert "回访结果 return visits · rows" in lines and "满意,3" in lines
