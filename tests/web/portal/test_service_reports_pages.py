"""The service report page (SVC-40): September 2026 of the API's test month — 40 completion deadlines
due, 34 met on time → 85.0% — the same figures as ``GET /service-reports/statistics`` for the same
period, charts (server-side SVG) with their tables, the contracts ending and the missed duties, a bad
period (422, the field named), the export button starting the API's job and landing on the job's page,
managers and finance only."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import db
from core.tenancy import tenant_scope
from tests.web.api.service_desk import ServiceDesk
from tests.web.api.test_service_reports_api import SEPTEMBER, September
from tests.web.portal.test_login import _csrf, login
from workers.models import JobRecord


@pytest.fixture
def month(client, make_tenant):
    return September(ServiceDesk(client, make_tenant, "report-pages"))


def portal(app, desk, who):
    browser = app.test_client()
    assert login(browser, desk.handle.slug, who).status_code == 302
    return browser


def url(desk, path=""):
    return f"/t/{desk.handle.slug}/service/reports{path}"


def text(response) -> str:
    return response.get_data(as_text=True)


def section(html: str, key: str) -> str:
    return html.split(f'data-section="{key}"', 1)[1].split("</section>", 1)[0]


def cells(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


def test_september_as_the_api_reports_it(app, client, month):
    desk = month.desk
    api = client.get("/api/v1/service-reports/statistics", headers=desk.headers("zhao"), query_string=SEPTEMBER).get_json()
    browser = portal(app, desk, "zhao")
    r = browser.get(url(desk), query_string=SEPTEMBER)
    assert r.status_code == 200
    html = text(r)
    assert html.count("<svg") >= 5 and "<script>" not in html
    on_time = section(html, "on_time")
    row = on_time.split('data-milestone="complete"', 1)[1].split("</tr>", 1)[0]
    expected = api["on_time"][0]
    assert cells("<td" + row.split("<td", 1)[1]) == [
        "完工", str(expected["due"]), str(expected["met_on_time"]), str(expected["met_late"]),
        str(expected["not_met"]), "85.0%"]  # 40 due, 34 on time (SVC-40)
    opened = section(html, "open_orders")
    assert f'data-total="open">{api["open_orders"]["total"]["open"]}<' in opened
    assert f'data-total="overdue">{api["open_orders"]["total"]["overdue"]}<' in opened
    fees = section(html, "fees")
    for key in ("collected", "remitted", "outstanding", "void"):
        fee_row = fees.split(f'data-fee="{key}"', 1)[1].split("</tr>", 1)[0]
        assert cells(fee_row) == [str(api["fees"][key]["count"]), api["fees"][key]["amount"]]
    assert "50.0%" in fees  # the remittance rate
    stats = section(html, "statistics")
    assert f"<td>{api['statistics']['total']['requested']}</td>" in stats and "21.1" in stats
    for key in ("return_visits", "expiring_contracts", "missed_duties"):
        assert f'data-section="{key}"' in html


def test_a_bad_period_names_its_field(app, month):
    browser = portal(app, month.desk, "zhao")
    r = browser.get(url(month.desk), query_string={"date_from": "2026-09-30", "date_to": "2026-09-01"})
    assert r.status_code == 422 and 'id="e-date_to"' in text(r) and 'value="2026-09-30"' in text(r)


def test_export_starts_the_job_and_lands_on_its_page(app, month):
    desk = month.desk
    browser = portal(app, desk, "fu")
    page = text(browser.get(url(desk), query_string=SEPTEMBER))
    r = browser.post(url(desk, "/export"), data={"csrf_token": _csrf(page), **SEPTEMBER, "format": "csv"})
    assert r.status_code == 302 and "/jobs/" in r.headers["Location"]
    job_page = browser.get(r.headers["Location"])
    assert job_page.status_code == 200 and "<progress" in text(job_page)
    with tenant_scope(desk.handle.id):
        job = db.session.scalars(select(JobRecord).order_by(JobRecord.id.desc())).first()
        assert (job.name, job.status, job.args["date_from"], job.args["date_to"], job.args["format"]) == (
            "svc.report_export", "finished", "2026-09-01", "2026-09-30", "csv")
    bad = browser.post(url(desk, "/export"), data={"csrf_token": _csrf(page), **SEPTEMBER, "format": "pdf"})
    assert bad.status_code == 422 and 'id="e-format"' in text(bad)


def test_managers_and_finance_only(app, month):
    desk = month.desk
    for who, status in (("wu", 403), ("ma", 403), ("li", 200), ("fu", 200), ("chen", 200)):
        assert portal(app, desk, who).get(url(desk)).status_code == status, who
