"""The customer archive through the API: CUS-01 record, extra fields of the tenant and of plugins
(kehu_customer_fields), CUS-03 checklists (kehu_checklist_templates), CUS-02 paper archive and handover
log, CUS-04 filing, CUS-06 confirmation — with the spec's vectors."""
import datetime as dt

from sqlalchemy import text

from core.db import db
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from tests.web.api.test_customers_api import WANG, _count

ORG = {"kind": "organisation", "name": "华信安装服务有限公司", "phones": [{"number": "0830-2345678"}],
       "address": "泸州市江阳区", "contacts": [{"name": "刘经理", "title": "总经理", "mobile": "139 0013 9000"}]}
B2B = {"archive": {  # PRE-21 / cat 002 R7.3: the B2B filing list adds category, nature, supervising unit
    "required": {"organisation": ["name", "contact_name", "phone", "address", "category", "enterprise_nature",
                                  "supervising_unit"]},
    "fields": [{"name": "enterprise_nature", "label_zh": "企业性质", "type": "choice",
                "choices": ["国有", "民营", "外资"], "kinds": ["organisation"], "searchable": True},
               {"name": "supervising_unit", "label_zh": "主管单位", "kinds": ["organisation"], "searchable": True}]}}


def _create(client, handle, body, token=None):
    return client.post("/api/v1/customers", headers=handle.headers(token), json=body)


# --- CUS-01 -----------------------------------------------------------------------------------------

def test_cus01_1_organisation_without_contact_name_is_422_and_writes_nothing(client, two_tenants, owner_engine):
    a, _b = two_tenants
    body = {**ORG, "contacts": [{"title": "采购", "mobile": "13900139000"}]}  # a contact without a name
    r = _create(client, a, body)
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert list(errors) == ["contacts"] and "contact_name" in errors["contacts"][0]
    r = _create(client, a, {k: v for k, v in ORG.items() if k != "contacts"})
    assert r.status_code == 422 and "contact_name" in r.get_json()["errors"]["json"]["contacts"][0]
    for table in ("customers", "customer_contacts", "customer_phones", "customer_keys"):
        assert _count(owner_engine, table, a.id) == 0


def test_organisation_with_contacts_and_addresses_in_one_post(client, two_tenants):
    a, _b = two_tenants
    body = {**ORG, "contacts": [
        {"name": "刘经理", "title": "总经理", "department": "办公室", "mobile": "139 0013 9000",
         "landline": "0830-3123456 转8", "email": "liu@huaxin.cn", "im": "wx_liu"},
        {"name": "  张会计 ", "landline": "(0830) 3123457"}],
        "addresses": [{"kind": "registered", "text": "泸州市江阳区酒城大道1号", "district": "江阳区"},
                      {"text": "泸州市龙马潭区回龙湾"}],
        "category": "key", "lifecycle_stage": "active", "flags": ["key_account"], "source": "展会"}
    r = _create(client, a, body)
    assert r.status_code == 201, r.get_json()
    got = client.get(f"/api/v1/customers/{r.get_json()['id']}", headers=a.headers()).get_json()
    liu, zhang = got["contacts"]
    assert (liu["mobile"], liu["landline"], liu["landline_extension"]) == ("+8613900139000", "+868303123456", "8")
    assert (liu["title"], liu["department"], liu["email"], liu["im"]) == ("总经理", "办公室", "liu@huaxin.cn", "wx_liu")
    assert (zhang["name"], zhang["landline"], zhang["mobile"]) == ("张会计", "+868303123457", None)
    assert [(x["kind"], x["district"]) for x in got["addresses"]] == [("registered", "江阳区"), ("office", None)]
    assert (got["category"], got["lifecycle_stage"], got["flags"]) == ("key", "active", ["key_account"])
    assert got["extra"] == {} and got["confirmation"] == "not_required" and got["effective_at"] == got["created_at"]
    # PATCH replaces the contacts; the required contact_name is checked against what results
    cid = got["id"]
    r = client.patch(f"/api/v1/customers/{cid}", headers=a.headers(), json={"contacts": [{"mobile": "13700137000"}]})
    assert r.status_code == 422 and "contact_name" in r.get_json()["errors"]["json"]["contacts"][0]
    r = client.patch(f"/api/v1/customers/{cid}", headers=a.headers(), json={"contacts": [{"name": "王总"}],
                                                                           "lifecycle_stage": "lost"})
    assert r.status_code == 200 and [c["name"] for c in r.get_json()["contacts"]] == ["王总"]
    assert r.get_json()["addresses"] and r.get_json()["lifecycle_stage"] == "lost"


