"""The complaint reports page (web/portal/complaint_reports.py, CMP-80/81): the figures are the API's
statistics for the same period, drawn as SVG over tables; a bad period is 422 with its field errors;
the export starts the API's job; stored packs list, open and download; readers only; other tenants'
packs 404."""
import datetime as dt
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests.web.portal.test_login import _csrf, login
from web.portal.complaint_reports import digest_teams, percent

REPORTS = "/t/tenant-a/complaints/reports"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def office(client, two_tenants, make_tenant):
    a, b = two_tenants
    people, tokens = {}, {}
    for name, roles in (("agent", ["cs_agent"]), ("lead", ["cs_supervisor"]), ("boss", ["gm"])):
        people[name], tokens[name] = make_tenant.user(a, name, roles=roles)
    return SimpleNamespace(a=a, b=b, ids=people, tokens=tokens)


def api(client, handle, method, url, **kwargs):
    r = getattr(client, method)(url, headers=handle.headers(), **kwargs)
    assert r.status_code < 300, (url, r.get_json())
    return r.get_json()


def cases(client, handle, received_at=None):
    """Four cases (default: now): two linked (one issue, two complainants), one major, one suggestion."""
    body = {"channel": "phone", "content": "电梯异响", "complainant_name": "王女士", "complainant_phone": "13900001111"}
    if received_at:
        body["received_at"] = received_at.isoformat()
    master = api(client, handle, "post", "/api/v1/complaints", json={**body, "category": "other"})
    linked = api(client, handle, "post", "/api/v1/complaints", json={**body, "category": "other"})
    api(client, handle, "post", f"/api/v1/complaints/{master['id']}/link", json={"complaint_ids": [linked["id"]]})
    api(client, handle, "post", "/api/v1/complaints", json={**body, "category": "staff_attitude", "reported_to": ["media"]})
    api(client, handle, "post", "/api/v1/complaints", json={**body, "case_type": "suggestion"})


def figure(html, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1).strip()


def test_pure_helpers():
    assert percent(0.875) == 87.5 and percent(None) is None
    data = {"teams": [{"department": "客服部", "new": [],
                       "unresolved": [{"complaint_id": 7, "received_at": "2026-12-06T02:00:00+00:00"},
                                      {"complaint_id": 8, "received_at": "2026-12-06T03:00:00+00:00"}]}]}
    teams = digest_teams(data, {7})  # case 8 is one the reader is excluded from (CMP-21)
    assert teams[0]["unresolved"][0]["received"] == dt.datetime(2026, 12, 6, 2, tzinfo=dt.timezone.utc)
    assert [c["complaint_id"] for c in teams[0]["unresolved"]] == [7] and teams[0]["hidden"] == 1


