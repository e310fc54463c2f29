"""A customer's timeline (CUS-05): contacts, transactions, ownership changes, decisions, invitations and
attendances, newest first, each with ``type``, ``at``, ``actor_id``/``actor_name``, ``summary_zh``,
``summary_en``, ``source`` (table) and ``source_id``. Every user of the tenant may read it.

- ``GET /customers/<customer_id>/timeline?types=contact,transaction&page=1&page_size=20``
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.customers import timeline
from core.errors import InvalidInput

PREFIX = "/customers"
blp = Blueprint("customer_timeline", __name__, description="Timeline of a customer (CUS-05)")


class TimelineQuerySchema(Schema):
    types = fields.String(validate=validate.Length(max=200), metadata={
        "description": "comma-separated item types: " + ", ".join(timeline.item_types()) + " (default all)"})


class TimelineItemSchema(Schema):
    type = fields.String()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    summary_zh = fields.String()
    summary_en = fields.String()
    source = fields.String()
    source_id = fields.Integer()
    rule_id = fields.String(allow_none=True)


@blp.route("/<int:customer_id>/timeline")
class Timeline(MethodView):
    @blp.arguments(TimelineQuerySchema, location="query")
    @blp.response(200, TimelineItemSchema(many=True))
    @blp.paginate()
    def get(self, args, customer_id, pagination_parameters):
        """The customer's timeline, newest first (CUS-05)."""
        customers.get_customer(customer_id)
        types = [t.strip() for t in (args.get("types") or "").split(",") if t.strip()]
        unknown = sorted(set(types) - set(timeline.item_types()))
        if unknown:
            raise InvalidInput("invalid types", fields={"types": [
                f"unknown type {', '.join(unknown)}; use {', '.join(timeline.item_types())}"]})
        items, total = timeline.timeline(customer_id, types=types or None, offset=pagination_parameters.first_item,
                                         limit=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items
