"""Consequence settings of the ``cmp`` policy document (CMP-70, CMP-71, CMP-06 findings)::

    cmp.penalties = {}      CMP-70  core default: none. Per event: the amount of each liable person and,
                                    for ``unresolved_after``, the limit and whether the customer moves on.
        PRE-01: {grumble_noticed: {employee: 100},
                 complaint_to_gm: {employee: 100, dept_manager: 100},
                 unresolved_after: {limit: 3 days, employee: 500, dept_manager: 500, transfer_customer: true}}
        Findings (CMP-06) are priced with the events ``finding_general_error`` and ``finding_discipline``.
    cmp.transfer = {strategy: random_draw, scope: other_departments, roles: [salesperson],
                    override_within: 24 hours}
                            CMP-71  who receives the customer of an unresolved complaint; the
                                    customer-resource director may override within ``override_within``.
                                    (``roles`` and ``override_within`` are not in the spec: the staff who
                                    can follow a customer, and "within a day".)

:class:`ConsequencePolicySchema` is one of the bases of ``core.complaints.policy.CmpPolicySchema``.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.customers.ownership.settings import RoleListField

#: CMP-70 events (``unresolved_after`` is the spec's ``unresolved_after_limit``) and the CMP-06 findings
EVENTS = ("grumble_noticed", "complaint_to_gm", "unresolved_after", "verified_attitude",
          "reasonable_complaint_no_major_impact", "harm_to_resident_interest", "acceptor_delay", "loss_caused",
          "finding_general_error", "finding_discipline")
UNRESOLVED = "unresolved_after"
LIABLE_ROLES = ("employee", "dept_manager")
UNITS = ("yuan", "points")
TRANSFER_STRATEGIES = ("random_draw", "manual")
TRANSFER_SCOPES = ("other_departments", "tenant")

PRE01_PENALTIES = {
    "grumble_noticed": {"employee": 100},
    "complaint_to_gm": {"employee": 100, "dept_manager": 100},
    "unresolved_after": {"limit": "3 days", "employee": 500, "dept_manager": 500, "transfer_customer": True},
}


def _amount() -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, allow_none=True, load_default=None,
                          validate=validate.Range(min=0, max=1000000))


class PenaltyRowSchema(Schema):
    """One event of the matrix: the amount of the employee concerned and of their department manager."""

    employee = _amount()
    dept_manager = _amount()
    unit = fields.String(load_default="yuan", validate=validate.OneOf(UNITS))
    limit = DurationField(load_default=None, allow_none=True,
                          metadata={"description": "unresolved_after only: how long a case may stay unresolved"})
    transfer_customer = fields.Boolean(load_default=False, metadata={"description": "unresolved_after only (CMP-71)"})


class TransferSchema(Schema):
    strategy = fields.String(load_default="random_draw", validate=validate.OneOf(TRANSFER_STRATEGIES))
    scope = fields.String(load_default="other_departments", validate=validate.OneOf(TRANSFER_SCOPES))
    roles = RoleListField(load_default=lambda: ["salesperson"])
    override_within = DurationField(load_default=lambda: Duration(24, "hours"))


class ConsequencePolicySchema(Schema):
    """``cmp.penalties`` (CMP-70, CMP-06) and ``cmp.transfer`` (CMP-71)."""

    penalties = fields.Dict(keys=fields.String(validate=validate.OneOf(EVENTS)),
                            values=fields.Nested(PenaltyRowSchema), load_default=dict)
    transfer = fields.Nested(TransferSchema, load_default=lambda: TransferSchema().load({}))

    @validates("penalties")
    def _limits(self, value: dict, **kwargs) -> None:
        errors = {}
        for event, row in value.items():
            if event == UNRESOLVED and row.get("limit") is None:
                errors[event] = ["unresolved_after needs its limit, e.g. 3 days."]
            elif event != UNRESOLVED and (row.get("limit") is not None or row.get("transfer_customer")):
                errors[event] = ["limit and transfer_customer belong to unresolved_after only."]
        if errors:
            raise ValidationError(errors)
