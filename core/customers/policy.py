"""The ``cus`` policy document: every setting of DOMAIN.md section 3 (CUS), one versioned document per
tenant, registered by the core plugin.

The document is one marshmallow schema made of the sections each part of the customers module
declares next to its rules (``ownership``/``claim``/``arbitration`` in the ownership rules,
``assign``/``rotation``/``batch``/``reassign``/``contacts``/``ka`` in the assignment rules, ``points``/
``referral`` in the points rules, ``events`` in :mod:`core.customers.events.rules`, ``visits``/``survey``
in :mod:`core.customers.visits.settings`, ``tiers``/``grading``/``grade_effects`` and ``credit`` in the
grades and credit settings, ``phone``/``dedupe``/``household``/``merge`` here...). ``load({})`` gives
the spec's defaults. Rules read the version in force at the time of their fact::

    values = cus_policy(at=claim_time).values
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.customers.archive.settings import ArchivePolicySchema
from core.customers.assignment.rules import AssignmentPolicySchema
from core.customers.confidentiality.settings import ConfidentialityPolicySchema
from core.customers.credit.settings import CreditPolicySchema
from core.customers.duplicates import LIKELY_FAMILIES
from core.customers.events.rules import EventsPolicySchema
from core.customers.grades.settings import GradesPolicySchema
from core.customers.ownership.settings import OwnershipPolicySchema
from core.customers.points.rules import PointsPolicySchema
from core.customers.visits.settings import VisitsPolicySchema
from core.policy import service as policy_service
from core.policy.sections import section as _section

MODULE = "cus"
RELATIONS = ("spouse", "parent", "child", "sibling", "friend", "other")




class PhoneSettingsSchema(Schema):
    """``cus.phone`` (CUS-10); the region is the tenant's."""

    landline_requires_area_code = fields.Boolean(load_default=True)


class DedupeSettingsSchema(Schema):
    """``cus.dedupe`` (CUS-13): exact families refuse a create (409), likely ones warn."""

    exact = fields.List(fields.String(validate=validate.Length(min=1, max=50)),
                        load_default=lambda: ["mobile", "resident_id", "uscc"])
    likely = fields.List(fields.String(validate=validate.OneOf(LIKELY_FAMILIES)),
                         load_default=lambda: list(LIKELY_FAMILIES))


class HouseholdSettingsSchema(Schema):
    """``cus.household`` (CUS-14): the relations that make a household one customer."""

    one_customer = fields.Boolean(load_default=True)
    relations = fields.List(fields.String(validate=validate.OneOf(RELATIONS)),
                            load_default=lambda: ["spouse", "parent", "child"])


class MergeSettingsSchema(Schema):
    """``cus.merge`` (CUS-15)."""

    undo_window = fields.String(load_default="30 days")
    role = fields.String(load_default="dept_manager")


class ContactLogSettingsSchema(Schema):
    """``cus.contact_log`` (CUS-60): keep on-site visits without signature as pending (offline capture)."""

    offline_capture = fields.Boolean(load_default=False)


class IdentityPolicySchema(Schema):
    contact_log = _section(ContactLogSettingsSchema)
    phone = _section(PhoneSettingsSchema)
    dedupe = _section(DedupeSettingsSchema)
    household = _section(HouseholdSettingsSchema)
    merge = _section(MergeSettingsSchema)


class CusPolicySchema(
    IdentityPolicySchema,
    OwnershipPolicySchema,
    AssignmentPolicySchema,
    PointsPolicySchema,
    ArchivePolicySchema,
    EventsPolicySchema,
    GradesPolicySchema,
    CreditPolicySchema,
    VisitsPolicySchema,
    ConfidentialityPolicySchema,
):
    """The whole ``cus`` document: the sections of every part of the customers module."""


def cus_policy(at=None) -> policy_service.PolicyView:
    """The ``cus`` version in force at ``at`` (date or aware datetime; default today) for the current
    tenant."""
    return policy_service.in_force(MODULE, at)
