"""The ``stf`` policy document: every setting of DOMAIN.md section 6 (STF), one versioned document per
tenant, registered by the core plugin. Made of the sections each part of the staff module declares
next to its rules (explicit base classes, as the ``cus`` document). ``load({})`` gives the spec's
defaults."""
from __future__ import annotations

from core.policy import service as policy_service
from core.staff.pay_settings import PayPolicySchema
from core.staff.scorecards_settings import ScorecardPolicySchema
from core.staff.penalty_settings import PenaltyPolicySchema
from core.staff.settings import LedgerPolicySchema
from core.staff.slips_settings import SlipsPolicySchema
from core.staff.statements_settings import StatementPolicySchema

MODULE = "stf"


class StfPolicySchema(
    LedgerPolicySchema,
    SlipsPolicySchema,
    StatementPolicySchema,
    ScorecardPolicySchema,
    PayPolicySchema,
    PenaltyPolicySchema,
):
    """The whole ``stf`` document."""


def stf_policy(at=None) -> policy_service.PolicyView:
    """The ``stf`` version in force at ``at`` (date or aware datetime; default today)."""
    return policy_service.in_force(MODULE, at)
