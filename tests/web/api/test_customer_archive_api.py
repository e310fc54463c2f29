"""The customer archive through the API: CUS-01 record, extra fields of the tenant and of plugins
(kehu_customer_fields), CUS-03 checklists (kehu_checklist_templates), CUS-02 paper archive and handover
log, CUS-04 filing, CUS-06 confirmation — with the spec's vectors."""
import datetime as dt

from sqlalchemy import select, text

from core.customers.archive.models import FilingReminder
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


# --- CUS-03 -----------------------------------------------------------------------------------------

CAR_NEW = {"label_zh": "新车档案", "label_en": "New-car archive", "kinds": ["person", "organisation"], "items": [
    {"code": "green_card", "label_zh": "绿卡"}, {"code": "invoice_copy", "label_zh": "购车发票复印件"},
    {"code": "sales_contract", "label_zh": "销售合同", "form": "original", "customer_signature": True},
    {"code": "id_or_org_code", "label_zh": "身份证复印件（正反面）或组织机构代码证", "any_of": [
        {"code": "id_copy", "label_zh": "身份证复印件", "both_sides": True},
        {"code": "org_code_certificate", "label_zh": "组织机构代码证"}]},
    {"code": "delivery_inspection", "label_zh": "交车检查表", "customer_signature": True},
    {"code": "licence_copy", "label_zh": "行驶证复印件"}, {"code": "insurance_copy", "label_zh": "保险单复印件"},
    {"code": "derivative_services", "label_zh": "衍生服务清单"}, {"code": "conformity_copy", "label_zh": "合格证复印件"},
    {"code": "delivery_photo", "label_zh": "交车照片"}, {"code": "pdi_checklist", "label_zh": "PDI检查表"},
    {"code": "other_documents", "label_zh": "特定客户其他资料",
     "condition": {"field": "flags", "op": "contains", "value": "special_assistance"}}]}
SIMPLE = {"green_card", "invoice_copy", "licence_copy", "insurance_copy", "derivative_services", "conformity_copy",
          "delivery_photo", "pdi_checklist"}


def _put(client, handle, cid, code, **attrs):
    r = client.put(f"/api/v1/customers/{cid}/documents/{code}", headers=handle.headers(), json=attrs)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_cus03_1_car_template_eleven_required_one_conditional_ten_satisfied(client, two_tenants):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"checklists": {"car_new": CAR_NEW}}, "2026-01-01")
    cid = _create(client, a, WANG).get_json()["id"]
    for code in sorted(SIMPLE - {"pdi_checklist"}):
        _put(client, a, cid, code)
    _put(client, a, cid, "sales_contract", form="original", customer_signed=True, scan_ref="scan/contract.pdf")
    _put(client, a, cid, "id_copy", both_sides=True)
    _put(client, a, cid, "delivery_inspection", customer_signed=True)
    r = client.get(f"/api/v1/customers/{cid}/checklist", headers=a.headers())
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["completeness"], body["required"], body["satisfied"]) == ("90.91", 11, 10)
    [car] = body["templates"]
    assert car["code"] == "car_new" and car["completeness"] == "90.91"
    assert [(m["code"], [x["code"] for x in m["reasons"]]) for m in car["missing"]] == [("pdi_checklist", ["not_provided"])]
    assert car["items"][-1]["status"] == "not_applicable"
    assert [(m["template"], m["code"], m["reasons"][0]["code"]) for m in body["missing"]] == [
        ("car_new", "pdi_checklist", "not_provided")]
    docs = client.get(f"/api/v1/customers/{cid}/documents", headers=a.headers()).get_json()
    assert len(docs) == 10 and {d["item_code"]: d["scan_ref"] for d in docs}["sales_contract"] == "scan/contract.pdf"
    # the customer becomes a special-assistance case: the conditional item now counts
    client.patch(f"/api/v1/customers/{cid}", headers=a.headers(), json={"flags": ["special_assistance"]})
    body = client.get(f"/api/v1/customers/{cid}/checklist", headers=a.headers()).get_json()
    assert (body["completeness"], body["required"]) == ("83.33", 12)
    r = client.put(f"/api/v1/customers/{cid}/documents/mystery", headers=a.headers(), json={})
    assert r.status_code == 422 and "item_code" in r.get_json()["errors"]["json"]
    r = client.put(f"/api/v1/customers/{cid}/documents/green_card", headers=a.headers(), json={"form": "scan"})
    assert r.status_code == 422 and "form" in r.get_json()["errors"]["json"]
    assert client.delete(f"/api/v1/customers/{cid}/documents/green_card", headers=a.headers()).status_code == 204
    assert client.get(f"/api/v1/customers/{cid}/checklist", headers=a.headers()).get_json()["satisfied"] == 9


