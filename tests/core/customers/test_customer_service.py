"""core.customers.service: create with CUS-13 duplicate detection, keys, decisions, update, search."""
import pytest

from sqlalchemy import func, select

from core.customers import service
from core.customers.duplicates import match_keys
from core.customers.models import Customer, CustomerKey
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput
from core.tenancy import tenant_scope

WANG = {"name": "王小明", "phones": [{"number": "138 0013 8000"}], "district": "朝阳区",
        "resident_id": "11010519491231002x"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_stores_normalised_values_and_match_keys(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        customer, verdict = service.create_customer(dict(WANG))
        db.session.commit()
        assert not verdict.warnings and not verdict.refused
        assert customer.resident_id == "11010519491231002X" and str(customer.birth_date) == "1949-12-31"
        assert (customer.name_key, customer.name_pinyin, customer.name_initials) == ("王小明", "wangxiaoming", "wxm")
        assert [p.e164 for p in customer.phones] == ["+8613800138000"]
        stored = set(db.session.scalars(select(CustomerKey.key).where(CustomerKey.customer_id == customer.id)))
        assert stored == set(match_keys(service.candidate_of(customer)))
        assert {"mobile:+8613800138000", "resident_id:11010519491231002X",
                "pinyin+district:wangxiaoming|朝阳区", "name+birth_date:王小明|1949-12-31"} <= stored


def test_exact_duplicate_raises_conflict_and_writes_nothing(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        first, _ = service.create_customer(dict(WANG))
        db.session.commit()
        first_id = first.id
        with pytest.raises(Conflict) as err:
            service.create_customer({"name": "李娜", "phones": [{"number": "+86 138-0013-8000"}]})
        assert err.value.extra["existing_id"] == first_id and err.value.extra["household_hint"] is True
        assert err.value.extra["reason_zh"].startswith("重复客户") and "CUS-13" in err.value.extra["reason_en"]
        db.session.rollback()
        assert _count(Customer) == 1
    with tenant_scope(b.id):  # duplicates never cross tenants
        other, verdict = service.create_customer(dict(WANG))
        assert not verdict.refused and not verdict.warnings and other.id != first_id
        db.session.commit()


def test_invalid_identity_is_invalid_input_with_fields(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        with pytest.raises(InvalidInput) as err:
            service.create_customer({"name": "王小明", "phones": [{"number": "12345678901"}],
                                     "resident_id": "110105194912310021"})
        assert set(err.value.fields) == {"phones", "resident_id"}
        assert _count(Customer) == 0


def test_likely_duplicate_records_a_cus13_decision(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        wang, _ = service.create_customer(dict(WANG))
        twin, verdict = service.create_customer({"name": "王小明", "phones": [{"number": "13900139000"}],
                                                 "birth_date": wang.birth_date})
        db.session.commit()
        assert [m.candidate_id for m in verdict.likely] == [wang.id]
        assert verdict.likely[0].families == ("name+birth_date",)
        [decision] = decisions.current_for("customer", twin.id)
        assert decision.rule_id == "CUS-13" and decision.outcome["likely"][0]["candidate_id"] == wang.id
        assert decision.facts["candidates"] == [wang.id] and decision.facts["event"] == "create"
        assert decisions.current_for("customer", wang.id) == []


def test_update_recomputes_keys_and_refuses_exact_duplicates(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        wang, _ = service.create_customer(dict(WANG))
        li, _ = service.create_customer({"name": "李娜", "phones": [{"number": "13900139000"}]})
        db.session.commit()
        with pytest.raises(Conflict) as err:
            service.update_customer(li, {"resident_id": "110105491231002"})  # 王小明's, legacy form
        assert err.value.extra["existing_id"] == wang.id and err.value.extra["key"] == "resident_id"
        db.session.rollback()
        service.update_customer(li, {"name": "李 娜娜", "district": "海淀区"})
        db.session.commit()
        keys = set(db.session.scalars(select(CustomerKey.key).where(CustomerKey.customer_id == li.id)))
        assert keys == set(match_keys(service.candidate_of(li)))
        assert "pinyin+district:linana|海淀区" in keys and li.name_key == "李娜娜"
        # a customer is never its own duplicate
        _same, verdict = service.update_customer(li, {"note": "回访"})
        assert not verdict.refused and not verdict.warnings


def test_search_is_tenant_scoped(two_tenants):
    a, b = two_tenants
    with tenant_scope(a.id):
        wang, _ = service.create_customer(dict(WANG))
        db.session.commit()
    with tenant_scope(b.id):
        assert list(db.session.scalars(service.search("wangxiaoming"))) == []
    with tenant_scope(a.id):
        assert [c.id for c in db.session.scalars(service.search("陳 小明"))] == []  # 陈小明 ≠ 王小明
        assert [c.id for c in db.session.scalars(service.search("13800138000"))] == [wang.id]
