"""The real-estate demo tenant (``make run``): the sales office of 锦城·天府里 in Chengdu with a month of
work behind it. Idempotent: the office's staff who are missing are added; the project and its month
are written once (nothing is added when the project is there).

What the demo users find:

- the project with three buildings of 20 units each (``3-1502``: building 3, floor 15, unit 02), their
  areas, prices by floor, orientations and popularity classes, in the states of :data:`UNIT_STATES`:
  deposits recorded by finance with receipt numbers (RE-32), signed subscriptions with their four
  copies and schedules (RE-33), two contracts (RE-34), one held unit (RE-31) and an overdue
  instalment (RE-42);
- the six salespeople (the core's sales1 王强 and sales2 陈静, and sales3..sales6), the sales supervisor,
  the front desk and master sales control, with the core's manager 李娜 and finance 吴芳;
- the 30 days before today (:mod:`plugins.real_estate.demo_month`): each day's order and rotation
  state (RE-01), the visits and calls received with the register line and the decision of each, the
  launch day, the evening minutes (RE-03), intent classes and the A/B follow-up sheet (RE-51), daily
  and weekly plans (RE-52), a complaint against a salesperson (RE-15) and a discount-seeking customer
  (RE-17).

The rows are written straight into the plugin's tables (the office's services write them the same way
in daily use); the customers are made through the core's customer service (phones, pinyin, search)
and claimed by their receivers (CUS-21).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.accounts.demo import DEMO_PASSWORD
from core.accounts.models import Department
from core.accounts.service import create_user, find_user
from core.customers import service as customers
from core.customers.assignment.models import RegisterEntry
from core.customers.ownership import service as ownership
from core.db import allocate_ids, db, utcnow
from core.decisions import service as decisions
from core.staff import credit as credits
from core.tenancy import current_tenant_id
from plugins.real_estate import deals, demo_month
from plugins.real_estate.office_models import FollowUpEntry, Instalment, Plan
from plugins.real_estate.policy import re_policy
from plugins.real_estate.reception_models import (
    AttributionEvent,
    MeetingLine,
    MeetingMinutes,
    Reception,
    ReceptionDay,
)
from plugins.real_estate.rotation_rules import Salesperson
from plugins.real_estate.sales_models import (
    Building,
    Contract,
    Deposit,
    Hold,
    Project,
    Subscription,
    Unit,
)

PROJECT = "锦城·天府里"
SALES_DEPARTMENT = "销售部"  # the core's demo department of the manager and the salespeople

#: the office's own staff (username, name, roles, mobile); sales1/sales2, manager and finance are the core's
STAFF = [
    ("sales3", "张伟", ["salesperson"], "13708021103"),
    ("sales4", "黄丽", ["salesperson"], "13808021104"),
    ("sales5", "周杰", ["salesperson"], "15908021105"),
    ("sales6", "徐婷", ["salesperson"], "18608021106"),
    ("supervisor", "郑浩", ["sales_supervisor"], "13908021107"),
    ("desk", "林小雨", ["front_desk"], "15008021108"),
    ("control", "郭敏", ["master_sales_control"], "18208021109"),
]
SALESPEOPLE = ("sales1", "sales2", "sales3", "sales4", "sales5", "sales6")

#: buildings: (number, floors, the floors on sale, unit 01 (area, layout, orientation), unit 02 (...))
BUILDINGS = [
    (1, 18, (2, 3, 5, 6, 8, 9, 11, 12, 15, 17),
     ("89.00", "三室一厅", "南北"), ("76.00", "两室一厅", "东")),
    (2, 26, (3, 5, 7, 9, 12, 15, 18, 21, 23, 25),
     ("118.00", "三室两厅", "南北通透"), ("98.00", "三室一厅", "南")),
    (3, 32, (4, 7, 10, 13, 15, 18, 21, 25, 28, 31),
     ("128.00", "四室两厅", "南北通透"), ("140.00", "四室两厅", "南")),
]
PRICE_PER_M2 = Decimal(11900)  # yuan, the first floor; each floor up adds PRICE_PER_FLOOR
PRICE_PER_FLOOR = Decimal(29)

#: the units' states after the month (the rest are available); the deals go to the month's A customers
DEALS = (("contracted", 2), ("subscribed", 4), ("big_deposit", 3), ("small_deposit", 4))
DEAL_PATH = ("small_deposit", "big_deposit", "subscribed", "contracted")  # after the hold (RE-30)
SMALL_DEPOSIT = Decimal("20000.00")
BIG_DEPOSIT = Decimal("50000.00")
HOLD_MINUTES = 30  # re.hold.ttl


def unit_states() -> dict[str, int]:
    """How many units end the month in each state (what :func:`provision` writes)."""
    total = sum(len(floors) * 2 for _n, _f, floors, _a, _b in BUILDINGS)
    states = dict(DEALS)
    states["held"] = 1
    states["available"] = total - sum(states.values())
    return states


def logins() -> list[tuple[str, str, str]]:
    return [(username, DEMO_PASSWORD, ",".join(roles)) for username, _n, roles, _p in STAFF]


def provision(now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Add the office (see the module docstring) inside the demo tenant's scope; returns its logins."""
    if any(find_user(name) is None for name in ("manager", "finance", "sales1", "sales2")):
        return []  # the core's demo users come first
    _staff()
    if db.session.scalars(select(Project.id).where(Project.name == PROJECT)).first() is None:
        _Office(now or utcnow()).write()
    return logins()


