"""The archive of a customer: extra fields (CUS-01), confirmation (CUS-06), checklists and documents
(CUS-03), the paper archive and its handover log (CUS-02), filing (CUS-04).

Every user of the tenant reads. Documents, the paper location and handovers are written by the
customer writer roles (``web.api.customers.WRITERS``); the confirmation by a holder of the role named
in ``cus.archive.confirm_by`` (403 otherwise); filing is marked by the writer roles; the expense check
is open to every writer and to ``finance``.

- ``GET /customers/archive-fields`` — the tenant's extra archive fields (policy and plugins).
- ``GET /customers/checklist-templates`` — the tenant's checklist templates.
- ``POST /customers/<id>/confirm`` — the confirmation signature (``signed_at``, default now).
- ``GET /customers/<id>/checklist[?template=]`` — completeness and missing items with reasons.
- ``GET /customers/<id>/documents``, ``PUT|DELETE /customers/<id>/documents/<item_code>``.
- ``GET|PUT /customers/<id>/paper`` — cabinet, pouch no., custodian.
- ``GET|POST /customers/<id>/handovers`` — the handover log.
- ``GET /customers/<id>/filings``, ``POST /customers/<id>/filing/file``,
  ``POST /customers/<id>/filing/expense-check``, ``GET /customers/filings?overdue_on=``.
"""
from __future__ import annotations

import dataclasses

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.customers.archive import checklists, extra_fields, filing, paper, record
from core.customers.archive.filing_rules import KINDS as FILING_KINDS
from core.customers.archive.models import DOCUMENT_FORMS
from core.customers.archive.record import confirmation_state
from core.customers.policy import cus_policy
from core.db import db
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_archive", __name__,
                description="Customer archive: extra fields, confirmation, checklists, paper archive, filing")

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,49}$", error="Not a valid item code.")


# --- schemas ---------------------------------------------------------------------------------------

class ExtraFieldSchema(Schema):
    name = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    type = fields.String(metadata={"description": "the marshmallow field class"})
    kinds = fields.List(fields.String())
    searchable = fields.Boolean()
    source = fields.String(metadata={"description": "policy (cus.archive.fields) or plugin"})


class ConfirmInSchema(Schema):
    signed_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                     metadata={"description": "the signature time; default now"})


class ConfirmationSchema(Schema):
    id = fields.Integer()
    confirmed_at = fields.DateTime(allow_none=True)
    confirmed_by = fields.Integer(allow_none=True)
    effective_at = fields.DateTime(allow_none=True)
    confirmation = fields.Function(confirmation_state)


class ReasonSchema(Schema):
    code = fields.String(metadata={"description": "not_provided, missing_at_handover, original, both_sides, "
                                                  "customer_signature, staff_signature"})
    item = fields.String()
    en = fields.String()
    zh = fields.String()


