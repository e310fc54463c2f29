"""Intake and deadline settings of the ``cmp`` policy document (CMP-01..05, CMP-30..34)::

    cmp.channels.extra = []                     CMP-02  channels the tenant adds (e.g. fax)
    cmp.categories = [service_not_delivered, staff_conduct, staff_attitude, interdepartment_dispute, other]
    cmp.routing = {category: department name}   CMP-04  (plugins give defaults per category)
    cmp.numbering = {format: "{YY}{MM}{serial:02}", reset: monthly, overflow: widen}   CMP-05
    cmp.sla = {reply: 24 hours, solution: 1 working_day, resolve: 3 working_days,
               resolve_special: 7 working_days, inquiry_reply: 24 hours, warn_at: 0.8,
               pause_reasons: [waiting_customer, waiting_parts, third_party], pause_day_threshold: 0.5}

Each part of the complaints module declares its own section next to its rules;
:mod:`core.complaints.policy` joins them into the one ``cmp`` document.
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration
from core.calendar.policy import DurationField

#: CMP-02 channels of the core (a tenant adds its own with ``cmp.channels.extra``).
CHANNELS = ("phone", "hotline", "walk_in", "letter", "online", "email", "opinion_book", "via_salesperson",
            "call_centre", "return_visit", "grumble", "to_gm", "to_manufacturer", "to_authority", "media")
#: CMP-04 core default taxonomy.
CORE_CATEGORIES = ("service_not_delivered", "staff_conduct", "staff_attitude", "interdepartment_dispute", "other")
RESETS = ("monthly", "yearly", "never")
OVERFLOWS = ("widen", "refuse")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_FORMAT = re.compile(r"^(\{(YYYY|YY|MM|serial(:0[1-9])?)\}|[A-Za-z0-9_-])+$")


def _code(what: str) -> fields.String:
    return fields.String(validate=validate.Regexp(_CODE, error=f"Not a valid {what} code (lower-case letters, "
                                                              "digits, underscores)."))


class ChannelsSchema(Schema):
    extra = fields.List(_code("channel"), load_default=list)


class NumberingSchema(Schema):
    """``cmp.numbering`` (CMP-05): ``{YY}``/``{YYYY}``/``{MM}`` of the received time in the tenant zone
    and ``{serial:0N}`` (N digits, widened when the serial outgrows them)."""

    format = fields.String(load_default="{YY}{MM}{serial:02}", validate=validate.Length(min=1, max=40))
    reset = fields.String(load_default="monthly", validate=validate.OneOf(RESETS))
    overflow = fields.String(load_default="widen", validate=validate.OneOf(OVERFLOWS))

    @validates("format")
    def _format(self, value: str, **kwargs) -> None:
        if not _FORMAT.match(value) or "{serial" not in value:
            raise ValidationError("Use {YY} or {YYYY}, {MM}, {serial:0N} and letters, digits, '-' or '_'; "
                                  "{serial} is required.")


class SlaSchema(Schema):
    """``cmp.sla`` (CMP-31, CMP-33, CMP-34): the core default deadlines."""

    reply = DurationField(load_default=Duration(24, "hours"))
    solution = DurationField(load_default=Duration(1, "working_days"))
    resolve = DurationField(load_default=Duration(3, "working_days"))
    resolve_special = DurationField(load_default=Duration(7, "working_days"))
    inquiry_reply = DurationField(load_default=Duration(24, "hours"))
    warn_at = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=Decimal("0.01"), max=Decimal("0.99")),
                             load_default=lambda: Decimal("0.8"))
    pause_reasons = fields.List(_code("pause reason"),
                                load_default=lambda: ["waiting_customer", "waiting_parts", "third_party"])
    pause_day_threshold = fields.Decimal(places=2, as_string=True,
                                         validate=validate.Range(min=Decimal("0.01"), max=Decimal("1")),
                                         load_default=lambda: Decimal("0.5"))


class IntakePolicySchema(Schema):
    channels = fields.Nested(ChannelsSchema, load_default=lambda: ChannelsSchema().load({}))
    categories = fields.List(_code("category"), load_default=lambda: list(CORE_CATEGORIES))
    routing = fields.Dict(keys=_code("category"), values=fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=dict)
    numbering = fields.Nested(NumberingSchema, load_default=lambda: NumberingSchema().load({}))


class DeadlinePolicySchema(Schema):
    sla = fields.Nested(SlaSchema, load_default=lambda: SlaSchema().load({}))
