"""Field-work settings of the ``svc`` policy document (SVC-12, SVC-13), names and defaults as DOMAIN.md
writes them::

    svc.feedback.photo_required = true      SVC-12  a signed feedback form needs the photo of the signed
                                                    form (``photo_attachment_id``) to complete an on-site
                                                    order; DOMAIN.md names the setting with ``= true`` in
                                                    its test and gives no default: true (the sources ask
                                                    for the signed form itself to be kept)
    svc.record_fields = {}                  SVC-13  the fields a service record must fill, keyed by type
                                                    (``on_site_service``) or by type and service kind
                                                    (``remote_service.report_issue``, the kind is the
                                                    order's ``data.service_kind``); a key named here
                                                    replaces the default of that key: the type's own
                                                    ``record_fields`` and, per service kind, the remote
                                                    record kinds of SVC-13 / PRE-15
                                                    (:data:`core.service.field_rules.KIND_RECORD_FIELDS`):
                                                    data_clear [written_scope, tool], report_issue
                                                    [report_name, question, analysis, solution],
                                                    admin_password [written_application,
                                                    password_given_to], program_modification
                                                    [requirement_doc], bug [steps, error_message,
                                                    promised_at]

Example (a software house listing a kind of its own and relaxing the bug record)::

    {"record_fields": {"remote_service.bug": ["steps", "error_message"],
                       "remote_service.training": ["topic", "attendees"],
                       "on_site_service": ["work_done"]}}

:class:`FieldPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

import re

from marshmallow import Schema, fields, validate

_NAME = r"[a-z][a-z0-9_]*"
_KEY = re.compile(rf"^{_NAME}(\.{_NAME})?$")


class FeedbackSettingsSchema(Schema):
    photo_required = fields.Boolean(load_default=True)


class FieldPolicySchema(Schema):
    """``svc.feedback`` (SVC-12) and ``svc.record_fields`` (SVC-13)."""

    feedback = fields.Nested(FeedbackSettingsSchema, load_default=lambda: FeedbackSettingsSchema().load({}))
    record_fields = fields.Dict(
        keys=fields.String(validate=validate.Regexp(_KEY, error="Not a type or type.service_kind code.")),
        values=fields.List(fields.String(validate=validate.Regexp(rf"^{_NAME}$", error="Not a field name."))),
        load_default=dict)