class ItemResultSchema(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    counted = fields.Boolean()
    satisfied = fields.Boolean()
    status = fields.String(metadata={"description": "satisfied | unsatisfied | not_applicable | optional"})
    satisfied_by = fields.String(allow_none=True)
    reasons = fields.List(fields.Nested(ReasonSchema))


class TemplateResultSchema(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    required = fields.Integer()
    satisfied = fields.Integer()
    completeness = fields.Decimal(as_string=True, attribute="percent")
    items = fields.List(fields.Nested(ItemResultSchema))
    missing = fields.List(fields.Nested(ItemResultSchema))


class MissingItemSchema(ItemResultSchema):
    template = fields.String()


class ChecklistSchema(Schema):
    customer_id = fields.Integer()
    completeness = fields.Decimal(as_string=True, metadata={"description": "percent, 2 decimals, half-up"})
    required = fields.Integer()
    satisfied = fields.Integer()
    missing = fields.List(fields.Nested(MissingItemSchema), metadata={
        "description": "the unsatisfied counted items of every template, with their reasons"})
    templates = fields.List(fields.Nested(TemplateResultSchema))


class ChecklistQuerySchema(Schema):
    template = fields.String(metadata={"description": "one template's code, applicable or not"})


class TemplateSchema(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    kinds = fields.List(fields.String())
    stages = fields.List(fields.String())
    categories = fields.List(fields.String())
    when = fields.Dict(allow_none=True)
    items = fields.List(fields.Dict())
    source = fields.String()


class DocumentInSchema(Schema):
    form = fields.String(load_default="copy", validate=validate.OneOf(DOCUMENT_FORMS))
    both_sides = fields.Boolean(load_default=False)
    customer_signed = fields.Boolean(load_default=False)
    staff_signed = fields.Boolean(load_default=False)
    scan_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                             metadata={"description": "where the scan is kept"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DocumentSchema(DocumentInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    item_code = fields.String()
    missing = fields.Boolean(metadata={"description": "noted missing at a handover (CUS-02)"})
    handover_id = fields.Integer(allow_none=True)
    updated_by = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


class LocationInSchema(Schema):
    cabinet = fields.String(required=True, validate=validate.Length(min=1, max=100))
    pouch_no = fields.String(required=True, validate=validate.Length(min=1, max=50))


class PaperInSchema(LocationInSchema):
    custodian_id = fields.Integer(load_default=None, allow_none=True)


class PaperSchema(PaperInSchema):
    customer_id = fields.Integer()
    updated_by = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


class ReceivedItemSchema(DocumentInSchema):
    item_code = fields.String(required=True, validate=CODE)


class HandoverInSchema(Schema):
    on = fields.Date(required=True)
    from_user_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    from_signed = fields.Boolean(required=True)
    to_signed = fields.Boolean(required=True)
    received = fields.List(fields.Nested(ReceivedItemSchema), load_default=list, validate=validate.Length(max=100))
    missing = fields.List(fields.String(validate=CODE), load_default=list, validate=validate.Length(max=100))
    location = fields.Nested(LocationInSchema, load_default=None, allow_none=True,
                             metadata={"description": "where the paper is filed (required under cus.archive.paper "
                                                      "unless set before)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class HandoverSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    on = fields.Date()
    from_user_id = fields.Integer()
    to_user_id = fields.Integer()
    from_signed = fields.Boolean()
    to_signed = fields.Boolean()
    received = fields.List(fields.String())
    missing = fields.List(fields.String())
    note = fields.String(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class FilingSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    kind = fields.String(metadata={"description": "new | change"})
    basis_at = fields.DateTime(metadata={"description": "first contact or the change"})
    due_through = fields.Date(metadata={"description": "the last day in time (until 24:00)"})
    due_at = fields.DateTime()
    filed_at = fields.DateTime(allow_none=True)
    filed_by = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    penalty_decision_id = fields.Integer(allow_none=True)


class FileInSchema(Schema):
    filed_at = fields.AwareDateTime(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(FILING_KINDS))


class FilingsQuerySchema(Schema):
    overdue_on = fields.Date(metadata={"description": "only filings whose last day is before this day"})


class ExpenseCheckInSchema(Schema):
    at = fields.AwareDateTime(required=True, metadata={"description": "the time of the expense claim"})
    claim = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                          metadata={"description": "entertainment, travel, gift, or a claim reference"})


class ExpenseVerdictSchema(Schema):
    allowed = fields.Boolean()
    rule_id = fields.String(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()
    decision_id = fields.Integer(allow_none=True)


# --- tenant-wide -----------------------------------------------------------------------------------

@blp.route("/archive-fields")
class ArchiveFields(MethodView):
    @blp.response(200, ExtraFieldSchema(many=True))
    def get(self):
        """The tenant's extra archive fields: from cus.archive.fields and its plugins (CUS-01)."""
        defs = extra_fields.definitions(cus_policy().values["archive"])
        return [{"name": d.name, "label_zh": d.label_zh, "label_en": d.label_en, "type": type(d.field).__name__,
                 "kinds": list(d.kinds), "searchable": d.searchable, "source": d.source} for d in defs.values()]


@blp.route("/checklist-templates")
class ChecklistTemplates(MethodView):
    @blp.response(200, TemplateSchema(many=True))
    def get(self):
        """The tenant's checklist templates: its plugins' and its cus.checklists (CUS-03)."""
        return [{"code": code, **t} for code, t in sorted(checklists.templates().items())]


@blp.route("/filings")
class Filings(MethodView):
    @blp.arguments(FilingsQuerySchema, location="query")
    @blp.response(200, FilingSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Unfiled customers: open filings, earliest due first (CUS-04)."""
        return page_of(filing.unfiled(args.get("overdue_on")), pagination_parameters)


# --- one customer ----------------------------------------------------------------------------------

@blp.route("/<int:customer_id>/confirm")
class Confirm(MethodView):
    @blp.arguments(ConfirmInSchema)
    @blp.response(200, ConfirmationSchema)
    def post(self, data, customer_id):
        """Confirm a new archive (CUS-06): it takes effect at the signature time."""
        customer = record.confirm(customers.get_customer(customer_id), g.user, data.get("signed_at"))
        db.session.commit()
        return customer


@blp.route("/<int:customer_id>/checklist")
class Checklist(MethodView):
    @blp.arguments(ChecklistQuerySchema, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, args, customer_id):
        """Completeness of the archive and its missing items with reasons (CUS-03)."""
        from core.customers.archive.checklist_rules import overall_percent

        results = checklists.checklist(customers.get_customer(customer_id), args.get("template"))
        missing = [{**dataclasses.asdict(item), "template": r.code} for r in results for item in r.missing]
        return {"customer_id": customer_id, "completeness": overall_percent(results),
                "required": sum(r.required for r in results), "satisfied": sum(r.satisfied for r in results),
                "missing": missing, "templates": results}


@blp.route("/<int:customer_id>/documents")
class Documents(MethodView):
    @blp.response(200, DocumentSchema(many=True))
    def get(self, customer_id):
        """The checklist documents the archive holds."""
        customers.get_customer(customer_id)
        return checklists.documents_of(customer_id)


@blp.route("/<int:customer_id>/documents/<item_code>")
class Document(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(DocumentInSchema)
    @blp.response(200, DocumentSchema)
    def put(self, data, customer_id, item_code):
        """Record a checklist document with its attributes and scan reference (CUS-03)."""
        customer = customers.get_customer(customer_id)
        checklists.check_codes([item_code], "item_code")
        doc = checklists.put_document(customer, item_code, data, g.user.id)
        db.session.commit()
        return doc

    @require_roles(*WRITERS, admin_scope=False)
    @blp.response(204)
    def delete(self, customer_id, item_code):
        """Remove a document recorded by mistake."""
        customers.get_customer(customer_id)
        db.session.delete(checklists.get_document(customer_id, item_code))
        db.session.commit()


@blp.route("/<int:customer_id>/paper")
class Paper(MethodView):
    @blp.response(200, PaperSchema)
    def get(self, customer_id):
        """Where the paper archive is and who keeps it (CUS-02)."""
        customers.get_customer(customer_id)
        return paper.get_location(customer_id)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(PaperInSchema)
    @blp.response(200, PaperSchema)
    def put(self, data, customer_id):
        """Set the paper archive's cabinet, pouch no. and custodian (CUS-02)."""
        found = paper.set_location(customers.get_customer(customer_id), data, g.user.id)
        db.session.commit()
        return found


@blp.route("/<int:customer_id>/handovers")
class Handovers(MethodView):
    @blp.response(200, HandoverSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The handover log of the customer's paper archive, newest first (CUS-02)."""
        customers.get_customer(customer_id)
        return page_of(paper.handovers_of(customer_id), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(HandoverInSchema)
    @blp.response(201, HandoverSchema)
    def post(self, data, customer_id):
        """Log a handover (签收簿): both signatures, items received and missing (CUS-02)."""
        entry = paper.record_handover(customers.get_customer(customer_id), data, g.user.id)
        db.session.commit()
        return entry


@blp.route("/<int:customer_id>/filings")
class CustomerFilings(MethodView):
    @blp.response(200, FilingSchema(many=True))
    def get(self, customer_id):
        """The customer's filing duties (CUS-04)."""
        customers.get_customer(customer_id)
        return filing.filings_of(customer_id)


@blp.route("/<int:customer_id>/filing/file")
class FileCustomer(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(FileInSchema)
    @blp.response(200, FilingSchema(many=True))
    def post(self, data, customer_id):
        """Mark the customer filed: its open filings (or those of ``kind``) are done (CUS-04)."""
        done = filing.mark_filed(customers.get_customer(customer_id), g.user.id, data.get("filed_at"), data.get("kind"))
        db.session.commit()
        return done


@blp.route("/<int:customer_id>/filing/expense-check")
class ExpenseCheck(MethodView):
    @require_roles(*WRITERS, "finance", admin_scope=False)
    @blp.arguments(ExpenseCheckInSchema)
    @blp.response(200, ExpenseVerdictSchema)
    def post(self, data, customer_id):
        """May an expense claim at ``at`` reference this customer? Refused (``allowed: false``, rule
        CUS-04, a decision) while the customer is not filed."""
        verdict, decision_id = filing.check_expense_claim(customer_id, data["at"], claim=data.get("claim"),
                                                          user_id=g.user.id)
        db.session.commit()
        return {"allowed": verdict.allowed, "rule_id": verdict.rule_id, "reason_zh": verdict.reason_zh,
                "reason_en": verdict.reason_en, "decision_id": decision_id}
