"""The sales office of the RE-50..52 tests: tenant 甲置业 with its project 锦城花园, a manager, a supervisor,
two salespeople (王 wang, 李 li) and the assistant; the registers' rows written straight into the tables
(other parts write them through their services), and the week of Mon 2026-09-21 of the spec's vector:
14 visits (9 new), 22 calls, 2 small deposits on the Monday; 41 new visitors and 3 subscriptions in the week.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import update

from core.accounts.models import User
from core.audit.recorder import acting_as
from core.customers.service import create_customer
from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.reception_models import Reception
from plugins.real_estate.sales_models import Building, Contract, Deposit, Project, Subscription, Unit

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
#: (day, visits, new visitors, calls, small deposits, subscriptions): the week of the spec's vector
WEEK = [(D(2026, 9, 21), 14, 9, 22, 2, 1), (D(2026, 9, 22), 10, 7, 15, 0, 0), (D(2026, 9, 23), 8, 5, 11, 0, 1),
        (D(2026, 9, 24), 9, 6, 12, 0, 0), (D(2026, 9, 25), 5, 3, 4, 0, 0), (D(2026, 9, 26), 9, 6, 6, 0, 1),
        (D(2026, 9, 27), 7, 5, 5, 0, 0)]


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


@dataclass
class Office:
    handle: object
    project_id: int
    other_project_id: int
    unit_id: int
    customers: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


ROLES = {"manager": ["sales_manager"], "supervisor": ["sales_supervisor"], "wang": ["salesperson"],
         "li": ["salesperson"], "assistant": ["assistant"]}


def build_office(make_tenant, slug: str = "re-a", name: str = "甲置业") -> Office:
    handle = make_tenant(slug, name, plugins=["real_estate"])
    users, tokens = {}, {}
    for who, roles in ROLES.items():
        users[who], tokens[who] = make_tenant.user(handle, f"{who}", roles=roles)
    with tenant_scope(handle.id), acting_as("test"):
        # everyone has worked in the office since before the week of the vector
        db.session.execute(update(User).where(User.id.in_(list(users.values())))
                           .values(created_at=at(D(2026, 9, 1), 9)))
        project = Project(name="锦城花园", city="成都")
        other = Project(name="望江府", city="成都")
        db.session.add_all([project, other])
        db.session.flush()
        building = Building(project_id=project.id, name="3号楼", floors=18)
        db.session.add(building)
        db.session.flush()
        unit = Unit(project_id=project.id, building_id=building.id, number="3-1502", floor=15,
                    area=Decimal("118.00"), price=Decimal("1480000.00"))
        db.session.add(unit)
        db.session.flush()
        customers = {}
        for index, person in enumerate(("张三", "赵四", "钱五")):
            customer, _verdict = create_customer({"name": person, "phones": [{"number": f"1380013800{index}"}]},
                                                 created_by=handle.admin_id)
            customers[person] = customer.id
        db.session.commit()
        return Office(handle, project.id, other.id, unit.id, customers, users, tokens)


def reception(office: Office, day: dt.date, kind: str = "visit", *, new: bool = True, customer: str = "张三",
              intent_class: str | None = None, receiver: str = "wang", project_id: int | None = None,
              hour: int = 10) -> None:
    db.session.add(Reception(project_id=project_id or office.project_id, day=day, at=at(day, hour), kind=kind,
                             customer_id=office.customers[customer], visited_before="no" if new else "yes",
                             receiver_id=office.users[receiver], received_as="regular", intent_class=intent_class,
                             named=[], present=[]))


def seed_week(office: Office) -> None:
    """The registers of the week of 2026-09-21 (and a few rows that must not count)."""
    with tenant_scope(office.handle.id):
        deal = 0
        for day, visits, new, calls, small, subscriptions in WEEK:
            for i in range(visits):
                reception(office, day, new=i < new)
            for _ in range(calls):
                reception(office, day, "call")
            for i in range(small):  # the first at 00:30: still the Monday in Shanghai (Sunday in UTC)
                db.session.add(Deposit(unit_id=office.unit_id, customer_id=office.customers["张三"],
                                       salesperson_id=office.users["wang"], kind="small", amount=Decimal("5000.00"),
                                       receipt_no=f"XD-{day}-{i}", received_at=at(day, 0 if i == 0 else 15, 30),
                                       recorded_by=office.handle.admin_id))
            for _ in range(subscriptions):
                deal += 1
                db.session.add(Subscription(number=f"RG-2026-{deal:04d}", unit_id=office.unit_id,
                                            customer_id=office.customers["张三"],
                                            salesperson_id=office.users["wang"], buyer_name="张三",
                                            phone="+8613800138000", mailing_address="成都市锦江区", postcode="610000",
                                            price=Decimal("1480000.00"), balance=Decimal("1000000.00"),
                                            status="signed", signed_at=at(day, 16)))
        # not counted: another project's visit, a call of Sunday 09-20 at 23:30, a big deposit of 09-28
        reception(office, D(2026, 9, 21), project_id=office.other_project_id)
        reception(office, D(2026, 9, 20), "call", hour=23)
        db.session.add(Deposit(unit_id=office.unit_id, customer_id=office.customers["赵四"],
                               salesperson_id=office.users["li"], kind="big", amount=Decimal("50000.00"),
                               receipt_no="DD-2026-0928", received_at=at(D(2026, 9, 28), 11),
                               recorded_by=office.handle.admin_id))
        db.session.flush()
        first = db.session.query(Subscription).filter_by(number="RG-2026-0001").one()
        db.session.add(Contract(number="HT-2026-0001", subscription_id=first.id, unit_id=office.unit_id,
                                customer_id=office.customers["张三"], buyer_name="张三",
                                price=Decimal("1480000.00"), signed_at=at(D(2026, 9, 25), 14),
                                custodian_id=office.users["assistant"], salesperson_id=office.users["wang"]))
        db.session.commit()
