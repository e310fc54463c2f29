"""CMP-80/81 through the API: live statistics as JSON, exports as jobs with progress and a CSV that
opens in Excel (BOM, formulas neutralised) or JSON, stored packs listed and downloaded, a pack's job
run again for a missed moment (one pack), and the 403/404/409/422 paths."""
import pytest

from core.db import db
from core.tenancy import tenant_scope
from tests.core.complaints.report_world import build_world
from workers.models import JobRecord

SEPTEMBER = {"date_from": "2026-09-01", "date_to": "2026-09-30", "basis": "closed"}


@pytest.fixture
def world(make_tenant):
    return build_world(make_tenant)


def test_cmp80_statistics_of_a_period_as_json_for_managers_only(client, world):
    r = client.get("/api/v1/complaint-reports/statistics", headers=world.headers("li"), query_string=SEPTEMBER)
    assert r.status_code == 200, r.get_json()
    report = r.get_json()
    assert report["summary"] == {"issues": 4, "complainants": 6, "cases": 6, "major": 1, "repeats": 1,
                                 "repeat_rate": 0.25}
    assert report["period"]["from"] == "2026-08-31T16:00:00+00:00" and report["period"]["basis"] == "closed"
    assert [(m["milestone"], m["rate"]) for m in report["sla_attainment"]] == [
        ("reply", 0.6667), ("solution", 0.5556), ("resolve", 0.625)]
    assert report["return_visits"] == {"eligible": 0, "visited": 0, "rate": None}  # no resolution went through CMP-60
    received = client.get("/api/v1/complaint-reports/statistics", headers=world.headers("wang"),
                          query_string={**SEPTEMBER, "basis": "received"}).get_json()
    # received in September: A, L1 (+2 linked), J, C (+K), E, D, F, G, H
    assert received["summary"]["issues"] == 9 and received["summary"]["cases"] == 12
    assert client.get("/api/v1/complaint-reports/statistics", headers=world.headers("ma"),
                      query_string=SEPTEMBER).status_code == 403
    bad = client.get("/api/v1/complaint-reports/statistics", headers=world.headers(),
                     query_string={"date_from": "2026-09-30", "date_to": "2026-09-01"})
    assert bad.status_code == 422 and "date_to" in str(bad.get_json())
    assert client.get("/api/v1/complaint-reports/statistics", headers=world.headers(),
                      query_string={"basis": "opened"}).status_code == 422