def test_cus01_3_person_with_only_a_landline_is_accepted(client, two_tenants):
    a, _b = two_tenants
    r = _create(client, a, {"name": "王小明", "phones": [{"number": "0830-2345678"}]})
    assert r.status_code == 201, r.get_json()
    assert [p["kind"] for p in r.get_json()["phones"]] == ["landline"]


def test_vocabularies_and_contact_phones_are_validated(client, two_tenants, owner_engine):
    a, _b = two_tenants
    r = _create(client, a, {**WANG, "category": "vip", "lifecycle_stage": "won", "flags": ["difficult", "rich"],
                            "contacts": [{"name": "王太太", "mobile": "0830-2345678"}, {"landline": "2345678"}, {}]})
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert "cus.archive.categories" in errors["category"][0] and "cus.archive.lifecycle" in errors["lifecycle_stage"][0]
    assert "rich" in errors["flags"][0] and "difficult" not in errors["flags"][0].split(": ")[-1]
    assert set(errors["contacts"]) == {"0", "1", "2"} and "mobile" in errors["contacts"]["0"]
    assert "landline" in errors["contacts"]["1"] and "name" in errors["contacts"]["2"]
    assert _count(owner_engine, "customers", a.id) == 0
    r = _create(client, a, {**WANG, "addresses": [{"kind": "moon", "text": "x"}, {"text": ""}],
                            "contacts": [{"name": "王", "email": "not-an-email"}]})
    assert r.status_code == 422
    errors = r.get_json()["errors"]["json"]
    assert set(errors["addresses"]) == {"0", "1"} and "email" in errors["contacts"]["0"]


def test_cus01_2_tenant_requiring_supervising_unit(client, two_tenants):
    a, b = two_tenants
    policy_since(a.id, "cus", B2B, "2026-01-01")
    fields = client.get("/api/v1/customers/archive-fields", headers=a.headers()).get_json()
    assert [(f["name"], f["source"], f["kinds"]) for f in fields] == [
        ("enterprise_nature", "policy", ["organisation"]), ("supervising_unit", "policy", ["organisation"])]
    body = {**ORG, "category": "key", "extra": {"enterprise_nature": "民营"}}
    r = _create(client, a, body)
    assert r.status_code == 422 and list(r.get_json()["errors"]["json"]) == ["extra.supervising_unit"]
    r = _create(client, a, {**body, "extra": {"enterprise_nature": "私营", "supervising_unit": "泸州市商务局"}})
    assert r.status_code == 422 and "extra.enterprise_nature" in r.get_json()["errors"]["json"]  # not a choice
    r = _create(client, a, {**body, "category": None, "extra": {"enterprise_nature": "民营",
                                                                "supervising_unit": "泸州市商务局"}})
    assert r.status_code == 422 and list(r.get_json()["errors"]["json"]) == ["category"]
    r = _create(client, a, {**body, "extra": {"enterprise_nature": "民营", "supervising_unit": "泸州市商务局"}})
    assert r.status_code == 201, r.get_json()
    org_id = r.get_json()["id"]
    assert r.get_json()["extra"] == {"enterprise_nature": "民营", "supervising_unit": "泸州市商务局"}
    # a person is not asked for them and cannot have them
    assert _create(client, a, WANG).status_code == 201
    r = _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}], "extra": {"supervising_unit": "x"}})
    assert r.status_code == 422 and "extra.supervising_unit" in r.get_json()["errors"]["json"]
    # searchable: field.<name>=<value>
    found = client.get("/api/v1/customers?field.supervising_unit=泸州市商务局", headers=a.headers()).get_json()
    assert [c["id"] for c in found] == [org_id]
    assert client.get("/api/v1/customers?field.supervising_unit=别处", headers=a.headers()).get_json() == []
    r = client.get("/api/v1/customers?field.colour=red", headers=a.headers())
    assert r.status_code == 422 and "field.colour" in r.get_json()["errors"]["json"]
    assert [c["id"] for c in client.get("/api/v1/customers?category=key", headers=a.headers()).get_json()] == [org_id]
    # removing a required value on update is refused; null removes an optional one
    r = client.patch(f"/api/v1/customers/{org_id}", headers=a.headers(), json={"extra": {"supervising_unit": None}})
    assert r.status_code == 422 and "extra.supervising_unit" in r.get_json()["errors"]["json"]
    # tenant B keeps the default policy: the organisation needs no supervising unit, and has no such field
    assert _create(client, b, ORG).status_code == 201
    r = _create(client, b, {**ORG, "name": "别的公司", "phones": [{"number": "0830-7654321"}],
                            "extra": {"supervising_unit": "泸州市商务局"}})
    assert r.status_code == 422 and r.get_json()["errors"]["json"]["extra.supervising_unit"] == ["unknown field"]


