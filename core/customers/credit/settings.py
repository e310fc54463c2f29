"""Settings of credit rating and limits (DOMAIN.md 3.10): the ``credit`` section of the ``cus`` policy
document. ``load({})`` gives the spec's defaults::

    cus.credit.enabled = false                       CUS-90  the credit endpoints answer 409 while off
    cus.credit.refresh_every = 1 quarter             CUS-90  full refresh by the end of the next quarter
    cus.credit.a_min_annual_volume = 0               CUS-91  company standard of annual collections/deliveries
    cus.credit.falling_months_for_c = 3              CUS-91  "連續數月"
    cus.credit.average_window = 12 months            CUS-93
    cus.credit.terms = {A: 1 months, B_long: 1 months, B_temp: 15 days}   CUS-93
    cus.credit.block_over_limit = true               CUS-94
    cus.credit.remediation_within = 1 months         CUS-94
    cus.credit.cap_reference_date = null             CUS-95
    cus.credit.allow_increase = false                CUS-95
    cus.credit.approval_roles = {vp_review: [vp], cfo_review: [finance], gm_approval: [gm]}   CUS-92
    cus.credit.exception_roles = [gm, vp]            CUS-94/95  who signs a written approval
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar.durations import parse_duration
from core.calendar.policy import DurationField, unique_values

QUARTERS = re.compile(r"^\s*(\d+)\s+quarters?\s*$")
STEPS = ("vp_review", "cfo_review", "gm_approval")


def quarters(text: str) -> int:
    """``"1 quarter"`` → 1 (ValueError otherwise)."""
    match = QUARTERS.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValueError("expected 'N quarter(s)', e.g. '1 quarter'")
    return int(match.group(1))


def _roles(default: list[str]) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                       validate=[validate.Length(min=1), unique_values("role")], load_default=lambda: list(default))


class TermsSchema(Schema):
    A = DurationField(units=("days", "weeks", "months"), load_default=lambda: parse_duration("1 months"))
    B_long = DurationField(units=("days", "weeks", "months"), load_default=lambda: parse_duration("1 months"))
    B_temp = DurationField(units=("days", "weeks", "months"), load_default=lambda: parse_duration("15 days"))


class ApprovalRolesSchema(Schema):
    vp_review = _roles(["vp"])
    cfo_review = _roles(["finance"])
    gm_approval = _roles(["gm"])


class CreditSettingsSchema(Schema):
    """``cus.credit`` (CUS-90..CUS-96)."""

    enabled = fields.Boolean(load_default=False)
    refresh_every = fields.String(load_default="1 quarter", metadata={"description": "N quarter(s)"})
    a_min_annual_volume = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0),
                                         load_default=lambda: Decimal("0.00"))
    falling_months_for_c = fields.Integer(load_default=3, validate=validate.Range(min=1, max=24))
    average_window = DurationField(units=("months", "years"), load_default=lambda: parse_duration("12 months"))
    terms = fields.Nested(TermsSchema, load_default=lambda: TermsSchema().load({}))
    block_over_limit = fields.Boolean(load_default=True)
    remediation_within = DurationField(units=("days", "weeks", "months"),
                                       load_default=lambda: parse_duration("1 months"))
    cap_reference_date = fields.Date(load_default=None, allow_none=True)
    allow_increase = fields.Boolean(load_default=False)
    approval_roles = fields.Nested(ApprovalRolesSchema, load_default=lambda: ApprovalRolesSchema().load({}))
    exception_roles = _roles(["gm", "vp"])

    @validates("refresh_every")
    def _refresh(self, value, **_kwargs):
        try:
            quarters(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class CreditPolicySchema(Schema):
    """The credit part of the ``cus`` policy document."""

    credit = fields.Nested(CreditSettingsSchema, load_default=lambda: CreditSettingsSchema().load({}))
