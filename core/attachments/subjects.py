"""What an attachment may be attached to: subject type → a function ``(id) -> bool`` that tells whether
the subject exists in the current tenant *and the current user may see it* (so an attachment of a
complaint is hidden from whoever the complaint is hidden from, CMP-21, and a customer's from whoever may
not see the customer, CUS-70).

One line adds a subject type (in the module that owns the subject, imported at start-up)::

    register_subject("service_asset", exists_by(lambda id: assets.get_asset(id)))
"""
from __future__ import annotations

from collections.abc import Callable

from core.errors import NotFound

SUBJECTS: dict[str, Callable[[int], bool]] = {}


def register_subject(subject_type: str, exists: Callable[[int], bool]) -> None:
    SUBJECTS[subject_type] = exists


def exists_by(getter: Callable[[int], object]) -> Callable[[int], bool]:
    """An existence check from a getter that raises :class:`NotFound` (as every ``get_x`` of the core)."""

    def exists(subject_id: int) -> bool:
        try:
            return getter(subject_id) is not None
        except NotFound:
            return False

    return exists


def subject_types() -> tuple[str, ...]:
    return tuple(sorted(SUBJECTS))


def subject_visible(subject_type: str, subject_id: int) -> bool:
    check = SUBJECTS.get(subject_type)
    return check is not None and subject_id is not None and check(int(subject_id))


def _work_order(order_id: int):
    from core.service.orders import get_order

    return get_order(order_id)


def _complaint(complaint_id: int):
    from core.complaints.service import get_complaint

    return get_complaint(complaint_id)  # 404 for users excluded from the case (CMP-21)


def _customer(customer_id: int):
    from core.customers.service import get_customer

    return get_customer(customer_id)  # 404 for users who may not see the customer (CUS-70)


def _service_asset(asset_id: int):
    from core.service.assets import get_asset

    return get_asset(asset_id)  # a unit's photos: the label of a unit taken back for repair (SVC-10)


register_subject("work_order", exists_by(_work_order))
register_subject("complaint", exists_by(_complaint))
register_subject("customer", exists_by(_customer))
register_subject("service_asset", exists_by(_service_asset))
