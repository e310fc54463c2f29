"""Penalty catalog and points scheme of the ``stf`` policy document (STF-02, STF-03, STF-14, STF-23)::

    stf.catalog = {}   offence code → how it is priced and who approves it, e.g.
        attitude_reasonable: {min: 50, max: 100, approver: dept_manager}
        late_handover:       {amount: 50, family: archive, approver: resource_director}
        safety_breach:       {tiers: {no_hazard: {min: 200, max: 500}, hazard: {min: 500, max: 1000},
                                      serious: {flag: dismissal_review}}, approver: gm}
        price_list_missing:  {amount: 20, roles: {supervisor: 40}, per: item}
      Each entry (or tier, or role) is a fixed ``amount``, a range ``min``..``max`` (the proposal is the
      minimum; the approver sets an amount within the range with a reason) or an HR ``flag`` label.
      ``unit`` yuan | points (default yuan); ``per`` occurrence | vehicle | item | card | day | customer |
      document (the amount is per unit of ``quantity``); ``approver`` the role that approves it (STF-23,
      default dept_manager); ``family`` the offence family its repeats count in (STF-10);
      ``cash_same_day`` paid in cash to finance the same day (STF-13); ``when_unidentified`` unit | head
      (STF-14: with nobody identified the entry goes on the unit, or on its head — the group leader).
    stf.points = {}    STF-03 points scheme (PRE-02: {item: 3, absence: 10, supervisor_multiplier: 2}):
      ``item`` points per non-compliant item (any offence without a catalog entry), ``absence`` for the
      offences in ``absence_offences`` (default [absence_from_post]), ``supervisor_multiplier`` what a
      supervisor who failed to supervise loses, times the offence (2 when not set: "double").
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.staff.models import UNITS

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
#: what a catalog amount is counted per (STF-02)
PER = ("occurrence", "vehicle", "item", "card", "day", "customer", "document")
UNIDENTIFIED = ("unit", "head")
MAX_AMOUNT = 1000000


def code_field(what: str, **kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(CODE, error=f"Not a valid {what} (lower-case letters, digits, "
                                                              "underscores)."), **kwargs)


def _money(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, validate=validate.Range(min=0, max=MAX_AMOUNT), **kwargs)


class PriceSchema(Schema):
    """One price: a fixed ``amount``, a range ``min``..``max`` or an HR ``flag`` label."""

    amount = _money()
    min = _money()
    max = _money()
    flag = code_field("flag label")

    @validates_schema
    def _one_price(self, data, **kwargs):
        problem = price_problem(data, required=True)
        if problem:
            raise ValidationError(problem)


def price_problem(data: dict, *, required: bool) -> str | None:
    """Why ``data`` is not exactly one price (fixed, range or flag), or None."""
    has_range = "min" in data or "max" in data
    kinds = ("amount" in data) + has_range + ("flag" in data)
    if kinds > 1:
        return "Give a fixed amount, a range (min and max) or a flag, not several."
    if required and kinds == 0:
        return "Give a fixed amount, a range (min and max) or a flag."
    if has_range:
        if "min" not in data or "max" not in data:
            return "A range needs both min and max."
        if data["min"] > data["max"]:
            return "min must not be above max."
    return None


class CatalogEntrySchema(PriceSchema):
    label_zh = fields.String(validate=validate.Length(max=100))
    label_en = fields.String(validate=validate.Length(max=100))
    tiers = fields.Dict(keys=code_field("outcome"), values=fields.Nested(PriceSchema))
    roles = fields.Dict(keys=code_field("role"), values=fields.Nested(PriceSchema))
    unit = fields.String(load_default="yuan", validate=validate.OneOf(UNITS))
    per = fields.String(load_default="occurrence", validate=validate.OneOf(PER))
    approver = code_field("role", load_default="dept_manager")
    family = code_field("offence family")
    cash_same_day = fields.Boolean(load_default=False)
    when_unidentified = fields.String(load_default="unit", validate=validate.OneOf(UNIDENTIFIED))

    @validates_schema
    def _one_price(self, data, **kwargs):
        problem = price_problem(data, required=not (data.get("tiers") or data.get("roles")))
        if problem:
            raise ValidationError(problem)


class PointsSchema(Schema):
    item = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))
    absence = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))
    absence_offences = fields.List(code_field("offence code"))  # default [absence_from_post]
    supervisor_multiplier = fields.Integer(strict=True, validate=validate.Range(min=1, max=10))


class CatalogPolicySchema(Schema):
    """``stf.catalog`` (STF-02/14/23) and ``stf.points`` (STF-03)."""

    catalog = fields.Dict(keys=code_field("offence code"), values=fields.Nested(CatalogEntrySchema), load_default=dict)
    points = fields.Nested(PointsSchema, load_default=dict)
