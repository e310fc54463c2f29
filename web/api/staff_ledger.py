"""The staff ledger (STF-01): penalties, rewards and HR flags per employee or unit.

- ``GET /staff/entries?user_id=&department_id=&month=YYYY-MM&kind=&offence=&state=&subject_type=&subject_id=``
  — an employee sees their own entries; a manager (:data:`LEDGER_MANAGERS`) anyone's.
- ``POST /staff/entries`` ``{user_id | department_id, kind, unit, amount, offence, rule_id, occurred_at,
  subject_type, subject_id, reason_zh, reason_en}`` → 201 a manual entry (proposed), with its decision.
- ``GET /staff/entries/<staff_entry_id>``.
- ``POST /staff/entries/<staff_entry_id>/reverse`` ``{reason_zh, reason_en, amount}`` → 201 the reversal
  entry (opposite amount, linked; the original is kept).
- ``POST /staff/entries/<staff_entry_id>/approve`` ``{note}`` → a proposed reward approved (penalties: their
  catalog approver, ``/staff/penalties/<id>/approve``); ``POST /staff/entries/<staff_entry_id>/revoke``
  ``{reason}`` → a proposal withdrawn. Nobody approves, withdraws or reverses an entry about themselves.
- ``GET /staff/totals?user_id=&month=YYYY-MM`` → the month's penalties and rewards in yuan and points.
- ``GET /staff/fund-postings?month=YYYY-MM`` → the fines of each closed month credited to the department
  fund (``stf.fund``), managers only; the monthly close deducts the month's final fines (STF-01).
"""
from __future__ import annotations

import datetime as dt

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from core.db import db
from core.staff import deduction, ledger
from core.staff.models import KINDS, STATES, UNITS
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = "/staff"
blp = Blueprint("staff_ledger", __name__, description="Staff ledger: penalties, rewards, HR flags (STF-01)")

LEDGER_MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager", "resource_director",
                   "supervisor", "cs_supervisor", "finance")


class LedgerMonthField(fields.String):
    """``YYYY-MM`` ↔ the month's first day."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise ValidationError("a month as YYYY-MM, e.g. 2026-09") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value.year:04d}-{value.month:02d}"


class EntrySchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    role = fields.String(allow_none=True)
    kind = fields.String()
    unit = fields.String()
    amount = fields.Decimal(as_string=True)
    base_amount = fields.Decimal(as_string=True, allow_none=True)
    multiplier = fields.Integer()
    offence = fields.String()
    rule_id = fields.String()
    label = fields.String(allow_none=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    occurred_at = fields.DateTime()
    sequence_in_month = fields.Integer(allow_none=True)
    payroll_month = LedgerMonthField()
    state = fields.String()
    pay_in_cash_by = fields.DateTime(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()
    facts = fields.Dict()
    decision_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class EntryQuerySchema(Schema):
    user_id = fields.Integer()
    department_id = fields.Integer()
    month = LedgerMonthField()
    kind = fields.String(validate=validate.OneOf(KINDS))
    offence = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    subject_type = fields.String()
    subject_id = fields.Integer()


class EntryInSchema(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True)
    department_id = fields.Integer(load_default=None, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    unit = fields.String(load_default="yuan", validate=validate.OneOf(UNITS))
    amount = fields.Decimal(places=2, as_string=True, load_default=0, validate=validate.Range(min=0, max=10**6))
    offence = fields.String(required=True, validate=validate.Length(min=1, max=80))
    rule_id = fields.String(load_default="STF-01", validate=validate.Length(max=60))
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    occurred_at = fields.AwareDateTime(load_default=None)
    subject_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    subject_id = fields.Integer(load_default=None, allow_none=True)
    reason_zh = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    reason_en = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReverseInSchema(Schema):
    reason_zh = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    reason_en = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                            validate=validate.Range(min=0, min_inclusive=False, max=10**6),
                            metadata={"description": "part of the entry to reverse; default all that is left"})


class TotalsQuerySchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField(required=True)


class TotalsSchema(Schema):
    user_id = fields.Integer()
    month = LedgerMonthField()
    penalty_yuan = fields.Decimal(as_string=True)
    penalty_points = fields.Decimal(as_string=True)
    reward_yuan = fields.Decimal(as_string=True)
    reward_points = fields.Decimal(as_string=True)


def may_see(user_id: int | None, what: str = "entries") -> None:
    """An employee sees their own staff records; :data:`LEDGER_MANAGERS` anyone's (403 otherwise)."""
    if user_id != g.user.id and not g.user.has_role(*LEDGER_MANAGERS):
        abort(403, description=f"needs role: {' or '.join(LEDGER_MANAGERS)} to see another employee's {what}")


