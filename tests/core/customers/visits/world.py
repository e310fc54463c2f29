"""A small company for the visit tests: the PRE-16 visit matrix in force since 2026-01-01, a sales
department with a salesperson (the agent) and a supervisor, a general manager, a customer-service
manager, and an A customer owned by the salesperson. Users are dated 2026-01-01 (they were there
before the spec's 2026 vectors)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.customers import ownership_store
from core.customers.service import create_customer
from core.customers.visits.settings import PRE16_VISITS
from core.db import db
from core.tenancy import tenant_scope
from tests.core.customers.visits.tiering import set_tier
from tests.helpers import policy_since

SH = ZoneInfo("Asia/Shanghai")
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=SH)


def at(text: str) -> dt.datetime:
    """``"2026-10-01 00:30"`` in Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@dataclass
class World:
    handle: object
    department_id: int
    agent: int
    supervisor: int
    gm: int
    cs_manager: int
    customer: int
    tokens: dict


def build_world(make_tenant, slug: str = "visits-a", name: str = "拜访公司", policy: dict | None = None,
                tier: str = "A") -> World:
    handle = make_tenant(slug, name)
    policy_since(handle.id, "cus", policy if policy is not None else {"visits": PRE16_VISITS}, "2026-01-01")
    tokens, ids = {}, {}
    for username, roles in (("agent", ["salesperson"]), ("super", ["supervisor"]), ("boss", ["gm"]),
                            ("csm", ["cs_manager"])):
        ids[username], tokens[username] = make_tenant.user(handle, username, roles=roles)
    with tenant_scope(handle.id), acting_as("test"):
        department = Department(name=f"销售一部-{slug}")
        db.session.add(department)
        db.session.flush()
        for user in db.session.scalars(select(User)):
            user.created_at = LONG_AGO
            if user.id in (ids["agent"], ids["super"]):
                user.department_id = department.id
        customer, _ = create_customer({"name": f"甲客户{slug}", "phones": [{"number": "13800138000"}]})
        set_tier(customer.id, tier)
        ownership_store.set_owner(customer.id, owner_id=ids["agent"], state="protected", rule_id="CUS-31",
                                  reason_zh="轮流接待（测试）", reason_en="rotation turn (test)", at=LONG_AGO, department_id=department.id)
        world = World(handle, department.id, ids["agent"], ids["super"], ids["boss"], ids["csm"], customer.id, tokens)
        db.session.commit()
    # no transaction left open: on SQLite a snapshot held here would keep this session from writing
    # after a job (another connection) has committed
    db.session.rollback()
    return world
