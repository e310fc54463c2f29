"""Settings of follow-ups, visits and surveys (DOMAIN.md 3.7, CUS-61..CUS-64): the ``visits`` and
``survey`` sections of the ``cus`` policy document, with the spec's defaults (``load({})``)::

    cus.visits.matrix = {}                      CUS-61  tier → performer role → [cadence]
    cus.visits.scheme = grade                   CUS-61  the tier scheme (CUS-50) the matrix reads
    cus.visits.holiday = {tiers: [A], lead: 3 days, role: agent, mode: phone_ok}   CUS-61
    cus.visits.plan_due = last day of month     CUS-62  (or "day N of month")
    cus.visits.plan_roles = [salesperson]       CUS-62  who submits a monthly visit plan
    cus.visits.report_within = 2 days           CUS-62  (X1-3 preset: 1 day)
    cus.visits.quota = {}                       CUS-62  role → planned visits per month
    cus.survey.threshold = 80                   CUS-64  a round's mean below it opens a CAPA task
    cus.survey.capa_role = cs_manager           CUS-64  who owns the corrective action

A cadence is ``{times: 2, per: month|quarter|year, mode: phone_ok|on_site}``. The performer role is
``agent`` (the customer's owner, CUS-20) or a role code (``supervisor``, ``gm``...). One role has at
most one cadence per period kind in a tier, so that a due visit is known by (customer, role,
period, slot). :data:`PRE16_VISITS` is the PRE-16 matrix of the spec, a documented example.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration
from core.calendar.policy import DurationField

PERIODS = ("month", "quarter", "year")
MODES = ("phone_ok", "on_site")
AGENT = "agent"  #: the performer role "the customer's owner"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_PLAN_DUE = re.compile(r"^(last day of month|day ([1-9]|1\d|2[0-8]) of month)$")

#: PRE-16 (e-commerce mall customer service): A/B/C agent 1/month phone-ok, supervisor 2/month
#: phone-ok; A/B supervisor on-site 1/quarter; A GM on-site 1/year (CUS-61, cat 003 A5-19..A5-22).
PRE16_VISITS = {
    "matrix": {
        "A": {"agent": [{"times": 1, "per": "month", "mode": "phone_ok"}],
              "supervisor": [{"times": 2, "per": "month", "mode": "phone_ok"},
                             {"times": 1, "per": "quarter", "mode": "on_site"}],
              "gm": [{"times": 1, "per": "year", "mode": "on_site"}]},
        "B": {"agent": [{"times": 1, "per": "month", "mode": "phone_ok"}],
              "supervisor": [{"times": 2, "per": "month", "mode": "phone_ok"},
                             {"times": 1, "per": "quarter", "mode": "on_site"}]},
        "C": {"agent": [{"times": 1, "per": "month", "mode": "phone_ok"}],
              "supervisor": [{"times": 2, "per": "month", "mode": "phone_ok"}]},
    },
    "holiday": {"tiers": ["A"], "lead": "3 days"},
}


class CodeField(fields.String):
    """A role or tier code: lower-case letters, digits and underscores (tiers: any 1–20 characters)."""

    def __init__(self, *, what: str = "role", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if self.what == "role" and not _CODE.match(value):
            raise ValidationError(f"Not a valid role code: {value!r} (lower-case letters, digits, underscores).")
        if self.what == "tier" and not 1 <= len(value.strip()) <= 20:
            raise ValidationError("A tier is 1 to 20 characters.")
        return value.strip()


class CadenceSchema(Schema):
    """How often one role visits a customer of one tier (CUS-61)."""

    times = fields.Integer(required=True, validate=validate.Range(min=1, max=31))
    per = fields.String(required=True, validate=validate.OneOf(PERIODS))
    mode = fields.String(load_default="phone_ok", validate=validate.OneOf(MODES))


def _one_per_period(cadences: list) -> None:
    pers = [c["per"] for c in cadences]
    for per in PERIODS:
        if pers.count(per) > 1:
            raise ValidationError(f"At most one cadence per {per} for a role (join them: times).")
    if not cadences:
        raise ValidationError("Give at least one cadence, or leave the role out.")


class HolidaySchema(Schema):
    """Holiday visits (CUS-61): a task ``lead`` before each public holiday, due the day before it."""

    tiers = fields.List(CodeField(what="tier"), load_default=lambda: ["A"])
    lead = DurationField(units=("days",), load_default=Duration(3, "days"))
    role = CodeField(load_default=AGENT)
    mode = fields.String(load_default="phone_ok", validate=validate.OneOf(MODES))

    @validates("lead")
    def _lead(self, value: Duration, **kwargs) -> None:
        if value.amount < 1:
            raise ValidationError("The lead is at least 1 day (the task is due the day before the holiday).")


class VisitsSchema(Schema):
    """``cus.visits`` (CUS-61, CUS-62)."""

    matrix = fields.Dict(
        keys=CodeField(what="tier"),
        values=fields.Dict(keys=CodeField(), values=fields.List(fields.Nested(CadenceSchema),
                                                                validate=_one_per_period)),
        load_default=dict)
    scheme = fields.String(load_default="grade", validate=validate.Length(min=1, max=50))
    holiday = fields.Nested(HolidaySchema, load_default=lambda: HolidaySchema().load({}))
    plan_due = fields.String(load_default="last day of month", validate=validate.Regexp(
        _PLAN_DUE, error="Use 'last day of month' or 'day N of month' (N from 1 to 28)."))
    plan_roles = fields.List(CodeField(), load_default=lambda: ["salesperson"])
    report_within = DurationField(units=("days", "working_days", "hours"), load_default=Duration(2, "days"))
    quota = fields.Dict(keys=CodeField(), values=fields.Integer(validate=validate.Range(min=0, max=1000)),
                        load_default=dict)


class SurveySchema(Schema):
    """``cus.survey`` (CUS-64)."""

    threshold = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=100),
                               load_default=lambda: Decimal("80"))
    capa_role = CodeField(load_default="cs_manager")


class VisitsPolicySchema(Schema):
    """The visits part of the ``cus`` document (one more base of ``CusPolicySchema``)."""

    visits = fields.Nested(VisitsSchema, load_default=lambda: VisitsSchema().load({}))
    survey = fields.Nested(SurveySchema, load_default=lambda: SurveySchema().load({}))
