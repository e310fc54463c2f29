"""Settings of the ``svc`` policy document for service records and documents after completion (SVC-16,
SVC-23), names and defaults as DOMAIN.md writes them::

    svc.record_within = 1 day        SVC-16  a completed order without its service record after this
                                     (from the completion; ``1 day`` = through the end of the next
                                     calendar day) is flagged and a penalty proposed to its assignee
    svc.post_docs = {}               SVC-23  order type → {within, docs, penalty}: the documents due
                                     within ``within`` of the completion; a missing one flags the
                                     order with the tenant's ``penalty`` (yuan) proposed to the
                                     assignee. PRE-15: {implementation: {within: 3 days, docs:
                                     [implementation_form, acceptance_form, go_live_plan], penalty: 500}}

The SVC-16 penalties are priced by the staff catalog ``stf.catalog`` (STF-02) under the offence codes
``svc_missing_record`` (tiers ``on_site`` and ``remote``) and ``svc_document_lost`` (``per: document``);
PRE-15 preset: ``{svc_missing_record: {tiers: {on_site: {amount: 30}, remote: {amount: 50}}},
svc_document_lost: {amount: 50, per: document}}``. An offence the catalog does not price is proposed
at ¥0 for the approver to set (an open proposal).

:class:`RecordsWatchPolicySchema` is one of the bases of :class:`core.service.policy.SvcPolicySchema`.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.calendar import Duration
from core.calendar.policy import DurationField, unique_values
from core.staff.catalog_settings import code_field

#: SVC-16 offence codes of the staff catalog
OFFENCE_MISSING_RECORD = "svc_missing_record"
OFFENCE_DOCUMENT_LOST = "svc_document_lost"
#: SVC-23: the offence of missing post-completion documents (priced by ``svc.post_docs.<type>.penalty``)
OFFENCE_POST_DOCS = "svc_post_docs_missing"


class PostDocsSchema(Schema):
    within = DurationField(required=True)
    docs = fields.List(code_field("document code"), required=True,
                       validate=[validate.Length(min=1, max=50), unique_values("document")])
    penalty = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                             validate=validate.Range(min=0, max=1000000),
                             metadata={"description": "yuan; none: priced by stf.catalog svc_post_docs_missing"})


class RecordsWatchPolicySchema(Schema):
    """``svc.record_within`` (SVC-16) and ``svc.post_docs`` (SVC-23)."""

    record_within = DurationField(load_default=lambda: Duration(1, "days"))
    post_docs = fields.Dict(keys=code_field("work-order type"), values=fields.Nested(PostDocsSchema), load_default=dict)
