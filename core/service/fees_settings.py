"""Fee settings of the ``svc`` policy document (SVC-15), names and defaults as DOMAIN.md writes them::

    svc.fees.field_collection_allowed = true    SVC-15  technicians may collect fees in the field; a
                                                company where all money goes through finance (RE-32)
                                                sets false and every field collection is refused
    svc.fees.remit_within = 1 working_day       SVC-15  the money is handed to finance within this
                                                time of its collection ("回公司后立即交财务"); any
                                                duration of section 1
    svc.fees.out_of_warranty = parts_only       SVC-15  what an out-of-warranty repair may charge:
                                                parts_only (labour must be 0) or all
    svc.fees.warranty = 12 months               SVC-15  the warranty from the purchase date
                                                (``order.data.purchase_date``); the period includes
                                                its first day, as SVC-20 (12 months from 2025-10-08
                                                covers 2025-10-08..2026-10-07); days, weeks, months
                                                or years

:class:`FeePolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.calendar import Duration
from core.calendar.policy import DurationField

OUT_OF_WARRANTY = ("parts_only", "all")
WARRANTY_UNITS = ("days", "weeks", "months", "years")


class FeeSettingsSchema(Schema):
    field_collection_allowed = fields.Boolean(load_default=True)
    remit_within = DurationField(load_default=lambda: Duration(1, "working_days"))
    out_of_warranty = fields.String(validate=validate.OneOf(OUT_OF_WARRANTY), load_default="parts_only")
    warranty = DurationField(units=WARRANTY_UNITS, load_default=lambda: Duration(12, "months"))


class FeePolicySchema(Schema):
    """``svc.fees`` (SVC-15)."""

    fees = fields.Nested(FeeSettingsSchema, load_default=lambda: FeeSettingsSchema().load({}))