def test_cus03_2_one_sided_id_copy_leaves_the_either_or_item_unsatisfied(client, two_tenants):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"checklists": {"car_new": CAR_NEW}}, "2026-01-01")
    cid = _create(client, a, WANG).get_json()["id"]
    _put(client, a, cid, "id_copy", both_sides=False)
    body = client.get(f"/api/v1/customers/{cid}/checklist?template=car_new", headers=a.headers()).get_json()
    item = next(i for i in body["templates"][0]["items"] if i["code"] == "id_or_org_code")
    assert item["satisfied"] is False
    assert [(r["item"], r["code"]) for r in item["reasons"]] == [("id_copy", "both_sides"),
                                                               ("org_code_certificate", "not_provided")]
    assert "both sides" in item["reasons"][0]["en"] and item["reasons"][0]["zh"] == "须正反面"
    assert client.get(f"/api/v1/customers/{cid}/checklist?template=nope", headers=a.headers()).status_code == 404


def test_kehu_checklist_templates_of_a_plugin_apply_by_condition(client, make_tenant):
    a = make_tenant("lists-a", "甲", plugins=["sample"])
    b = make_tenant("lists-b", "乙")
    templates = client.get("/api/v1/customers/checklist-templates", headers=a.headers()).get_json()
    assert [(t["code"], t["source"]) for t in templates] == [("sample_connection", "plugin")]
    assert client.get("/api/v1/customers/checklist-templates", headers=b.headers()).get_json() == []
    plain = _create(client, a, WANG).get_json()["id"]
    assert client.get(f"/api/v1/customers/{plain}/checklist", headers=a.headers()).get_json() == {
        "customer_id": plain, "completeness": "100.00", "required": 0, "satisfied": 0, "missing": [],
        "templates": []}
    metered = _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}],
                                  "extra": {"meter_no": "M000001"}}).get_json()["id"]
    _put(client, a, metered, "business_licence")
    _put(client, a, metered, "application_form")  # lacks the customer's signature
    body = client.get(f"/api/v1/customers/{metered}/checklist", headers=a.headers()).get_json()
    assert (body["completeness"], [t["code"] for t in body["templates"]]) == ("50.00", ["sample_connection"])
    assert body["templates"][0]["missing"][0]["reasons"][0]["code"] == "customer_signature"
    # a tenant's own cus.checklists entry replaces the plugin's of the same code
    policy_since(a.id, "cus", {"checklists": {"sample_connection": {
        "label_zh": "报装资料（本公司）", "items": [{"code": "application_form", "label_zh": "报装申请表"}]}}}, "2026-01-01")
    body = client.get(f"/api/v1/customers/{metered}/checklist", headers=a.headers()).get_json()
    assert (body["completeness"], body["templates"][0]["label_zh"]) == ("100.00", "报装资料（本公司）")
    # without the plugin, its item codes are unknown
    wang_b = _create(client, b, WANG).get_json()["id"]
    assert client.put(f"/api/v1/customers/{wang_b}/documents/application_form", headers=b.headers(),
                      json={}).status_code == 422


# --- CUS-06 -----------------------------------------------------------------------------------------

