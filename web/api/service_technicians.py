"""The dispatch pool (SVC-05): each technician's skills and areas, matched against a work order's
``skill`` and ``area``; on duty is the user's CAL-11 availability (``PATCH /users/<id>``).

- ``GET /service-technicians?active=&skill=&area=`` → the profiles, with each user's availability.
- ``GET /service-technicians/<user_id>``
- ``PUT /service-technicians/<user_id>`` ``{skills, areas, active, note}`` → 201 created / 200 updated
  (service managers: supervisor, department manager, GM, service desk managers).
- ``DELETE /service-technicians/<user_id>`` → 204 (out of the pool; past dispatches stay).
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.accounts.models import User
from core.db import db
from core.errors import NotFound
from core.service import dispatch
from web.api.auth import require_roles

PREFIX = "/service-technicians"
blp = Blueprint("service_technicians", __name__, description="Service technicians: skills, areas (SVC-05)")

#: who keeps the pool
KEEPERS = dispatch.MANAGERS


def _users(ids) -> dict[int, User]:
    ids = list(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _out(row, user: User | None) -> dict:
    return {"user_id": row.user_id, "display_name": user.display_name if user else None,
            "department_id": user.department_id if user else None, "skills": list(row.skills or []),
            "areas": list(row.areas or []), "active": row.active, "note": row.note,
            "availability": (user.availability if user else None) or "on_duty",
            "user_active": bool(user.is_active) if user else False, "updated_at": row.updated_at}


class TechnicianQuerySchema(Schema):
    active = fields.Boolean()
    skill = fields.String(validate=validate.Length(max=100))
    area = fields.String(validate=validate.Length(max=100))


class TechnicianInSchema(Schema):
    skills = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=None,
                         metadata={"description": "matched against an order's skill; * for any"})
    areas = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=None,
                        metadata={"description": "matched against an order's area; * for any"})
    active = fields.Boolean(load_default=None, metadata={"description": "in the dispatch pool"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class TechnicianSchema(Schema):
    user_id = fields.Integer()
    display_name = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    skills = fields.List(fields.String())
    areas = fields.List(fields.String())
    active = fields.Boolean()
    note = fields.String(allow_none=True)
    availability = fields.String(metadata={"description": "CAL-11: on duty when on_duty"})
    user_active = fields.Boolean()
    updated_at = fields.DateTime()


@blp.route("")
class Technicians(MethodView):
    @blp.arguments(TechnicianQuerySchema, location="query")
    @blp.response(200, TechnicianSchema(many=True))
    def get(self, args):
        """The dispatch pool."""
        rows = dispatch.technicians(**args)
        users = _users(r.user_id for r in rows)
        return [_out(r, users.get(r.user_id)) for r in rows]


@blp.route("/<int:user_id>")
class Technician(MethodView):
    @blp.response(200, TechnicianSchema)
    def get(self, user_id):
        """One technician's profile."""
        row = dispatch.technician_of(user_id)
        if row is None:
            raise NotFound("not a service technician")
        return _out(row, _users([user_id]).get(user_id))

    @require_roles(*KEEPERS, admin_scope=False)
    @blp.arguments(TechnicianInSchema)
    @blp.response(200, TechnicianSchema)
    @blp.alt_response(201, schema=TechnicianSchema, description="created")
    def put(self, data, user_id):
        """Create or update the user's dispatch profile."""
        row, created = dispatch.save_technician(user_id, data, by=g.user.id)
        db.session.commit()
        return _out(row, _users([user_id]).get(user_id)), 201 if created else 200

    @require_roles(*KEEPERS, admin_scope=False)
    @blp.response(204)
    def delete(self, user_id):
        """Take the user out of the dispatch pool."""
        dispatch.remove_technician(user_id)
        db.session.commit()
