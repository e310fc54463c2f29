"""The service-contract pages (SVC-20..22): the list with periods, serials and days to the end, the
contracts waiting for their installation, the create form (errors next to their fields, nothing typed
lost), the contract page with the spec's vectors — installed 2026-03-10 → 2026-03-10..2027-03-09; renewal
signed 2026-10-20 paid 10-22 → 2026-11-15..2027-11-14 — a refused second renewal (409), the unpaid alert,
the reminder's answer, roles as the API, and another tenant's ids (404)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.web.api.test_service_contracts_api import Office
from tests.web.portal.test_login import _csrf, login
from web.portal import service_contracts as pages

API = "/api/v1"


@pytest.fixture
def office(client, make_tenant):
    return Office(client, make_tenant, "contract-pages")


def portal(app, office, who):
    browser = app.test_client()
    assert login(browser, office.handle.slug, who).status_code == 302
    return browser


def url(office, path=""):
    return f"/t/{office.handle.slug}/service/contracts{path}"


def post(browser, office, path, data=None, page=None):
    html = browser.get(page or url(office)).get_data(as_text=True)
    return browser.post(url(office, path), data={"csrf_token": _csrf(html), **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------------------------ pure helpers


def test_days_left_and_the_badge_from_the_reminder_day():
    end = dt.date(2026, 11, 14)
    assert pages.days_left(end, dt.date(2026, 11, 14)) == 0
    assert pages.days_left(end, dt.date(2026, 10, 14)) == 31
    assert pages.end_badge(end, dt.date(2026, 10, 13), "1 months") == "ok"
    assert pages.end_badge(end, dt.date(2026, 10, 14), "1 months") == "warn"  # the reminder day (SVC-21)
    assert pages.end_badge(end, dt.date(2026, 11, 15), "1 months") == "late"


def test_term_text():
    assert pages.term_text("1 years") == "1年" and pages.term_text("1 months", english=True) == "1 months"
    assert pages.term_text("3 working_days") == "3个工作日" and pages.term_text("odd") == "odd"


def test_contract_body_leaves_blank_boxes_out():
    body = pages.contract_body({"customer_id": "12", "subject": " GT ", "serial": "", "installation_order_id": "x"})
    assert body == {"customer_id": 12, "subject": "GT", "installation_order_id": "x"}


# ------------------------------------------------------------------------------------------ pages


def test_create_from_the_installation_date_svc20(app, office):
    browser = portal(app, office, "ma")
    page = browser.get(url(office, "/new"))
    assert page.status_code == 200 and 'name="csrf_token"' in text(page)
    r = post(browser, office, "/new", {"customer_id": str(office.customer_id), "kind": "service",
                                      "subject": "GT车载管理软件", "signed_on": "2026-03-01", "installed_on": "2026-03-10",
                                      "term": "1 years", "amount": "12000"}, page=url(office, "/new"))
    assert r.status_code == 302, text(r)
    shown = browser.get(r.headers["Location"])
    html = text(shown)
    assert shown.status_code == 200
    assert "2026-03-10" in html and "2027-03-09" in html  # SVC-20 (1)
    assert "北京恒通物流有限公司" in html and 'class="why"' in html
    listing = text(browser.get(url(office)))
    assert "GT车载管理软件" in listing and "2026-03-10 ~ 2027-03-09" in listing


def test_form_errors_keep_what_was_typed(app, office):
    browser = portal(app, office, "ma")
    r = post(browser, office, "/new", {"customer_id": str(office.customer_id), "subject": "保留的名称",
                                      "signed_on": "2026-13-01", "term": "1 fortnights"}, page=url(office, "/new"))
    assert r.status_code == 422
    html = text(r)
    assert 'value="保留的名称"' in html
    assert 'data-field="signed_on"' in html and 'id="e-signed_on"' in html
    unknown = post(browser, office, "/new", {"customer_id": "999999", "subject": "x", "signed_on": "2026-03-01",
                                            "term": "1 years"}, page=url(office, "/new"))
    assert unknown.status_code == 422 and 'id="e-customer_id"' in text(unknown)


def test_waiting_for_installation_then_installed(app, office):
    contract = office.contract()  # signed 2026-03-01, installation unknown
    browser = portal(app, office, "ma")
    listing = text(browser.get(url(office)))
    waiting = listing.split('data-list="waiting"')[1]
    assert f'data-contract="{contract["id"]}"' in waiting and "2026-03-01 ~ 2027-02-28" in waiting
    tech = portal(app, office, "wu")
    r = post(tech, office, f"/{contract['id']}/installed", {"installed_on": "2026-03-10"},
             page=url(office, f"/{contract['id']}"))
    assert r.status_code == 302
    html = text(tech.get(url(office, f"/{contract['id']}")))
    assert "2026-03-10" in html and "2027-03-09" in html
    assert 'data-list="waiting"' not in text(browser.get(url(office)))  # none waits any more


def test_renewal_paid_adds_the_next_period_svc22(app, office):
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    cid = contract["id"]
    desk = portal(app, office, "ma")
    page = url(office, f"/{cid}")
    assert 'data-step="payment"' not in text(desk.get(page))
    r = post(desk, office, f"/{cid}/renewals", {"signed_on": "2026-10-20", "method": "fax", "amount": "12000"}, page=page)
    assert r.status_code == 302
    html = text(desk.get(page))
    assert "2026-10-23" in html  # payment due through 10-23 (3 days)
    again = post(desk, office, f"/{cid}/renewals", {"signed_on": "2026-10-21", "method": "e_sign", "amount": "12000"},
                 page=page)
    assert again.status_code == 409 and 'role="alert"' in text(again)
    assert 'value="2026-10-21"' in text(again)  # what was typed stays
    renewal_id = office.show(contract)["renewals"][0]["id"]
    # only finance records the payment (as the API)
    assert post(desk, office, f"/{cid}/renewals/{renewal_id}/payment",
                {"paid_on": "2026-10-22", "amount": "12000", "receipt_no": "SK-1022"}, page=page).status_code == 403
    finance = portal(app, office, "fu")
    bad = post(finance, office, f"/{cid}/renewals/{renewal_id}/payment",
               {"paid_on": "2026-10-19", "amount": "1200", "receipt_no": "SK-1022"}, page=page)
    assert bad.status_code == 422 and 'id="e-amount"' in text(bad) and 'value="SK-1022"' in text(bad)
    paid = post(finance, office, f"/{cid}/renewals/{renewal_id}/payment",
                {"paid_on": "2026-10-22", "amount": "12000", "receipt_no": "SK-1022"}, page=page)
    assert paid.status_code == 302
    html = text(finance.get(page))
    assert "2026-11-15 ~ 2027-11-14" in html  # SVC-22 (1): from the day after the old end
    assert office.show(contract)["ends_on"] == "2027-11-14"


def test_unpaid_renewal_alert_is_shown(app, office):
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    office.call("post", f"/service-contracts/{contract['id']}/renewals", expect=201, signed_on="2026-10-20",
                method="fax", amount="12000")
    office.job("svc.renewal_payment", "2026-10-24T06:11:00+08:00")
    html = text(portal(app, office, "fu").get(url(office, f"/{contract['id']}")))
    assert 'data-alert="unpaid"' in html and 'class="unpaid-alert"' in html


def test_reminder_answer_and_refusal(app, office):
    contract = office.contract(signed_on="2025-11-15", installed_on="2025-11-15")
    office.job("svc.contract_expiry", "2026-10-14T06:01:00+08:00")
    reminder_id = office.show(contract)["reminders"][0]["id"]
    browser = portal(app, office, "ma")
    page = url(office, f"/{contract['id']}")
    assert "2026-10-14" in text(browser.get(page))
    owner = text(portal(app, office, "song").get(url(office)))  # the customer's owner calls (SVC-21)
    assert 'data-list="my-reminders"' in owner and "2026-11-14" in owner
    r = post(browser, office, f"/{contract['id']}/reminders/{reminder_id}/response", {"outcome": "decline"}, page=page)
    assert r.status_code == 302
    again = post(browser, office, f"/{contract['id']}/reminders/{reminder_id}/response", {"outcome": "renew"}, page=page)
    assert again.status_code == 409


def test_roles_as_the_api(app, office):
    contract = office.contract()
    sales = portal(app, office, "song")
    assert sales.get(url(office)).status_code == 200
    assert sales.get(url(office, "/new")).status_code == 403
    assert post(sales, office, f"/{contract['id']}/renewals", {"signed_on": "2026-10-20", "method": "fax",
                                                               "amount": "1"}).status_code == 403


def test_another_tenants_contract_is_404(app, client, office, make_tenant):
    other = Office(client, make_tenant, "contract-pages-b")
    theirs = other.contract(subject="别家的软件")
    browser = portal(app, office, "ma")
    assert browser.get(url(office, f"/{theirs['id']}")).status_code == 404
    assert post(browser, office, f"/{theirs['id']}/renewals", {"signed_on": "2026-10-20", "method": "fax",
                                                               "amount": "1"}).status_code == 404
    assert "别家的软件" not in text(browser.get(url(office)))


def test_the_demo_tenant_shows_contracts_duties_and_the_report(client, ctx):
    """The demo company's contract waiting for its installation, its duties page and the report."""
    import re

    from tenants.demo import provision_demo_tenants

    provision_demo_tenants(only="huaxin")
    assert login(client, "huaxin", "manager", password="kehu-demo").status_code == 302
    for path, link in (("service/contracts", r"/t/huaxin/service/contracts/\d+"),
                       ("service/duties", None), ("service/reports", None)):
        page = client.get(f"/t/huaxin/{path}")
        assert page.status_code == 200, path
        if link:
            found = re.findall(link, text(page))
            assert found, path
            assert client.get(found[0]).status_code == 200, found[0]
