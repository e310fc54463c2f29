"""Slip, appeal and publication settings of the ``stf`` policy document (STF-20..23)::

    stf.slip.required = true              STF-20  an entry with a slip becomes effective only through it
    stf.slip.witnesses_on_refusal = 2     STF-20  witnesses who sign when the employee refuses
    stf.slip.witnesses_inclusive = true   STF-20  "两个以上" is inclusive (≥ 2, CAL-10)
    stf.appeal.window = 3 days            STF-21  written appeal from the slip's issue (calendar days)
    stf.appeal.reply_within = 1 weeks     STF-21  written reply from the appeal's receipt
    stf.publication.hr_roles = [gm, finance]   STF-23  who receives and reads the monthly penalty list

The spec names no HR role; ``stf.publication.hr_roles`` (an addition of this module) says which roles
of the tenant act as HR for the list of STF-23 and for the STF-22 flag notice.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.calendar import Duration
from core.calendar.policy import DurationField

_PERIOD_UNITS = ("hours", "days", "weeks", "working_days")


class SlipSchema(Schema):
    """``stf.slip`` (STF-20)."""

    required = fields.Boolean(load_default=True)
    witnesses_on_refusal = fields.Integer(load_default=2, validate=validate.Range(min=1, max=10))
    witnesses_inclusive = fields.Boolean(load_default=True)


class AppealSchema(Schema):
    """``stf.appeal`` (STF-21): calendar days by default (the source says 三日内, 一周内)."""

    window = DurationField(units=_PERIOD_UNITS, load_default=lambda: Duration(3, "days"))
    reply_within = DurationField(units=_PERIOD_UNITS, load_default=lambda: Duration(1, "weeks"))


class PublicationSchema(Schema):
    """``stf.publication`` (STF-23)."""

    hr_roles = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                           load_default=lambda: ["gm", "finance"], validate=validate.Length(min=1))


class SlipsPolicySchema(Schema):
    """``stf.slip``, ``stf.appeal`` and ``stf.publication`` (STF-20..23)."""

    slip = fields.Nested(SlipSchema, load_default=lambda: SlipSchema().load({}))
    appeal = fields.Nested(AppealSchema, load_default=lambda: AppealSchema().load({}))
    publication = fields.Nested(PublicationSchema, load_default=lambda: PublicationSchema().load({}))
