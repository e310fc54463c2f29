"""Monthly statement settings of the ``stf`` policy document (STF-34)::

    stf.statement.day = 1                        the day of the month the previous month's statements are issued
    stf.statement.hold_pay_if_missing = false    an unconfirmed statement holds that month's pay (CAR: true)
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate


class StatementSettingsSchema(Schema):
    day = fields.Integer(load_default=1, validate=validate.Range(min=1, max=28))
    hold_pay_if_missing = fields.Boolean(load_default=False)


class StatementPolicySchema(Schema):
    """``stf.statement`` (STF-34)."""

    statement = fields.Nested(StatementSettingsSchema, load_default=lambda: StatementSettingsSchema().load({}))
