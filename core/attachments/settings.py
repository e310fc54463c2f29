"""Attachment limits of the ``svc`` policy document (not named by DOMAIN.md: the issue's capability
"attachments stored per tenant with size and type limits")::

    svc.attachments.max_mb = 10                    the largest file a user may upload, in MB (never above
                                                   the platform's KEHU_ATTACHMENT_MAX_MB, default 20)
    svc.attachments.types = [jpeg, png, webp, pdf] the file types accepted (of jpeg, png, webp, gif, pdf,
                                                   heic; recognised from the file's bytes)

The limits apply to every attachment of the tenant, whatever it is attached to (work orders,
complaints, customers, ...). :class:`AttachmentPolicySchema` is one of the bases of
:class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.attachments.rules import DEFAULT_TYPES, TYPES


class AttachmentSettingsSchema(Schema):
    max_mb = fields.Integer(load_default=10, validate=validate.Range(min=1, max=1024),
                            metadata={"description": "largest file in MB (capped by KEHU_ATTACHMENT_MAX_MB)"})
    types = fields.List(fields.String(validate=validate.OneOf(tuple(TYPES))), validate=validate.Length(min=1),
                        load_default=lambda: list(DEFAULT_TYPES),
                        metadata={"description": "accepted types: " + ", ".join(TYPES)})


class AttachmentPolicySchema(Schema):
    attachments = fields.Nested(AttachmentSettingsSchema, load_default=lambda: AttachmentSettingsSchema().load({}))
