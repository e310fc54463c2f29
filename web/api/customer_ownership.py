"""Ownership and protection of a customer (CUS-14, CUS-20..CUS-27).

- ``GET /customers/<id>/owner`` — who owns the customer and why (the decision chain, CUS-20).
- ``GET /customers/<id>/ownership-history`` — every change with its rule and reasons.
- ``GET|POST /customers/<id>/claims`` — CUS-21 evidence; ``POST .../claims/<claim_id>/approve`` (CUS-24,
  the claim approver's role), ``POST .../claims/<claim_id>/void`` (managers).
- ``GET|POST /customers/<id>/deals`` — CUS-26 deal lock.
- ``GET|POST /customers/<id>/ownership-cases``, ``GET .../ownership-cases/<case_id>`` and its
  ``objections``, ``rulings``, ``quarrels`` — CUS-27 arbitration.
- ``GET|POST /customers/<id>/household-links``, ``DELETE .../household-links/<link_id>`` — CUS-14.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.customers import service as customers
from core.customers.ownership import cases, households
from core.customers.ownership import service as ownership
from core.customers.ownership.models import CLAIM_KINDS, HouseholdLink
from core.customers.policy import RELATIONS, cus_policy
from core.db import db
from core.errors import Forbidden
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_ownership", __name__, description="Ownership and protection of customers (CUS-14, CUS-20..27)")

MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "resource_director", "supervisor")


# --------------------------------------------------------------------------- schemas


class OwnershipDecisionSchema(Schema):
    id = fields.Integer()
    rule_id = fields.String()
    reason_zh = fields.String()
    reason_en = fields.String()
    decided_at = fields.DateTime()
    decided_by = fields.Integer(allow_none=True)
    decided_by_name = fields.String(allow_none=True)
    policy_version = fields.Integer(allow_none=True)
    facts = fields.Raw()
    outcome = fields.Raw()


class OwnerSchema(Schema):
    customer_id = fields.Integer()
    owner_id = fields.Integer(allow_none=True)
    owner_name = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    state = fields.String(metadata={"description": "unowned | protected | expiring | claimable | locked"})
    since = fields.DateTime(allow_none=True)
    until = fields.Date(allow_none=True, metadata={"description": "last protected day (local), \"through\""})
    warn_at = fields.DateTime(allow_none=True, metadata={"description": "when the CUS-25 warning starts"})
    decisions = fields.List(fields.Nested(OwnershipDecisionSchema), metadata={"description": "the current decision chain"})


class ChangeSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    from_owner_id = fields.Integer(allow_none=True)
    to_owner_id = fields.Integer(allow_none=True)
    from_department_id = fields.Integer(allow_none=True)
    to_department_id = fields.Integer(allow_none=True)
    state = fields.String()
    until = fields.Date(allow_none=True)
    rule_id = fields.String()
    decision_id = fields.Integer(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    reason_zh = fields.String(allow_none=True)
    reason_en = fields.String(allow_none=True)


class ClaimInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CLAIM_KINDS),
                         metadata={"description": "register | meeting_record | card_signature | submitted_list | "
                                                  "assignment"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "the evidence's time; default now"})
    claimant_id = fields.Integer(load_default=None, metadata={"description": "default: the caller"})
    department_id = fields.Integer(load_default=None, allow_none=True)
    source_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    source_id = fields.Integer(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ClaimSchema(ClaimInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    at = fields.DateTime()
    claimant_id = fields.Integer()
    void = fields.Boolean()
    approved_at = fields.DateTime(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ApproveSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "the approval's time; default now"})


class DealInSchema(Schema):
    at = fields.AwareDateTime(required=True)
    performance_owner_id = fields.Integer(required=True)
    kind = fields.String(load_default="deal", validate=validate.Length(min=1, max=60),
                         metadata={"description": "the plugin's deal event: subscription, paid_order…"})
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class DealSchema(DealInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    at = fields.DateTime()
    created_at = fields.DateTime()


class CaseInSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(cases.REASONS))
    claim_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    at = fields.AwareDateTime(load_default=None)


class CaseEventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    role = fields.String(allow_none=True)
    verdict = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    parties = fields.List(fields.Integer())
    note = fields.String(allow_none=True)


class CaseSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    opened_at = fields.DateTime()
    opened_by = fields.Integer(allow_none=True)
    reason = fields.String()
    note = fields.String(allow_none=True)
    claim_ids = fields.List(fields.Integer())
    status = fields.String(metadata={"description": "objection_window | awaiting_arbiter | escalated | final"})
    proposed_owner_id = fields.Integer(allow_none=True)
    proposal_rule = fields.String(allow_none=True)
    objection_end = fields.DateTime(allow_none=True)
    assigned_roles = fields.List(fields.String())
    final_owner_id = fields.Integer(allow_none=True)
    final_department_id = fields.Integer(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    consequences = fields.Raw(metadata={"description": "quarrel consequences: fines, HR flags, forfeiture"})
    decision_id = fields.Integer(allow_none=True)
    events = fields.Method("_events")

    def _events(self, case):
        return CaseEventSchema(many=True).dump(cases.events_of(case))


class ObjectionInSchema(Schema):
    at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class RulingInSchema(ObjectionInSchema):
    verdict = fields.String(required=True, validate=validate.OneOf(cases.VERDICTS))
    owner_id = fields.Integer(load_default=None, allow_none=True,
                              metadata={"description": "required to overturn: the owner the arbiter decides"})


class QuarrelInSchema(ObjectionInSchema):
    party_ids = fields.List(fields.Integer(), required=True, metadata={"description": "at least one party"})


class LinkInSchema(Schema):
    related_id = fields.Integer(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS),
                             metadata={"description": "the related customer is this customer's spouse, parent, "
                                                      "child (household by default), sibling, friend, other"})


class LinkSchema(LinkInSchema):
    id = fields.Integer()
    customer_id = fields.Integer()
    created_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


# --------------------------------------------------------------------------- owner and history


@blp.route("/<int:customer_id>/owner")
class Owner(MethodView):
    @blp.response(200, OwnerSchema)
    def get(self, customer_id):
        """Who owns this customer and why (CUS-20): owner, state, protected through, decision chain."""
        customers.get_customer(customer_id)
        return ownership.owner_answer(customer_id)


@blp.route("/<int:customer_id>/ownership-history")
class OwnershipHistory(MethodView):
    @blp.response(200, ChangeSchema(many=True))
    def get(self, customer_id):
        """Every ownership change, oldest first, with rule and reasons."""
        customers.get_customer(customer_id)
        return ownership.history_answer(customer_id)


# --------------------------------------------------------------------------- claims and deals


#: who records claims for other people: the register keepers and the managers (CUS-21)
REGISTER_KEEPERS = ("assistant", "supervisor", "dept_manager", "sales_manager", "resource_director", "gm", "vp",
                    "tenant_admin")


@blp.route("/<int:customer_id>/claims")
class Claims(MethodView):
    @blp.response(200, ClaimSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """The customer's claims in evidence order (void ones included, flagged)."""
        customers.get_customer(customer_id)
        return page_of(ownership.claims_of(customer_id), pagination_parameters)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(ClaimInSchema)
    @blp.response(201, ClaimSchema)
    def post(self, data, customer_id):
        """Record CUS-21 evidence (default claimant: the caller) and re-judge ownership. Evidence for
        somebody else (the register kept by an assistant, the manager's meeting record) needs one of
        the register-keeping roles."""
        claimant = data.pop("claimant_id") or g.user.id
        if claimant != g.user.id and not g.user.has_role(*REGISTER_KEEPERS):
            raise Forbidden("only a register keeper records evidence for somebody else",
                            fields={"claimant_id": ["must be yourself"]})
        claim = ownership.record_claim(customer_id, claimant_id=claimant, **data)
        db.session.commit()
        return claim


