"""Correction-loop settings of the ``stf`` policy document (STF-11)::

    stf.correction.within = 1 working_day   a violation ordered corrected and not corrected within this
                                            limit counts again, dated at the end of the limit, and again
                                            after every further limit until corrected
"""
from __future__ import annotations

from marshmallow import Schema, fields

from core.calendar import Duration
from core.calendar.policy import DurationField


class CorrectionSchema(Schema):
    within = DurationField(load_default=Duration(1, "working_days"))


class CorrectionPolicySchema(Schema):
    """``stf.correction`` (STF-11)."""

    correction = fields.Nested(CorrectionSchema, load_default=lambda: CorrectionSchema().load({}))
