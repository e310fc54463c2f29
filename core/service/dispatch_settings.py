"""Dispatch and field settings of the ``svc`` policy document (SVC-05, SVC-06), names and defaults as
DOMAIN.md and the service brief write them::

    svc.dispatch.partner_approval = dept_manager   SVC-05  the role whose approval a dispatch to an
                                                   outside partner, or to staff of another department,
                                                   needs (the holder nearest the order's department;
                                                   null: no approval needed)
    svc.checklist.required = false                 SVC-06  the pre-departure checklist must be complete
                                                   before arriving on site: true (every on-site type),
                                                   false, or a list of types ([installation, repair])
    svc.checklist.items = [job_details, tools, parts, documents]
                                                   SVC-06  the items of the checklist

SVC-04 (``svc.approval``) is declared by :class:`core.service.settings.OrderPolicySchema`; SVC-08 has
no setting of its own: the price of a breach without a delay notice is the tenant's STF catalog entry
``svc_breach_without_notice`` (an open proposal when the catalog names none).

:class:`DispatchPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from core.customers.ownership.settings import RoleField

CHECKLIST_ITEMS = ["job_details", "tools", "parts", "documents"]
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class RequiredForField(fields.Field):
    """``true``, ``false`` or a list of work-order type codes; loaded as is (a bool or a list)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value) if isinstance(value, (list, tuple)) else value

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) and _CODE.match(v) for v in value):
            if len(set(value)) != len(value):
                raise ValidationError("Duplicate type.")
            return list(value)
        raise ValidationError("true, false or a list of work-order types.")


class DispatchSettingsSchema(Schema):
    partner_approval = RoleField(load_default="dept_manager", allow_none=True,
                                 metadata={"description": "SVC-05: the approving role (null: none)"})


class ChecklistSchema(Schema):
    required = RequiredForField(load_default=False, metadata={"description": "SVC-06: true, false or types"})
    items = fields.List(fields.String(validate=validate.Regexp(_CODE, error="Not a valid item code.")),
                        validate=validate.Length(min=1), load_default=lambda: list(CHECKLIST_ITEMS))


class DispatchPolicySchema(Schema):
    """``svc.dispatch`` (SVC-05) and ``svc.checklist`` (SVC-06)."""

    dispatch = fields.Nested(DispatchSettingsSchema, load_default=lambda: DispatchSettingsSchema().load({}))
    checklist = fields.Nested(ChecklistSchema, load_default=lambda: ChecklistSchema().load({}))
