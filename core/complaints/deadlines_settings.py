"""Deadline settings of the ``cmp`` policy document (CMP-30..37, CMP-40), on top of the core defaults
of :class:`core.complaints.settings.SlaSchema` (reply, solution, resolve, resolve_special,
inquiry_reply, warn_at, pause_reasons, pause_day_threshold)::

    cmp.sla.warn_day_based = due_day_open       CMP-34  (alt fraction: day-based at warn_at too)
    cmp.sla.customer_may_set_earlier = [reply, solution, resolve]   CMP-33  default milestones a
                                                customer's own earlier deadline may replace
    cmp.sla.overall = null                      CMP-32  e.g. {start: accepted, department: 市场部,
                                                target: 15 days, hard: 18 days}
    cmp.sla.stages = {}                         CMP-32  e.g. {market_dept: {limit: 7 days,
                                                sub_stages: {processing_unit: {limit: 2 days}}},
                                                sales_branch: {limit: 5 days}}
    cmp.sla.policies = []                       CMP-30  entries chosen by case type × severity ×
                                                category × customer grade (first match wins), each
                                                a list of milestones replacing the defaults
    cmp.sla.grade_scheme = grade                CMP-30  the CUS-50 scheme whose tier is the grade
    cmp.escalation.ladder = [supervisor, dept_manager, gm]   CMP-40
    cmp.escalation.interval = 1 working_day     CMP-40

A milestone of a policy entry: ``{code, duration, hard, start: received | accepted | stage_entered |
resolution, stage, department, special, customer_may_set_earlier, pause_reasons, escalate}``.
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.complaints.models import CASE_TYPES, SEVERITIES
from core.complaints.settings import DeadlinePolicySchema, SlaSchema

START_EVENTS = ("received", "accepted", "stage_entered", "resolution")
WARN_MODES = ("due_day_open", "fraction")
DEFAULT_MILESTONES = ("reply", "solution", "resolve")
RESERVED = ("overall",)
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _code(what: str, **kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(_CODE, error=f"Not a valid {what} code (lower-case letters, "
                                                              "digits, underscores)."), **kwargs)


def _department(**kwargs) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "department name: who accepts, whose calendar counts"}, **kwargs)


class SubStageSchema(Schema):
    limit = DurationField(required=True)
    department = _department()


class StageSchema(Schema):
    """A stage timer (CMP-32): started when the case enters the stage, with sub-stages inside it."""

    limit = DurationField(required=True)
    department = _department()
    sub_stages = fields.Dict(keys=_code("sub-stage"), values=fields.Nested(SubStageSchema), load_default=dict)


class OverallSchema(Schema):
    """The overall limit (CMP-32): a target and a hard limit from a start event."""

    start = fields.String(load_default="accepted", validate=validate.OneOf(START_EVENTS[:3]))
    department = _department()
    stage = _code("stage", load_default=None, allow_none=True)
    target = DurationField(required=True)
    hard = DurationField(load_default=None, allow_none=True)


class MilestoneSettingSchema(Schema):
    """One milestone of an SLA policy entry (CMP-30)."""

    code = _code("milestone", required=True)
    duration = DurationField(required=True)
    hard = DurationField(load_default=None, allow_none=True)
    start = fields.String(load_default="received", validate=validate.OneOf(START_EVENTS))
    stage = _code("stage", load_default=None, allow_none=True)
    department = _department()
    special = DurationField(load_default=None, allow_none=True,
                            metadata={"description": "the limit of a special extension (CMP-31/33)"})
    customer_may_set_earlier = fields.Boolean(load_default=False)
    pause_reasons = fields.List(_code("pause reason"), load_default=None, allow_none=True,
                                metadata={"description": "null: every reason of cmp.sla.pause_reasons"})
    escalate = fields.Boolean(load_default=True, metadata={"description": "walk cmp.escalation.ladder on breach"})

    @validates_schema
    def _stage_named(self, data, **kwargs) -> None:
        if data.get("start") == "stage_entered" and not data.get("stage"):
            raise ValidationError("a milestone started by a stage names the stage", "stage")
        if data.get("code") in RESERVED:
            raise ValidationError(f"{data['code']!r} is reserved for cmp.sla.overall", "code")


class SlaPolicyEntrySchema(Schema):
    """An SLA policy (CMP-30): which cases it is for (an empty list matches any) and its milestones."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    case_types = fields.List(fields.String(validate=validate.OneOf(CASE_TYPES)), load_default=list)
    severities = fields.List(fields.String(validate=validate.OneOf(SEVERITIES)), load_default=list)
    categories = fields.List(_code("category"), load_default=list)
    grades = fields.List(fields.String(validate=validate.Length(min=1, max=30)), load_default=list)
    milestones = fields.List(fields.Nested(MilestoneSettingSchema), load_default=list)

    @validates_schema
    def _unique_codes(self, data, **kwargs) -> None:
        codes = [m["code"] for m in data.get("milestones") or []]
        if len(codes) != len(set(codes)):
            raise ValidationError("each milestone code once per policy", "milestones")


class SlaRulesSchema(SlaSchema):
    """``cmp.sla`` with the policy model (CMP-30), stages (CMP-32), customer deadlines (CMP-33) and
    the day-based warning mode (CMP-34)."""

    warn_day_based = fields.String(load_default="due_day_open", validate=validate.OneOf(WARN_MODES))
    customer_may_set_earlier = fields.List(_code("milestone"), load_default=lambda: list(DEFAULT_MILESTONES))
    overall = fields.Nested(OverallSchema, load_default=None, allow_none=True)
    stages = fields.Dict(keys=_code("stage"), values=fields.Nested(StageSchema), load_default=dict)
    policies = fields.List(fields.Nested(SlaPolicyEntrySchema), load_default=list)
    grade_scheme = fields.String(load_default="grade", validate=validate.Length(min=1, max=30))

    @validates_schema
    def _known_names(self, data, **kwargs) -> None:
        stages = set(data.get("stages") or {})
        reasons = set(data.get("pause_reasons") or [])
        errors: dict[str, list[str]] = {}
        overall = data.get("overall")
        if overall and overall.get("start") == "stage_entered" and overall.get("stage") not in stages:
            errors.setdefault("overall", []).append("name a stage of cmp.sla.stages")
        for i, entry in enumerate(data.get("policies") or []):
            for milestone in entry.get("milestones") or []:
                if milestone.get("stage") and milestone["stage"] not in stages:
                    errors.setdefault("policies", []).append(f"policy {i}: no stage {milestone['stage']!r} "
                                                             "in cmp.sla.stages")
                unknown = set(milestone.get("pause_reasons") or []) - reasons
                if unknown:
                    errors.setdefault("policies", []).append(f"policy {i}: pause reasons not in "
                                                             f"cmp.sla.pause_reasons: {', '.join(sorted(unknown))}")
        if errors:
            raise ValidationError(errors)


class EscalationSchema(Schema):
    """``cmp.escalation`` (CMP-40): the roles a breached case goes up to, one level per interval."""

    ladder = fields.List(_code("role"), load_default=lambda: ["supervisor", "dept_manager", "gm"])
    interval = DurationField(load_default=Duration(1, "working_days"))


class DeadlineRulesSchema(DeadlinePolicySchema):
    """The deadline sections of the ``cmp`` document: ``sla`` and ``escalation``."""

    sla = fields.Nested(SlaRulesSchema, load_default=lambda: SlaRulesSchema().load({}))
    escalation = fields.Nested(EscalationSchema, load_default=lambda: EscalationSchema().load({}))