@blp.route("/<int:customer_id>/claims/<int:claim_id>/approve")
class ClaimApprove(MethodView):
    @blp.arguments(ApproveSchema)
    @blp.response(200, ClaimSchema)
    def post(self, data, customer_id, claim_id):
        """CUS-24: the claim approver (``cus.ownership.under_service.claim_approver``) approves a takeover."""
        customers.get_customer(customer_id)
        claim = ownership.get_claim(customer_id, claim_id)
        role = cus_policy(claim.at).values["ownership"]["under_service"]["claim_approver"]
        if not g.user.has_role(role):
            raise Forbidden(f"needs role: {role}")
        claim = ownership.approve_claim(customer_id, claim_id, by=g.user.id, at=data.get("at"))
        db.session.commit()
        return claim


@blp.route("/<int:customer_id>/claims/<int:claim_id>/void")
class ClaimVoid(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.response(200, ClaimSchema)
    def post(self, customer_id, claim_id):
        """A claim recorded in error stops counting; ownership is re-judged."""
        customers.get_customer(customer_id)
        claim = ownership.void_claim(customer_id, claim_id)
        db.session.commit()
        return claim


@blp.route("/<int:customer_id>/deals")
class Deals(MethodView):
    @blp.response(200, DealSchema(many=True))
    def get(self, customer_id):
        """The customer's deals (CUS-26)."""
        customers.get_customer(customer_id)
        return list(db.session.scalars(ownership.deals_of(customer_id)))

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(DealInSchema)
    @blp.response(201, DealSchema)
    def post(self, data, customer_id):
        """Record a deal: ownership locks to the performance owner (CUS-26)."""
        deal = ownership.record_deal(customer_id, **data)
        db.session.commit()
        return deal


# --------------------------------------------------------------------------- arbitration


@blp.route("/<int:customer_id>/ownership-cases")
class Cases(MethodView):
    @blp.response(200, CaseSchema(many=True))
    def get(self, customer_id):
        """The customer's arbitration cases, newest first."""
        customers.get_customer(customer_id)
        return list(db.session.scalars(cases.cases_of(customer_id)))

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(CaseInSchema)
    @blp.response(201, CaseSchema)
    def post(self, data, customer_id):
        """Open a case: colliding claims or a disputed decision (CUS-27); the rules propose."""
        customers.get_customer(customer_id)
        case = cases.open_case(customer_id, opened_by=g.user.id, **data)
        db.session.commit()
        return case


@blp.route("/<int:customer_id>/ownership-cases/<int:case_id>")
class Case(MethodView):
    @blp.response(200, CaseSchema)
    def get(self, customer_id, case_id):
        """The case as it stands now (an objection window that has passed is applied)."""
        customers.get_customer(customer_id)
        case = cases.refresh(cases.get_case(customer_id, case_id))
        db.session.commit()
        return case


@blp.route("/<int:customer_id>/ownership-cases/<int:case_id>/objections")
class CaseObjections(MethodView):
    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(ObjectionInSchema)
    @blp.response(200, CaseSchema)
    def post(self, data, customer_id, case_id):
        """The caller objects to the proposal (within ``cus.arbitration.objection_window``; 409 after)."""
        customers.get_customer(customer_id)
        case = cases.object_to(cases.get_case(customer_id, case_id), party_id=g.user.id, **data)
        db.session.commit()
        return case


@blp.route("/<int:customer_id>/ownership-cases/<int:case_id>/rulings")
class CaseRulings(MethodView):
    @blp.arguments(RulingInSchema)
    @blp.response(200, CaseSchema)
    def post(self, data, customer_id, case_id):
        """The arbiter rules (uphold | overturn with owner_id | cannot_decide → escalate_to); 403 unless the
        caller holds a role the case awaits."""
        customers.get_customer(customer_id)
        case = cases.rule_on(cases.get_case(customer_id, case_id), user=g.user, **data)
        db.session.commit()
        return case


@blp.route("/<int:customer_id>/ownership-cases/<int:case_id>/quarrels")
class CaseQuarrels(MethodView):
    @require_roles(*MANAGERS, "assistant", admin_scope=False)
    @blp.arguments(QuarrelInSchema)
    @blp.response(200, CaseSchema)
    def post(self, data, customer_id, case_id):
        """Record parties quarrelling in front of customers: ``cus.arbitration.quarrel_consequence``."""
        customers.get_customer(customer_id)
        case = cases.record_quarrel(cases.get_case(customer_id, case_id), recorded_by=g.user.id, **data)
        db.session.commit()
        return case


# --------------------------------------------------------------------------- households


@blp.route("/<int:customer_id>/household-links")
class HouseholdLinks(MethodView):
    @blp.response(200, LinkSchema(many=True))
    def get(self, customer_id):
        """The customer's links (either side)."""
        customers.get_customer(customer_id)
        return households.links_of(customer_id)

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(LinkInSchema)
    @blp.response(201, LinkSchema)
    def post(self, data, customer_id):
        """Link a relative (CUS-14): a counted relation makes a household and re-judges its ownership."""
        customers.get_customer(customer_id)
        link = households.add_link(customer_id, data["related_id"], data["relation"], created_by=g.user.id)
        ownership.rejudge(customer_id)
        db.session.commit()
        return link


@blp.route("/<int:customer_id>/household-links/<int:link_id>")
class HouseholdLinkOne(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.response(204)
    def delete(self, customer_id, link_id):
        """Remove a link; both customers are re-judged on their own."""
        customers.get_customer(customer_id)
        link: HouseholdLink = households.get_link(customer_id, link_id)
        members = (link.customer_id, link.related_id)
        db.session.delete(link)
        db.session.flush()
        for member in members:
            ownership.rejudge(member)
        db.session.commit()