def test_cus06_effective_at_the_signature_time(client, make_tenant):
    a = make_tenant("confirm-a", "甲")
    policy_since(a.id, "cus", {"archive": {"confirm_by": "supervisor"}}, "2026-01-01")
    _uid, sales = make_tenant.user(a, "sales", roles=["salesperson"])
    sup_id, sup = make_tenant.user(a, "sup", roles=["supervisor"])
    r = _create(client, a, WANG, token=sales)
    body = r.get_json()
    assert (body["confirmation"], body["effective_at"], body["confirmed_at"]) == ("pending", None, None)
    cid = body["id"]
    assert [c["id"] for c in client.get("/api/v1/customers?confirmed=false", headers=a.headers()).get_json()] == [cid]
    assert client.get("/api/v1/customers?confirmed=true", headers=a.headers()).get_json() == []
    with tenant_scope(a.id):  # the vector: created 2026-06-01 09:00
        db.session.execute(text("update customers set created_at = :t where id = :i"),
                           {"t": dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.timezone.utc), "i": cid})
        db.session.commit()
    url = f"/api/v1/customers/{cid}/confirm"
    r = client.post(url, headers=a.headers(sales), json={"signed_at": "2026-06-02T10:00:00+08:00"})
    assert r.status_code == 403 and "supervisor" in r.get_json()["message"]
    r = client.post(url, headers=a.headers(sup), json={"signed_at": "2026-05-31T10:00:00+08:00"})
    assert r.status_code == 422 and "signed_at" in r.get_json()["errors"]["json"]  # before the creation
    r = client.post(url, headers=a.headers(sup), json={"signed_at": "2026-06-02T10:00:00+08:00"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["effective_at"] == "2026-06-02T02:00:00+00:00" == r.get_json()["confirmed_at"]
    assert r.get_json()["confirmation"] == "confirmed" and r.get_json()["confirmed_by"] == sup_id
    got = client.get(f"/api/v1/customers/{cid}", headers=a.headers()).get_json()
    assert got["effective_at"] == "2026-06-02T02:00:00+00:00" and got["created_at"] == "2026-06-01T01:00:00+00:00"
    assert client.post(url, headers=a.headers(sup), json={}).status_code == 422  # once
    [decision] = [d for d in client.get(f"/api/v1/decisions?subject_type=customer&subject_id={cid}",
                                        headers=a.headers()).get_json() if d["rule_id"] == "CUS-06"]
    assert decision["decided_by"] == sup_id and "2026-06-02" in decision["reason_zh"]


def test_no_confirmation_needed_under_the_default(client, two_tenants):
    a, _b = two_tenants
    body = _create(client, a, WANG).get_json()
    assert body["confirmation"] == "not_required" and body["effective_at"] == body["created_at"]
    r = client.post(f"/api/v1/customers/{body['id']}/confirm", headers=a.headers(), json={})
    assert r.status_code == 422 and r.get_json()["rule_id"] == "CUS-06"


# --- CUS-02 -----------------------------------------------------------------------------------------

PAPER_POLICY = {"archive": {"paper": True, "handover_log": True}, "checklists": {"car_new": CAR_NEW}}


def test_cus02_handover_with_a_missing_item_and_paper_location(client, make_tenant, owner_engine):
    a = make_tenant("paper-a", "甲")
    policy_since(a.id, "cus", PAPER_POLICY, "2026-01-01")
    seller, _t = make_tenant.user(a, "seller", roles=["salesperson"])
    keeper, _t = make_tenant.user(a, "keeper", roles=["assistant"])
    cid = _create(client, a, WANG).get_json()["id"]
    received = [{"item_code": c} for c in sorted(SIMPLE - {"insurance_copy"})] + [
        {"item_code": "sales_contract", "form": "original", "customer_signed": True},
        {"item_code": "id_copy", "both_sides": True}, {"item_code": "delivery_inspection", "customer_signed": True}]
    entry = {"on": "2026-10-12", "from_user_id": seller, "to_user_id": keeper, "from_signed": True, "to_signed": True,
             "received": received, "missing": ["insurance_copy"], "note": "保险单待补"}
    url = f"/api/v1/customers/{cid}/handovers"
    # (2) paper = true: the paper archive needs a location
    r = client.post(url, headers=a.headers(), json=entry)
    assert r.status_code == 422 and "location" in r.get_json()["errors"]["json"]
    assert _count(owner_engine, "archive_handovers", a.id) == 0 and _count(owner_engine, "customer_documents", a.id) == 0
    r = client.post(url, headers=a.headers(), json={**entry, "to_signed": False, "location": {"cabinet": "A-3"}})
    assert r.status_code == 422 and "pouch_no" in r.get_json()["errors"]["json"]["location"]
    r = client.post(url, headers=a.headers(), json={**entry, "to_signed": False,
                                                    "location": {"cabinet": "A-3", "pouch_no": "0127"}})
    assert r.status_code == 422 and "to_signed" in r.get_json()["errors"]["json"]
    r = client.post(url, headers=a.headers(), json={**entry, "missing": ["insurance_copy", "parking_ticket"],
                                                    "location": {"cabinet": "A-3", "pouch_no": "0127"}})
    assert r.status_code == 422 and "missing" in r.get_json()["errors"]["json"]
    # (1) a handover with one missing item
    r = client.post(url, headers=a.headers(), json={**entry, "location": {"cabinet": "A-3", "pouch_no": "0127"}})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["missing"] == ["insurance_copy"] and r.get_json()["on"] == "2026-10-12"
    assert (r.get_json()["from_user_id"], r.get_json()["to_user_id"]) == (seller, keeper)
    body = client.get(f"/api/v1/customers/{cid}/checklist", headers=a.headers()).get_json()
    assert body["completeness"] == "90.91"  # < 100%
    [gap] = body["templates"][0]["missing"]
    assert (gap["code"], gap["reasons"][0]["code"]) == ("insurance_copy", "missing_at_handover")
    location = client.get(f"/api/v1/customers/{cid}/paper", headers=a.headers()).get_json()
    assert (location["cabinet"], location["pouch_no"], location["custodian_id"]) == ("A-3", "0127", keeper)
    assert [h["id"] for h in client.get(url, headers=a.headers()).get_json()] == [r.get_json()["id"]]
    # the item arrives later: the archive is complete
    later = {**entry, "on": "2026-10-14", "received": [{"item_code": "insurance_copy"}], "missing": []}
    assert client.post(url, headers=a.headers(), json=later).status_code == 201  # location set before
    assert client.get(f"/api/v1/customers/{cid}/checklist", headers=a.headers()).get_json()["completeness"] == "100.00"
    r = client.put(f"/api/v1/customers/{cid}/paper", headers=a.headers(), json={"cabinet": "B-1", "pouch_no": "9",
                                                                                "custodian_id": 999999})
    assert r.status_code == 422 and "custodian_id" in r.get_json()["errors"]["json"]


def test_handover_log_off_by_default(client, two_tenants):
    a, _b = two_tenants
    cid = _create(client, a, WANG).get_json()["id"]
    assert client.get(f"/api/v1/customers/{cid}/paper", headers=a.headers()).status_code == 404
    r = client.post(f"/api/v1/customers/{cid}/handovers", headers=a.headers(), json={
        "on": "2026-10-12", "from_user_id": a.admin_id, "to_user_id": a.admin_id + 1, "from_signed": True,
        "to_signed": True})
    assert r.status_code == 409 and "handover_log" in r.get_json()["message"]
    r = client.put(f"/api/v1/customers/{cid}/paper", headers=a.headers(), json={"cabinet": "A-1", "pouch_no": "1"})
    assert r.status_code == 200 and r.get_json()["custodian_id"] is None


# --- CUS-04 -----------------------------------------------------------------------------------------

FILING = {"filing": {"enabled": True}}


def _remind(tenant_id, day, run=0):
    """The job as the scheduler runs it (its slot in the dedupe key); ``run`` > 0: another scheduler or a
    manual re-run of the same day (a new dedupe key: only the natural keys keep it from doubling)."""
    from workers.runtime import execute

    key = f"cus.filing_reminders@{day}T09:00+08:00" + (f"#{run}" if run else "")
    result = execute(tenant_id, "cus.filing_reminders", {}, dedupe_key=key)
    db.session.rollback()  # a fresh snapshot for the test's session: the job committed in its own
    return result


def test_cus04_filing_due_expense_refused_reminders_and_filing(client, make_tenant):
    a = make_tenant("filing-a", "甲")
    policy_since(a.id, "cus", FILING, "2026-01-01")
    _uid, finance = make_tenant.user(a, "fin", roles=["finance"])
    r = _create(client, a, {**WANG, "first_contact_at": "2026-09-24T15:00:00+08:00"})
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    [filing] = client.get(f"/api/v1/customers/{cid}/filings", headers=a.headers()).get_json()
    assert (filing["kind"], filing["due_through"], filing["filed_at"]) == ("new", "2026-10-09", None)  # (1)
    assert filing["due_at"] == "2026-10-09T16:00:00+00:00"  # 2026-10-10 00:00 in Shanghai
    decision = client.get(f"/api/v1/decisions/{filing['decision_id']}", headers=a.headers()).get_json()
    assert decision["rule_id"] == "CUS-04" and decision["policy_version"] == 1 and "2026-10-09" in decision["reason_zh"]
    # (2) an expense claim on 2026-10-12, still unfiled: refused with reason CUS-04
    check = f"/api/v1/customers/{cid}/filing/expense-check"
    r = client.post(check, headers=a.headers(finance), json={"at": "2026-10-12T10:00:00+08:00", "claim": "entertainment"})
    assert r.status_code == 200, r.get_json()
    verdict = r.get_json()
    assert (verdict["allowed"], verdict["rule_id"]) == (False, "CUS-04") and "2026-10-09" in verdict["reason_en"]
    refusal = client.get(f"/api/v1/decisions/{verdict['decision_id']}", headers=a.headers()).get_json()
    assert refusal["outcome"]["expense_claim"] == "refused"
    unfiled = client.get("/api/v1/customers/filings?overdue_on=2026-10-12", headers=a.headers()).get_json()
    assert [f["customer_id"] for f in unfiled] == [cid]
    assert client.get("/api/v1/customers/filings?overdue_on=2026-10-09", headers=a.headers()).get_json() == []
    # the daily reminders: one per working day after the last day, a KPI proposal after the third
    for day, run in (("2026-10-09", 0), ("2026-10-10", 0), ("2026-10-11", 0), ("2026-10-12", 0), ("2026-10-12", 1)):
        _remind(a.id, day, run)
    with tenant_scope(a.id):
        days = db.session.scalars(select(FilingReminder.day).order_by(FilingReminder.day)).all()
    assert [str(d) for d in days] == ["2026-10-10", "2026-10-12"]  # Sat 10-10 works, Sun 10-11 does not
    assert client.get(f"/api/v1/customers/{cid}/filings", headers=a.headers()).get_json()[0]["penalty_decision_id"] is None
    assert _remind(a.id, "2026-10-13") == {"day": "2026-10-13", "reminded": 1, "proposals": 1}
    assert _remind(a.id, "2026-10-13", run=1) == {"day": "2026-10-13", "reminded": 0, "proposals": 0}
    [filing] = client.get(f"/api/v1/customers/{cid}/filings", headers=a.headers()).get_json()
    proposal = client.get(f"/api/v1/decisions/{filing['penalty_decision_id']}", headers=a.headers()).get_json()
    assert proposal["outcome"]["proposal"] == "kpi_deduction" and proposal["outcome"]["month_end"] == "2026-10-31"
    assert proposal["outcome"]["user_id"] == a.admin_id and "3" in proposal["reason_zh"]
    # the proposal in the staff ledger: an open amount for the approver to set, on October's pay
    ledger = client.get("/api/v1/staff/entries?offence=customer_unfiled", headers=a.headers()).get_json()
    assert [(e["user_id"], e["amount"], e["state"], e["rule_id"], e["payroll_month"], e["facts"]["pricing"]["open"])
            for e in ledger] == [(a.admin_id, "0.00", "proposed", "CUS-04", "2026-10", True)]
    # filed: the claim goes ahead, nothing more is reminded
    url = f"/api/v1/customers/{cid}/filing/file"
    r = client.post(url, headers=a.headers(finance), json={})
    assert r.status_code == 403
    r = client.post(url, headers=a.headers(), json={"filed_at": "2026-10-13T11:00:00+08:00"})
    assert r.status_code == 200 and r.get_json()[0]["filed_at"] == "2026-10-13T03:00:00+00:00"
    assert client.post(url, headers=a.headers(), json={}).status_code == 409  # nothing open
    r = client.post(check, headers=a.headers(), json={"at": "2026-10-14T10:00:00+08:00"})
    assert r.get_json()["allowed"] is True and r.get_json()["decision_id"] is None
    assert _remind(a.id, "2026-10-14")["reminded"] == 0
    # a change opens a change filing within 5 working days of the change
    assert client.patch(f"/api/v1/customers/{cid}", headers=a.headers(), json={"note": "换了地址"}).status_code == 200
    kinds = [(f["kind"], f["filed_at"] is None) for f in
             client.get(f"/api/v1/customers/{cid}/filings", headers=a.headers()).get_json()]
    assert kinds == [("new", False), ("change", True)]
    r = client.patch(f"/api/v1/customers/{cid}", headers=a.headers(), json={"first_contact_at": "2026-09-24T15:00:00+08:00"})
    assert r.status_code == 422 and "first_contact_at" in r.get_json()["errors"]["json"]


def test_filing_off_by_default_and_bad_first_contact(client, two_tenants):
    a, _b = two_tenants
    cid = _create(client, a, WANG).get_json()["id"]
    assert client.get(f"/api/v1/customers/{cid}/filings", headers=a.headers()).get_json() == []
    r = client.post(f"/api/v1/customers/{cid}/filing/expense-check", headers=a.headers(),
                    json={"at": "2026-10-12T10:00:00+08:00"})
    assert r.get_json()["allowed"] is True
    r = _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}],
                            "first_contact_at": "2099-01-01T10:00:00+08:00"})
    assert r.status_code == 422 and "first_contact_at" in r.get_json()["errors"]["json"]


