"""Repeat settings of the ``stf`` policy document (STF-10, STF-13)::

    stf.doubling = {archive: {salesperson: 2, service_advisor: 3}, perf_pay_deduction: 10%..30%}
        STF-10: per offence family (``stf.catalog.<offence>.family``), the role's threshold: from the
        n-th penalised occurrence of the family in a calendar month on, each costs its base × 2 (not
        compounding; the count restarts on the 1st). ``perf_pay_deduction`` (a range, or ``none``): a
        deduction of that share of the month's performance pay is proposed once the threshold is reached.
    stf.ladders = {}
        STF-13: offence → {period: month | year, unit: yuan | points,
                           steps: [{nth: 1, amount: 20}, {nth: 2, amount: 40, cash_same_day: true},
                                   {nth: 3, flag: dismissal_review}],
                           extras: [{at: 3, amount: 5}],
                           reclassify: [{offence: absenteeism, late_from: 30 minutes, late_to: 3 hours}]}
        The step with the highest ``nth`` not above the occurrence's number in the period prices it
        (the last step goes on applying); an ``extra`` adds one more entry when the count reaches ``at``;
        ``reclassify`` books a late arrival within ``late_from``..``late_to`` (inclusive) as another
        offence (CAR: ¥20, ¥40 cash the same day, flag; PRE-16: 0, −2 from the 2nd, −5 more at the 3rd,
        30 min–3 h late = absenteeism).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar.policy import DurationField
from core.staff.catalog_settings import CODE, code_field
from core.staff.models import UNITS

PERIODS = ("month", "year")
PERF_PAY_KEY = "perf_pay_deduction"


@dataclass(frozen=True)
class Doubling:
    """``stf.doubling`` loaded: thresholds by family and role, and the performance-pay range (or None)."""

    families: dict = field(default_factory=dict)
    perf_pay_deduction: tuple[Decimal, Decimal] | None = None

    def threshold(self, family: str | None, role: str | None) -> int | None:
        if not family or not role:
            return None
        return self.families.get(family, {}).get(role)


DEFAULT_DOUBLING = Doubling({"archive": {"salesperson": 2, "service_advisor": 3}}, (Decimal("10"), Decimal("30")))


def _percent(text: str) -> Decimal:
    value = Decimal(text.strip().rstrip("%").strip())
    if not value.is_finite() or value <= 0 or value > 100:
        raise ValueError(text)
    return value


def parse_percent_range(value: Any) -> tuple[Decimal, Decimal] | None:
    """``"10%..30%"`` → (10, 30); ``"none"``/None → None."""
    if value is None or value == "none":
        return None
    if not isinstance(value, str) or ".." not in value:
        raise ValidationError("Give a range of percentages, e.g. '10%..30%', or 'none'.")
    low, _, high = value.partition("..")
    try:
        bounds = (_percent(low), _percent(high))
    except (InvalidOperation, ValueError):
        raise ValidationError("Percentages between 0 and 100, e.g. '10%..30%'.") from None
    if bounds[0] > bounds[1]:
        raise ValidationError("The lower percentage must not be above the upper one.")
    return bounds


def format_percent_range(bounds: tuple[Decimal, Decimal] | None) -> str:
    return "none" if bounds is None else f"{bounds[0].normalize():f}%..{bounds[1].normalize():f}%"


class DoublingField(fields.Field):
    """``{family: {role: n}, perf_pay_deduction: "10%..30%"}`` ↔ :class:`Doubling`."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return {**{name: dict(roles) for name, roles in value.families.items()},
                PERF_PAY_KEY: format_percent_range(value.perf_pay_deduction)}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Doubling:
        if not isinstance(value, dict):
            raise ValidationError("Not a valid mapping of offence families to role thresholds.")
        families: dict[str, dict[str, int]] = {}
        errors: dict[str, Any] = {}
        for name, roles in value.items():
            if name == PERF_PAY_KEY:
                continue
            if not isinstance(name, str) or not CODE.match(name):
                errors[str(name)] = ["Not a valid offence family (lower-case letters, digits, underscores)."]
                continue
            if not isinstance(roles, dict) or not roles:
                errors[name] = ["Give the threshold of each role, e.g. {salesperson: 2}."]
                continue
            for role, n in roles.items():
                if not isinstance(role, str) or not CODE.match(role):
                    errors.setdefault(name, []).append(f"Not a valid role: {role!r}.")
                elif isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100:
                    errors.setdefault(name, []).append(f"The threshold of {role} must be a whole number 1..100.")
            families[name] = {role: n for role, n in roles.items()}
        try:
            perf = parse_percent_range(value.get(PERF_PAY_KEY, format_percent_range(DEFAULT_DOUBLING.perf_pay_deduction)))
        except ValidationError as err:
            errors[PERF_PAY_KEY] = err.messages
            perf = None
        if errors:
            raise ValidationError(errors)
        return Doubling(families, perf)


class StepSchema(Schema):
    nth = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    amount = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=1000000))
    flag = code_field("flag label")
    cash_same_day = fields.Boolean(load_default=False)

    @validates_schema
    def _amount_or_flag(self, data, **kwargs):
        if ("amount" in data) == ("flag" in data):
            raise ValidationError("Give an amount or a flag.")


class ExtraSchema(Schema):
    at = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    amount = fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=1000000))
    flag = code_field("flag label")

    @validates_schema
    def _amount_or_flag(self, data, **kwargs):
        if ("amount" in data) == ("flag" in data):
            raise ValidationError("Give an amount or a flag.")


class ReclassifySchema(Schema):
    offence = code_field("offence code", required=True)
    late_from = DurationField(required=True, units=("minutes", "hours"))
    late_to = DurationField(required=True, units=("minutes", "hours"))


class LadderSchema(Schema):
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    unit = fields.String(load_default="yuan", validate=validate.OneOf(UNITS))
    steps = fields.List(fields.Nested(StepSchema), required=True, validate=validate.Length(min=1, max=20))
    extras = fields.List(fields.Nested(ExtraSchema), load_default=list)
    reclassify = fields.List(fields.Nested(ReclassifySchema), load_default=list)

    @validates_schema
    def _ordered(self, data, **kwargs):
        nths = [step["nth"] for step in data.get("steps", [])]
        if nths and (nths[0] != 1 or nths != sorted(set(nths))):
            raise ValidationError({"steps": ["Steps start at nth 1 and go up (1, 2, 3...)."]})


class RepeatsPolicySchema(Schema):
    """``stf.doubling`` (STF-10) and ``stf.ladders`` (STF-13)."""

    doubling = DoublingField(load_default=lambda: DEFAULT_DOUBLING)
    ladders = fields.Dict(keys=code_field("offence code"), values=fields.Nested(LadderSchema), load_default=dict)
