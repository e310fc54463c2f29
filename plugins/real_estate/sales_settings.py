"""Sales control (销控), changes after the deal and the office's plans (RE-30..RE-52)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.calendar.durations import Duration
from core.calendar.policy import DurationField
from core.policy.sections import section


class UnitsSchema(Schema):
    """RE-30/RE-40: the popularity classes of units, the most popular first (the source names none: hot
    畅销, regular 平销, slow 滞销)."""

    popularity_classes = fields.List(fields.String(validate=validate.Length(min=1, max=20)),
                                     load_default=lambda: ["hot", "regular", "slow"],
                                     validate=validate.Length(min=1))


class HoldSchema(Schema):
    """RE-31: a unit is held atomically before a deposit; the hold lapses after ``ttl`` (the source gives
    no length: 30 minutes)."""

    ttl = DurationField(load_default=Duration(30, "minutes"))


class DepositSchema(Schema):
    """RE-32: the least a small (小定) and a big (大定) deposit may be (tenant amounts; none by default)."""

    small_min = fields.Decimal(load_default=None, allow_none=True, as_string=True, places=2,
                               validate=validate.Range(min=0))
    big_min = fields.Decimal(load_default=None, allow_none=True, as_string=True, places=2,
                             validate=validate.Range(min=0))


class CopiesSchema(Schema):
    """RE-33: the subscription (认购书) is printed in 4 copies."""

    customer = fields.Integer(load_default=1, validate=validate.Range(min=0, max=9))
    finance = fields.Integer(load_default=1, validate=validate.Range(min=0, max=9))
    sales = fields.Integer(load_default=2, validate=validate.Range(min=0, max=9))


class SubscriptionSchema(Schema):
    copies = section(CopiesSchema)


class RenameFeeSchema(Schema):
    """RE-41: a rename after the contract is a title transfer with a fee (no amount in the source)."""

    kind = fields.String(load_default="percent", validate=validate.OneOf(["fixed", "percent"]))
    value = fields.Decimal(load_default=Decimal("1.00"), as_string=True, places=2, validate=validate.Range(min=0))


class RenameSchema(Schema):
    fee = section(RenameFeeSchema)


class DefaultSchema(Schema):
    """RE-42: a payment-demand notice the day after a missed instalment, breach handling after 2 months."""

    notice_after = DurationField(load_default=Duration(1, "days"))
    breach_after = DurationField(load_default=Duration(2, "months"))


class FollowUpSheetSchema(Schema):
    """RE-51: the supervisor is reminded when a tracked customer has had no follow-up entry for this long."""

    remind_after = DurationField(load_default=Duration(7, "days"))


class PlansSchema(Schema):
    """RE-52: daily plans each morning, the weekly plan on this day."""

    weekly_day = fields.String(load_default="sat",
                               validate=validate.OneOf(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]))


class SalesSettingsSchema(Schema):
    units = section(UnitsSchema)
    hold = section(HoldSchema)
    deposit = section(DepositSchema)
    subscription = section(SubscriptionSchema)
    rename = section(RenameSchema)
    default = section(DefaultSchema)
    plans = section(PlansSchema)
    follow_up_sheet = section(FollowUpSheetSchema)
    #: RE-51: the intent classes, and those whose customers have a follow-up sheet
    intent_classes = fields.List(fields.String(validate=validate.Length(min=1, max=10)),
                                 load_default=lambda: ["A", "B", "C"])
    tracked = fields.List(fields.String(validate=validate.Length(min=1, max=10)), load_default=lambda: ["A", "B"])
