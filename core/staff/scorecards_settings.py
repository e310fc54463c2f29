"""Scorecard settings of the ``stf`` policy document (STF-40, STF-43)::

    stf.scorecards = {period: month, schemes: {}}
        schemes: {<role>: {title_zh, title_en, dimensions: [{code, label_zh, label_en, weight, criteria}]}}
        the weights of a scheme total 100 (preset: sales results 60 + ability 20 + attitude 20)
    stf.forced_ranking = {enabled: false, months: 3, consecutive: true, window: 12}
        last in the scheme for ``months`` months (consecutive, or within the last ``window`` months)
        → an HR review flag
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

PERIODS = ("month",)
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _code() -> fields.String:
    return fields.String(required=True, validate=validate.Regexp(
        _CODE, error="Not a valid code (lower-case letters, digits, underscores)."))


class DimensionSchema(Schema):
    code = _code()
    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    label_en = fields.String(load_default="", validate=validate.Length(max=100))
    weight = fields.Decimal(places=2, as_string=True, required=True,
                            validate=validate.Range(min=Decimal("0"), min_inclusive=False, max=Decimal("100")))
    criteria = fields.String(load_default="", validate=validate.Length(max=4000))  # the tenant's own text


class SchemeSchema(Schema):
    """One role's scheme: weighted dimensions totalling 100 (STF-40)."""

    title_zh = fields.String(load_default="", validate=validate.Length(max=100))
    title_en = fields.String(load_default="", validate=validate.Length(max=100))
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True, validate=validate.Length(min=1, max=30))

    @validates_schema
    def _weights(self, data, **kwargs) -> None:
        codes = [d["code"] for d in data.get("dimensions", ())]
        if len(codes) != len(set(codes)):
            raise ValidationError("each dimension code once", "dimensions")
        total = sum((Decimal(str(d["weight"])) for d in data.get("dimensions", ())), Decimal("0"))
        if total != 100:
            raise ValidationError(f"the weights total {total}, not 100", "dimensions")


class ScorecardSettingsSchema(Schema):
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    schemes = fields.Dict(keys=_code(), values=fields.Nested(SchemeSchema), load_default=dict)


class ForcedRankingSchema(Schema):
    enabled = fields.Boolean(load_default=False)
    months = fields.Integer(load_default=3, validate=validate.Range(min=2, max=12))
    consecutive = fields.Boolean(load_default=True)
    window = fields.Integer(load_default=12, validate=validate.Range(min=2, max=36))


class ScorecardPolicySchema(Schema):
    """``stf.scorecards`` (STF-40) and ``stf.forced_ranking`` (STF-43)."""

    scorecards = fields.Nested(ScorecardSettingsSchema, load_default=lambda: ScorecardSettingsSchema().load({}))
    forced_ranking = fields.Nested(ForcedRankingSchema, load_default=lambda: ForcedRankingSchema().load({}))
