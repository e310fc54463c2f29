"""The portal's 换房退房 pages in zh_Hans: the swap form shows the RE-40 check's outcome, the manager approves,
the swap completes; a rename after the contract shows the ¥14,800.00 fee and waits for finance; a refund
after the contract is refused next to the form; instalments show their RE-42 stage, the printable notice,
finance's payment form (403 for anybody else)."""
import datetime as dt

import pytest

from core.db import db

from plugins.real_estate.office_models import Change, Instalment
from plugins.real_estate.sales_models import Unit
from tests.plugins.real_estate.changes_world import add_contract, add_instalment, build_office, rows
from tests.web.portal.test_login import _csrf, login
from workers.runtime import execute

BASE = "/t/re-a/re/changes"


@pytest.fixture
def office(make_tenant):
    return build_office(make_tenant)


def _as(client, who):
    client.post("/t/re-a/logout", data={"csrf_token": _csrf(client.get(BASE).get_data(as_text=True))}) \
        if client.get(BASE).status_code == 200 else None
    assert login(client, "re-a", who).status_code == 302


def _post(client, url, data):
    token = _csrf(client.get(BASE).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_swap_through_the_pages_shows_the_check_and_the_managers_approval(client, office):
    _as(client, "wang")
    home = client.get("/t/re-a/").get_data(as_text=True)
    assert 'data-nav="re_changes"' in home and "换房退房" in home
    page = client.get(BASE).get_data(as_text=True)
    assert "换房、换名与退房" in page and "申请换房" in page and "RG-2026-0001" in page and "0802" in page
    r = _post(client, f"{BASE}/swaps", {"subscription_id": office.ids["subscription"], "to_unit_id": office.ids["u0802"]})
    assert r.status_code == 302
    show = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "待批准" in show and "须经经理批准" in show and "面积变小" in show
    with office.scope():
        change_id = rows(Change)[0].id
    refused = _post(client, f"{BASE}/{change_id}/complete", {})
    assert refused.status_code == 409 and "须经经理批准" in refused.get_data(as_text=True)
    _as(client, "li")
    assert "批准" in client.get(f"{BASE}/{change_id}").get_data(as_text=True)
    assert _post(client, f"{BASE}/{change_id}/approve", {}).status_code == 302
    _as(client, "wang")
    assert _post(client, f"{BASE}/{change_id}/complete", {}).status_code == 302
    done = client.get(f"{BASE}/{change_id}").get_data(as_text=True)
    assert "已办结" in done and "办理经过" in done
    with office.scope():
        assert rows(Unit, id=office.ids["u0802"])[0].state == "subscribed"


def test_rename_after_the_contract_shows_the_fee_and_only_finance_records_it(client, office):
    add_contract(office, price="1480000")
    _as(client, "wang")
    r = _post(client, f"{BASE}/renames", {"subscription_id": office.ids["subscription"], "new_name": "陈小姐"})
    assert r.status_code == 302
    show = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "¥14,800.00" in show and "尚未缴清" in show and 'data-form="fee"' not in show
    change_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert _post(client, f"{BASE}/{change_id}/fee", {"receipt_no": "GM-1"}).status_code == 403
    _as(client, "zhao")
    assert 'data-form="fee"' in client.get(f"{BASE}/{change_id}").get_data(as_text=True)
    empty = _post(client, f"{BASE}/{change_id}/fee", {"receipt_no": ""})
    assert empty.status_code == 422 and 'class="field-error"' in empty.get_data(as_text=True)
    assert _post(client, f"{BASE}/{change_id}/fee", {"receipt_no": "GM-1"}).status_code == 302
    with office.scope():
        assert rows(Change)[0].fee_receipt_no == "GM-1"


def test_a_refund_after_the_contract_is_refused_on_the_form(client, office):
    add_contract(office, signed_on=dt.date(2026, 5, 20))
    _as(client, "wang")
    r = _post(client, f"{BASE}/refunds", {"subscription_id": office.ids["subscription"], "reason": "不想买了"})
    assert r.status_code == 409
    assert "合同已于2026-05-20签订，坚决不退房" in r.get_data(as_text=True)
    missing = _post(client, f"{BASE}/renames", {"subscription_id": "", "new_name": ""})
    assert missing.status_code == 422
    with office.scope():
        assert rows(Change) == []


def test_instalments_show_the_stage_the_printable_notice_and_finances_payment(client, office):
    instalment_id = add_instalment(office, due_on=dt.date(2026, 3, 10))
    db.session.rollback()
    execute(office.handle.id, "re.defaults", {"as_of": "2026-03-11T09:05:00+08:00"}, dedupe_key="re.defaults@0311")
    db.session.rollback()
    _as(client, "wang")
    page = client.get(f"{BASE}/instalments").get_data(as_text=True)
    assert "分期付款与违约" in page and "违约处理" in page  # more than 2 months ago by now
    assert 'data-notice' in page and 'data-form="pay-' not in page
    notice = client.get(f"{BASE}/instalments/{instalment_id}/notice").get_data(as_text=True)
    assert "催款通知单" in notice and "陈先生" in notice and "2026-05-11" in notice and "¥300,000.00" in notice
    assert _post(client, f"{BASE}/instalments/{instalment_id}/pay", {"receipt_no": "SK-1"}).status_code == 403
    _as(client, "zhao")
    assert 'data-form="pay-' in client.get(f"{BASE}/instalments").get_data(as_text=True)
    assert _post(client, f"{BASE}/instalments/{instalment_id}/pay", {"receipt_no": "SK-1"}).status_code == 302
    with office.scope():
        assert rows(Instalment)[0].receipt_no == "SK-1"
    assert "已付款" in client.get(f"{BASE}/instalments").get_data(as_text=True)