def own_unless_manager(args: dict, what: str = "entries") -> dict:
    """A list query of staff records: the caller's own unless they manage; another's only for managers."""
    if "user_id" not in args and not g.user.has_role(*LEDGER_MANAGERS):
        args["user_id"] = g.user.id
    if "user_id" in args:
        may_see(args["user_id"], what)
    return args


@blp.route("/entries")
class Entries(MethodView):
    @blp.arguments(EntryQuerySchema, location="query")
    @blp.response(200, EntrySchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Ledger entries, oldest first; your own unless you manage."""
        return page_of(ledger.entries(**own_unless_manager(args)), pagination_parameters)

    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(EntryInSchema)
    @blp.response(201, EntrySchema)
    def post(self, data):
        """Record a manual entry (proposed until approved)."""
        entry = ledger.record_entry(**data, created_by=g.user.id)
        db.session.commit()
        return entry


@blp.route("/entries/<int:staff_entry_id>")
class EntryItem(MethodView):
    @blp.response(200, EntrySchema)
    def get(self, staff_entry_id):
        entry = ledger.get_entry(staff_entry_id)
        if entry.user_id is not None:
            may_see(entry.user_id)
        return entry


@blp.route("/entries/<int:staff_entry_id>/reverse")
class EntryReverse(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(ReverseInSchema)
    @blp.response(201, EntrySchema)
    def post(self, data, staff_entry_id):
        """Reverse an entry (or part of it) by a linked entry with the opposite amount (STF-01)."""
        reversal = ledger.reverse(ledger.get_entry(staff_entry_id), by=g.user.id, **data)
        db.session.commit()
        return reversal


class EntryNoteSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class EntryRevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


@blp.route("/entries/<int:staff_entry_id>/approve")
class EntryApprove(MethodView):
    @blp.arguments(EntryNoteSchema)
    @blp.response(200, EntrySchema)
    def post(self, data, staff_entry_id):
        """Approve a proposed reward (STF-01); penalties go through their catalog approver (STF-23)."""
        entry = ledger.get_entry(staff_entry_id)
        if not g.user.has_role(*LEDGER_MANAGERS):
            abort(403, description=f"needs role: {' or '.join(LEDGER_MANAGERS)}")
        ledger.approve_reward(entry, by=g.user.id, note=data["note"])
        db.session.commit()
        return entry


@blp.route("/entries/<int:staff_entry_id>/revoke")
class EntryRevoke(MethodView):
    @blp.arguments(EntryRevokeSchema)
    @blp.response(200, EntrySchema)
    def post(self, data, staff_entry_id):
        """Withdraw a proposal before approval, with a reason (kept as revoked)."""
        entry = ledger.get_entry(staff_entry_id)
        if not g.user.has_role(*LEDGER_MANAGERS):
            abort(403, description=f"needs role: {' or '.join(LEDGER_MANAGERS)}")
        ledger.revoke_proposal(entry, by=g.user.id, reason=data["reason"])
        db.session.commit()
        return entry


@blp.route("/totals")
class Totals(MethodView):
    @blp.arguments(TotalsQuerySchema, location="query")
    @blp.response(200, TotalsSchema)
    def get(self, args):
        """An employee's penalties and rewards on the pay of a month (reversals included)."""
        user_id = args.get("user_id", g.user.id)
        may_see(user_id)
        return {"user_id": user_id, "month": args["month"], **ledger.month_totals(user_id, args["month"])}


class FundPostingSchema(Schema):
    month = LedgerMonthField()
    fund = fields.String()
    amount = fields.Decimal(as_string=True)
    entries = fields.Integer()
    decision_id = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


class FundPostingQuerySchema(Schema):
    month = LedgerMonthField()


@blp.route("/fund-postings")
class FundPostings(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(FundPostingQuerySchema, location="query")
    @blp.response(200, FundPostingSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Deducted fines credited to the department fund, newest month first (STF-01, ``stf.fund``)."""
        return page_of(deduction.postings(args.get("month")), pagination_parameters)
