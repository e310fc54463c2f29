"""Attachments: photos, scans, signed forms and documents of work orders, complaints and customers,
kept per tenant with size and type limits (``svc.attachments.max_mb``, ``.types``), never served across
tenants (:mod:`core.attachments.service`).

- ``POST /attachments`` (multipart: ``file``, ``subject_type``, ``subject_id``, ``kind``) → 201 with the
  attachment. Anyone of the staff may attach to a subject they can see. The type is recognised from the
  file's bytes (a renamed ``.exe`` or HTML page is refused); 422 on ``file`` for a type not accepted,
  an empty file or one over the tenant's limit; 422 on ``subject_id`` for a subject the user cannot see.
- ``GET /attachments?subject_type=&subject_id=`` → the subject's attachments (404 if it is hidden).
- ``GET /attachments/<id>`` → the attachment; ``GET /attachments/<id>/content`` → its bytes with the
  recognised type, ``nosniff`` and a ``sandbox`` content security policy; images are shown inline,
  other files downloaded, under the sanitised file name (RFC 5987 for Chinese names).
- ``DELETE /attachments/<id>`` → 204 (the uploader or a manager): the row stays, the file is removed.
"""
from __future__ import annotations

import functools

from flask import current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from core.attachments import rules, service
from core.attachments.subjects import SUBJECTS, subject_types
from core.db import db
from core.errors import Forbidden



class _MultipartParser(FlaskParser):
    """``location="files"`` reads the whole multipart form: the file and the fields beside it (one
    schema, one ``multipart/form-data`` request body in the API document)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()


PREFIX = "/attachments"
blp = _Blueprint("attachments", __name__, description="Attachments: photos, scans, signed forms and documents")

#: who may delete anyone's attachment (the uploader may delete their own)
MANAGERS = ("supervisor", "cs_supervisor", "cs_manager", "dept_manager", "gm", "vp", "tenant_admin")


def _known_subject(value: str) -> None:
    if value not in SUBJECTS:
        raise ValidationError("one of: " + ", ".join(subject_types()))


class AttachmentUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "the file: " + ", ".join(rules.TYPES)
                                                         + " as the tenant accepts (svc.attachments.types)"})
    subject_type = fields.String(required=True, validate=_known_subject,
                                 metadata={"description": "work_order, complaint, customer, ..."})
    subject_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=2**63 - 1))
    kind = fields.String(load_default="other", validate=validate.OneOf(rules.KINDS))


class AttachmentQuerySchema(Schema):
    subject_type = fields.String(required=True, validate=_known_subject)
    subject_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))
    kind = fields.String(load_default=None, validate=validate.OneOf(rules.KINDS))


class AttachmentSchema(Schema):
    id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.Integer()
    kind = fields.String()
    filename = fields.String(metadata={"description": "sanitised; the name offered on download"})
    content_type = fields.String(metadata={"description": "recognised from the file's bytes"})
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String()
    uploaded_by = fields.Integer(allow_none=True)
    uploaded_at = fields.DateTime()
    custodian_id = fields.Integer(allow_none=True)
    content_url = fields.Function(lambda a: f"/api/v1/attachments/{a.id}/content")


def _bounded(view):
    """Refuse (413) a request body larger than one attachment plus the form, before it is read."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = (current_app.config["KEHU_ATTACHMENT_MAX_MB"] + 1) * rules.MB
        return view(*args, **kwargs)

    return wrapper


@blp.route("")
class Attachments(MethodView):
    @blp.arguments(AttachmentQuerySchema, location="query")
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, args):
        """The attachments of one subject (a work order, complaint, customer, ...), oldest first."""
        kinds = [args["kind"]] if args.get("kind") else None
        return service.attachments_of(args["subject_type"], args["subject_id"], kinds=kinds)

    @_bounded
    @blp.arguments(AttachmentUploadSchema, location="files")
    @blp.response(201, AttachmentSchema)
    def post(self, form):
        """Attach a file to a subject the user can see (type from the bytes, tenant's size limit)."""
        upload = form["file"]
        attachment = service.store(form["subject_type"], form["subject_id"], upload.stream, upload.filename,
                                   kind=form["kind"], by=g.user.id)
        db.session.commit()
        return attachment


@blp.route("/<int:attachment_id>")
class AttachmentItem(MethodView):
    @blp.response(200, AttachmentSchema)
    def get(self, attachment_id):
        """One attachment (what is known of the file)."""
        return service.get_attachment(attachment_id)

    @blp.response(204)
    def delete(self, attachment_id):
        """Delete an attachment (the uploader, or a manager): the record stays, the file is removed."""
        attachment = service.get_attachment(attachment_id)
        if attachment.uploaded_by != g.user.id and not g.user.has_role(*MANAGERS):
            raise Forbidden("only the uploader or a manager may delete an attachment")
        service.delete(attachment, by=g.user.id)
        db.session.commit()


@blp.route("/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @blp.response(200, content_type="application/octet-stream",
                  description="the file's bytes, with the recognised content type")
    def get(self, attachment_id):
        """The file itself: images inline, other files as a download; never sniffed, sandboxed."""
        attachment = service.get_attachment(attachment_id)
        content = service.open_content(attachment)
        code = rules.type_of_content(attachment.content_type)
        response = send_file(content, mimetype=attachment.content_type, as_attachment=not (code and rules.inline(code)),
                             download_name=attachment.filename, etag=attachment.sha256, conditional=True,
                             max_age=0)
        if response.status_code == 200:
            response.content_length = attachment.size
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "private, no-cache"
        return response
