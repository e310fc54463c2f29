"""Required intake data of a work order (SVC-03), pure.

The names of ``svc.required_fields`` (or a type's own ``required``) are the intake's own —
``customer`` (a customer on file or a name), ``address``, ``contact`` (a contact name and a phone),
``fault`` (the description) — or fields of the type, kept in the order's ``data``; a list must not be
empty (an installation's vehicle list)."""
from __future__ import annotations

INTAKE_NAMES = {
    "customer": (("customer_id", "customer_name"), "客户名称", "a customer (customer_id or customer_name)"),
    "address": (("address",), "详细地址", "the detailed address"),
    "contact": (("contact_name", "contact_phone"), "联系人及电话", "a contact name and phone"),
    "fault": (("description",), "故障描述", "the fault description"),
}


def _empty(value) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0) or \
        (isinstance(value, str) and not value.strip())


def missing(required: list[str] | tuple[str, ...], intake: dict, data: dict) -> dict[str, list[str]]:
    """Field → message for every required item the order lacks. ``intake`` holds the order's own
    fields (customer_id, customer_name, address, contact_name, contact_phone, description), ``data``
    the type's fields."""
    errors: dict[str, list[str]] = {}
    for name in required:
        if name in INTAKE_NAMES:
            columns, _zh, en = INTAKE_NAMES[name]
            if name == "customer":
                if all(_empty(intake.get(c)) for c in columns):
                    errors["customer_name"] = [f"required for this type: {en} (SVC-03)"]
                continue
            for column in columns:
                if _empty(intake.get(column)):
                    errors[column] = [f"required for this type: {en} (SVC-03)"]
        elif _empty(data.get(name)):
            errors[f"data.{name}"] = ["required for this type (SVC-03)" if not isinstance(data.get(name), list)
                                      else "must not be empty (SVC-03)"]
    return errors


def required_for(type_code: str, type_required: tuple[str, ...], policy_required: dict) -> list[str]:
    """The tenant's list for the type when it names one, else the type's own."""
    if type_code in policy_required:
        return list(policy_required[type_code])
    return list(type_required)
