"""The real-estate plugin's rows in each tenant of the cross-tenant suites: one row of every table of the
plugin, the tenant's marker in a text of each, keyed by the path-parameter names the plugin's pages and
endpoints use (``project_id``, ``unit_id``, ``subscription_id``, ...).

Written straight into the tables (the suites check that nobody else can reach them, not how they are
made). A new path parameter of the plugin is added here.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.db import db
from core.tenancy import tenant_scope
from plugins.real_estate.office_models import Change, FollowUpEntry, Instalment, Plan
from plugins.real_estate.reception_models import (
    AttributionEvent,
    AttributionOverride,
    MeetingLine,
    MeetingMinutes,
    Reception,
    ReceptionDay,
)
from plugins.real_estate.sales_models import Building, Contract, Deposit, Hold, Project, Subscription, Unit

AT = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.timezone.utc)  # Mon 2026-09-21 10:00 in Shanghai


def seed_real_estate(handle, mark: str, customer_id: int, user_id: int) -> dict:
    """One row of each plugin table in ``handle``'s tenant; ``customer_id`` and ``user_id`` are the
    tenant's seeded customer and salesperson."""
    with tenant_scope(handle.id):
        add = db.session.add
        project = Project(name=f"项目 {mark}", city="成都", address=mark)
        add(project)
        db.session.flush()
        building = Building(project_id=project.id, name=f"3号楼 {mark}", floors=18)
        add(building)
        db.session.flush()
        unit = Unit(project_id=project.id, building_id=building.id, number=f"3-1502-{mark}", floor=15,
                    layout=mark, area=Decimal("118.00"), price=Decimal("1480000.00"), popularity="regular",
                    state="subscribed", customer_id=customer_id, salesperson_id=user_id)
        spare = Unit(project_id=project.id, building_id=building.id, number=f"3-1506-{mark}", floor=15,
                     layout=mark, area=Decimal("120.00"), price=Decimal("1500000.00"), popularity="regular",
                     state="held")
        add_all = db.session.add_all
        add_all([unit, spare])
        db.session.flush()
        hold = Hold(unit_id=spare.id, customer_id=customer_id, holder_id=user_id, held_at=AT,
                    expires_at=AT + dt.timedelta(minutes=30), status="active")
        deposit = Deposit(unit_id=unit.id, customer_id=customer_id, salesperson_id=user_id, kind="small",
                          amount=Decimal("5000.00"), receipt_no=f"R-{mark}", received_at=AT, recorded_by=handle.admin_id)
        subscription = Subscription(number=f"RG-{mark}", version=1, unit_id=unit.id, customer_id=customer_id,
                                    salesperson_id=user_id, buyer_name=f"买受人 {mark}", phone="+8613800138000",
                                    mailing_address=mark, postcode="610000", price=Decimal("1480000.00"),
                                    balance=Decimal("1000000.00"),
                                    schedule=[{"due_on": "2026-10-10", "amount": "1000000.00"}], status="signed",
                                    signed_at=AT, copies={"customer": 1, "finance": 1, "sales": 2},
                                    created_by=user_id)
        add_all([hold, deposit, subscription])
        db.session.flush()
        contract = Contract(number=f"HT-{mark}", subscription_id=subscription.id, unit_id=unit.id,
                            customer_id=customer_id, buyer_name=f"买受人 {mark}", price=Decimal("1480000.00"),
                            signed_at=AT, custodian_id=handle.admin_id, salesperson_id=user_id, note=mark)
        instalment = Instalment(subscription_id=subscription.id, seq=1, due_on=dt.date(2026, 10, 10),
                                amount=Decimal("1000000.00"))
        change = Change(kind="swap", subscription_id=subscription.id, from_unit_id=unit.id, to_unit_id=spare.id,
                        reason=mark, requested_by=user_id)
        day = ReceptionDay(project_id=project.id, day=dt.date(2026, 9, 21), order=[user_id], state={},
                           set_by=handle.admin_id)
        reception = Reception(project_id=project.id, day=dt.date(2026, 9, 21), at=AT, entered_at=AT, kind="visit",
                              customer_id=customer_id, visited_before="no", named=[], receiver_id=user_id,
                              received_as="regular", turn_consumed=True, present=[user_id], background=mark,
                              intent_class="A", recorded_by=user_id)
        minutes = MeetingMinutes(project_id=project.id, day=dt.date(2026, 9, 21), note=mark,
                                 recorded_by=handle.admin_id)
        add_all([contract, instalment, change, day, reception, minutes])
        db.session.flush()
        line = MeetingLine(minutes_id=minutes.id, customer_id=customer_id, salesperson_id=user_id, follow_up=mark)
        event = AttributionEvent(customer_id=customer_id, kind="complaint", at=AT, against_id=user_id, note=mark,
                                 recorded_by=handle.admin_id)
        override = AttributionOverride(batch=f"B-{mark}"[:40], customer_id=customer_id, event="launch",
                                       performance=[{"user_id": user_id, "percent": "100.00"}],
                                       bonus=[{"user_id": user_id, "percent": "100.00"}], reason=mark,
                                       decided_by=handle.admin_id)
        plan = Plan(user_id=user_id, kind="daily", day=dt.date(2026, 9, 21), plan=mark)
        follow_up = FollowUpEntry(customer_id=customer_id, salesperson_id=user_id, intent_class="A",
                                  day=dt.date(2026, 9, 21), note=mark, entered_by=user_id)
        add_all([line, event, override, plan, follow_up])
        db.session.flush()
        ids = {
            "project_id": project.id, "building_id": building.id, "unit_id": unit.id, "hold_id": hold.id,
            "deposit_id": deposit.id, "subscription_id": subscription.id, "contract_id": contract.id,
            "instalment_id": instalment.id, "change_id": change.id, "reception_day_id": day.id,
            "reception_id": reception.id, "minutes_id": minutes.id, "meeting_line_id": line.id,
            "attribution_event_id": event.id, "override_id": override.id, "plan_id": plan.id,
            "follow_up_id": follow_up.id,
        }
        db.session.commit()
    return ids
