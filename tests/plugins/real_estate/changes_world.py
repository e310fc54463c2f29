"""A sales office for the tests of changes after the deal (RE-40..43): units 1203, 1506 and 0802 of the
spec's vectors, a buyer subscribed on 1203 with a small deposit, and the office's people. Rows are written
straight into the tables (the sales part writes them in production)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from core.customers.service import create_customer
from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.office_models import Instalment
from plugins.real_estate.sales_models import Building, Contract, Deposit, Project, Subscription, Unit

UTC = dt.timezone.utc
SH = dt.timezone(dt.timedelta(hours=8))
ROLES = {"wang": ["salesperson"], "li": ["sales_manager"], "zhao": ["finance"], "sun": ["assistant"]}


@dataclass
class Office:
    handle: object
    ids: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def scope(self):
        return tenant_scope(self.handle.id)


def _unit(project, building, number, area, price, state="available", **extra):
    unit = Unit(project_id=project.id, building_id=building.id, number=number, floor=int(number[:2]),
                area=Decimal(area), price=Decimal(price), popularity="regular", state=state, **extra)
    db.session.add(unit)
    db.session.flush()
    return unit


def build_office(make_tenant, slug="re-a", name="甲置业") -> Office:
    handle = make_tenant(slug, name, plugins=["real_estate"])
    office = Office(handle)
    for who, roles in ROLES.items():
        office.ids[who], office.tokens[who] = make_tenant.user(handle, who, roles=roles)
    with office.scope():
        customer, _ = create_customer({"name": "陈先生", "phones": [{"number": "13800138000"}]})
        project = Project(name="锦城花园", city="成都")
        db.session.add(project)
        db.session.flush()
        building = Building(project_id=project.id, name="1号楼", floors=18)
        db.session.add(building)
        db.session.flush()
        u1203 = _unit(project, building, "1203", "89", "1150000", state="subscribed", customer_id=customer.id,
                      salesperson_id=office.ids["wang"])
        u1506 = _unit(project, building, "1506", "118", "1480000")
        u0802 = _unit(project, building, "0802", "76", "990000")
        deposit = Deposit(unit_id=u1203.id, customer_id=customer.id, salesperson_id=office.ids["wang"], kind="small",
                          amount=Decimal("20000.00"), receipt_no="SJ-0001", received_at=dt.datetime(2026, 2, 1, 2, tzinfo=UTC),
                          recorded_by=office.ids["zhao"])
        subscription = Subscription(number="RG-2026-0001", version=1, unit_id=u1203.id, customer_id=customer.id,
                                    salesperson_id=office.ids["wang"], buyer_name="陈先生", phone="+8613800138000",
                                    mailing_address="成都市锦江区春熙路1号", postcode="610000",
                                    price=Decimal("1150000.00"), balance=Decimal("1130000.00"),
                                    schedule=[{"due_on": "2026-03-10", "amount": "300000.00"}], status="signed",
                                    signed_at=dt.datetime(2026, 2, 1, 3, tzinfo=UTC), created_by=office.ids["wang"])
        db.session.add_all([deposit, subscription])
        db.session.flush()
        office.ids.update(customer=customer.id, project=project.id, u1203=u1203.id, u1506=u1506.id, u0802=u0802.id,
                          deposit=deposit.id, subscription=subscription.id)
        db.session.commit()
    return office


def add_contract(office: Office, *, signed_on=dt.date(2026, 5, 20), price="1150000"):
    with office.scope():
        sub = rows(Subscription, id=office.ids["subscription"])[0]
        contract = Contract(number="HT-2026-0001", subscription_id=sub.id, unit_id=sub.unit_id,
                            customer_id=sub.customer_id, buyer_name=sub.buyer_name, price=Decimal(price),
                            signed_at=dt.datetime.combine(signed_on, dt.time(10), SH), custodian_id=office.ids["li"])
        db.session.add(contract)
        db.session.execute(Unit.__table__.update().where(Unit.id == sub.unit_id).values(state="contracted"))
        db.session.commit()
        office.ids["contract"] = contract.id


def add_instalment(office: Office, due_on=dt.date(2026, 3, 10), amount="300000", seq=1) -> int:
    with office.scope():
        instalment = Instalment(subscription_id=office.ids["subscription"], seq=seq, due_on=due_on,
                                amount=Decimal(amount))
        db.session.add(instalment)
        db.session.commit()
        return instalment.id


def rows(model, **where):
    db.session.rollback()
    stmt = select(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return list(db.session.scalars(stmt.order_by(model.id)))