def test_plugin_fields_only_for_tenants_with_the_plugin(client, make_tenant):
    """kehu_customer_fields: the sample plugin's meter_no (searchable, validated) and
    supply_capacity_kva (organisations only); a tenant without the plugin gets 422 unknown field."""
    a = make_tenant("fields-a", "甲", plugins=["sample"])
    b = make_tenant("fields-b", "乙")
    names = [f["name"] for f in client.get("/api/v1/customers/archive-fields", headers=a.headers()).get_json()]
    assert names == ["meter_no", "supply_capacity_kva"]
    assert client.get("/api/v1/customers/archive-fields", headers=b.headers()).get_json() == []
    r = _create(client, a, {**WANG, "extra": {"meter_no": "X1"}})
    assert r.status_code == 422 and "extra.meter_no" in r.get_json()["errors"]["json"]
    r = _create(client, a, {**WANG, "extra": {"meter_no": "M000123", "supply_capacity_kva": 50}})
    assert r.status_code == 422 and "organisation" in r.get_json()["errors"]["json"]["extra.supply_capacity_kva"][0]
    r = _create(client, a, {**WANG, "extra": {"meter_no": "M000123"}})
    assert r.status_code == 201 and r.get_json()["extra"] == {"meter_no": "M000123"}
    wang = r.get_json()["id"]
    r = _create(client, a, {**ORG, "extra": {"supply_capacity_kva": "80", "meter_no": "M000124"}})
    assert r.status_code == 201 and r.get_json()["extra"] == {"supply_capacity_kva": 80, "meter_no": "M000124"}
    assert client.get(f"/api/v1/customers/{wang}", headers=a.headers()).get_json()["extra"]["meter_no"] == "M000123"
    found = client.get("/api/v1/customers?field.meter_no=M000123", headers=a.headers()).get_json()
    assert [c["id"] for c in found] == [wang]
    r = client.get("/api/v1/customers?field.supply_capacity_kva=80", headers=a.headers())
    assert r.status_code == 422  # not searchable
    r = _create(client, b, {**WANG, "extra": {"meter_no": "M000123"}})
    assert r.status_code == 422 and r.get_json()["errors"]["json"] == {"extra.meter_no": ["unknown field"]}
    assert client.get("/api/v1/customers?field.meter_no=M000123", headers=b.headers()).status_code == 422
