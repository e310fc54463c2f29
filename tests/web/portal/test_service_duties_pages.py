"""The recurring-duty pages (SVC-30..32): a duty set up through the form (errors next to their fields,
nothing typed lost), its generated orders with their due days — pest control in September 2026 due 09-15
and 09-30, water tanks in 2026 due 06-30 and 12-31 — the missed-duty alert "1 of 2", switching a duty
off, the checklist templates with their inspections (SVC-31), roles as the API, another tenant's ids 404."""
from __future__ import annotations

import pytest

from tests.web.api.service_desk import ServiceDesk
from tests.web.api.test_service_duties_api import PEST, api, complete
from tests.web.portal.test_login import _csrf, login
from web.portal import service_duties as pages


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "duty-pages")


def portal(app, desk, who):
    browser = app.test_client()
    assert login(browser, desk.handle.slug, who).status_code == 302
    return browser


def url(desk, path=""):
    return f"/t/{desk.handle.slug}/service/duties{path}"


def post(browser, desk, path, data=None, page=None):
    html = browser.get(page or url(desk)).get_data(as_text=True)
    return browser.post(url(desk, path), data={"csrf_token": _csrf(html), **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_duty_body_from_the_form():
    body = pages.duty_body({"code": "water_tanks", "at_least": "2", "evidence": "sample_test， ph", "site": " ",
                            "active": "1"})
    assert body == {"code": "water_tanks", "at_least": 2, "evidence": ["sample_test", "ph"], "active": True}
    assert pages.duty_body({"at_least": "x"})["at_least"] == "x" and pages.duty_body({})["active"] is False


def _create_pest(app, desk):
    browser = portal(app, desk, "zhao")
    form = {k: str(v) for k, v in PEST.items()}
    r = post(browser, desk, "/new", {**form, "active": "1", "responsible_user_id": str(desk.id("zhao"))},
             page=url(desk, "/new"))
    assert r.status_code == 302, text(r)
    return browser, int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_pest_control_due_09_15_and_09_30_then_missed_1_of_2(app, desk):
    browser, duty_id = _create_pest(app, desk)
    desk.job("svc.duty_generation", "2026-09-01T00:16:00+08:00")
    html = text(browser.get(url(desk, f"/{duty_id}")))
    assert 'data-due="2026-09-15"' in html and 'data-due="2026-09-30"' in html  # SVC-30 (1)
    assert "/work-orders/" in html and 'class="why"' in html
    run = api(desk, "get", f"/service-duties/{duty_id}")["runs"][0]
    complete(desk, run["order_ids"][0], "2026-09-14T15:00:00+08:00")
    desk.job("svc.missed_duties", "2026-10-01T00:22:00+08:00")
    html = text(browser.get(url(desk, f"/{duty_id}")))
    assert 'data-state="missed"' in html and "应做2次，完成1次" in html  # "1 of 2"
    listing = text(browser.get(url(desk)))
    assert 'data-list="missed"' in listing and 'data-missed="pest_control"' in listing
    assert "2026-09-15、2026-09-30" in listing
    report = text(browser.get(f"/t/{desk.handle.slug}/service/reports",
                              query_string={"date_from": "2026-09-01", "date_to": "2026-09-30"}))
    assert 'data-duty="pest_control"' in report.split('data-section="missed_duties"')[1]  # SVC-40's section


def test_water_tanks_due_06_30_and_12_31(app, desk):
    browser = portal(app, desk, "zhao")
    r = post(browser, desk, "/new", {"code": "water_tanks", "title": "水箱清洗消毒", "kind": "work_order",
                                    "work_order_type": "maintenance", "at_least": "2", "period": "year",
                                    "evidence": "sample_test", "asset_class": "生活水箱", "starts_on": "2026-01-01",
                                    "responsible_role": "dept_manager", "active": "1"}, page=url(desk, "/new"))
    assert r.status_code == 302, text(r)
    desk.job("svc.duty_generation", "2026-01-01T00:16:00+08:00")
    html = text(browser.get(r.headers["Location"]))
    assert 'data-due="2026-06-30"' in html and 'data-due="2026-12-31"' in html and "sample_test" in html


def test_form_errors_keep_what_was_typed(app, desk):
    browser = portal(app, desk, "zhao")
    r = post(browser, desk, "/new", {"code": "Bad Code", "title": "保留的标题", "at_least": "0", "period": "month",
                                    "work_order_type": "maintenance", "responsible_role": "dept_manager"},
             page=url(desk, "/new"))
    assert r.status_code == 422
    html = text(r)
    assert 'value="保留的标题"' in html and 'id="e-code"' in html and 'id="e-at_least"' in html
    # a type whose intake a duty cannot give is refused by the service (SVC-30): named on its field
    r = post(browser, desk, "/new", {"code": "repairs", "title": "维修", "at_least": "1", "period": "month",
                                    "work_order_type": "repair", "responsible_role": "dept_manager", "active": "1"},
             page=url(desk, "/new"))
    assert r.status_code == 422 and 'id="e-work_order_type"' in text(r)


def test_switch_off_and_roles(app, desk):
    browser, duty_id = _create_pest(app, desk)
    technician = portal(app, desk, "wu")
    assert technician.get(url(desk, f"/{duty_id}")).status_code == 200
    assert technician.get(url(desk, "/new")).status_code == 403
    assert post(technician, desk, f"/{duty_id}/active", {"active": "0"}).status_code == 403
    assert post(browser, desk, f"/{duty_id}/active", {"active": "0"}).status_code == 302
    assert 'data-active="0"' in text(browser.get(url(desk, f"/{duty_id}")))


def test_checklist_template_with_its_inspections(app, desk):
    template = api(desk, "post", "/service-checklist-templates", who="zhao", expect=201, code="daily_round",
                   title="1号楼每日巡查", site="阳光花园1号楼", items=[{"code": "light_3f", "label": "3F走廊灯"}])
    api(desk, "post", "/service-checklists", who="li", expect=201, template_id=template["id"],
        items=[{"code": "light_3f", "result": "damaged", "note": "灯管损坏"}])
    browser = portal(app, desk, "li")
    listing = text(browser.get(url(desk)))
    assert 'data-template="daily_round"' in listing
    html = text(browser.get(url(desk, f"/templates/{template['id']}")))
    assert "3F走廊灯" in html and 'data-result="damaged"' in html and "灯管损坏" in html


def test_another_tenants_duty_is_404(app, client, desk, make_tenant):
    other = ServiceDesk(client, make_tenant, "duty-pages-b")
    theirs = api(other, "post", "/service-duties", who="zhao", expect=201, **{**PEST, "title": "别家的任务"},
                 responsible_role="dept_manager")
    browser = portal(app, desk, "zhao")
    assert browser.get(url(desk, f"/{theirs['id']}")).status_code == 404
    assert post(browser, desk, f"/{theirs['id']}/active", {"active": "0"}).status_code == 404
    assert "别家的任务" not in text(browser.get(url(desk)))
