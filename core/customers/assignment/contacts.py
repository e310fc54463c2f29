"""CUS-36: flags that require several staff contacts, and the staff linked to a customer as contacts.

After every change of a customer's flags or staff contacts, :func:`check_contacts` asks
:func:`~core.customers.assignment.rules.contact_tasks` which flags (``cus.contacts.min_for_flag``,
default ``{key_prospect: 2}``) the distinct staff contacts do not reach, and records one ``CUS-36``
decision per missing flag: a task "add a second contact" to the manager (the head of the owner's
department). The same open task is not recorded twice.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from core.accounts.models import Department
from core.customers import ownership_store
from core.customers import service as customers
from core.customers.assignment.facts import user_named
from core.customers.assignment.models import CustomerFlag, StaffContact
from core.customers.assignment.rules import contact_tasks
from core.customers.policy import cus_policy
from core.db import db
from core.decisions import service as decisions
from core.decisions.models import Decision
from core.errors import NotFound


def flags_of(customer_id: int) -> list[str]:
    return sorted(db.session.scalars(select(CustomerFlag.flag).where(CustomerFlag.customer_id == customer_id)))


def contacts_of(customer_id: int) -> list[StaffContact]:
    return list(db.session.scalars(select(StaffContact).where(StaffContact.customer_id == customer_id)
                                   .order_by(StaffContact.added_at, StaffContact.user_id)))


def _manager_of(customer_id: int) -> int | None:
    """The head of the department that owns the customer (the task's assignee)."""
    row = ownership_store.current(customer_id)
    if row is None or row.department_id is None:
        return None
    return db.session.scalars(select(Department.head_user_id).where(Department.id == row.department_id)).first()


def pending_tasks(customer_id: int):
    customer = customers.get_customer(customer_id)
    return contact_tasks(cus_policy().values, customer.id, flags_of(customer.id),
                         [c.user_id for c in contacts_of(customer.id)], manager_id=_manager_of(customer.id),
                         label=customer.name)


def check_contacts(customer_id: int) -> list[Decision]:
    """Record a CUS-36 task decision for each flag whose minimum of staff contacts is not reached
    (unless the latest CUS-36 decision on the customer already asks the same)."""
    policy = cus_policy()
    recorded = []
    latest = {}
    for d in db.session.scalars(decisions.query("customer", customer_id, "CUS-36")):
        latest.setdefault((d.outcome or {}).get("flag"), d)
    for task in pending_tasks(customer_id):
        previous = latest.get(task.flag)
        if previous is not None and previous.outcome.get("current") == task.current \
                and previous.outcome.get("required") == task.required:
            continue
        recorded.append(decisions.record(**task.record_kwargs(), policy=policy))
    return recorded


def set_flags(customer_id: int, flags: list[str], *, by: int | None = None) -> list[Decision]:
    """Replace the customer's flags; returns the task decisions recorded."""
    customer = customers.get_customer(customer_id)
    wanted = sorted({f.strip() for f in flags if f and f.strip()})
    have = set(flags_of(customer.id))
    db.session.execute(delete(CustomerFlag).where(CustomerFlag.customer_id == customer.id,
                                                  CustomerFlag.flag.not_in(wanted)))
    for flag in wanted:
        if flag not in have:
            db.session.add(CustomerFlag(customer_id=customer.id, flag=flag, set_by=by))
    db.session.flush()
    return check_contacts(customer.id)


def add_contact(customer_id: int, user_id: int, *, slot: str = "contact", report_duty: bool = True,
                by: int | None = None) -> StaffContact:
    customer = customers.get_customer(customer_id)
    user = user_named(user_id, "user_id", active=True)
    contact = db.session.scalars(select(StaffContact).where(StaffContact.customer_id == customer.id,
                                                            StaffContact.user_id == user.id)).first()
    if contact is None:
        contact = StaffContact(customer_id=customer.id, user_id=user.id, added_by=by)
        db.session.add(contact)
    contact.slot, contact.report_duty = slot, report_duty
    db.session.flush()
    check_contacts(customer.id)
    return contact


def remove_contact(customer_id: int, user_id: int) -> None:
    customer = customers.get_customer(customer_id)
    contact = db.session.scalars(select(StaffContact).where(StaffContact.customer_id == customer.id,
                                                            StaffContact.user_id == user_id)).first()
    if contact is None:
        raise NotFound("staff contact not found")
    db.session.delete(contact)
    db.session.flush()
    check_contacts(customer.id)
