"""The ``svc`` policy document: every setting of DOMAIN.md section 5 (SVC), one versioned document per
tenant, registered by the core plugin. Made of the sections each part of the service module declares
next to its rules (explicit base classes, as the ``cmp`` and ``stf`` documents). ``load({})`` gives
the spec's defaults. A work order keeps the version it was requested under (as CMP-37 for cases):
``svc_policy(at=order.requested_at)``."""
from __future__ import annotations

from core.attachments.settings import AttachmentPolicySchema
from core.policy import service as policy_service
from core.service.dispatch_settings import DispatchPolicySchema
from core.service.contract_settings import ContractPolicySchema
from core.service.fees_settings import FeePolicySchema
from core.service.duties_settings import DutyPolicySchema
from core.service.records_watch_settings import RecordsWatchPolicySchema
from core.service.return_visit_settings import ReturnVisitPolicySchema
from core.service.field_settings import FieldPolicySchema
from core.service.settings import OrderPolicySchema

MODULE = "svc"


class SvcPolicySchema(
    OrderPolicySchema,
    DispatchPolicySchema,
    ContractPolicySchema,
    FeePolicySchema,
    DutyPolicySchema,
    ReturnVisitPolicySchema,
    RecordsWatchPolicySchema,
    FieldPolicySchema,
    AttachmentPolicySchema,
):
    """The whole ``svc`` document."""


def svc_policy(at=None) -> policy_service.PolicyView:
    """The ``svc`` version in force at ``at`` (date or aware datetime; default today)."""
    return policy_service.in_force(MODULE, at)
