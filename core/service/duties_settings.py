"""Recurring-duty settings of the ``svc`` policy document (SVC-30, SVC-32), names and defaults as DOMAIN.md
writes them::

    svc.duties = []                  SVC-30  duties to seed into the tenant's duty table (PM preset
                                             :data:`PM_DUTIES`: pest control of common areas ≥ 2/month;
                                             water tanks cleaned 2/year with a sample test; daily
                                             inspection rounds; PRE: survey 1/year). Each entry:
                                             {code, title, kind (work_order | survey), work_order_type,
                                             at_least, period (day | week | month | quarter |
                                             half_year | year), evidence: [check names], site,
                                             building, asset_class, responsible_role}
    svc.survey.every = 1 year        SVC-32  at least one customer survey (CUS-64) per this period:
                                             1 day | 1 week | 1 month | 3 months | 6 months | 1 year;
                                             null: no survey duty

Where duties live: in the table ``service_duties`` (``POST/GET/PATCH /service-duties``), which the
tenant's managers edit. The policy entries are a preset: the daily job ``svc.duty_generation`` (and
``POST /service-duties/seed``) copies each entry whose ``code`` the table does not have yet into it,
once; from then on the table row is the duty (deactivate it rather than delete it: a deactivated
code is not seeded again). ``svc.survey.every`` seeds the duty ``customer_survey`` (kind
``survey``) the same way.

:class:`DutyPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.customers.ownership.settings import RoleField

PERIODS = ("day", "week", "month", "quarter", "half_year", "year")
KINDS = ("work_order", "survey")
CODE_RE = r"^[a-z][a-z0-9_]*$"
#: ``svc.survey.every`` durations and the period each one means
SURVEY_PERIODS = {Duration(1, "days"): "day", Duration(1, "weeks"): "week", Duration(1, "months"): "month",
                  Duration(3, "months"): "quarter", Duration(6, "months"): "half_year",
                  Duration(1, "years"): "year", Duration(12, "months"): "year"}
SURVEY_CODE = "customer_survey"

#: DOMAIN.md PM-07 / SVC-30: the property-management preset of ``svc.duties``
PM_DUTIES = [
    {"code": "pest_control", "title": "公共区域除虫灭害", "work_order_type": "maintenance", "at_least": 2,
     "period": "month", "site": "公共区域", "asset_class": "除虫灭害", "responsible_role": "dept_manager"},
    {"code": "water_tanks", "title": "水箱清洗消毒", "work_order_type": "maintenance", "at_least": 2,
     "period": "year", "evidence": ["sample_test"], "asset_class": "生活水箱", "responsible_role": "dept_manager"},
    {"code": "inspection_rounds", "title": "日常巡查", "work_order_type": "inspection", "at_least": 1,
     "period": "day", "site": "楼宇、设备、安防", "responsible_role": "supervisor"},
]
#: the PRE preset: one customer survey a year (SVC-32; the same as ``svc.survey.every = 1 year``)
PRE_DUTIES = [
    {"code": SURVEY_CODE, "title": "客户满意度调查", "kind": "survey", "at_least": 1, "period": "year",
     "responsible_role": "cs_manager"},
]


class DutyEntrySchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(max=60), validate.Regexp(CODE_RE)])
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="work_order", validate=validate.OneOf(KINDS))
    work_order_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    at_least = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    evidence = fields.List(fields.String(validate=validate.Regexp(CODE_RE)), load_default=list)
    site = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    building = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    asset_class = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    responsible_role = RoleField(load_default=None, allow_none=True)

    @validates_schema
    def _type_for_orders(self, data, **kwargs):
        if data.get("kind", "work_order") == "work_order" and not data.get("work_order_type"):
            raise ValidationError("a work-order duty names its work-order type", "work_order_type")


def _unique_codes(entries: list) -> None:
    codes = [e["code"] for e in entries]
    if len(set(codes)) != len(codes):
        raise ValidationError("each duty code once")


class SurveyEveryField(DurationField):
    """``svc.survey.every``: a duration that is one of the duty periods (:data:`SURVEY_PERIODS`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        duration = super()._deserialize(value, attr, data, **kwargs)
        if duration not in SURVEY_PERIODS:
            raise ValidationError("One of 1 day, 1 week, 1 month, 3 months, 6 months, 1 year.")
        return duration


class SurveySchema(Schema):
    every = SurveyEveryField(allow_none=True, load_default=lambda: Duration(1, "years"))


class DutyPolicySchema(Schema):
    """``svc.duties`` (SVC-30) and ``svc.survey`` (SVC-32)."""

    duties = fields.List(fields.Nested(DutyEntrySchema), load_default=list, validate=_unique_codes)
    survey = fields.Nested(SurveySchema, load_default=lambda: SurveySchema().load({}))


def survey_period(values: dict) -> str | None:
    """The period of ``svc.survey.every`` (None: no survey duty)."""
    every = values["survey"]["every"]
    return SURVEY_PERIODS[every] if every is not None else None
