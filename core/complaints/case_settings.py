"""Case-handling settings of the ``cmp`` policy document (CMP-01, CMP-04, CMP-11..14, CMP-22, CMP-43)::

    cmp.causes = []                                   CMP-04  the cause list (empty: free text)
    cmp.tags = [professional, problem, potential, motive_respect, motive_vent,
                motive_compensation, motive_solution, malicious]            CMP-14
    cmp.suggestions = {report_to: [gm]}               CMP-01  who a new suggestion is reported to
    cmp.major = {criteria: [repeat, to_manufacturer, to_authority, media, "collective>=3"]}   CMP-11
    cmp.repeat = {window: 90 days, effects: [major]}  CMP-12
    cmp.territory = by_customer_unit                  CMP-22  (alt none)
    cmp.supplier_case_to = vp                         CMP-22  (alt gm)
    cmp.level_by_severity = {general: agent, important: supervisor, major: dept_manager}   CMP-43
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.calendar import Duration
from core.calendar.policy import DurationField
from core.complaints.settings import _code

#: CMP-14 core complainant tags (a tenant may rename or extend the list).
CORE_TAGS = ("professional", "problem", "potential", "motive_respect", "motive_vent", "motive_compensation",
             "motive_solution", "malicious")
#: CMP-11 criteria evaluated from the case's data (channel, demands, complainant count, repeat).
AUTO_CRITERIA = ("repeat", "to_manufacturer", "to_authority", "media", "collective", "return_exchange")
#: CMP-11 criteria a person flags (CAR: blocking, disturbance; PM: the emergency list); ``wide_impact`` is
#: always available and needs a reason.
MANUAL_CRITERIA = ("blocking", "disturbance", "fire", "lift_entrapment", "explosion", "power_cut", "flooding",
                   "theft", "destructive_act", "criminal_case", "key_plant_failure", "structural_damage",
                   "wide_impact")
CORE_MAJOR_CRITERIA = ("repeat", "to_manufacturer", "to_authority", "media", "collective>=3")
#: CMP-43 levels: ``agent`` is any member of the routed department, the others are role codes.
LEVELS = ("agent", "supervisor", "cs_supervisor", "dept_manager", "cs_manager", "vp", "gm")
REPEAT_EFFECTS = ("major", "penalty")
_COLLECTIVE = re.compile(r"^collective>=([1-9][0-9]?)$")


def parse_criterion(text: str) -> tuple[str, int | None]:
    """``"collective>=3"`` → ``("collective", 3)``; ``"media"`` → ``("media", None)``; ValueError otherwise."""
    match = _COLLECTIVE.match(text or "")
    if match:
        return "collective", int(match.group(1))
    if text in AUTO_CRITERIA and text != "collective":
        return text, None
    if text in MANUAL_CRITERIA:
        return text, None
    raise ValueError(f"unknown major criterion {text!r}")


class SuggestionsSchema(Schema):
    report_to = fields.List(_code("role"), load_default=lambda: ["gm"])


class MajorCriteriaSchema(Schema):
    """``cmp.major.criteria`` (CMP-11): the criteria that make a case major for this tenant."""

    criteria = fields.List(fields.String(), load_default=lambda: list(CORE_MAJOR_CRITERIA))

    @validates("criteria")
    def _criteria(self, value: list, **kwargs) -> None:
        bad = []
        for item in value:
            try:
                parse_criterion(item)
            except ValueError:
                bad.append(item)
        if bad:
            raise ValidationError(f"unknown criteria {bad}; use {', '.join(AUTO_CRITERIA[:-2])}, collective>=N, "
                                  f"return_exchange or {', '.join(MANUAL_CRITERIA)}")


class RepeatSchema(Schema):
    """``cmp.repeat`` (CMP-12): the window after the earlier case closed (or while it is open)."""

    window = DurationField(units=("days", "weeks", "months", "working_days"), load_default=Duration(90, "days"))
    effects = fields.List(fields.String(validate=validate.OneOf(REPEAT_EFFECTS)), load_default=lambda: ["major"])


class LevelBySeveritySchema(Schema):
    general = fields.String(load_default="agent", validate=validate.OneOf(LEVELS))
    important = fields.String(load_default="supervisor", validate=validate.OneOf(LEVELS))
    major = fields.String(load_default="dept_manager", validate=validate.OneOf(LEVELS))


class CaseHandlingPolicySchema(Schema):
    causes = fields.List(_code("cause"), load_default=list)
    tags = fields.List(_code("tag"), load_default=lambda: list(CORE_TAGS))
    suggestions = fields.Nested(SuggestionsSchema, load_default=lambda: SuggestionsSchema().load({}))
    major = fields.Nested(MajorCriteriaSchema, load_default=lambda: MajorCriteriaSchema().load({}))
    repeat = fields.Nested(RepeatSchema, load_default=lambda: RepeatSchema().load({}))
    territory = fields.String(load_default="by_customer_unit", validate=validate.OneOf(("by_customer_unit", "none")))
    supplier_case_to = fields.String(load_default="vp", validate=validate.OneOf(("vp", "gm")))
    level_by_severity = fields.Nested(LevelBySeveritySchema, load_default=lambda: LevelBySeveritySchema().load({}))
