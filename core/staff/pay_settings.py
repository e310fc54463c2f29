"""Scored-pay settings of the ``stf`` policy document (STF-41, STF-42)::

    stf.pay_bands = [[95,100,1.05],[90,95,1.00],[60,90,score],[0,60,0]]
        [low, high, factor]: half-open [low, high), the top band closed at 100; the factor is a number
        or ``score`` (the score as a percentage); the bands cover 0..100
    stf.dept_modifier = {challenge: 5, met: 0, missed: -5}     percent of the banded pay
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates

from core.staff.pay_rules import DEFAULT_BANDS, DEFAULT_MODIFIERS, SCORE, PayBand, band, coverage_errors


class PayBandField(fields.Field):
    """``[low, high, factor]`` ↔ :class:`~core.staff.pay_rules.PayBand`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, PayBand):
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise ValidationError("a band is [low, high, factor], e.g. [60, 90, \"score\"]")
        low, high, factor = value
        try:
            result = band(low, high, factor if factor == SCORE else Decimal(str(factor)))
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError("low and high are scores, the factor a number or \"score\"") from None
        if not (0 <= result.low < result.high <= 100):
            raise ValidationError("0 ≤ low < high ≤ 100")
        if result.factor != SCORE and not (0 <= result.factor <= 10):
            raise ValidationError("the factor is between 0 and 10")
        return result

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.as_list()


class ModifierSchema(Schema):
    challenge = fields.Decimal(places=2, as_string=True, load_default=lambda: DEFAULT_MODIFIERS["challenge"],
                               validate=validate.Range(min=-100, max=100))
    met = fields.Decimal(places=2, as_string=True, load_default=lambda: DEFAULT_MODIFIERS["met"],
                         validate=validate.Range(min=-100, max=100))
    missed = fields.Decimal(places=2, as_string=True, load_default=lambda: DEFAULT_MODIFIERS["missed"],
                            validate=validate.Range(min=-100, max=100))


class PayPolicySchema(Schema):
    """``stf.pay_bands`` (STF-41) and ``stf.dept_modifier`` (STF-42)."""

    pay_bands = fields.List(PayBandField(), load_default=lambda: [band(*b) for b in DEFAULT_BANDS])
    dept_modifier = fields.Nested(ModifierSchema, load_default=lambda: ModifierSchema().load({}))
    #: a day's base salary = the month's base ÷ this (the legal average of paid days, used by day-base
    #: penalties such as RE-04)
    days_per_month = fields.Decimal(load_default=Decimal("21.75"), as_string=True, places=2,
                                    validate=validate.Range(min=1, max=31))

    @validates("pay_bands")
    def _cover(self, value, **kwargs) -> None:
        errors = coverage_errors(value)
        if errors:
            raise ValidationError(errors)
