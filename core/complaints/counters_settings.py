"""Employee-counter settings of the ``cmp`` policy document (CMP-73)::

    cmp.counters.verified_only = true   only verified complaints (finding ``discipline`` or
                                        ``general_error``) count against the accused employee

The thresholds that raise HR review flags are ``stf.flags`` rules on the counters ``complaints`` and
``attitude_complaints`` (STF-12).
"""
from __future__ import annotations

from marshmallow import Schema, fields


class CountersSchema(Schema):
    verified_only = fields.Boolean(load_default=True)


class CountersPolicySchema(Schema):
    """``cmp.counters`` (CMP-73)."""

    counters = fields.Nested(CountersSchema, load_default=lambda: CountersSchema().load({}))