def test_filing_reminders_job_stays_in_its_tenant(client, make_tenant):
    a, b = make_tenant("rem-a", "甲"), make_tenant("rem-b", "乙")
    for handle in (a, b):
        policy_since(handle.id, "cus", FILING, "2026-01-01")
        _create(client, handle, {**WANG, "first_contact_at": "2026-09-24T15:00:00+08:00"})
    assert _remind(a.id, "2026-10-12")["reminded"] == 1
    from workers.runtime import execute

    manual = execute(b.id, "cus.filing_reminders", {"on": "2026-10-13"}, dedupe_key="manual-2026-10-13")
    assert manual == {"day": "2026-10-13", "reminded": 1, "proposals": 0}
    db.session.rollback()
    for handle, expected in ((a, [dt.date(2026, 10, 12)]), (b, [dt.date(2026, 10, 13)])):
        with tenant_scope(handle.id):
            assert db.session.scalars(select(FilingReminder.day)).all() == expected  # tenant-scoped ORM query


def test_cus06_an_unconfirmed_archive_gives_no_ownership_until_signed(client, make_tenant):
    """CUS-06: the claim on an archive awaiting its confirmation protects nobody; the signature makes
    the claim count (ownership re-judged, CUS-20/21)."""
    a = make_tenant("confirm-own", "甲")
    policy_since(a.id, "cus", {"archive": {"confirm_by": "supervisor"}}, "2026-01-01")
    sales_id, sales = make_tenant.user(a, "sales", roles=["salesperson"])
    _sup_id, sup = make_tenant.user(a, "sup", roles=["supervisor"])
    cid = _create(client, a, WANG, token=sales).get_json()["id"]
    claim = client.post(f"/api/v1/customers/{cid}/claims", headers=a.headers(sales), json={"kind": "register"})
    assert claim.status_code == 201, claim.get_json()
    owner = client.get(f"/api/v1/customers/{cid}/owner", headers=a.headers()).get_json()
    assert owner["owner_id"] is None  # awaiting the signature: no protection
    assert client.post(f"/api/v1/customers/{cid}/confirm", headers=a.headers(sup), json={}).status_code == 200
    owner = client.get(f"/api/v1/customers/{cid}/owner", headers=a.headers()).get_json()
    assert owner["owner_id"] == sales_id and "CUS-21" in [d["rule_id"] for d in owner["decisions"]]
