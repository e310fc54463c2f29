"""A sales office for the attribution tests: a real-estate tenant with a sales department, its
salespeople A..E (and a manager), customers, receptions written straight into the plugin's table (the
reception service is another part's), subscriptions and their deal credit through ``deals``."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.customers.service import create_customer
from core.db import db
from core.staff import credit as credits
from core.tenancy import tenant_scope
from plugins.real_estate import deals, hooks
from plugins.real_estate.reception_models import Reception
from plugins.real_estate.sales_models import Building, Project, Subscription, Unit
from tests.helpers import policy_since

SH = ZoneInfo("Asia/Shanghai")
SALESPEOPLE = ("A", "B", "C", "D", "E")
_phones = itertools.count(1)


def at(month, day, hour=10, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


class Office:
    """``office.ids["A"]`` the salespeople, ``office.manager`` the sales manager, ``office.dept`` the
    sales department; use inside ``with office.scope():``."""

    def __init__(self, make_tenant, slug="re-a", name="甲置业"):
        self.handle = make_tenant(slug, name, plugins=["real_estate"])
        # the real-estate preset's ``cus`` settings (RE-10 evidence, RE-21 referrals), in force for the vectors
        policy_since(self.handle.id, "cus", hooks.kehu_industry_presets()[0].policies["cus"], "2025-01-01")
        self.ids = {n: make_tenant.user(self.handle, f"sp-{n.lower()}", roles=["salesperson"])[0] for n in SALESPEOPLE}
        self.manager, self.manager_token = make_tenant.user(self.handle, "manager", roles=["sales_manager"])
        self.supervisor, self.supervisor_token = make_tenant.user(self.handle, "supervisor",
                                                                  roles=["sales_supervisor"])
        with self.scope():
            dept = Department(name="销售部")
            db.session.add(dept)
            db.session.flush()
            self.dept = dept.id
            staff = {**self.ids, "经理": self.manager, "主管": self.supervisor}
            for label, uid in staff.items():
                user = db.session.scalars(select(User).where(User.id == uid)).one()
                user.department_id, user.display_name = dept.id, label
            project = Project(name="锦绣城", city="成都", address="高新区")
            db.session.add(project)
            db.session.flush()
            building = Building(project_id=project.id, name="2号楼", floors=18)
            db.session.add(building)
            db.session.flush()
            self.project, self.building = project.id, building.id
            db.session.commit()

    def __getitem__(self, name):
        return self.ids[name]

    def scope(self):
        return _Scope(self.handle.id)

    def customer(self, name: str, by: str = "A") -> int:
        """A customer written by ``by`` (so the sales department sees it, CUS-70)."""
        customer, _ = create_customer({"name": name, "phones": [{"number": f"1390000{next(_phones):04d}"}]},
                                      created_by=self.ids[by])
        db.session.flush()
        return customer.id

    def reception(self, customer_id: int, when: dt.datetime, receiver: str | None, *, present=(), named=(),
                  designated=None, refused=None, assisting_for=None, said=None, forgot=False, rotation=False,
                  event=None, referred_by=None, entered_at=None) -> Reception:
        ids = self.ids
        row = Reception(project_id=self.project, day=when.astimezone(SH).date(), at=when,
                        entered_at=entered_at or when, late_entry=False, kind="visit", customer_id=customer_id,
                        visited_before="yes" if said or forgot else "no",
                        said_received_by=ids[said] if said else None, named=[ids[n] for n in named],
                        designated_id=ids[designated] if designated else None,
                        refused_id=ids[refused] if refused else None,
                        receiver_id=ids[receiver] if receiver else None,
                        received_as="assisted" if assisting_for else ("regular" if rotation else "returning"),
                        turn_consumed=rotation, assisting_for=ids[assisting_for] if assisting_for else None,
                        present=[ids[n] for n in present], forgot=forgot, event=event,
                        referred_by_customer_id=referred_by)
        db.session.add(row)
        db.session.flush()
        return row

    def subscribe(self, customer_id: int, when: dt.datetime, salesperson: str, *, unit="2-1203",
                  price="1480000.00", milestones=None):
        """A signed subscription and its deal credit (as the sales part does at signing)."""
        unit_row = Unit(project_id=self.project, building_id=self.building, number=f"{unit}-{customer_id}",
                        floor=12, area=Decimal("118.00"), price=Decimal(price), state="subscribed",
                        customer_id=customer_id, salesperson_id=self.ids[salesperson])
        db.session.add(unit_row)
        db.session.flush()
        sub = Subscription(number=f"RG-{customer_id}", version=1, unit_id=unit_row.id, customer_id=customer_id,
                           salesperson_id=self.ids[salesperson], buyer_name="买受人", phone="+8613800138000",
                           mailing_address="成都", postcode="610000", price=Decimal(price),
                           balance=Decimal("1000000.00"), schedule=[], status="signed", signed_at=when,
                           copies={"customer": 1, "finance": 1, "sales": 2}, created_by=self.ids[salesperson])
        db.session.add(sub)
        db.session.flush()
        return deals.record_subscription_deal(sub, milestones or {"subscription": when}, by=self.ids[salesperson])

    def shares(self, credit) -> dict:
        """{"performance": {name: percent}, "bonus": {...}} of the decision in force; the department as
        "dept"."""
        names = {uid: n for n, uid in self.ids.items()}
        out = {"performance": {}, "bonus": {}}
        for share in credits.shares_of(credit):
            holder = names.get(share.user_id, share.user_id) if share.user_id is not None else "dept"
            out[share.kind][holder] = int(share.percent) if share.percent == int(share.percent) else share.percent
        return out

    def rule_of(self, credit) -> str:
        return credits.decisions.get(credit.decision_id).rule_id


def both(performance: dict, bonus: dict | None = None) -> dict:
    return {"performance": performance, "bonus": bonus if bonus is not None else performance}


class _Scope:
    def __init__(self, tenant_id):
        self.tenant_id = tenant_id

    def __enter__(self):
        self._scope = tenant_scope(self.tenant_id)
        self._scope.__enter__()
        self._actor = acting_as("test")
        self._actor.__enter__()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            db.session.commit()
        else:
            db.session.rollback()
        self._actor.__exit__(*exc)
        return self._scope.__exit__(*exc)


def user_named(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()