def test_cmp80_export_runs_as_a_job_with_progress_then_downloads_as_csv_or_json(client, world):
    r = client.post("/api/v1/complaint-reports/exports", headers=world.headers("li"), json=SEPTEMBER)
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("li")).get_json()
    assert (job["name"], job["status"], job["percent"], job["step"]) == ("cmp.report_export", "finished", 100, "done")
    assert job["progress_total"] == 7 and job["result"]["period"] == "2026-09-01..2026-09-30"
    assert job["result"]["summary"]["issues"] == 4

    csv = client.get(f"/api/v1/complaint-reports/exports/{job_id}/download", headers=world.headers("li"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "complaints-cmp-reports-2026-09-01_2026-09-30.csv" in csv.headers["Content-Disposition"]
    body = csv.data
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body[3:].decode("utf-8").split("\r\n")
    assert "口径 basis,结案 closed" in lines and "时区 time zone,Asia/Shanghai" in lines
    assert "4,6,6,1,1,25%" in lines  # summary
    assert "未结与逾期 open and overdue（2026-10-01 00:00）" in lines
    assert "客服部,ma,2,2,3" in lines and "合计 total,,4,3,5" in lines
    assert "reply,9,6,0,3,66.67%" in lines and "solution,9,5,1,3,55.56%" in lines
    assert "服务未兑现 service_not_delivered,1,3,25%" in lines
    assert "zhou,工程部,2,2,0,1" in lines
    assert "\"'=HYPERLINK(\"\"http://x\"\")\",1,1,25%" in lines  # a root cause that looks like a formula
    assert "0,0," in lines  # the return-visit rate: no case went through a CMP-60 decision (closed directly)
    as_json = client.get(f"/api/v1/complaint-reports/exports/{job_id}/download", headers=world.headers("li"),
                         query_string={"format": "json"})
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert as_json.get_json()["summary"]["issues"] == 4

    assert client.post("/api/v1/complaint-reports/exports", headers=world.headers("ma"), json=SEPTEMBER).status_code == 403
    bad = client.post("/api/v1/complaint-reports/exports", headers=world.headers("li"),
                      json={"date_from": "2026-09-01", "date_to": "2028-09-01"})
    assert bad.status_code == 422
    with tenant_scope(world.handle.id):
        queued = JobRecord(name="cmp.report_export", args={}, status="queued")
        other = JobRecord(name="cus.export", args={}, status="finished")
        db.session.add_all([queued, other])
        db.session.commit()
        queued_id, other_id = queued.id, other.id
    running = client.get(f"/api/v1/complaint-reports/exports/{queued_id}/download", headers=world.headers("li"))
    assert running.status_code == 409
    assert client.get(f"/api/v1/complaint-reports/exports/{other_id}/download",
                      headers=world.headers("li")).status_code == 404


def test_cmp80_packs_are_listed_shown_and_downloaded_and_a_missed_run_is_made_up_once(client, world):
    h = world.headers("li")
    r = client.post("/api/v1/complaint-reports/packs", headers=h,
                    json={"kind": "monthly_statistics", "as_of": "2026-10-01T02:16:00+08:00"})
    assert r.status_code == 202, r.get_json()
    result = r.get_json()["result"]
    assert (result["period"], result["due_on"], result["created"]) == ("2026-09", "2026-10-10", True)
    again = client.post("/api/v1/complaint-reports/packs", headers=h,
                        json={"kind": "monthly_statistics", "as_of": "2026-10-03T10:00:00+08:00"}).get_json()
    assert again["result"]["created"] is False and again["result"]["pack_id"] == result["pack_id"]
    digest = client.post("/api/v1/complaint-reports/packs", headers=h,
                         json={"kind": "daily_digest", "as_of": "2026-09-21T07:50:00+08:00"}).get_json()
    assert digest["result"]["period"] == "2026-09-20"

    listed = client.get("/api/v1/complaint-reports/packs", headers=h).get_json()
    assert [(p["kind"], p["period_key"], p["due_on"]) for p in listed] == [
        ("daily_digest", "2026-09-20", None), ("monthly_statistics", "2026-09", "2026-10-10")]
    assert "data" not in listed[0] and listed[1]["summary"]["issues"] == 4
    only = client.get("/api/v1/complaint-reports/packs", headers=h, query_string={"kind": "monthly_statistics"})
    assert [p["id"] for p in only.get_json()] == [result["pack_id"]]

    pack = client.get(f"/api/v1/complaint-reports/packs/{result['pack_id']}", headers=h).get_json()
    assert pack["data"]["summary"]["complainants"] == 6 and pack["decision_id"] is not None
    csv = client.get(f"/api/v1/complaint-reports/packs/{result['pack_id']}/download", headers=h)
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    assert "monthly_statistics-2026-09.csv" in csv.headers["Content-Disposition"]
    assert "报送截止 due by,2026-10-10" in csv.data.decode("utf-8-sig").split("\r\n")
    digest_csv = client.get(f"/api/v1/complaint-reports/packs/{digest['result']['pack_id']}/download", headers=h)
    lines = digest_csv.data.decode("utf-8-sig").split("\r\n")
    n = world.numbers
    assert f"客服部,未解决 unresolved,{n['C']},2026-09-18 16:00,other,general,received,ma,是 yes,2," in lines
    assert f"客服部,新增 new,{n['K']},2026-09-20 14:00,other,general,received,ma,,,{n['C']}" in lines
    assert f"工程部,未解决 unresolved,{n['J']},2026-09-17 14:00,service_not_delivered,general,resolved,zhou,否 no,1," in lines
    as_json = client.get(f"/api/v1/complaint-reports/packs/{digest['result']['pack_id']}/download", headers=h,
                         query_string={"format": "json"})
    assert as_json.get_json()["summary"] == {"unresolved": 3, "overdue": 1, "new": 2, "teams": 2}

    assert client.get("/api/v1/complaint-reports/packs", headers=world.headers("ma")).status_code == 403
    assert client.get(f"/api/v1/complaint-reports/packs/{result['pack_id']}",
                      headers=world.headers("ma")).status_code == 403
    assert client.post("/api/v1/complaint-reports/packs", headers=world.headers("ma"),
                       json={"kind": "weekly_report"}).status_code == 403
    assert client.post("/api/v1/complaint-reports/packs", headers=h, json={"kind": "yearly"}).status_code == 422
    future = client.post("/api/v1/complaint-reports/packs", headers=h,
                         json={"kind": "weekly_report", "as_of": "2099-01-01T00:00:00+08:00"})
    assert future.status_code == 422 and "as_of" in str(future.get_json())
    assert client.get("/api/v1/complaint-reports/packs/999999999", headers=h).status_code == 404
    assert client.get(f"/api/v1/complaint-reports/packs/{result['pack_id']}/download", headers=h,
                      query_string={"format": "pdf"}).status_code == 422
