"""A company for the aftercare tests (CMP-60..63, CMP-70/71): a customer-service department, two sales
divisions with their heads, managers and a customer-resource director; customer 刘 owned by s1 in
division 1. Cases are taken in through the API; resolution (another part of CMP) is written directly."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.complaints.models import Complaint
from core.customers import ownership_store
from core.customers.service import create_customer
from core.db import db
from core.tenancy import tenant_scope
from tests.helpers import policy_since
from workers.runtime import execute

LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
USERS = {
    "agent": (["cs_agent"], "客服部"), "sup": (["cs_supervisor"], "客服部"), "csm": (["cs_manager"], "客服部"),
    "boss": (["gm"], None), "vp": (["vp"], None), "director": (["resource_director"], None),
    "s1": (["salesperson"], "一部"), "dm1": (["dept_manager"], "一部"),
    "s2": (["salesperson"], "二部"), "s3": (["salesperson"], "二部"), "dm2": (["dept_manager"], "二部"),
}
HEADS = {"客服部": "csm", "一部": "dm1", "二部": "dm2"}


@dataclass
class Office:
    handle: object
    ids: dict
    tokens: dict
    departments: dict
    customer: int

    def h(self, who: str = "agent") -> dict:
        return self.handle.headers(self.tokens[who])

    def complain(self, client, who: str = "agent", **body) -> dict:
        r = client.post("/api/v1/complaints", headers=self.h(who),
                        json={"channel": "phone", "content": "投诉内容", "complainant_name": "刘先生",
                              "complainant_phone": "13800138000", **body})  # identified: not anonymous (CMP-03)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def resolve(self, complaint_id: int, at: str) -> None:
        """What the resolution step records (status and time)."""
        with tenant_scope(self.handle.id):
            case = db.session.scalars(select(Complaint).where(Complaint.id == complaint_id)).one()
            case.status, case.resolved_at = "resolved", dt.datetime.fromisoformat(at)
            db.session.commit()
        db.session.rollback()

    def job(self, name: str, as_of: str, run: int = 1):
        db.session.rollback()
        return execute(self.handle.id, name, {"as_of": as_of}, dedupe_key=f"{name}@{as_of}#{run}")


def build_office(make_tenant, slug: str, cmp_policy: dict | None = None) -> Office:
    handle = make_tenant(slug, f"售后{slug}")
    if cmp_policy is not None:
        policy_since(handle.id, "cmp", cmp_policy, "2026-01-01")
    ids, tokens = {}, {}
    for name, (roles, _dep) in USERS.items():
        ids[name], tokens[name] = make_tenant.user(handle, name, roles=roles)
    with tenant_scope(handle.id), acting_as("test"):
        departments = {}
        for name, head in HEADS.items():
            department = Department(name=name, head_user_id=ids[head])
            db.session.add(department)
            db.session.flush()
            departments[name] = department.id
        for user in db.session.scalars(select(User)):
            user.created_at = LONG_AGO
            for name, (_roles, dep) in USERS.items():
                if ids[name] == user.id and dep:
                    user.department_id = departments[dep]
        customer, _ = create_customer({"name": f"刘{slug}", "phones": [{"number": "13800138000"}]})
        ownership_store.set_owner(customer.id, owner_id=ids["s1"], state="protected", rule_id="CUS-20",
                                  reason_zh="测试归属", reason_en="owner (test)", at=LONG_AGO,
                                  department_id=departments["一部"])
        office = Office(handle, ids, tokens, departments, customer.id)
        db.session.commit()
    db.session.rollback()
    return office
