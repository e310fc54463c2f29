"""Return-visit settings of the ``cmp`` policy document (CMP-60..63), names and defaults as DOMAIN.md
writes them::

    cmp.return_visit.within = 3 days               CMP-60  due within N of the resolution (calendar days)
    cmp.return_visit.rate = 50%                    CMP-60  minimum monthly share of eligible resolved cases
    cmp.return_visit.always = [important, major]   CMP-60  severities visited whatever the rate
    cmp.return_visit.visitor = {general: cs_agent, important: supervisor, major: company_manager}
                                                   CMP-60  the least seniority of the visitor per severity
                                                           (a role or a list of roles; PM: property_assistant)
    cmp.return_visit.phone_allowed_from = 2        CMP-62  the n-th visit from which non-major cases may be
                                                           visited by phone
    cmp.return_visit.major_on_site = true          CMP-62  major cases always on site
    cmp.return_visit.issue_assign_within = 4 business_hours   CMP-63  the service manager assigns someone
    cmp.return_visit.issue_to = cs_manager         CMP-63  the role of the "service manager" (not in the
                                                           spec: the sources name the person, not a role)

:class:`ReturnVisitPolicySchema` is one of the bases of ``core.complaints.policy.CmpPolicySchema``.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, pre_load, validate

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.complaints.models import SEVERITIES
from core.customers.ownership.settings import RoleField, RoleListField

DEFAULT_VISITORS = {"general": ["cs_agent"], "important": ["supervisor"], "major": ["company_manager"]}


class PercentField(fields.Decimal):
    """A percentage 0..100 with 2 decimals, written ``50%`` or ``50``; dumped as ``"50.00"``."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, validate=validate.Range(min=0, max=100), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.strip().endswith("%"):
            value = value.strip()[:-1].strip()
        return super()._deserialize(value, attr, data, **kwargs)


class ReturnVisitSchema(Schema):
    within = DurationField(load_default=lambda: Duration(3, "days"))
    rate = PercentField(load_default=lambda: Decimal("50.00"))
    always = fields.List(fields.String(validate=validate.OneOf(SEVERITIES)),
                         load_default=lambda: ["important", "major"])
    visitor = fields.Dict(keys=fields.String(validate=validate.OneOf(SEVERITIES)), values=RoleListField(),
                          load_default=lambda: {k: list(v) for k, v in DEFAULT_VISITORS.items()})
    phone_allowed_from = fields.Integer(strict=True, validate=validate.Range(min=1, max=99), load_default=2)
    major_on_site = fields.Boolean(load_default=True)
    issue_assign_within = DurationField(load_default=lambda: Duration(4, "business_hours"))
    issue_to = RoleField(load_default="cs_manager")

    @pre_load
    def _default_visitors(self, data, **kwargs):
        """A tenant naming the visitor of some severities keeps the default of the others."""
        if isinstance(data, dict) and isinstance(data.get("visitor"), dict):
            data = {**data, "visitor": {**DEFAULT_VISITORS, **data["visitor"]}}
        return data


class ReturnVisitPolicySchema(Schema):
    """``cmp.return_visit`` (CMP-60..63)."""

    return_visit = fields.Nested(ReturnVisitSchema, load_default=lambda: ReturnVisitSchema().load({}))
