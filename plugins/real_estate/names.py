"""Names for pages, lists and reports, one way for every part of the plugin.

- :func:`customer_names` — customer id → name, only for the customers the current viewer may see (CUS-70,
  the core's visibility); the others read ``#<id>`` so that a list never names a customer the viewer could
  not open.
- :func:`people_names` — user id → display name (the tenant's users).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from core.accounts.models import User
from core.customers.confidentiality import access
from core.customers.models import Customer
from core.db import db


def _wanted(ids: Iterable[int | None]) -> set[int]:
    return {i for i in ids if i is not None}


def customer_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = _wanted(ids)
    if not wanted:
        return {}
    visible = dict(db.session.execute(access.restrict(select(Customer.id, Customer.name))
                                      .where(Customer.id.in_(wanted))).all())
    return {i: visible.get(i, f"#{i}") for i in wanted}


def people_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = _wanted(ids)
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())
