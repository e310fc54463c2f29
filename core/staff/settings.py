"""Ledger settings of the ``stf`` policy document (STF-01)::

    stf.deduct = current_month     fines are deducted from the pay of the month they become effective in
    stf.fund = none                or the name of a department fund fines are credited to (PRE-15)

Each part of the staff module declares its own section next to its rules; :mod:`core.staff.policy`
joins them into the one ``stf`` document.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

DEDUCT = ("current_month", "next_month")


class LedgerPolicySchema(Schema):
    """``stf.deduct`` and ``stf.fund`` (STF-01)."""

    deduct = fields.String(load_default="current_month", validate=validate.OneOf(DEDUCT))
    fund = fields.String(load_default="none", validate=validate.Length(min=1, max=100))
