"""Open letters answering an issue that affects many complainants (CMP-13).

- ``POST /complaint-letters`` ``{title, body, issued_at, complaint_ids}`` → 201 the letter, linked to the
  named cases and every case linked with them (their master and its cases).
- ``GET /complaint-letters`` newest first · ``GET /complaint-letters/<complaint_letter_id>``.
- ``POST /complaint-letters/<complaint_letter_id>/cases`` ``{complaint_ids}`` → link more cases.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.complaints import linking
from core.db import db
from web.api.auth import require_roles
from web.api.complaints import SUPERVISORS
from web.api.pagination import page_of

PREFIX = "/complaint-letters"
blp = Blueprint("complaint_letters", __name__, description="Open letters linked to complaint cases (CMP-13)")


class ComplaintLetterInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    issued_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})
    complaint_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=1000))


class ComplaintLetterCasesInSchema(Schema):
    complaint_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=1000))


class ComplaintLetterSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    issued_at = fields.DateTime()
    issued_by = fields.Integer(allow_none=True)
    complaint_ids = fields.Function(lambda letter: linking.letter_case_ids(letter))
    created_at = fields.DateTime()


@blp.route("")
class Letters(MethodView):
    @blp.response(200, ComplaintLetterSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Open letters, newest first."""
        return page_of(linking.letters(), pagination_parameters)

    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintLetterInSchema)
    @blp.response(201, ComplaintLetterSchema)
    def post(self, data):
        """Issue an open letter linked to every case of the issues it answers."""
        letter = linking.issue_letter(data, by=g.user.id)
        db.session.commit()
        return letter


@blp.route("/<int:complaint_letter_id>")
class Letter(MethodView):
    @blp.response(200, ComplaintLetterSchema)
    def get(self, complaint_letter_id):
        """One open letter with the cases it answers."""
        return linking.get_letter(complaint_letter_id)


@blp.route("/<int:complaint_letter_id>/cases")
class LetterCases(MethodView):
    @require_roles(*SUPERVISORS, admin_scope=False)
    @blp.arguments(ComplaintLetterCasesInSchema)
    @blp.response(200, ComplaintLetterSchema)
    def post(self, data, complaint_letter_id):
        """Link the letter to more cases (and the cases linked with them)."""
        letter = linking.get_letter(complaint_letter_id)
        linking.attach_letter(letter, data["complaint_ids"], by=g.user.id)
        db.session.commit()
        return letter
