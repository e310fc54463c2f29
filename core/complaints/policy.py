"""The ``cmp`` policy document: every setting of DOMAIN.md section 4 (CMP), one versioned document per
tenant, registered by the core plugin; made of the sections each part of the complaints module
declares next to its rules (explicit base classes). A case keeps the version it was received under
(CMP-37): ``cmp_policy(at=complaint.received_at)``."""
from __future__ import annotations

from core.complaints.case_settings import CaseHandlingPolicySchema
from core.complaints.settings import DeadlinePolicySchema, IntakePolicySchema
from core.policy import service as policy_service

MODULE = "cmp"


class CmpPolicySchema(
    IntakePolicySchema,
    DeadlinePolicySchema,
    CaseHandlingPolicySchema,
):
    """The whole ``cmp`` document."""


def cmp_policy(at=None) -> policy_service.PolicyView:
    """The ``cmp`` version in force at ``at`` (date or aware datetime; default today)."""
    return policy_service.in_force(MODULE, at)
