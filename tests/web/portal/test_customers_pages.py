"""Portal customers pages: search (pinyin, phone, number), create with field errors kept, CUS-13 duplicate
warnings (without JavaScript: warn, then confirm; exact refused; the JSON check of customers.js), the
customer page with its timeline and "why?" links, edit, contact log, register claim, and CUS-70
visibility (a salesperson never opens a colleague's customer)."""
import datetime as dt
import re

import pytest

from tests.helpers import policy_since
from tests.web.portal.test_login import _csrf, login
from web.portal.customers import customer_body, customer_number, place_phone_errors, pretty_phone, required_zh
from web.portal.forms import Form

BASE = "/t/tenant-a/customers"


# --------------------------------------------------------------------------- pure helpers


def test_pretty_phone():
    assert pretty_phone("+8613800138000") == "138 0013 8000"
    assert pretty_phone("+868302345678", "12") == "0830-2345678 转12"
    assert pretty_phone("138****8000") == "138****8000"  # masked: as it is
    assert pretty_phone("+14155550100") == "+14155550100"
    assert pretty_phone(None) == ""


def test_customer_number():
    assert customer_number("#12") == 12
    assert customer_number("No. 7") == 7
    assert customer_number("编号 30") == 30
    assert customer_number("12") == 12
    assert customer_number("王小明") is None


def test_required_fields_in_chinese():
    assert required_zh("required: mobile or landline (cus.archive.required.person, CUS-01)") == \
        "必填：手机或固定电话（cus.archive.required.person，CUS-01）"
    assert required_zh("required: contact_name, at least one contact with a name "
                       "(cus.archive.required.organisation, CUS-01)").startswith("必填：联系人姓名")
    assert required_zh("something else") == "something else"


def test_customer_body_and_phone_errors():
    body, fields = customer_body({"name": " 王小明 ", "phones.0.number": "", "phones.1.number": "138 0013 8000",
                                  "district": ""})
    assert body == {"kind": "person", "name": "王小明", "phones": [{"number": "138 0013 8000"}]}
    assert fields == ["phones.1.number"]
    update, _ = customer_body({"name": "王小明", "district": ""}, update=True)
    assert update["district"] is None and update["phones"] == []
    form = Form(errors={"phones.0.number": ["bad"]})
    place_phone_errors(form, fields)
    assert form.errors == {"phones.1.number": ["bad"]}


# --------------------------------------------------------------------------- pages


@pytest.fixture
def tenant(make_tenant):
    handle = make_tenant("tenant-a", "甲公司")
    handle.sales1 = make_tenant.user(handle, "sales1", roles=["salesperson"])
    handle.sales2 = make_tenant.user(handle, "sales2", roles=["salesperson"])
    return handle


