"""Customers through the API: CUS-01 required fields, CUS-10..12 normalisation and CUS-13 duplicate
detection (the spec's vectors), search, update, roles."""
import json

import pytest
from sqlalchemy import text

WANG = {"name": "王小明", "phones": [{"number": "138 0013 8000"}], "district": "朝阳区"}


def _create(client, handle, body, token=None):
    return client.post("/api/v1/customers", headers=handle.headers(token), json=body)


def _count(owner_engine, table, tenant_id):
    with owner_engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table} where tenant_id = :t"), {"t": tenant_id}).scalar()


def test_create_normalises_phone_and_identity(client, two_tenants):
    a, _b = two_tenants
    r = _create(client, a, {**WANG, "resident_id": "11010519491231002x",
                            "phones": [{"number": "+86-138-0013-8000", "label": "本人"},
                                       {"number": "0830-2345678 转12"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "person" and body["name"] == "王小明" and body["warnings"] == []
    assert body["resident_id"] == "11010519491231002X"  # CUS-11 (1)
    assert body["birth_date"] == "1949-12-31" and body["gender"] == "female"
    assert [(p["e164"], p["kind"], p["extension"], p["label"]) for p in body["phones"]] == [
        ("+8613800138000", "mobile", None, "本人"), ("+868302345678", "landline", "12", None)]  # CUS-10
    assert body["created_by"] == a.admin_id
    got = client.get(f"/api/v1/customers/{body['id']}", headers=a.headers())
    assert got.status_code == 200 and got.get_json()["phones"] == body["phones"]
    assert "warnings" not in got.get_json()


def test_legacy_resident_id_is_upgraded(client, two_tenants):
    a, _b = two_tenants
    r = _create(client, a, {**WANG, "resident_id": "110105491231002"})  # CUS-11 (3)
    assert r.status_code == 201 and r.get_json()["resident_id"] == "11010519491231002X"


def test_cus13_1_same_mobile_is_refused_in_the_tenant_but_not_in_another(client, two_tenants, owner_engine):
    a, b = two_tenants
    existing = _create(client, a, WANG).get_json()["id"]
    keys = _count(owner_engine, "customer_keys", a.id)
    r = _create(client, a, {"name": "王小明", "phones": [{"number": "138-0013-8000"}]})
    assert r.status_code == 409
    body = r.get_json()
    assert body["existing_id"] == existing and body["rule_id"] == "CUS-13" and body["key"] == "mobile"
    assert "138****8000" in body["reason_zh"] and f"#{existing}" in body["reason_en"]
    assert _count(owner_engine, "customers", a.id) == 1  # nothing written
    assert _count(owner_engine, "customer_keys", a.id) == keys and _count(owner_engine, "customer_phones", a.id) == 1
    assert _create(client, b, {"name": "王小明", "phones": [{"number": "138-0013-8000"}]}).status_code == 201


def test_cus13_1_same_resident_id_or_uscc_is_refused(client, two_tenants):
    a, _b = two_tenants
    first = _create(client, a, {**WANG, "resident_id": "11010519491231002X"}).get_json()["id"]
    r = _create(client, a, {"name": "王五", "phones": [{"number": "13900139000"}], "resident_id": "110105491231002"})
    assert r.status_code == 409 and r.get_json()["existing_id"] == first and r.get_json()["key"] == "resident_id"
    org = {"kind": "organisation", "name": "华信安装服务有限公司", "uscc": "91350100M000100Y43",
           "phones": [{"number": "0830-2345678"}], "address": "泸州市江阳区", "contacts": [{"name": "刘经理"}]}
    org_id = _create(client, a, org).get_json()["id"]
    r = _create(client, a, {**org, "name": "别的公司", "phones": [{"number": "0830-7654321"}]})
    assert r.status_code == 409 and r.get_json()["existing_id"] == org_id and r.get_json()["key"] == "uscc"


def test_cus13_2_likely_duplicate_is_created_with_warning_and_decision(client, two_tenants):
    a, _b = two_tenants
    wang = _create(client, a, WANG).get_json()["id"]
    r = _create(client, a, {"name": "王晓明", "phones": [{"number": "13900139000"}], "district": "朝阳区"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    [warning] = body["warnings"]
    assert warning["existing_id"] == wang and warning["kind"] == "likely"
    assert warning["rules"] == ["pinyin+district"] and warning["score"] == 60
    assert "王小明" in warning["reason_zh"] and "wangxiaoming" in warning["reason_en"]
    decisions = client.get(f"/api/v1/decisions?subject_type=customer&subject_id={body['id']}",
                           headers=a.headers()).get_json()
    [decision] = decisions
    assert decision["rule_id"] == "CUS-13" and decision["outcome"]["refused"] is False
    assert decision["outcome"]["likely"] == [{"candidate_id": wang, "rules": ["pinyin+district"], "score": 60}]
    assert "王小明" in decision["reason_zh"] and decision["reason_en"]
    # no duplicate, no decision
    plain = _create(client, a, {"name": "赵六", "phones": [{"number": "13700137000"}]}).get_json()
    assert client.get(f"/api/v1/decisions?subject_type=customer&subject_id={plain['id']}",
                      headers=a.headers()).get_json() == []


def test_cus13_3_same_mobile_other_name_is_refused_with_household_hint(client, two_tenants):
    a, _b = two_tenants
    wang = _create(client, a, WANG).get_json()["id"]
    r = _create(client, a, {"name": "李娜", "phones": [{"number": "13800138000"}]})
    assert r.status_code == 409 and r.get_json()["existing_id"] == wang
    assert r.get_json()["household_hint"] is True and "CUS-14" in r.get_json()["reason_en"]


def test_cus13_3_same_landline_only_warns_same_household(client, two_tenants):
    a, _b = two_tenants
    wang = _create(client, a, {"name": "王小明", "phones": [{"number": "0830-2345678"}]})
    assert wang.status_code == 201  # CUS-01 (3): a person with only a landline is accepted
    r = _create(client, a, {"name": "李娜", "phones": [{"number": "0830 2345678"}]})
    assert r.status_code == 201, r.get_json()
    [warning] = r.get_json()["warnings"]
    assert warning["existing_id"] == wang.get_json()["id"] and warning["kind"] == "household"
    assert "同一家庭" in warning["reason_zh"] and "household" in warning["reason_en"]
    assert warning["score"] is None and warning["rule_id"] == "CUS-14"
    decisions = client.get(f"/api/v1/decisions?subject_type=customer&subject_id={r.get_json()['id']}",
                           headers=a.headers()).get_json()
    assert [d["rule_id"] for d in decisions] == ["CUS-13"]
    assert decisions[0]["outcome"]["households"] == [{"candidate_id": wang.get_json()["id"]}]


@pytest.mark.parametrize("body, field", [
    ({"name": "王小明", "phones": [{"number": "12345678901"}]}, "phones"),  # CUS-10 (3)
    ({"name": "王小明", "phones": [{"number": "2345678"}]}, "phones"),  # area code required
    ({"name": "王小明", "phones": [{"number": "13800138000"}], "resident_id": "110105194912310021"},
     "resident_id"),  # CUS-11 (2) checksum
    ({"kind": "organisation", "name": "华信", "phones": [{"number": "0830-2345678"}], "address": "泸州",
      "contacts": [{"name": "刘经理"}], "uscc": "91350100M000100Y42"}, "uscc"),  # CUS-11 (4)
    ({"name": "王小明"}, "phones"),  # CUS-01: a person needs a mobile or a landline
    ({"kind": "organisation", "name": "华信", "phones": [{"number": "0830-2345678"}],
      "contacts": [{"name": "刘经理"}]}, "address"),
    ({"name": "王小明", "phones": [{"number": "0830-2345678", "kind": "mobile"}]}, "phones"),
    ({"name": "王小明", "phones": [{"number": "13800138000"}], "resident_id": "11010519491231002X",
      "birth_date": "1950-01-01"}, "birth_date"),
    ({"name": "  ", "phones": [{"number": "13800138000"}]}, "name"),
])
def test_invalid_input_is_422_naming_the_field_and_writes_nothing(client, two_tenants, owner_engine, body, field):
    a, _b = two_tenants
    r = _create(client, a, body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]["json"]
    for table in ("customers", "customer_phones", "customer_keys", "decisions"):
        assert _count(owner_engine, table, a.id) == 0


def test_bad_mobile_error_names_the_phone(client, two_tenants):
    a, _b = two_tenants
    r = _create(client, a, {"name": "王小明", "phones": [{"number": "13800138000"}, {"number": "12345678901"}]})
    assert r.status_code == 422
    assert list(r.get_json()["errors"]["json"]["phones"]) == ["1"]
    assert "not a valid Chinese mobile" in r.get_json()["errors"]["json"]["phones"]["1"]["number"][0]


def test_search_by_name_pinyin_phone_and_resident_id(client, two_tenants):
    a, b = two_tenants
    wang = _create(client, a, {**WANG, "resident_id": "11010519491231002X"}).get_json()["id"]
    li = _create(client, a, {"name": "李娜", "phones": [{"number": "0830-2345678"}]}).get_json()["id"]
    _create(client, b, WANG)  # another tenant's 王小明 is never found

    def ids(q):
        r = client.get("/api/v1/customers", headers=a.headers(), query_string={"q": q})
        assert r.status_code == 200
        return [c["id"] for c in r.get_json()]

    assert ids("") == [li, wang]  # newest first
    assert ids("wangxiaoming") == [wang] and ids("xiaoming") == [wang]
    assert ids("王 小明") == [wang] and ids("小明") == [wang] and ids("wxm") == [wang]
    assert ids("王晓明") == [wang]  # same pinyin: a fuzzy search finds it
    assert ids("138 0013") == [wang] and ids("+8613800138000") == [wang]
    assert ids("0830-2345678") == [li]
    assert ids("11010519491231002x") == [wang] and ids("110105491231002") == [wang]
    assert ids("张三") == []
    page = client.get("/api/v1/customers?page_size=1", headers=a.headers())
    assert json.loads(page.headers["X-Pagination"])["total"] == 2


def test_patch_recomputes_keys_and_refuses_an_exact_duplicate(client, two_tenants, owner_engine):
    a, _b = two_tenants
    wang = _create(client, a, WANG).get_json()["id"]
    li = _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}]}).get_json()["id"]
    r = client.patch(f"/api/v1/customers/{li}", headers=a.headers(), json={"address": "成都市", "note": "VIP"})
    assert r.status_code == 200 and r.get_json()["address"] == "成都市" and r.get_json()["warnings"] == []
    # taking 王小明's mobile makes it an exact duplicate: 409, nothing changed
    r = client.patch(f"/api/v1/customers/{li}", headers=a.headers(),
                     json={"phones": [{"number": "13800138000"}]})
    assert r.status_code == 409 and r.get_json()["existing_id"] == wang
    got = client.get(f"/api/v1/customers/{li}", headers=a.headers()).get_json()
    assert [p["e164"] for p in got["phones"]] == ["+8613900139000"]
    # a new mobile replaces the old one; the old key is gone, so another customer may now use it
    r = client.patch(f"/api/v1/customers/{li}", headers=a.headers(),
                     json={"phones": [{"number": "137 0013 7000", "label": "新号"}], "name": "李 娜"})
    assert r.status_code == 200, r.get_json()
    assert [(p["e164"], p["label"]) for p in r.get_json()["phones"]] == [("+8613700137000", "新号")]
    assert _create(client, a, {"name": "孙七", "phones": [{"number": "13900139000"}]}).status_code == 201
    assert _create(client, a, {"name": "周八", "phones": [{"number": "13700137000"}]}).status_code == 409
    # a renaming that makes it a likely duplicate warns and records a decision
    r = client.patch(f"/api/v1/customers/{li}", headers=a.headers(), json={"name": "王晓明", "district": "朝阳区"})
    assert r.status_code == 200 and [w["existing_id"] for w in r.get_json()["warnings"]] == [wang]
    assert client.get(f"/api/v1/decisions?subject_type=customer&subject_id={li}",
                      headers=a.headers()).get_json()[0]["rule_id"] == "CUS-13"
    # invalid changes are 422 and change nothing
    r = client.patch(f"/api/v1/customers/{li}", headers=a.headers(), json={"phones": []})
    assert r.status_code == 422 and "phones" in r.get_json()["errors"]["json"]
    assert client.patch(f"/api/v1/customers/{li}", headers=a.headers(), json={"wat": 1}).status_code == 422
    assert _count(owner_engine, "customer_phones", a.id) == 3  # 王小明, 李娜, 孙七
    assert client.patch("/api/v1/customers/999999", headers=a.headers(), json={}).status_code == 404


def test_roles_any_user_reads_writers_write(client, make_tenant):
    a = make_tenant("cus-roles", "角色公司")
    _uid, sales = make_tenant.user(a, "sales", roles=["salesperson"])
    _uid, tech = make_tenant.user(a, "tech", roles=["technician"])
    _uid, reader = make_tenant.user(a, "reader", roles=["salesperson"], scopes=["read"])
    r = _create(client, a, WANG, token=sales)
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    assert client.get(f"/api/v1/customers/{cid}", headers=a.headers(tech)).status_code == 200
    assert client.get("/api/v1/customers", headers=a.headers(tech)).status_code == 200
    assert _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}]}, token=tech).status_code == 403
    assert client.patch(f"/api/v1/customers/{cid}", headers=a.headers(tech), json={"note": "x"}).status_code == 403
    assert _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}]},
                   token=reader).status_code == 403  # read scope
    _uid, admin_write = make_tenant.user(a, "admin2", roles=["tenant_admin"])  # no admin scope needed
    assert _create(client, a, {"name": "李娜", "phones": [{"number": "13900139000"}]},
                   token=admin_write).status_code == 201


def test_another_tenants_customer_is_not_found(client, two_tenants):
    a, b = two_tenants
    b_id = _create(client, b, WANG).get_json()["id"]
    assert client.get(f"/api/v1/customers/{b_id}", headers=a.headers()).status_code == 404
    assert client.patch(f"/api/v1/customers/{b_id}", headers=a.headers(), json={"note": "x"}).status_code == 404
