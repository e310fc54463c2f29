"""The contact log of a customer (CUS-60): calls, SMS, visits, on-site visits with the customer's
signature. Every user of the tenant may read it; logging needs one of the customer writer roles;
confirming an entry's valid date (CUS-23, CAR-12) needs a supervisor or a manager.

- ``GET /customers/<id>/contact-log`` → paginated, newest first.
- ``POST /customers/<id>/contact-log`` → 201; 422 on ``customer_signed`` for an on-site visit without
  the customer's signature (or 201 with ``status = pending_signature`` under offline capture).
- ``POST /customers/<id>/contact-log/<entry_id>/confirm`` → the entry with ``confirmed_at``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import contact_log
from core.customers import service as customers
from core.customers.models import CONTACT_CHANNELS
from core.customers.policy import cus_policy
from core.customers.visits.contacts import on_contact
from core.db import db
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("contact_log", __name__, description="Contact log of a customer (CUS-60)")

CONFIRMERS = ("supervisor", "dept_manager", "sales_manager", "cs_supervisor", "cs_manager", "gm", "vp",
              "tenant_admin")


class ContactLogInSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CONTACT_CHANNELS),
                            metadata={"description": "channel with its outcome: phone_answered, "
                                                     "phone_unanswered, sms, visit, home_visit, on_site…"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when; default now"})
    content = fields.String(allow_none=True, validate=validate.Length(max=10000))
    outcome = fields.String(allow_none=True, validate=validate.Length(max=500))
    next_step = fields.String(allow_none=True, validate=validate.Length(max=500))
    return_visit = fields.Boolean(load_default=False, metadata={"description": "a return visit (电话回访…)"})
    customer_signed = fields.Boolean(allow_none=True, load_default=None,
                                     metadata={"description": "required for on_site (CUS-60)"})


class ContactLogSchema(ContactLogInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "logged | pending_signature"})
    confirmed_at = fields.DateTime(allow_none=True)
    confirmed_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ConfirmSchema(Schema):
    customer_signed = fields.Boolean(load_default=None, allow_none=True,
                                     metadata={"description": "the signature of a pending on-site visit"})


@blp.route("/<int:customer_id>/contact-log")
class ContactLog(MethodView):
    @blp.response(200, ContactLogSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The customer's contacts, newest first."""
        customers.get_customer(customer_id)
        return page_of(contact_log.contacts_of(customer_id), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(ContactLogInSchema)
    @blp.response(201, ContactLogSchema)
    def post(self, data, customer_id):
        """Log a contact (CUS-60)."""
        customers.get_customer(customer_id)
        at = data.pop("at")
        offline = cus_policy(at).values["contact_log"]["offline_capture"]
        entry = contact_log.log_contact(customer_id, at=at, user_id=g.user.id, offline_capture=offline, **data)
        on_contact(entry)  # due visits it fulfils (CUS-61), promises it keeps (CUS-63)
        db.session.commit()
        return entry


@blp.route("/<int:customer_id>/contact-log/<int:entry_id>/confirm")
class ContactConfirm(MethodView):
    @require_roles(*CONFIRMERS, admin_scope=False)
    @blp.arguments(ConfirmSchema)
    @blp.response(200, ContactLogSchema)
    def post(self, data, customer_id, entry_id):
        """Confirm a contact's valid date; a pending on-site visit gets the customer's signature."""
        entry = contact_log.confirm(contact_log.get_entry(customer_id, entry_id), g.user.id,
                                    customer_signed=data.get("customer_signed"))
        on_contact(entry)
        db.session.commit()
        return entry
