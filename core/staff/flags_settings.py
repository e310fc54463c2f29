"""HR-flag settings of the ``stf`` policy document (STF-12)::

    stf.flags = []   each {counter, window, threshold, inclusive, label, consecutive}, e.g.
        {counter: complaints, window: 6 months, threshold: 3, label: demotion_or_dismissal_review}
        {counter: offence:quota_shortfall, window: calendar_month, threshold: 5, inclusive: false,
         label: dismissal_review}
        {counter: offence:absenteeism, window: calendar_year, threshold: 3, label: termination_review}
        {counter: offence:absenteeism, window: ever, threshold: 3, consecutive: true, label: termination_review}

``counter``: ``complaints`` / ``attitude_complaints`` (CMP-73: complaints against the employee, verified
only unless ``cmp.counters.verified_only = false``) or ``offence:<code>`` (the employee's penalised
occurrences of that offence in the staff ledger). ``window``: a duration back from each occurrence
(``6 months``, ``30 days``...), ``calendar_month``, ``calendar_year`` or ``ever``. ``threshold`` with
``inclusive`` (CAL-10: ≥, or > when false). ``consecutive``: count the occurrences on consecutive working
days instead. A flag is an HR review entry, never an automatic action.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core.calendar import Duration, format_duration, parse_duration
from core.staff.catalog_settings import code_field

COMPLAINT_COUNTERS = ("complaints", "attitude_complaints")
OFFENCE_PREFIX = "offence:"
PERIOD_WINDOWS = ("calendar_month", "calendar_year", "ever")
_COUNTER = re.compile(r"^(complaints|attitude_complaints|offence:[a-z][a-z0-9_]*)$")


class WindowField(fields.Field):
    """``"6 months"`` → ``Duration``; ``calendar_month`` | ``calendar_year`` | ``ever`` stay strings."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return format_duration(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Duration | str:
        if value in PERIOD_WINDOWS:
            return value
        if not isinstance(value, str):
            raise ValidationError("A duration such as '6 months', or calendar_month, calendar_year, ever.")
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ValidationError(f"{exc}; or calendar_month, calendar_year, ever.") from None


class FlagRuleSchema(Schema):
    counter = fields.String(required=True, validate=validate.Regexp(
        _COUNTER, error="complaints, attitude_complaints or offence:<offence code>."))
    window = WindowField(required=True)
    threshold = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    inclusive = fields.Boolean(load_default=True)
    label = code_field("flag label", required=True)
    consecutive = fields.Boolean(load_default=False)


class FlagsPolicySchema(Schema):
    """``stf.flags`` (STF-12)."""

    flags = fields.List(fields.Nested(FlagRuleSchema), load_default=list)
