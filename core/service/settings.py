"""Work-order settings of the ``svc`` policy document (SVC-01..07), names and defaults as DOMAIN.md
writes them::

    svc.required_fields = {repair: [customer, address, contact, model, purchase_date, fault],
                           installation: [request_doc, asset_list]}
                                                SVC-03  required intake data per type (the type's own
                                                list when the tenant names none); names are the
                                                intake's (customer, address, contact, fault) or the
                                                type's fields
    svc.approval = {}                           SVC-04  type → approving role before dispatch
                                                (PRE-03 {installation: dept_manager, repair: dept_manager})
    svc.priorities = [urgent, general]          SVC-07  the priorities an order may have
    svc.default_priority = general
    svc.sla = {}                                SVC-07  type → priority → milestone → duration; ``*``
                                                matches any type or priority (PM preset
                                                {repair: {urgent: {arrive: 45 minutes},
                                                general: {complete: 24 hours}}}); milestones:
                                                approve, dispatch, arrive, complete
    svc.deadlines.warn_at = 0.8                 SVC-07 as CMP-34
    svc.deadlines.pause_reasons = [customer_unavailable, awaiting_parts, third_party, force_majeure]
                                                SVC-02 on_hold reasons (as CMP-33)
    svc.escalation.ladder = [supervisor, dept_manager, gm]   SVC-07 as CMP-40
    svc.escalation.interval = 1 working_day
    svc.numbering.format = WO{YY}{MM}{serial:04}            order numbers, reset monthly

:class:`OrderPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.customers.ownership.settings import RoleField, RoleListField

MILESTONES = ("approve", "dispatch", "arrive", "complete")
DEFAULT_REQUIRED = {
    "repair": ["customer", "address", "contact", "model", "purchase_date", "fault"],
    "installation": ["request_doc", "asset_list"],
}
PAUSE_REASONS = ["customer_unavailable", "awaiting_parts", "third_party", "force_majeure"]
_CODE = re.compile(r"^(\*|[a-z][a-z0-9_]*)$")


def _code(**kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(_CODE, error="Not a valid code (lower-case letters, digits, "
                                                               "underscores; * for any)."), **kwargs)


class DeadlineSettingsSchema(Schema):
    warn_at = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=Decimal("0.01"), max=Decimal("0.99")),
                             load_default=lambda: Decimal("0.80"), metadata={"description": "fraction of the allowance"})
    pause_reasons = fields.List(_code(), load_default=lambda: list(PAUSE_REASONS))


class EscalationSchema(Schema):
    ladder = fields.List(RoleField(), load_default=lambda: ["supervisor", "dept_manager", "gm"])
    interval = DurationField(load_default=lambda: Duration(1, "working_days"))


class NumberingSchema(Schema):
    format = fields.String(load_default="WO{YY}{MM}{serial:04}", validate=validate.Regexp(
        r".*\{serial(:0[1-9])?\}", error="The format needs {{serial}} or {{serial:0N}}."))


class OrderPolicySchema(Schema):
    required_fields = fields.Dict(keys=_code(), values=fields.List(_code()),
                                  load_default=lambda: {k: list(v) for k, v in DEFAULT_REQUIRED.items()})
    approval = fields.Dict(keys=_code(), values=RoleListField(), load_default=dict)
    priorities = fields.List(_code(), validate=validate.Length(min=1), load_default=lambda: ["urgent", "general"])
    default_priority = _code(load_default="general")
    sla = fields.Dict(keys=_code(), values=fields.Dict(keys=_code(), values=fields.Dict(
        keys=fields.String(validate=validate.OneOf(MILESTONES)), values=DurationField())), load_default=dict)
    deadlines = fields.Nested(DeadlineSettingsSchema, load_default=lambda: DeadlineSettingsSchema().load({}))
    escalation = fields.Nested(EscalationSchema, load_default=lambda: EscalationSchema().load({}))
    numbering = fields.Nested(NumberingSchema, load_default=lambda: NumberingSchema().load({}))

    @validates_schema
    def _default_priority_known(self, data, **kwargs):
        if data.get("default_priority") not in data.get("priorities", []):
            raise ValidationError("must be one of svc.priorities", "default_priority")
