"""The attribution (判客) settings of the ``re`` document (RE-10..RE-27). Where the source regulation
contradicts itself or is silent, the spec's default is the default and the alternative a choice."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.policy.sections import section


class ValiditySchema(Schema):
    """RE-11: an archive (建档) is valid for ``cus.ownership.validity`` (2 months) from registration, not
    renewed by follow-ups, judged at the visit at which another salesperson took over (or at the deal)."""

    checked_at = fields.String(load_default="takeover_visit", validate=validate.OneOf(["takeover_visit", "deal"]))


class AbsentOwnerSchema(Schema):
    """RE-14: the customer names B, B is absent, C assists. The source says both B 80 / C 20 (L97) and
    50/50 when the deal closes the same day, else an obligatory reception (L66): the tenant chooses."""

    split = fields.String(load_default="b80_c20", validate=validate.OneOf(["b80_c20", "same_day_50_50"]))


class ForgotSchema(Schema):
    """RE-18: the customer forgot who received them; who follows up once the earlier salesperson is found."""

    follow_up = fields.String(load_default="receiver", validate=validate.OneOf(["receiver", "original"]))


class NthVisitSchema(Schema):
    """RE-19: designation on the N-th visit: how the earlier salespeople share their 50%."""

    split_earlier = fields.String(load_default="equal", validate=validate.OneOf(["equal", "first_receiver",
                                                                                 "by_receptions"]))
    require_valid_archive = fields.Boolean(load_default=True)


class AttributionSettingsSchema(Schema):
    validity = section(ValiditySchema)
    absent_owner = section(AbsentOwnerSchema)
    forgot = section(ForgotSchema)
    nth_visit = section(NthVisitSchema)
    #: RE-26: the event that is "the deal" (以成交为准): it locks ownership and triggers recognition
    deal_event = fields.String(load_default="subscription",
                               validate=validate.OneOf(["subscription", "small_deposit", "big_deposit", "contract"]))