def test_the_figures_are_the_apis_for_the_same_period(client, office):
    cases(client, office.a)
    today = dt.datetime.now(SHANGHAI).date().isoformat()
    query = f"date_from={today}&date_to={today}&basis=received"
    stats = api(client, office.a, "get", f"/api/v1/complaint-reports/statistics?{query}")
    login(client, "tenant-a", "boss")
    r = client.get(f"{REPORTS}?{query}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<svg" in html and "投诉报表" in html
    for name in ("issues", "complainants", "cases", "major", "repeats"):
        assert figure(html, name) == str(stats["summary"][name]), name
    assert stats["summary"]["issues"] == 3 and stats["summary"]["cases"] == 4
    for row in stats["sla_attainment"]:
        cell = re.search(rf'data-rate="{row["milestone"]}">([^<]*)<', html).group(1)
        assert cell == ("—" if row["rate"] is None else f"{row['rate'] * 100:.1f}%")
    table = html[html.find('data-table="categories"'):]
    table = table[:table.find("</table>")]
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td>', table)] == \
        [c["issues"] for c in stats["categories"]]
    assert f'data-total="open">{stats["open_overdue"]["total"]["open"]}<' in html
    # the closed basis: nothing closed today
    r = client.get(f"{REPORTS}?date_from={today}&date_to={today}&basis=closed")
    assert figure(r.get_data(as_text=True), "issues") == "0"
    # the tab is there for readers
    assert f'href="{REPORTS}"' in client.get("/t/tenant-a/complaints").get_data(as_text=True)


def test_a_bad_period_is_422_with_the_fields_kept(client, office):
    login(client, "tenant-a", "lead")
    r = client.get(f"{REPORTS}?date_from=2026-09-30&date_to=2026-09-01&basis=received")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="2026-09-30"' in html and 'class="field-error"' in html
    r = client.get(f"{REPORTS}?date_from=2024-01-01&date_to=2026-09-01")
    assert r.status_code == 422 and "366" in r.get_data(as_text=True)
    r = client.get(f"{REPORTS}?basis=opened")
    assert r.status_code == 422


def test_only_readers_see_the_reports(client, office):
    login(client, "tenant-a", "agent")
    assert client.get(REPORTS).status_code == 403
    assert f'href="{REPORTS}"' not in client.get("/t/tenant-a/complaints").get_data(as_text=True)


def test_the_export_starts_the_apis_job(client, office):
    cases(client, office.a)
    login(client, "tenant-a", "boss")
    html = client.get(REPORTS).get_data(as_text=True)
    today = dt.datetime.now(SHANGHAI).date().isoformat()
    r = client.post(f"{REPORTS}/export", data={"csrf_token": _csrf(html), "date_from": today, "date_to": today,
                                               "basis": "received"})
    assert r.status_code == 302 and "/t/tenant-a/jobs/" in r.headers["Location"]
    job = client.get(r.headers["Location"]).get_data(as_text=True)
    download = re.search(r'href="([^"]+/download\?format=csv)"', job)
    assert download, job[:3000]
    data = client.get(download.group(1))
    assert data.status_code == 200 and data.data.startswith("\ufeff".encode())
    r = client.post(f"{REPORTS}/export", data={"csrf_token": _csrf(html), "date_from": "2026-09-30",
                                               "date_to": "2026-09-01"})
    assert r.status_code == 422 and 'value="2026-09-30"' in r.get_data(as_text=True)


def test_packs_listed_opened_downloaded_and_other_tenants_404(client, office):
    now = dt.datetime.now(SHANGHAI)
    cases(client, office.a, received_at=(now - dt.timedelta(days=2)).replace(hour=10, minute=0))
    as_of = (now - dt.timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    digest = api(client, office.a, "post", "/api/v1/complaint-reports/packs",
                 json={"kind": "daily_digest", "as_of": as_of.isoformat()})
    digest_id = digest["result"]["pack_id"]
    monthly = api(client, office.a, "post", "/api/v1/complaint-reports/packs",
                  json={"kind": "monthly_statistics", "as_of": as_of.isoformat()})
    monthly_id = monthly["result"]["pack_id"]
    foreign = api(client, office.b, "post", "/api/v1/complaint-reports/packs",
                  json={"kind": "monthly_statistics", "as_of": as_of.isoformat()})["result"]["pack_id"]
    login(client, "tenant-a", "lead")
    html = client.get(REPORTS).get_data(as_text=True)
    assert f'data-pack="{digest_id}"' in html and f'data-pack="{monthly_id}"' in html and "每日简报" in html
    html = client.get(f"{REPORTS}?kind=daily_digest").get_data(as_text=True)
    assert f'data-pack="{monthly_id}"' not in html
    page = client.get(f"{REPORTS}/packs/{digest_id}").get_data(as_text=True)
    assert "未解决问题" in page and "电梯异响" not in page and re.search(r"/complaints/\d+", page)
    page = client.get(f"{REPORTS}/packs/{monthly_id}")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    csv = client.get(f"{REPORTS}/packs/{monthly_id}/download?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert client.get(f"{REPORTS}/packs/{digest_id}/download?format=json").get_json()["summary"]["unresolved"] >= 1
    for url in (f"{REPORTS}/packs/{foreign}", f"{REPORTS}/packs/{foreign}/download"):
        assert client.get(url).status_code == 404


def test_a_missed_pack_is_built_from_the_page(client, office):
    login(client, "tenant-a", "lead")
    html = client.get(REPORTS).get_data(as_text=True)
    r = client.post(f"{REPORTS}/packs", data={"csrf_token": _csrf(html), "kind": "weekly_report",
                                              "as_of": "2099-01-01T09:30"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="2099-01-01T09:30"' in html and "run-pack" in html
    yesterday = (dt.datetime.now(SHANGHAI) - dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    r = client.post(f"{REPORTS}/packs", data={"csrf_token": _csrf(html), "kind": "weekly_report", "as_of": yesterday})
    assert r.status_code == 302 and "/t/tenant-a/jobs/" in r.headers["Location"]
    html = client.get(f"{REPORTS}?kind=weekly_report").get_data(as_text=True)
    assert re.search(r'data-pack="\d+"', html) and "周报" in html
