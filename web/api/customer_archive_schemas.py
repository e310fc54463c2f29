"""The archive part of a customer in the API (CUS-01, CUS-06): request and answer fields mixed into the
customer schemas of :mod:`web.api.customers`, and the list filters of ``GET /customers``."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate

from core.customers.archive import extra_fields
from core.customers.archive.models import ADDRESS_KINDS
from core.customers.archive.record import confirmation_state
from core.customers.models import Customer
from core.customers.policy import cus_policy


class ContactInSchema(Schema):
    name = fields.String(allow_none=True, validate=validate.Length(max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"description": "职务"})
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=40),
                           metadata={"description": "a mobile (CUS-10), stored E.164"})
    landline = fields.String(allow_none=True, validate=validate.Length(max=40),
                             metadata={"description": "a landline with area code (CUS-10): 0830-2345678 转12"})
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    im = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"description": "WeChat / QQ"})
    note = fields.String(allow_none=True, validate=validate.Length(max=500))


class ContactSchema(ContactInSchema):
    id = fields.Integer()
    landline_extension = fields.String(allow_none=True)


class AddressInSchema(Schema):
    kind = fields.String(load_default="office", validate=validate.OneOf(ADDRESS_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    district = fields.String(allow_none=True, validate=validate.Length(max=100))


class AddressSchema(AddressInSchema):
    id = fields.Integer()


class ArchiveFieldsSchema(Schema):
    """Archive fields of a create or update (CUS-01); lists, when given, replace the stored ones."""

    contacts = fields.List(fields.Nested(ContactInSchema), validate=validate.Length(max=50))
    addresses = fields.List(fields.Nested(AddressInSchema), validate=validate.Length(max=20))
    category = fields.String(allow_none=True, validate=validate.Length(max=50),
                             metadata={"description": "one of cus.archive.categories"})
    lifecycle_stage = fields.String(allow_none=True, validate=validate.Length(max=50),
                                    metadata={"description": "one of cus.archive.lifecycle"})
    flags = fields.List(fields.String(validate=validate.Length(max=50)), validate=validate.Length(max=20),
                        metadata={"description": "of cus.archive.flags"})
    extra = fields.Dict(keys=fields.String(), metadata={
        "description": "values of the tenant's extra archive fields (GET /customers/archive-fields); "
                       "on update, null removes a value"})
    first_contact_at = fields.AwareDateTime(metadata={
        "description": "create only: the first contact, start of the filing period (CUS-04); default now"})


class ArchiveSchema(Schema):
    """Archive fields of a customer as answered."""

    contacts = fields.List(fields.Nested(ContactSchema))
    addresses = fields.List(fields.Nested(AddressSchema))
    category = fields.String(allow_none=True)
    lifecycle_stage = fields.String(allow_none=True)
    flags = fields.List(fields.String())
    extra = fields.Dict()
    confirmed_at = fields.DateTime(allow_none=True, metadata={"description": "the confirmation signature (CUS-06)"})
    confirmed_by = fields.Integer(allow_none=True)
    effective_at = fields.DateTime(allow_none=True, metadata={
        "description": "when the archive took effect: creation, or the signature time; null while unconfirmed"})
    confirmation = fields.Function(confirmation_state, metadata={
        "description": "not_required | pending (unconfirmed: no effect yet) | confirmed"})


class ArchiveQuerySchema(Schema):
    """List filters of the archive. Extra fields marked searchable filter with ``field.<name>=<value>``
    (exact value, parsed by the field), e.g. ``?field.supervising_unit=泸州市商务局``."""

    category = fields.String()
    lifecycle_stage = fields.String()
    confirmed = fields.Boolean(metadata={"description": "false: archives awaiting confirmation (CUS-06)"})


def filter_archive(stmt, args):
    """``GET /customers`` filters: category, lifecycle stage, confirmation, ``field.<name>``."""
    if args.get("category"):
        stmt = stmt.where(Customer.category == args["category"])
    if args.get("lifecycle_stage"):
        stmt = stmt.where(Customer.lifecycle_stage == args["lifecycle_stage"])
    if args.get("confirmed") is not None:
        stmt = stmt.where(Customer.effective_at.is_not(None) if args["confirmed"] else Customer.effective_at.is_(None))
    if any(key.startswith(extra_fields.SEARCH_PREFIX) for key in request.args):
        defs = extra_fields.definitions(cus_policy().values["archive"])
        for condition in extra_fields.search_conditions(request.args, defs):
            stmt = stmt.where(condition)
    return stmt
