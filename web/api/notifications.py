"""The caller's notifications (提醒): warnings and reminders raised by rules and jobs.

- ``GET /notifications?unread=true&kind=`` → the caller's, newest first (paginated).
- ``POST /notifications/<id>/read`` → marks it read.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.db import db
from core.notifications import service
from web.api.pagination import page_of

PREFIX = "/notifications"
blp = Blueprint("notifications", __name__, description="The caller's notifications (提醒)")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    rule_id = fields.String(allow_none=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    title_zh = fields.String()
    title_en = fields.String()
    body_zh = fields.String(allow_none=True)
    body_en = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    kind = fields.String()


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The caller's notifications, newest first."""
        stmt = service.for_user(g.user.id, unread_only=args["unread"], kind=args.get("kind"))
        return page_of(stmt, pagination_parameters)


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one of the caller's notifications read."""
        note = service.mark_read(g.user.id, notification_id)
        db.session.commit()
        return note
