"""The ``re`` policy document: every setting of spec section 7 (RE) with its default, one versioned
document per tenant, made of the sections each part declares next to its rules (explicit base classes)."""
from __future__ import annotations

from plugins.real_estate.attribution_settings import AttributionSettingsSchema
from plugins.real_estate.rotation_settings import ReceptionSettingsSchema
from plugins.real_estate.sales_settings import SalesSettingsSchema

MODULE = "re"


class RePolicySchema(ReceptionSettingsSchema, AttributionSettingsSchema, SalesSettingsSchema):
    """The whole ``re`` document."""


def re_policy(at=None):
    """The ``re`` version in force at ``at`` (date or aware datetime; default today)."""
    from core.policy import service as policy_service

    return policy_service.in_force(MODULE, at)