def _api_customer(client, tenant, token=None, **body):
    r = client.post("/api/v1/customers", headers=tenant.headers(token), json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _post(client, url, data):
    page = client.get(url).get_data(as_text=True) if not url.endswith(("/contacts", "/claim")) else \
        client.get(url.rsplit("/", 1)[0]).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": _csrf(page)})


def test_list_needs_login(client, tenant):
    r = client.get(BASE)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_search_by_pinyin_initials_phone_and_number(client, tenant):
    wang = _api_customer(client, tenant, name="王小明", phones=[{"number": "13800138000"}])
    _api_customer(client, tenant, name="李华", phones=[{"number": "13912345678"}])
    login(client, "tenant-a")
    everybody = client.get(BASE).get_data(as_text=True)
    assert "王小明" in everybody and "李华" in everybody
    for q in ("wangxiaoming", "wxm", "小明", "0013 8000", f"#{wang['id']}"):
        page = client.get(BASE, query_string={"q": q}).get_data(as_text=True)
        assert "王小明" in page and "李华" not in page, q
    page = client.get(BASE, query_string={"q": "zhangsan"}).get_data(as_text=True)
    assert "王小明" not in page and "没有匹配的客户" in page


def test_list_filters_mine_state_and_masks_phones(client, tenant):
    mine = _api_customer(client, tenant, tenant.sales1[1], name="赵云", phones=[{"number": "13700001111"}])
    _api_customer(client, tenant, name="公海客户", phones=[{"number": "13600002222"}])
    client.post(f"/api/v1/customers/{mine['id']}/claims", headers=tenant.headers(tenant.sales1[1]),
                json={"kind": "register"})
    login(client, "tenant-a", "sales1")
    page = client.get(BASE, query_string={"mine": "1"}).get_data(as_text=True)
    assert "赵云" in page and "公海客户" not in page
    page = client.get(BASE, query_string={"state": "protected"}).get_data(as_text=True)
    assert "赵云" in page and "公海客户" not in page and "保护中" in page
    page = client.get(BASE, query_string={"state": "unowned"}).get_data(as_text=True)
    assert "赵云" not in page and "公海客户" in page
    assert "136****2222" in page  # a pool customer's phone is masked in a salesperson's list (CUS-70)


def test_create_with_field_errors_keeps_what_was_typed(client, tenant):
    login(client, "tenant-a")
    r = _post(client, f"{BASE}/new", {"kind": "person", "name": "", "phones.0.number": "12345",
                                      "district": "武侯区", "note": "老客户介绍"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(r'data-field="name".*?class="field-error"', page, re.S)
    assert re.search(r'data-field="phones.0.number".*?class="field-error"', page, re.S)
    assert 'value="12345"' in page and 'value="武侯区"' in page and "老客户介绍" in page


def test_organisation_required_fields_on_their_inputs(client, tenant):
    login(client, "tenant-a")
    r = _post(client, f"{BASE}/new", {"kind": "organisation", "name": "成都某某有限公司"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for field in ("phones.0.number", "contacts.0.name", "address"):
        assert re.search(rf'data-field="{re.escape(field)}".*?class="field-error"[^>]*>必填', page, re.S), field


def test_create_then_land_on_customer_page(client, tenant):
    login(client, "tenant-a", "sales1")
    r = _post(client, f"{BASE}/new", {"kind": "person", "name": "孙悟空", "phones.0.number": "139 0000 1234",
                                      "district": "锦江区"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "孙悟空" in page and "139 0000 1234" in page and "客户已创建" in page


def test_likely_duplicate_warns_then_confirm_creates(client, tenant):
    first = _api_customer(client, tenant, name="成都华信科技有限公司", kind="organisation", address="天府大道1号",
                          phones=[{"number": "028-85550000"}], contacts=[{"name": "刘经理"}])
    login(client, "tenant-a", "sales1")
    data = {"kind": "organisation", "name": "成都华信科技有限责任公司", "phones.0.number": "028-85551111", "address": "天府大道2号",
            "contacts.0.name": "王主任"}
    r = _post(client, f"{BASE}/new", data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-rule="CUS-13"' in page
    assert f'href="/t/tenant-a/customers/{first["id"]}"' in page
    assert 'name="confirm"' in page and 'value="成都华信科技有限责任公司"' in page  # the same values, ready to re-post
    assert client.get("/api/v1/customers", headers=tenant.headers(), query_string={"q": "华信科技"}).get_json()[-1][
        "id"] == first["id"]  # nothing created yet
    r = _post(client, f"{BASE}/new", {**data, "confirm": "1"})
    assert r.status_code == 302
    new_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "CUS-13" in page  # the warning is on the new customer's timeline, with its why link
    decision = re.search(r'href="(/t/tenant-a/decisions/\d+)" title="CUS-13"', page).group(1)
    why = client.get(decision).get_data(as_text=True)
    assert "CUS-13" in why and f"customer #{new_id}" in why


def test_exact_duplicate_is_refused_with_the_reason(client, tenant):
    first = _api_customer(client, tenant, name="张伟", phones=[{"number": "13812345678"}])
    login(client, "tenant-a")
    r = _post(client, f"{BASE}/new", {"kind": "person", "name": "张伟", "phones.0.number": "138 1234 5678"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "未创建" in page and "手机号" in page
    assert f'href="/t/tenant-a/customers/{first["id"]}"' in page
    assert 'value="138 1234 5678"' in page
    assert 'name="confirm"' not in page  # no "create anyway" for an exact duplicate


def test_live_duplicate_check_json(client, tenant):
    first = _api_customer(client, tenant, name="张伟", phones=[{"number": "13812345678"}])
    _api_customer(client, tenant, name="成都华信科技有限公司", kind="organisation", address="天府大道1号",
                  phones=[{"number": "028-85550000"}], contacts=[{"name": "刘经理"}])
    login(client, "tenant-a")
    answer = client.get(f"{BASE}/duplicates", query_string={"name": "张伟", "phones.0.number": "13812345678"}).get_json()
    assert answer["exact"]["existing_id"] == first["id"] and "手机号" in answer["exact"]["reason"]
    assert answer["exact"]["url"] == f"/t/tenant-a/customers/{first['id']}"
    answer = client.get(f"{BASE}/duplicates", query_string={"kind": "organisation", "name": "成都华信科技有限责任公司"}).get_json()
    assert answer["exact"] is None and answer["warnings"] and answer["warnings"][0]["rule_id"] == "CUS-13"
    answer = client.get(f"{BASE}/duplicates", query_string={"name": "新客户", "phones.0.number": "12"}).get_json()
    assert "phones.0.number" in answer["errors"] and not answer["warnings"]
    assert client.get(f"{BASE}/duplicates").get_json() == {"warnings": [], "exact": None, "errors": {}}


def test_customer_page_timeline_contact_and_why(client, tenant):
    policy_since(tenant.id, "cus", {"ownership": {"mode": "fixed_from_registration"}},
                 dt.date.today() - dt.timedelta(days=365))
    c = _api_customer(client, tenant, tenant.sales1[1], name="周杰", phones=[{"number": "13511112222"}],
                      resident_id="110101199003074514")
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=59)).isoformat()
    claim = client.post(f"/api/v1/customers/{c['id']}/claims", headers=tenant.headers(tenant.sales1[1]),
                        json={"kind": "register", "at": at})
    assert claim.status_code == 201, claim.get_json()
    login(client, "tenant-a", "sales1")
    page = client.get(f"{BASE}/{c['id']}").get_data(as_text=True)
    assert "周杰" in page and "135 1111 2222" in page and "110101199003074514" in page
    assert "即将到期" in page and "sales1" in page  # owner and state (CUS-20, CUS-25 warning)
    assert 'class="clock' in page and "保护期至" in page
    why = re.search(r'href="(/t/tenant-a/decisions/\d+)" title="CUS-2\d"', page)
    assert why, "an ownership outcome has its why link"
    assert client.get(why.group(1)).status_code == 200  # the owner may open the decision
    # log a contact: field error first (kept), then logged
    r = _post(client, f"{BASE}/{c['id']}/contacts", {"channel": "on_site", "content": "现场看房"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "现场看房" in page
    assert re.search(r'data-field="customer_signed".*?class="field-error"[^>]*>[^<]*签', page, re.S)
    r = _post(client, f"{BASE}/{c['id']}/contacts", {"channel": "phone_answered", "content": "约周六来店"})
    assert r.status_code == 302
    page = client.get(f"{BASE}/{c['id']}").get_data(as_text=True)
    assert "约周六来店" in page and 'data-type="contact"' in page


def test_edit_keeps_values_on_error_and_saves(client, tenant):
    c = _api_customer(client, tenant, name="吴敏", phones=[{"number": "13722223333"}])
    login(client, "tenant-a")
    page = client.get(f"{BASE}/{c['id']}/edit").get_data(as_text=True)
    assert 'value="137 2222 3333"' in page and 'value="吴敏"' in page
    r = _post(client, f"{BASE}/{c['id']}/edit", {"kind": "person", "name": "吴敏", "phones.0.number": "137 2222 3333",
                                                 "resident_id": "123", "district": "青羊区"})
    assert r.status_code == 422 and 'value="青羊区"' in r.get_data(as_text=True)
    r = _post(client, f"{BASE}/{c['id']}/edit", {"kind": "person", "name": "吴敏", "phones.0.number": "137 2222 3333",
                                                 "district": "青羊区"})
    assert r.status_code == 302
    assert client.get(f"/api/v1/customers/{c['id']}", headers=tenant.headers()).get_json()["district"] == "青羊区"


def test_register_claim_makes_the_customer_mine(client, tenant):
    c = _api_customer(client, tenant, name="郑爽", phones=[{"number": "13633334444"}])
    login(client, "tenant-a", "sales2")
    r = _post(client, f"{BASE}/{c['id']}/claim", {})
    assert r.status_code == 302
    page = client.get(f"{BASE}/{c['id']}").get_data(as_text=True)
    assert "已登记为您的客户" in page and "保护中" in page


def test_salesperson_cannot_open_a_colleagues_customer(client, tenant):
    c = _api_customer(client, tenant, tenant.sales2[1], name="钱多多", phones=[{"number": "13644445555"}])
    claimed = client.post(f"/api/v1/customers/{c['id']}/claims", headers=tenant.headers(tenant.sales2[1]),
                          json={"kind": "register"})
    assert claimed.status_code == 201
    # the API's answer to sales1
    assert client.get(f"/api/v1/customers/{c['id']}", headers=tenant.headers(tenant.sales1[1])).status_code == 404
    login(client, "tenant-a", "sales1")
    assert client.get(f"{BASE}/{c['id']}").status_code == 404
    assert client.get(f"{BASE}/{c['id']}/edit").status_code == 404
    assert "钱多多" not in client.get(BASE, query_string={"q": "qianduoduo"}).get_data(as_text=True)
    decision = client.get(f"/api/v1/customers/{c['id']}/owner", headers=tenant.headers()).get_json()["decisions"][0]
    assert client.get(f"/t/tenant-a/decisions/{decision['id']}").status_code in (403, 404)


def test_roles_without_write_see_no_create(client, tenant, make_tenant):
    make_tenant.user(tenant, "tech", roles=["technician"])
    login(client, "tenant-a", "tech")
    assert client.get(f"{BASE}/new").status_code == 403
    assert "新建客户" not in client.get(BASE).get_data(as_text=True)


def test_english_labels(client, tenant):
    login(client, "tenant-a")
    client.get("/t/tenant-a/lang/en")
    page = client.get(f"{BASE}/new").get_data(as_text=True)
    assert "New customer" in page or "新建客户" in page


def test_demo_customers_for_a_salesperson(client, ctx):
    """The demo tenant (``make run``): sales1's customers in every protection state, duplicate pairs
    with their CUS-13 warnings, pages that open; provisioning twice adds nothing."""
    from sqlalchemy import func, select

    from core.customers.models import Customer
    from core.db import db
    from core.tenancy import tenant_scope
    from tenants.demo import provision_demo_tenants
    from tenants.registry import find_tenant_by_slug

    provision_demo_tenants(only="huaxin")
    tenant = find_tenant_by_slug("huaxin")
    with tenant_scope(tenant.id):
        count = db.session.scalar(select(func.count()).select_from(Customer))
    assert count >= 20
    login(client, "huaxin", "sales1", password="kehu-demo")
    mine = client.get("/t/huaxin/customers", query_string={"mine": "1"}).get_data(as_text=True)
    assert "王建华" in mine and "即将到期" in mine and "赵雪梅" not in mine  # 赵雪梅 is sales2's
    page = client.get("/t/huaxin/customers", query_string={"q": "wjh"}).get_data(as_text=True)
    customer_id = re.search(r'data-customer="(\d+)"', page).group(1)
    page = client.get(f"/t/huaxin/customers/{customer_id}").get_data(as_text=True)
    assert 'data-type="contact"' in page and "CUS-50" in page and "保护期至" in page
    pool = client.get("/t/huaxin/customers", query_string={"state": "unowned"}).get_data(as_text=True)
    assert "章丽" in pool and "成都华信科技有限责任公司" in pool
    provision_demo_tenants(only="huaxin")
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Customer)) == count
