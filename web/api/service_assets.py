"""The service-asset register (SVC-10): terminals, SIMs, meters, parts and devices by identifier, where
they are installed, the units in repair, and each unit's history (swapped in or out on which order,
taken back, returned).

- ``GET /service-assets?status=&kind=&customer_id=&identifier=`` — ``status=in_repair`` lists the units
  taken back for repair, longest in repair first, with their label (plate number, fault).
- ``GET /service-assets/<asset_id>`` → the unit and its history.
- ``POST /service-assets/<asset_id>/take-back`` ``{plate, fault, order_id, at, note}`` → labelled and
  ``in_repair`` (409 when it is in repair already).
- ``POST /service-assets/<asset_id>/return`` ``{at, note}`` → back from repair: ``returned`` (409
  when it is not in repair).

Units come into the register through swaps on work orders (``POST /work-orders/<id>/swaps``).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.db import db
from core.service import assets
from core.service.field_models import ASSET_KINDS, ASSET_STATES
from web.api.pagination import page_of
from web.api.work_order_field import FIELD
from web.api.auth import require_roles

PREFIX = "/service-assets"
blp = Blueprint("service_assets", __name__,
                description="Service-asset register: units installed, swapped, in repair (SVC-10)")


class ServiceAssetQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(ASSET_STATES))
    kind = fields.String(validate=validate.OneOf(ASSET_KINDS))
    customer_id = fields.Integer()
    identifier = fields.String(validate=validate.Length(max=120))


class ServiceAssetSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    identifier = fields.String()
    status = fields.String(metadata={"description": "installed | in_repair | returned | retired"})
    customer_id = fields.Integer(allow_none=True)
    plate = fields.String(allow_none=True, metadata={"description": "the label of a unit taken back"})
    fault = fields.String(allow_none=True)
    last_order_id = fields.Integer(allow_none=True)
    taken_back_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ServiceAssetEventSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "swapped_in | swapped_out | taken_back | returned"})
    at = fields.DateTime()
    by = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    order_number = fields.String(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict()


class ServiceAssetDetailSchema(ServiceAssetSchema):
    history = fields.List(fields.Nested(ServiceAssetEventSchema))


class AssetTakeBackInSchema(Schema):
    plate = fields.String(required=True, validate=validate.Length(max=60),
                          metadata={"description": "the plate number written on the unit's label"})
    fault = fields.String(required=True, validate=validate.Length(max=2000))
    order_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "the order it came from"})
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class AssetReturnInSchema(Schema):
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


def detail(asset) -> dict:
    events = assets.history(asset)
    numbers = assets.order_numbers(e.order_id for e in events)
    history = [{**{c: getattr(e, c) for c in ("id", "kind", "at", "by", "order_id", "from_status", "to_status",
                                                 "note", "data")}, "order_number": numbers.get(e.order_id)}
               for e in events]
    return {**{name: getattr(asset, name) for name in ServiceAssetSchema().fields}, "history": history}


@blp.route("")
class Assets(MethodView):
    @blp.arguments(ServiceAssetQuerySchema, location="query")
    @blp.response(200, ServiceAssetSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Units of the register; ``status=in_repair``: those taken back, longest in repair first."""
        return page_of(assets.search(**args), pagination_parameters)


@blp.route("/<int:asset_id>")
class AssetItem(MethodView):
    @blp.response(200, ServiceAssetDetailSchema)
    def get(self, asset_id):
        """One unit with its history (SVC-10)."""
        return detail(assets.get_asset(asset_id))


@blp.route("/<int:asset_id>/take-back")
class TakeBack(MethodView):
    @require_roles(*FIELD, admin_scope=False)
    @blp.arguments(AssetTakeBackInSchema)
    @blp.response(200, ServiceAssetDetailSchema)
    def post(self, data, asset_id):
        """Take a unit back for repair, labelled with its plate number and fault (SVC-10)."""
        asset = assets.get_asset(asset_id, for_update=True)
        assets.take_back_asset(asset, plate=data["plate"], fault=data["fault"], by=g.user.id, at=data["at"],
                               order_id=data["order_id"], note=data["note"])
        db.session.commit()
        return detail(asset)


@blp.route("/<int:asset_id>/return")
class Return(MethodView):
    @require_roles(*FIELD, admin_scope=False)
    @blp.arguments(AssetReturnInSchema)
    @blp.response(200, ServiceAssetDetailSchema)
    def post(self, data, asset_id):
        """A unit back from repair (SVC-10)."""
        asset = assets.get_asset(asset_id, for_update=True)
        assets.give_back(asset, by=g.user.id, at=data["at"], note=data["note"])
        db.session.commit()
        return detail(asset)
