"""The sales-control pages (zh_Hans): the board with states by colour and text, a unit's hold,
finance's deposit form, the subscription form with its field messages, signing, the 4 labelled copies,
the amendment and its approval, the contract and the signing list."""
from __future__ import annotations

from tests.plugins.real_estate import sales_fixtures
from tests.plugins.real_estate.sales_fixtures import deposit, hold, subscribed
from tests.web.portal.test_login import _csrf, login

office = sales_fixtures.office  # the fixture


def browser_of(app, office, who):
    browser = app.test_client()
    assert login(browser, office.handle.slug, who).status_code == 302
    return browser


def page(office, path=""):
    return f"/t/{office.handle.slug}/re/sales{path}"


def post(browser, office, path, data=None, on=None):
    html = browser.get(page(office, on or "")).get_data(as_text=True)
    return browser.post(page(office, path), data={"csrf_token": _csrf(html), **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_board_shows_each_unit_with_its_state_by_colour_and_text_and_filters(app, client, office):
    wang = browser_of(app, office, "wang")
    home = text(wang.get(f"/t/{office.handle.slug}/"))
    assert 'data-nav="re_sales"' in home and "销控" in home
    board = wang.get(page(office))
    assert board.status_code == 200
    html = text(board)
    assert "销控表" in html and 'data-unit="3-1502"' in html and "state-available" in html and "可售" in html
    assert "3号楼" in html
    assert 'data-unit="3-1502"' not in text(wang.get(page(office), query_string={"state": "held"}))


def test_unit_page_hold_release_and_finance_deposit(app, client, office):
    wang = browser_of(app, office, "wang")
    unit = f"/units/{office.unit_id}"
    held = post(wang, office, f"{unit}/hold", {"customer_id": str(office.customer_id)}, on=unit)
    assert held.status_code == 302
    html = text(wang.get(page(office, unit)))
    assert "已锁定" in html and "解除锁定" in html
    # another salesperson: 409 naming the holder
    li = browser_of(app, office, "li")
    refused = post(li, office, f"{unit}/hold", {}, on=unit)
    assert refused.status_code == 409 and "wang" in text(refused)
    # a salesperson cannot post a deposit (403, nothing written); finance can
    refused = post(wang, office, f"{unit}/deposits", {"kind": "small", "amount": "5000", "receipt_no": "XD-1"},
                   on=unit)
    assert refused.status_code == 403 and "只有财务可以登记收款" in text(refused)
    qian = browser_of(app, office, "qian")
    form = text(qian.get(page(office, unit)))
    assert 'data-step="deposit"' in form and "登记定金" in form
    missing = post(qian, office, f"{unit}/deposits", {"kind": "small", "amount": "5000", "receipt_no": ""}, on=unit)
    assert missing.status_code == 422 and "定金须以财务收据号登记" in text(missing)
    done = post(qian, office, f"{unit}/deposits", {"kind": "small", "amount": "5000", "receipt_no": "XD-1"}, on=unit)
    assert done.status_code == 302
    assert "已交小定" in text(qian.get(page(office, unit)))
    register = text(qian.get(page(office, "/deposits"), query_string={"kind": "small"}))
    assert "小定登记表" in register and "XD-1" in register and "¥5,000.00" in register


def test_subscription_form_sign_print_amend_approve_contract(app, client, office):
    assert hold(client, office).status_code == 201
    assert deposit(client, office).status_code == 201
    assert deposit(client, office, "big", "50000.00", "DD-0001").status_code == 201
    wang = browser_of(app, office, "wang")
    new = f"/subscriptions/new?unit_id={office.unit_id}"
    body = {"buyer_name": "张伟", "phone": "13800138000", "mailing_address": "成都市锦江区东大街1号",
            "postcode": "", "price": "1480000", "balance": "1000000",
            "schedule": "2026-10-10 500000\n2026-12-10 500000", "customer_id": str(office.customer_id)}
    refused = post(wang, office, new, body, on=new)
    assert refused.status_code == 422 and "认购书须填写邮政编码" in text(refused)
    assert "成都市锦江区东大街1号" in text(refused)  # what was typed stays
    made = post(wang, office, new, {**body, "postcode": "610000"}, on=new)
    assert made.status_code == 302
    sub_page = made.headers["Location"]
    sub_id = int(sub_page.rstrip("/").split("/")[-1])
    path = f"/subscriptions/{sub_id}"
    assert post(wang, office, f"{path}/sign", on=path).status_code == 302
    html = text(wang.get(page(office, path)))
    assert 'data-step="amend"' in html and 'data-step="edit"' not in html
    printed = text(wang.get(page(office, f"{path}/print")))
    assert printed.count('class="re-copy"') == 4
    assert "客户联（第1份，共1份）" in printed and "财务联（第1份，共1份）" in printed
    assert "销售联（第1份，共2份）" in printed and "销售联（第2份，共2份）" in printed
    # PATCH of a signed subscription: no edit form; an amendment → v2 approved by the manager
    assert post(wang, office, f"{path}/edit", {"postcode": "610041"}, on=path).status_code == 409
    amended = post(wang, office, f"{path}/amend", {"amendment_reason": "买受人搬家", "postcode": "610041"}, on=path)
    assert amended.status_code == 302
    v2 = int(amended.headers["Location"].rstrip("/").split("/")[-1])
    assert post(wang, office, f"/subscriptions/{v2}/approve", on=path).status_code == 403
    zhao = browser_of(app, office, "zhao")
    assert post(zhao, office, f"/subscriptions/{v2}/approve", on=path).status_code == 302
    v2_page = text(zhao.get(page(office, f"/subscriptions/{v2}")))
    assert 'data-version="1"' in v2_page and "已被取代" in v2_page and "610041" in v2_page
    # the contract: the custodian is required; then on the signing list
    zhou = browser_of(app, office, "zhou")
    v2_path = f"/subscriptions/{v2}"
    missing = post(zhou, office, f"{v2_path}/contract", {"number": "HT-2026-0001", "custodian_id": ""}, on=v2_path)
    assert missing.status_code == 422 and "请指定签约文件的保管人" in text(missing)
    done = post(zhou, office, f"{v2_path}/contract", {"number": "HT-2026-0001",
                                                      "custodian_id": str(office.ids["zhou"])}, on=v2_path)
    assert done.status_code == 302
    listing = text(zhou.get(page(office, "/signing-list")))
    assert "签约一览表" in listing and "HT-2026-0001" in listing and "张伟" in listing


def test_setup_page_adds_a_project_building_and_unit(app, client, office):
    sun = browser_of(app, office, "sun")
    assert post(sun, office, "/setup", {"what": "project", "name": "天府新城"}, on="/setup").status_code == 302
    refused = post(sun, office, "/setup", {"what": "project", "name": "天府新城"}, on="/setup")
    assert refused.status_code == 422 and "同名项目已存在" in text(refused)
    wang = browser_of(app, office, "wang")
    assert wang.get(page(office, "/setup")).status_code == 403


def test_printed_subscription_after_the_api_signing(app, client, office):
    signed = subscribed(client, office)
    zhou = browser_of(app, office, "zhou")
    printed = text(zhou.get(page(office, f"/subscriptions/{signed['id']}/print")))
    assert printed.count('class="re-copy"') == 4 and "认购书" in printed


def test_setup_page_imports_units_from_csv(app, client, office):
    sun = browser_of(app, office, "sun")
    csv = "number,floor,area,price\n3-1601,16,118,1490000\n"
    done = post(sun, office, "/setup", {"what": "import", "building_id": str(office.building_id), "csv": csv},
                on="/setup")
    assert done.status_code == 302
    assert 'data-unit="3-1601"' in text(sun.get(page(office)))


def test_hold_form_with_a_superscript_customer_id_is_the_fields_422(app, client, office):
    """The portal reads ids with ``as_id`` (ASCII digits in range): "²" or a huge number is the field's
    message (422), not a 500; the unit stays available."""
    wang = browser_of(app, office, "wang")
    unit = f"/units/{office.unit_id}"
    for raw in ("²", str(10 ** 20)):
        refused = post(wang, office, f"{unit}/hold", {"customer_id": raw}, on=unit)
        assert refused.status_code == 422, (raw, refused.status_code)
    assert "解除锁定" not in text(wang.get(page(office, unit)))
    setup = browser_of(app, office, "sun")
    refused = post(setup, office, "/setup", {"what": "import", "building_id": "²", "csv": "number,area,price\n"},
                   on="/setup")
    assert refused.status_code == 422