def _staff() -> None:
    department = db.session.scalars(select(Department).where(Department.name == SALES_DEPARTMENT)).first()
    for username, name, roles, phone in STAFF:
        if find_user(username) is not None:
            continue
        user = create_user(username, name, DEMO_PASSWORD, roles=roles, phone=phone)
        if department is not None and username != "control":
            user.department_id = department.id
    db.session.flush()


def _timezone() -> str:
    from tenants.models import Tenant

    return db.session.get(Tenant, current_tenant_id()).timezone


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class _Office:
    """Writes the project, its units and the month (one instance per provisioning)."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.timezone = _timezone()
        self.zone = ZoneInfo(self.timezone)
        self.today = now.astimezone(self.zone).date()
        self.users = {u: find_user(u) for u in ("manager", "finance", *SALESPEOPLE, *(s[0] for s in STAFF))}
        self.sellers = [Salesperson(self.users[u].id, self.users[u].display_name) for u in SALESPEOPLE]
        self.customers: dict[int, object] = {}  # person index → Customer
        self.receipts = Counter()

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone).astimezone(dt.UTC)

    def receipt(self, at: dt.datetime) -> str:
        day = at.astimezone(self.zone).strftime("%Y%m%d")
        self.receipts[day] += 1
        return f"JC{day}{self.receipts[day]:03d}"

    def write(self) -> None:
        department = db.session.scalars(select(Department).where(Department.name == SALES_DEPARTMENT)).first()
        self.project = Project(name=PROJECT, city="成都", address="成都市高新区天府三街199号",
                               department_id=department.id if department else None)
        db.session.add(self.project)
        db.session.flush()
        units = self.units()
        month = demo_month.simulate(self.today, self.sellers, timezone=self.timezone,
                                    settings=re_policy(self.today).values)
        self.month = month
        self.reception_rows: dict[int, list[Reception]] = {}
        for day in month.days:
            self.day(day)
        self.minutes(month)
        self.follow_ups(month)
        self.plans()
        self.sales(month, units)
        self.disputes(month, units)
        db.session.flush()

    # --- units ------------------------------------------------------------------------------------------

    def units(self) -> list[Unit]:
        units = []
        for number, floors, on_sale, *kinds in BUILDINGS:
            building = Building(project_id=self.project.id, name=f"{number}号楼", floors=floors)
            db.session.add(building)
            db.session.flush()
            for floor in on_sale:
                for position, (area, layout, orientation) in enumerate(kinds, start=1):
                    area = Decimal(area)
                    price = _hundreds(area * (PRICE_PER_M2 + PRICE_PER_FLOOR * floor))
                    units.append(Unit(project_id=self.project.id, building_id=building.id,
                                      number=f"{number}-{floor}{position:02d}", floor=floor, layout=layout,
                                      area=area, price=price, orientation=orientation,
                                      popularity=_popularity(floor, floors, orientation), state="available"))
        db.session.add_all(units)
        db.session.flush()
        return units

    # --- the month's receptions ---------------------------------------------------------------------------

    def customer(self, contact: demo_month.Contact):
        if contact.person in self.customers:
            return self.customers[contact.person]
        person = self.month.people[contact.person]
        customer, _verdict = customers.create_customer(
            {"kind": "person", "name": person.name, "phones": [{"number": person.mobile}],
             "district": person.district, "source": person.source}, region="CN", created_by=self.users["desk"].id)
        customer.created_at = contact.at
        self.customers[contact.person] = customer
        return customer

    def day(self, day: demo_month.Day) -> None:
        """The day's order and rotation, and each visit or call with its register line, its decision
        (RE-01/02/14) and the receiver's claim (CUS-21). Ids are taken in one go and the rows written
        together (a month is some six hundred receptions)."""
        db.session.add(ReceptionDay(project_id=self.project.id, day=day.day, order=list(day.rotation.order),
                                    state=day.rotation.to_json(), set_by=self.users["manager"].id,
                                    created_at=self.at(day.day, 8, 30), updated_at=self.at(day.day, 20, 0)))
        for contact in day.contacts:
            self.customer(contact)
        ids = iter(allocate_ids(db.session.connection(), 2 * len(day.contacts)))
        rows = []
        for contact in day.contacts:
            row_id, entry_id = next(ids), next(ids)
            result = contact.reception
            decision = decisions.record(result.rule_id, result.subject_type, row_id, outcome=result.outcome(),
                                        reason_zh=result.reason_zh, reason_en=result.reason_en, facts=result.facts)
            decision.created_at = contact.at
            row, entry = self.reception(contact, row_id, entry_id, decision.id)
            rows += [row, entry]
            customer = self.customers[contact.person]
            if contact.first and contact.owner is not None:
                ownership.record_claim(customer.id, kind="register", at=contact.at, claimant_id=contact.owner,
                                       source_type="re_reception", source_id=row_id, note="售楼部来访来电登记")
            self.reception_rows.setdefault(contact.person, []).append(row)
        db.session.add_all(rows)
        db.session.flush()

    def reception(self, contact: demo_month.Contact, row_id: int, entry_id: int,
                  decision_id: int) -> tuple[Reception, RegisterEntry]:
        """The office's reception row and the core's register line (CUS-80) of one contact."""
        desk = self.users["desk"].id
        result = contact.reception
        person = self.month.people[contact.person]
        customer = self.customers[contact.person]
        designated = contact.named if contact.asked == "designated" else None
        # RE-03: now and then the desk writes a first visit the next morning
        late = contact.kind == "visit" and contact.first and contact.at.minute % 17 == 5
        entered_at = (self.at(contact.day + dt.timedelta(days=1), 9, 10) if late
                      else contact.at + dt.timedelta(minutes=3))
        row = Reception(
            id=row_id, project_id=self.project.id, day=contact.day, at=contact.at, kind=contact.kind,
            customer_id=customer.id, register_entry_id=entry_id, entered_at=entered_at, late_entry=late,
            visited_before="no" if contact.first else "yes", said_received_by=None if contact.first else contact.named,
            named=[designated] if designated else [], designated_id=designated, receiver_id=result.staff_id,
            received_as=result.kind, turn_consumed=result.consumes_turn,
            assisting_for=result.owner_id if result.kind == "assisted" else None, standby_id=result.standby_id,
            present=list(contact.present), event=contact.event, intent_class=contact.intent,
            background=person.background if contact.first else None,
            deal_status="considering" if contact.intent in ("A", "B") else "none",
            decision_id=decision_id, recorded_by=desk, created_at=entered_at)
        entry = RegisterEntry(
            id=entry_id, at=contact.at, kind=contact.kind, customer_name=person.name, phone=customer.phones[0].e164,
            customer_id=customer.id, first_visit=contact.first, named_salespersons=list(row.named),
            designated_id=designated, receiver_id=result.staff_id,
            received_as="returning" if result.kind == "assisted" else result.kind,  # the core has no "assisted"
            turn_consumed=result.consumes_turn, source=person.source if contact.first else None,
            outcome="follow_up" if contact.intent in ("A", "B") else "pending", decision_id=decision_id,
            recorded_by=desk, created_at=entered_at)
        return row, entry

    def minutes(self, month: demo_month.Month) -> None:
        """The evening meeting of each day: every customer of the day with their salesperson (RE-03)."""
        supervisor = self.users["supervisor"].id
        rows = []
        for day in month.days:
            visits = sum(1 for c in day.contacts if c.kind == "visit")
            new = sum(1 for c in day.contacts if c.first)
            minutes = MeetingMinutes(project_id=self.project.id, day=day.day, recorded_by=supervisor,
                                     recorded_at=self.at(day.day, 19, 30),
                                     note=f"今日来访{visits}组、来电{len(day.contacts) - visits}个，其中新客户{new}组。"
                                          "各置业顾问逐一汇报客户情况。")
            _add_with_ids([minutes])
            lines = {}
            for contact in day.contacts:
                if contact.person in lines or contact.owner is None:
                    continue
                lines[contact.person] = MeetingLine(
                    minutes_id=minutes.id, customer_id=self.customers[contact.person].id,
                    salesperson_id=contact.owner, new_customer=contact.first,
                    follow_up=_follow_up_note(contact) if contact.intent in ("A", "B") else None)
            rows += lines.values()
        _add_with_ids(rows)

    def follow_ups(self, month: demo_month.Month) -> None:
        """The A/B follow-up sheet (RE-51): a line for every contact of a customer then in class A or B."""
        _add_with_ids([FollowUpEntry(customer_id=self.customers[c.person].id, salesperson_id=c.owner,
                                     intent_class=c.intent, day=c.day, note=_follow_up_note(c), entered_by=c.owner,
                                     entered_at=self.at(c.day, 19, 50))
                       for c in month.contacts() if c.intent in ("A", "B") and c.owner is not None])

    def plans(self) -> None:
        """Daily plans of the last seven days (summaries but today's) and the weekly plans (RE-52)."""
        rows = []
        for index, username in enumerate(SALESPEOPLE):
            user = self.users[username]
            for back in range(6, -1, -1):
                day = self.today - dt.timedelta(days=back)
                summary = None if back == 0 else DAILY_SUMMARIES[(index + back) % len(DAILY_SUMMARIES)]
                rows.append(Plan(user_id=user.id, kind="daily", day=day,
                                 plan=DAILY_PLANS[(index + back) % len(DAILY_PLANS)], summary=summary,
                                 submitted_at=min(self.at(day, 8, 50), self.now),
                                 summarised_at=None if summary is None else self.at(day, 18, 30)))
            monday = self.today - dt.timedelta(days=self.today.weekday())
            for week in range(3, -1, -1):
                day = monday - dt.timedelta(weeks=week)
                rows.append(Plan(user_id=user.id, kind="weekly", day=day,
                                 plan=WEEKLY_PLANS[(index + week) % len(WEEKLY_PLANS)],
                                 submitted_at=self.at(day - dt.timedelta(days=2), 18, 0)))
        _add_with_ids(rows)

    # --- sales control ----------------------------------------------------------------------------------

    def buyers(self, month: demo_month.Month) -> list[tuple[int, demo_month.Contact]]:
        """The month's A customers with their last visit, the earliest last visit first."""
        last: dict[int, demo_month.Contact] = {}
        for contact in month.contacts():
            if contact.kind == "visit" and contact.owner is not None:
                last[contact.person] = contact
        ranked = [(p, c) for p, c in last.items() if month.intent.get(p) == "A"]
        ranked.sort(key=lambda pc: (pc[1].at, pc[0]))
        return ranked

    def sales(self, month: demo_month.Month, units: list[Unit]) -> None:
        finance = self.users["finance"].id
        best_first = sorted(units, key=lambda u: (("hot", "regular", "slow").index(u.popularity), -u.floor, u.number))
        buyers = self.buyers(month)
        plan = [state for state, count in DEALS for _ in range(count)]
        subscription_no = 0
        contract_no = 0
        for (person, visit), unit, state in zip(buyers, best_first, plan, strict=False):
            customer = self.customers[person]
            seller = visit.owner
            paid_at = visit.at + dt.timedelta(minutes=40)
            self.hold(unit, customer.id, seller, paid_at - dt.timedelta(minutes=15), "converted", paid_at)
            deposits = [Deposit(unit_id=unit.id, customer_id=customer.id, salesperson_id=seller, kind="small",
                                amount=SMALL_DEPOSIT, receipt_no=self.receipt(paid_at), received_at=paid_at,
                                recorded_by=finance)]
            if state != "small_deposit":
                big_at = paid_at + dt.timedelta(minutes=20)
                deposits.append(Deposit(unit_id=unit.id, customer_id=customer.id, salesperson_id=seller, kind="big",
                                        amount=BIG_DEPOSIT, receipt_no=self.receipt(big_at), received_at=big_at,
                                        recorded_by=finance))
            db.session.add_all(deposits)
            unit.state, unit.customer_id, unit.salesperson_id = state, customer.id, seller
            unit.version = 3 + DEAL_PATH.index(state)  # 1 on sale, 2 held, then one per move
            unit.updated_at = deposits[-1].received_at
            row = next(r for r in self.reception_rows[person] if r.at == visit.at)  # the visit of the deal
            row.deal_status = state
            if state in ("subscribed", "contracted"):
                subscription_no += 1
                subscription = self.subscription(subscription_no, unit, person, seller, paid_at, deposits)
                if state == "contracted":
                    contract_no += 1
                    self.contract(contract_no, subscription, unit, customer, seller)
        self.other_holds(month, buyers[len(plan):], best_first[len(plan):])

    def hold(self, unit: Unit, customer_id: int | None, holder: int, at: dt.datetime, status: str,
             ended_at: dt.datetime | None) -> Hold:
        hold = Hold(unit_id=unit.id, customer_id=customer_id, holder_id=holder, held_at=at,
                    expires_at=at + dt.timedelta(minutes=HOLD_MINUTES), status=status, ended_at=ended_at)
        db.session.add(hold)
        return hold

    def subscription(self, seq: int, unit: Unit, person_index: int, seller: int, at: dt.datetime,
                     deposits: list[Deposit]) -> Subscription:
        signed_at = at + dt.timedelta(hours=1)
        signed_on = signed_at.astimezone(self.zone).date()
        paid = sum((d.amount for d in deposits), Decimal(0))
        balance = unit.price - paid
        down = _hundreds(unit.price * Decimal("0.30")) - paid  # the down payment: 30 % in all
        schedule = [{"due_on": (signed_on + dt.timedelta(days=7)).isoformat(), "amount": _money(down)},
                    {"due_on": (signed_on + dt.timedelta(days=45)).isoformat(), "amount": _money(balance - down)}]
        person, customer = self.month.people[person_index], self.customers[person_index]
        subscription = Subscription(
            number=f"RG-{signed_on.year}-{seq:04d}", version=1, unit_id=unit.id, customer_id=customer.id,
            salesperson_id=seller, buyer_name=customer.name, phone=customer.phones[0].e164,
            mailing_address=f"成都市{person.district}{MAILING_STREETS[seq % len(MAILING_STREETS)]}",
            postcode=POSTCODES.get(person.district, "610000"), price=unit.price, balance=balance, schedule=schedule,
            status="signed", signed_at=signed_at, copies={"customer": 1, "finance": 1, "sales": 2},
            created_by=seller, created_at=signed_at)
        db.session.add(subscription)
        db.session.flush()
        self.instalments(subscription, seq)
        # the sale's performance credit, split by the attribution rules (RE-26: counted at the subscription)
        milestones = {f"{d.kind}_deposit": d.received_at for d in deposits}
        milestones["subscription"] = signed_at
        credit = deals.record_subscription_deal(subscription, milestones, by=seller)
        subscription.credit_id = credit.id
        return subscription

    def instalments(self, subscription: Subscription, seq: int) -> None:
        """The schedule's payments: the down payment paid when due, except the first subscription's, overdue
        (RE-42; the notice is the changes' job to issue)."""
        for number, line in enumerate(subscription.schedule, start=1):
            due_on = dt.date.fromisoformat(line["due_on"])
            paid = due_on < self.today and not (seq == 1 and number == 1)
            paid_at = self.at(due_on - dt.timedelta(days=1), 15, 0) if paid else None
            db.session.add(Instalment(subscription_id=subscription.id, seq=number, due_on=due_on,
                                      amount=Decimal(line["amount"]), paid_at=paid_at,
                                      receipt_no=self.receipt(paid_at) if paid else None))

    def contract(self, seq: int, subscription: Subscription, unit: Unit, customer, seller: int) -> None:
        signed_at = min(subscription.signed_at + dt.timedelta(days=5), self.now - dt.timedelta(hours=20))
        contract = Contract(number=f"HT-JC-{signed_at.year}-{seq:04d}", subscription_id=subscription.id,
                            unit_id=unit.id, customer_id=customer.id, buyer_name=customer.name, price=unit.price,
                            signed_at=max(signed_at, subscription.signed_at + dt.timedelta(hours=1)),
                            custodian_id=self.users["control"].id, salesperson_id=seller,
                            note="合同原件一式四份，已交总销控归档", created_by=seller)
        db.session.add(contract)
        deals.add_milestone(credits.get_credit(subscription.credit_id), "contract", contract.signed_at, by=seller)

    def other_holds(self, month: demo_month.Month, others: list, units: list[Unit]) -> None:
        """A released and a lapsed hold in the month, and one unit held right now (RE-31)."""
        if len(others) < 1 or len(units) < 3:
            return
        person, visit = others[-1]
        released_at = visit.at + dt.timedelta(minutes=20)
        self.hold(units[1], self.customers[person].id, visit.owner, visit.at, "released", released_at)
        self.hold(units[2], self.customers[person].id, visit.owner, visit.at - dt.timedelta(days=3), "lapsed",
                  visit.at - dt.timedelta(days=3) + dt.timedelta(minutes=HOLD_MINUTES))
        held = units[0]
        self.hold(held, self.customers[person].id, visit.owner, self.now, "active", None)
        held.state, held.version, held.updated_at = "held", 2, self.now

    def disputes(self, month: demo_month.Month, units: list[Unit]) -> None:
        """A complaint against a salesperson (RE-15) and a customer asking a second one for a discount (RE-17)."""
        supervisor = self.users["supervisor"].id
        sales4, sales5 = self.users["sales4"].id, self.users["sales5"].id
        complained = [c for c in month.contacts() if c.kind == "visit" and c.owner == sales4 and not c.first]
        if complained:
            contact = complained[len(complained) // 2]
            db.session.add(AttributionEvent(
                customer_id=self.customers[contact.person].id, kind="complaint", at=contact.at + dt.timedelta(hours=2),
                against_id=sales4, status="pending", recorded_by=supervisor,
                note="客户来电投诉置业顾问黄丽接待时态度冷淡、对户型问题答复不耐烦，要求更换置业顾问"))
        seeking = [c for c in month.contacts() if c.kind == "visit" and not c.first and c.owner not in (None, sales5)
                   and c.present and sales5 in c.present]
        if seeking:
            contact = seeking[-1]
            db.session.add(AttributionEvent(
                customer_id=self.customers[contact.person].id, kind="discount_seeking", at=contact.at,
                approached_id=sales5, unit_id=units[-1].id, recorded_by=supervisor,
                note="客户已由原置业顾问接待过，又单独找周杰询问能否多打一个点的折扣"))


def _hundreds(amount: Decimal) -> Decimal:
    """Rounded to whole hundreds of yuan, with 2 decimals."""
    return ((amount / 100).to_integral_value() * 100).quantize(Decimal("0.01"))


def _add_with_ids(rows: list) -> None:
    """Add rows with ids taken in one go (one round trip instead of one per row) and write them."""
    for row, row_id in zip(rows, allocate_ids(db.session.connection(), len(rows)), strict=True):
        row.id = row_id
    db.session.add_all(rows)
    db.session.flush()


def _popularity(floor: int, floors: int, orientation: str) -> str:
    """Middle and high floors facing south sell best; low floors and east-facing units slowest."""
    if floor <= 4 or orientation == "东":
        return "slow"
    if floor >= floors // 2 and orientation.startswith("南"):
        return "hot"
    return "regular"


def _follow_up_note(contact: demo_month.Contact) -> str:
    if contact.kind == "call":
        return FOLLOW_UP_CALL[contact.person % len(FOLLOW_UP_CALL)]
    return FOLLOW_UP_VISIT[contact.person % len(FOLLOW_UP_VISIT)]


FOLLOW_UP_VISIT = ("带看样板间，对三室户型满意，约周末带家人再来", "算了首付和月供，客户回去和家人商量",
                   "看了15楼以上的南向房源，比较关心交房时间", "客户对价格有顾虑，已申请看看能否有优惠",
                   "陪同看了工地实景，客户关心学校配套")
FOLLOW_UP_CALL = ("电话回访，客户本周六来看房", "电话沟通贷款方案，客户准备公积金材料",
                  "客户来电问开盘优惠，已邀约到访", "微信发了户型图和价格单，客户在比较")
DAILY_PLANS = ("上午回访三位A类客户，下午接待来访并带看样板间", "整理客户追踪表，邀约两位B类客户周末到访",
               "跟进认购客户首付款，准备签约资料", "电话回访上周来访客户，更新意向等级",
               "配合开盘活动，提前熟悉剩余房源和价格")
DAILY_SUMMARIES = ("接待来访2组，邀约成功1组，一位客户有意交小定", "回访5位客户，2位约好周末看房",
                   "今日无来访轮次，完成客户追踪表更新", "带看3组，其中1组意向升为A类",
                   "协助同事接待1组老客户，已在晚会上说明")
WEEKLY_PLANS = ("本周目标：成交1套，新增A类客户3组", "本周重点跟进已交小定客户转大定",
                "本周完成所有A/B类客户的回访，整理未成交原因", "配合周末活动，每天邀约不少于3组客户到访")
MAILING_STREETS = ("天府大道北段966号", "科华北路65号", "蜀汉路112号", "人民南路四段27号", "府城大道西段399号")
POSTCODES = {"高新区": "610041", "武侯区": "610041", "锦江区": "610021", "青羊区": "610031", "成华区": "610051",
             "金牛区": "610036", "双流区": "610200", "天府新区": "610213", "郫都区": "611730", "温江区": "611130"}
