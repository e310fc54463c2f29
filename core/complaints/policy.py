"""The ``cmp`` policy document: every setting of DOMAIN.md section 4 (CMP), one versioned document per
tenant, registered by the core plugin; made of the sections each part of the complaints module
declares next to its rules (explicit base classes). A case keeps the version it was received under
(CMP-37): ``cmp_policy(at=complaint.received_at)``."""
from __future__ import annotations

from marshmallow import fields

from core.complaints.case_settings import CaseHandlingPolicySchema, MajorCriteriaSchema
from core.complaints.consequence_settings import ConsequencePolicySchema
from core.complaints.counters_settings import CountersPolicySchema
from core.complaints.deadlines_settings import DeadlineRulesSchema
from core.complaints.reports_settings import ReportsPolicySchema
from core.complaints.resolution_settings import MajorPathSchema, ResolutionPolicySchema
from core.complaints.return_visit_settings import ReturnVisitPolicySchema
from core.complaints.settings import IntakePolicySchema
from core.policy import service as policy_service

MODULE = "cmp"


class MajorSchema(MajorCriteriaSchema, MajorPathSchema):
    """``cmp.major``: the criteria that make a case major (CMP-11, case handling) and the path a major
    case then takes (CMP-42, resolution). Both parts declare ``major`` in their own section; the
    document joins them here."""


class CmpPolicySchema(
    IntakePolicySchema,
    DeadlineRulesSchema,
    ReportsPolicySchema,
    ResolutionPolicySchema,
    ReturnVisitPolicySchema,
    ConsequencePolicySchema,
    CountersPolicySchema,
    CaseHandlingPolicySchema,
):
    """The whole ``cmp`` document."""

    major = fields.Nested(MajorSchema, load_default=lambda: MajorSchema().load({}))


def cmp_policy(at=None) -> policy_service.PolicyView:
    """The ``cmp`` version in force at ``at`` (date or aware datetime; default today)."""
    return policy_service.in_force(MODULE, at)
