"""Customers of the tenant (CUS-01), with phone and identity normalisation (CUS-10..12) and duplicate
detection on create and update (CUS-13).

Roles: every user of the tenant may read (list, search, get). Creating and changing a customer needs
one of :data:`WRITERS`: the roles that register and keep customers (salesperson, assistant, the
customer-service agents and supervisors, supervisors) and the managers (tenant admin, gm, vp,
department, sales and customer-service managers, the customer resource director). These are everyday
writes: the ``write`` scope suffices, also for a tenant admin (no ``admin`` scope needed).

- ``POST /customers`` → 201 with the customer and ``warnings`` (likely duplicates and "same
  household?" hints, each ``{existing_id, reason_zh, reason_en, score, kind, rule_id}``; a CUS-13
  decision is recorded on the new customer when there is any); 409 with ``existing_id``,
  ``reason_zh`` and ``reason_en`` for an exact duplicate (same mobile, resident id or USCC in this
  tenant); 422 with field errors for invalid phones, identity numbers or missing required fields.
- ``GET /customers?q=`` → paginated, newest first (see :func:`core.customers.service.search`); archive
  filters ``category``, ``lifecycle_stage``, ``confirmed``, ``field.<name>`` (docs/customers/archive.md).
- ``GET /customers/<id>``, ``PATCH /customers/<id>`` (same answers as a create; ``phones``, when
  given, replaces the list).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service
from core.customers.confidentiality import access
from core.customers.models import GENDERS, KINDS, PHONE_KINDS
from core.db import db
from web.api.auth import require_roles
from web.api.customer_archive_schemas import ArchiveFieldsSchema, ArchiveQuerySchema, ArchiveSchema, filter_archive
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customers", __name__, description="Customers: archive records and duplicate detection")

WRITERS = (
    "salesperson", "assistant", "supervisor", "cs_agent", "cs_supervisor", "resource_director",
    "tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "cs_manager",
)


class PhoneInSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"description": "as typed: 138 0013 8000, +86-138…, 0830-2345678 转12"})
    kind = fields.String(validate=validate.OneOf(PHONE_KINDS),
                         metadata={"description": "optional; mobile or landline refuses a number of the other kind"})
    label = fields.String(allow_none=True, validate=validate.Length(max=50))


class PhoneSchema(Schema):
    e164 = fields.String(metadata={"description": "normalised (CUS-10)"})
    kind = fields.String()
    extension = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class CustomerFieldsSchema(ArchiveFieldsSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    phones = fields.List(fields.Nested(PhoneInSchema), validate=validate.Length(max=20))
    resident_id = fields.String(allow_none=True, validate=validate.Length(max=30),
                                metadata={"description": "居民身份证号 (CUS-11); 15-digit numbers are upgraded"})
    uscc = fields.String(allow_none=True, validate=validate.Length(max=30),
                         metadata={"description": "统一社会信用代码 of an organisation (CUS-11)"})
    birth_date = fields.Date(allow_none=True, metadata={"description": "defaults to the resident id's"})
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))
    district = fields.String(allow_none=True, validate=validate.Length(max=100))
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    source = fields.String(allow_none=True, validate=validate.Length(max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class CustomerCreateSchema(CustomerFieldsSchema):
    kind = fields.String(load_default="person", validate=validate.OneOf(KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phones = fields.List(fields.Nested(PhoneInSchema), load_default=list, validate=validate.Length(max=20))


class CustomerUpdateSchema(CustomerFieldsSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class CustomerSchema(ArchiveSchema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    phones = fields.List(fields.Nested(PhoneSchema))
    resident_id = fields.String(allow_none=True)
    uscc = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    pii_masked = fields.Boolean(dump_default=False, metadata={"description": "phones and resident id masked (CUS-70)"})
    merged_into_id = fields.Integer(allow_none=True, metadata={"description": "set on a merged customer (CUS-15 "
                                                                              "tombstone): the customer it lives on in"})
    merged_at = fields.DateTime(allow_none=True)


class WarningSchema(Schema):
    existing_id = fields.Integer()
    kind = fields.String(metadata={"description": "likely (duplicate) or household (same phone, other name)"})
    rules = fields.List(fields.String(), metadata={"description": "the CUS-13 rules that matched"})
    score = fields.Integer(allow_none=True, metadata={"description": "ranking of likely duplicates, 0–100"})
    reason_zh = fields.String()
    reason_en = fields.String()
    rule_id = fields.String()


class CustomerSavedSchema(CustomerSchema):
    warnings = fields.List(fields.Nested(WarningSchema))


class CustomerQuerySchema(ArchiveQuerySchema):
    q = fields.String(metadata={"description": "name, pinyin (wangxiaoming), initials, phone digits, "
                                               "resident id or USCC"})


def _warnings(verdict) -> list[dict]:
    out = [{"existing_id": m.candidate_id, "kind": "likely", "rules": list(m.families), "score": m.score,
            "reason_zh": m.reason_zh, "reason_en": m.reason_en, "rule_id": m.rule_id} for m in verdict.likely]
    out += [{"existing_id": h.candidate_id, "kind": "household", "rules": ["landline"], "score": None,
             "reason_zh": h.reason_zh, "reason_en": h.reason_en, "rule_id": h.rule_id} for h in verdict.households]
    return out


def _saved(customer, verdict):
    customer.warnings = _warnings(verdict)  # answered with the customer, never stored
    return customer


@blp.route("")
class Customers(MethodView):
    @blp.arguments(CustomerQuerySchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List or search the customers the caller may see (CUS-70), newest first; mobiles and
        resident ids masked for callers without the PII right."""
        return access.present(page_of(filter_archive(service.search(args.get("q")), args), pagination_parameters))

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSavedSchema)
    @blp.alt_response(409, description="exact duplicate: existing_id, reason_zh, reason_en")
    def post(self, data):
        """Create a customer (CUS-01), refusing exact duplicates (CUS-13)."""
        customer, verdict = service.create_customer(data, region=g.tenant.region, created_by=g.user.id)
        db.session.commit()
        return _saved(customer, verdict)


@blp.route("/<int:customer_id>")
class CustomerItem(MethodView):
    @blp.response(200, CustomerSchema)
    def get(self, customer_id):
        """One customer, if the caller may see it (else 404, CUS-70); the view is logged."""
        customer = service.get_customer(customer_id)
        access.log_view(customer)
        db.session.commit()
        return customer

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSavedSchema)
    @blp.alt_response(409, description="the change makes it an exact duplicate of another customer")
    def patch(self, data, customer_id):
        """Change a customer; the duplicate keys are recomputed (CUS-13)."""
        customer, verdict = service.update_customer(service.get_customer(customer_id), data,
                                                    region=g.tenant.region)
        db.session.commit()
        return _saved(customer, verdict)
