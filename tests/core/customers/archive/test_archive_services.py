"""Archive services inside a tenant's scope: create with contacts (CUS-01), check_expense_claim (CUS-04),
confirm (CUS-06), send_reminders, with the spec's vectors."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.accounts.service import find_user
from core.customers import service
from core.customers.archive import filing, record
from core.customers.archive.models import CustomerContact, CustomerFiling
from core.db import db
from core.decisions import service as decisions
from core.errors import Forbidden, InvalidInput
from core.tenancy import tenant_scope
from tests.helpers import policy_since

SH = ZoneInfo("Asia/Shanghai")
ORG = {"kind": "organisation", "name": "华信安装服务有限公司", "phones": [{"number": "0830-2345678"}],
       "address": "泸州市江阳区"}


def test_create_organisation_with_contacts_writes_nothing_when_invalid(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id):
        with pytest.raises(InvalidInput) as err:
            service.create_customer(dict(ORG))
        assert "contact_name" in err.value.fields["contacts"][0]
        db.session.rollback()
        customer, _verdict = service.create_customer({**ORG, "contacts": [{"name": "刘经理", "mobile": "13900139000"}]})
        db.session.commit()
        [contact] = db.session.scalars(select(CustomerContact)).all()
        assert (contact.customer_id, contact.mobile) == (customer.id, "+8613900139000")
        assert customer.effective_at == customer.created_at and record.confirmation_state(customer) == "not_required"


def test_cus04_check_expense_claim(two_tenants):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"filing": {"enabled": True}}, "2026-01-01")
    with tenant_scope(a.id):
        customer, _ = service.create_customer({"name": "王小明", "phones": [{"number": "13800138000"}],
                                               "first_contact_at": dt.datetime(2026, 9, 24, 15, 0, tzinfo=SH)})
        db.session.commit()
        [duty] = db.session.scalars(select(CustomerFiling)).all()
        assert duty.due_through == dt.date(2026, 10, 9) and duty.policy_version == 1  # CUS-04 (1)
        verdict, decision_id = filing.check_expense_claim(customer.id, dt.datetime(2026, 10, 12, 10, 0, tzinfo=SH))
        assert (verdict.allowed, verdict.rule_id) == (False, "CUS-04")  # CUS-04 (2)
        assert decisions.get(decision_id).rule_id == "CUS-04"
        # before its first contact there is no duty yet to block
        early, _ = filing.check_expense_claim(customer.id, dt.datetime(2026, 9, 1, 10, 0, tzinfo=SH))
        assert early.allowed
        assert filing.send_reminders(dt.date(2026, 10, 11)) == {"day": "2026-10-11", "reminded": 0, "proposals": 0}
        assert filing.send_reminders(dt.date(2026, 10, 12))["reminded"] == 1


def test_cus06_confirm_only_by_the_role_and_effective_at_signature(two_tenants, make_tenant):
    a, _b = two_tenants
    policy_since(a.id, "cus", {"archive": {"confirm_by": "supervisor"}}, "2026-01-01")
    make_tenant.user(a, "sup", roles=["supervisor"])
    with tenant_scope(a.id):
        customer, _ = service.create_customer({"name": "王小明", "phones": [{"number": "13800138000"}]})
        customer.created_at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH)
        db.session.flush()
        assert customer.effective_at is None and record.confirmation_state(customer) == "pending"
        with pytest.raises(Forbidden):
            record.confirm(customer, find_user("admin"), dt.datetime(2026, 6, 2, 10, 0, tzinfo=SH))
        record.confirm(customer, find_user("sup"), dt.datetime(2026, 6, 2, 10, 0, tzinfo=SH))
        assert customer.effective_at == dt.datetime(2026, 6, 2, 10, 0, tzinfo=SH)
        assert record.confirmation_state(customer) == "confirmed"
