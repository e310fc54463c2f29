"""Merge and undo of customers (CUS-15).

- ``POST /customers/<A>/merge`` ``{merged_id, reason}`` — merge B into A: B's contacts, phones,
  addresses, contact log, transactions, points, documents, claims, deals, visits... move to A; the
  earliest valid claim of the two owns A (a CUS-15 decision names both owners before and the surviving
  one); B becomes a tombstone pointing to A. Role ``cus.merge.role`` (default ``dept_manager``), or a
  tenant admin or general manager. Both customers must be visible to the caller (else 404); A ≠ B (422);
  neither may already be merged (409). → 201 with the merge record.
- ``GET /customers/<id>/merges`` — the merges the customer took part in (as survivor or as the merged
  one), newest first; ``GET /customers/<A>/merges/<merge_id>``.
- ``POST /customers/<A>/merges/<merge_id>/undo`` ``{reason?}`` — within ``cus.merge.undo_window``
  (default 30 days): both customers restored with their own rows and owners; what was added to A after
  the merge stays with A. 409 after the window (the answer names the deadline).

Writes to a tombstone (any ``POST/PUT/PATCH/DELETE`` under ``/customers/<B>/...``) are refused with 409
naming ``merged_into_id``; ``GET /customers/<B>`` still answers 200 with ``merged_into_id`` so old links
resolve.
"""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.customers.confidentiality import access
from core.customers.merging import service as merging
from core.customers.models import Customer
from core.customers.policy import cus_policy
from core.db import db
from core.errors import Conflict, Forbidden
from web.api import API_PREFIX
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_merge", __name__, description="Merge and undo of customers (CUS-15)")

#: besides ``cus.merge.role``
ALWAYS = ("tenant_admin", "gm")
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def _require_merge_role() -> None:
    role = cus_policy().values["merge"]["role"]
    if not g.user.has_role(role, *ALWAYS):
        raise Forbidden(f"needs role: {' or '.join((role, *ALWAYS))}")


@blp.before_app_request
def _refuse_writes_to_tombstones():
    """CUS-15: a merged customer is read-only; its data lives on in the survivor."""
    if request.method in READ_METHODS or g.get("tenant") is None or not request.view_args:
        return None
    customer_id = request.view_args.get("customer_id")
    if customer_id is None or not request.path.startswith(f"{API_PREFIX}{PREFIX}/"):
        return None
    customer = db.session.scalars(access.restrict(select(Customer).where(Customer.id == customer_id))).first()
    merged_into = customer.merged_into_id if customer is not None else None
    if merged_into is not None:
        raise Conflict(f"customer {customer_id} was merged into customer {merged_into}; write to that customer",
                       merged_into_id=merged_into, rule_id="CUS-15")
    return None


class MergeInSchema(Schema):
    merged_id = fields.Integer(required=True, strict=True, metadata={"description": "B, the customer merged away"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class UndoInSchema(Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class MergeSchema(Schema):
    id = fields.Integer()
    survivor_id = fields.Integer(metadata={"description": "A, the customer that stays"})
    merged_id = fields.Integer(metadata={"description": "B, now a tombstone pointing to A"})
    status = fields.String(metadata={"description": "merged | undone"})
    reason = fields.String()
    merged_by = fields.Integer(allow_none=True)
    merged_at = fields.DateTime()
    undo_deadline = fields.DateTime(metadata={"description": "end of cus.merge.undo_window (exclusive)"})
    moved = fields.Raw(metadata={"description": "{table: {column: [row ids]}} moved from B to A"})
    kept = fields.Raw(metadata={"description": "{table: {column: [[row id, unique|self]]}} left with B"})
    survivor_owner_before = fields.Raw(allow_none=True)
    merged_owner_before = fields.Raw(allow_none=True)
    survivor_owner_after = fields.Raw(allow_none=True)
    decision_id = fields.Integer(allow_none=True, metadata={"description": "the CUS-15 decision of the merge"})
    undone_at = fields.DateTime(allow_none=True)
    undone_by = fields.Integer(allow_none=True)
    undo_reason = fields.String(allow_none=True)
    undo_decision_id = fields.Integer(allow_none=True)


@blp.route("/<int:customer_id>/merge")
class Merge(MethodView):
    @blp.arguments(MergeInSchema)
    @blp.response(201, MergeSchema)
    @blp.alt_response(409, description="one of the customers is already merged (a tombstone)")
    def post(self, data, customer_id):
        """Merge customer ``merged_id`` (B) into this one (A) (CUS-15)."""
        _require_merge_role()
        record = merging.merge(customer_id, data["merged_id"], reason=data["reason"], by=g.user.id)
        db.session.commit()
        return record


@blp.route("/<int:customer_id>/merges")
class Merges(MethodView):
    @blp.response(200, MergeSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The merges this customer took part in, newest first."""
        from core.customers.service import get_customer

        get_customer(customer_id)
        return page_of(merging.merges_of(customer_id), pagination_parameters)


@blp.route("/<int:customer_id>/merges/<int:merge_id>")
class MergeItem(MethodView):
    @blp.response(200, MergeSchema)
    def get(self, customer_id, merge_id):
        """One merge of this customer."""
        from core.customers.service import get_customer

        get_customer(customer_id)
        return merging.get_merge(customer_id, merge_id)


@blp.route("/<int:customer_id>/merges/<int:merge_id>/undo")
class Undo(MethodView):
    @blp.arguments(UndoInSchema)
    @blp.response(200, MergeSchema)
    @blp.alt_response(409, description="after the undo window (naming the deadline), or already undone")
    def post(self, data, customer_id, merge_id):
        """Undo a merge within ``cus.merge.undo_window`` (CUS-15)."""
        _require_merge_role()
        record = merging.undo(customer_id, merge_id, by=g.user.id, reason=data.get("reason"))
        db.session.commit()
        return record
