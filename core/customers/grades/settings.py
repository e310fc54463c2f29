"""Settings of grades, tiers and regrading (DOMAIN.md 3.6): the ``tiers``, ``grading`` and
``grade_effects`` sections of the ``cus`` policy document. ``load({})`` gives the spec's defaults::

    cus.tiers.schemes = {grade: [A, B, C]}           CUS-50  ordered schemes, best tier first
    cus.tiers.criteria = {}                          CUS-50  {scheme: {tier: {metric, min, inclusive}}};
                                                             a tier without a criterion is manual only
    cus.tiers.period = 12 months                     CUS-50  trailing period of the numeric metrics
    cus.tiers.approver_roles = [gm, vp, dept_manager, sales_manager]
                                                     CUS-50  who may approve a manual change
    cus.grading.annual_window = 03-25..03-30         CUS-52  local dates, through the last one
    cus.grading.new_customer_after = 6 months        CUS-52  formal grade after N of cooperation
    cus.grading.with_credit = true                   CUS-52  the credit grade is reviewed in the same cycle
    cus.grading.scheme = grade                       CUS-52  the scheme the cycles review
    cus.grade_effects = {complaint_priority: true}   CUS-53

The key-account thresholds (CUS-51) are the ``ka`` section, declared with the assignment rules.
"""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from core.calendar.policy import DurationField, unique_values
from core.policy.sections import section as _section

#: numeric tier metrics, computed from the customer's transactions over ``cus.tiers.period``
METRICS = ("net_purchases", "gross_profit", "shipments", "collections")
SCHEME_NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
WINDOW = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")
APPROVER_ROLES = ["gm", "vp", "dept_manager", "sales_manager"]




class TierCriterionSchema(Schema):
    """A numeric criterion (CUS-50): ``metric`` over the trailing period ≥ ``min`` (``inclusive``,
    以上, CAL-10) or > ``min``."""

    metric = fields.String(required=True, validate=validate.OneOf(METRICS))
    min = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0))
    inclusive = fields.Boolean(load_default=True)


class TiersSchema(Schema):
    """``cus.tiers`` (CUS-50)."""

    schemes = fields.Dict(
        keys=fields.String(validate=validate.Regexp(SCHEME_NAME, error="a scheme name is lower-case letters, "
                                                                       "digits and _ (e.g. grade, vip)")),
        values=fields.List(fields.String(validate=validate.Length(min=1, max=30)),
                           validate=[validate.Length(min=1, max=20), unique_values("tier")]),
        load_default=lambda: {"grade": ["A", "B", "C"]},
        metadata={"description": "ordered schemes, best tier first"})
    criteria = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Nested(TierCriterionSchema)),
        load_default=dict, metadata={"description": "{scheme: {tier: {metric, min, inclusive}}}"})
    period = DurationField(units=("days", "weeks", "months", "years"), load_default=lambda: _duration("12 months"))
    approver_roles = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                                 validate=[validate.Length(min=1), unique_values("role")],
                                 load_default=lambda: list(APPROVER_ROLES))

    @validates("schemes")
    def _some_scheme(self, value, **_kwargs):
        if not value:
            raise ValidationError("at least one scheme is needed")

    @validates_schema
    def _criteria_name_tiers(self, data, **_kwargs):
        schemes = data.get("schemes") or {}
        errors = {}
        for scheme, tiers in (data.get("criteria") or {}).items():
            if scheme not in schemes:
                errors[scheme] = [f"no scheme {scheme!r} in schemes"]
                continue
            unknown = [t for t in tiers if t not in schemes[scheme]]
            if unknown:
                errors[scheme] = [f"tiers not in scheme {scheme!r}: {', '.join(unknown)}"]
        if errors:
            raise ValidationError(errors, "criteria")


def _duration(text: str):
    from core.calendar.durations import parse_duration

    return parse_duration(text)


def parse_window(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``"03-25..03-30"`` → ((3, 25), (3, 30)); ValueError on a bad or reversed window."""
    match = WINDOW.match(text or "")
    if not match:
        raise ValueError("expected MM-DD..MM-DD, e.g. 03-25..03-30")
    m1, d1, m2, d2 = (int(g) for g in match.groups())
    for month, day in ((m1, d1), (m2, d2)):
        try:
            dt.date(2024, month, day)  # a leap year: 02-29 is a valid window day
        except ValueError:
            raise ValueError(f"{month:02d}-{day:02d} is not a day of the year") from None
    if (m2, d2) < (m1, d1):
        raise ValueError("the window ends before it opens (a window lies within one calendar year)")
    return (m1, d1), (m2, d2)


class GradingSchema(Schema):
    """``cus.grading`` (CUS-52)."""

    annual_window = fields.String(load_default="03-25..03-30",
                                  metadata={"description": "MM-DD..MM-DD in the tenant's time zone, through the "
                                                           "last day"})
    new_customer_after = DurationField(units=("days", "weeks", "months", "years"),
                                       load_default=lambda: _duration("6 months"))
    with_credit = fields.Boolean(load_default=True)
    scheme = fields.String(load_default="grade", validate=validate.Regexp(SCHEME_NAME))

    @validates("annual_window")
    def _window(self, value, **_kwargs):
        try:
            parse_window(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class GradeEffectsSchema(Schema):
    """``cus.grade_effects`` (CUS-53)."""

    complaint_priority = fields.Boolean(load_default=True)


class GradesPolicySchema(Schema):
    """The grades part of the ``cus`` policy document (CUS-50, CUS-52, CUS-53)."""

    tiers = _section(TiersSchema)
    grading = _section(GradingSchema)
    grade_effects = _section(GradeEffectsSchema)

    @validates_schema
    def _grading_scheme_exists(self, data, **_kwargs):
        schemes = (data.get("tiers") or {}).get("schemes") or {}
        scheme = (data.get("grading") or {}).get("scheme")
        if scheme and schemes and scheme not in schemes:
            raise ValidationError({"scheme": [f"no scheme {scheme!r} in tiers.schemes"]}, "grading")
