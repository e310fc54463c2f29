"""``re.rotation`` and the reception settings (RE-01..RE-05)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.policy.sections import section


class RotationSchema(Schema):
    """RE-01: who receives first-time visitors, in turn, and who stands by at the desk."""

    #: fixed_daily: the manager sets the day's order (RE-01); the pointer moves over it
    order = fields.String(load_default="fixed_daily", validate=validate.OneOf(["fixed_daily"]))
    standby_required = fields.Boolean(load_default=True)
    #: absences that owe a make-up turn (CUS-31): on company business or out with a customer
    accruing_absences = fields.List(fields.String(validate=validate.OneOf(
        ["company_business", "with_customer", "leave", "off_duty"])),
        load_default=lambda: ["company_business", "with_customer"])


class ReceptionPenaltySchema(Schema):
    """RE-04: grabbing, competing for or neglecting customers (抢客、争客、怠慢)."""

    grab = fields.String(load_default="day_base", validate=validate.OneOf(["day_base"]))
    #: serious cases: the month's base salary plus this share of the month's bonus (the source's
    #: "當月基本工資和當月應發獎金的50%" read as 50% of the bonus only; tenants may choose both)
    grab_serious = fields.String(load_default="month_base_plus_half_bonus",
                                 validate=validate.OneOf(["month_base_plus_half_bonus", "half_of_base_and_bonus"]))
    #: RE-28: provoking disputes costs this share of the month's deal bonus, with a dismissal review flag
    provoking_share = fields.Decimal(load_default=Decimal("0.50"), as_string=True, places=2,
                                     validate=validate.Range(min=0, max=1))


class ReceptionSettingsSchema(Schema):
    rotation = section(RotationSchema)
    penalty = section(ReceptionPenaltySchema)
