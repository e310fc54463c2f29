"""Return-visit settings of the ``svc`` policy document (SVC-14), names and defaults as DOMAIN.md writes
them::

    svc.return_visit.after = 1 working_day      SVC-14  the visit is due within this of the signed
                                                feedback form being received (remote types: of the
                                                completion); 次日 read as the next working day, the
                                                spec's alternative ``1 day`` (through the next calendar
                                                day) is any other duration (PM-05 repair preset:
                                                ``1 month``)
    svc.return_visit.rate = 100%                SVC-14  the monthly share of orders visited (PM-05 repair
                                                preset 30%): an order is visited when visited ÷ decided
                                                so far this month (this order counted, not visited) is
                                                below the rate, as CMP-60
    svc.return_visit.visitor = cs_agent         SVC-14  the role that makes the visit (not in the spec:
                                                "the customer-relations team"; PM-05: the property
                                                assistant of the area); the nearest holder in the
                                                order's department or its parents, else anywhere

Issues found on a visit follow CMP-63 with the ``cmp`` settings ``cmp.return_visit.issue_assign_within``
(4 business hours) and ``cmp.return_visit.issue_to`` (cs_manager).

:class:`ReturnVisitPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.complaints.return_visit_settings import PercentField
from core.customers.ownership.settings import RoleField


class SvcReturnVisitSettingsSchema(Schema):
    after = DurationField(load_default=lambda: Duration(1, "working_days"))
    rate = PercentField(load_default=lambda: Decimal("100.00"))
    visitor = RoleField(load_default="cs_agent")


class ReturnVisitPolicySchema(Schema):
    """``svc.return_visit`` (SVC-14)."""

    return_visit = fields.Nested(SvcReturnVisitSettingsSchema,
                                 load_default=lambda: SvcReturnVisitSettingsSchema().load({}))
