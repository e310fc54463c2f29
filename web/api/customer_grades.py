"""Grades and tiers (CUS-50), key accounts (CUS-51) and regrading cycles (CUS-52) of customers.

Every user of the tenant may read. A manual tier change needs a customer writer role, a reason and an
approver holding one of ``cus.tiers.approver_roles`` (not the caller); the numeric evaluation and the
key-account flag need a manager.

- ``GET /customers/<id>/grades`` → the customer's tier in every scheme.
- ``GET /customers/<id>/grades/<scheme>``, ``PUT`` (manual change: ``tier``, ``reason``,
  ``approver_id``, ``temporary``; 422 naming the field), ``GET .../history``,
  ``POST .../evaluate`` (numeric criteria).
- ``GET /customers/<id>/key-account`` (mark + the CUS-51 figures now), ``PUT`` (``potential`` flag
  with ``reason``); ``GET /customers/key-accounts``.
- ``GET /customers/grading-tasks`` (CUS-52 tasks), ``GET /customers/grading/ungraded?year=2027``.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.customers import service as customers
from core.customers.grades import service, tiers
from core.customers.grades.models import KeyAccount, TASK_KINDS, TASK_STATUSES
from core.customers.policy import cus_policy
from core.db import db
from web.api.auth import require_roles
from web.api.customers import WRITERS
from web.api.pagination import page_of

PREFIX = "/customers"
blp = Blueprint("customer_grades", __name__, description="Grades, tiers and key accounts (CUS-50..CUS-52)")

MANAGERS = ("tenant_admin", "gm", "vp", "dept_manager", "sales_manager", "resource_director")


class GradeSchema(Schema):
    scheme = fields.String()
    tiers = fields.List(fields.String(), metadata={"description": "the scheme's tiers, best first"})
    tier = fields.String(allow_none=True)
    temporary = fields.Boolean()
    since = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class GradeChangeInSchema(Schema):
    tier = fields.String(required=True, validate=validate.Length(min=1, max=30))
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    approver_id = fields.Integer(load_default=None, allow_none=True,
                                 metadata={"description": "a user with an approving role (cus.tiers.approver_roles)"})
    temporary = fields.Boolean(load_default=False, metadata={"description": "a temporary grade after a deal "
                                                                            "(CUS-52); does not close grading tasks"})


class GradeChangeSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    scheme = fields.String()
    from_tier = fields.String(allow_none=True)
    to_tier = fields.String()
    kind = fields.String(metadata={"description": "automatic | manual"})
    temporary = fields.Boolean()
    at = fields.DateTime()
    reason = fields.String(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    rule_id = fields.String()
    decision_id = fields.Integer()


class EvaluateInSchema(Schema):
    on = fields.Date(load_default=None, metadata={"description": "local day; default today"})


class TierEvaluationSchema(Schema):
    scheme = fields.String()
    tier = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)
    changed = fields.Boolean()
    change = fields.Nested(GradeChangeSchema, allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()


class KeyAccountSchema(Schema):
    customer_id = fields.Integer()
    status = fields.String(allow_none=True, metadata={"description": "key_account | potential | null"})
    basis = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    marked_by = fields.Integer(allow_none=True)
    since = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class KaEvaluationSchema(Schema):
    qualifies = fields.Boolean()
    basis = fields.List(fields.String())
    purchases = fields.Decimal(as_string=True)
    profit_share = fields.Decimal(as_string=True, allow_none=True)
    first_day = fields.Date()
    last_day = fields.Date()
    reason_zh = fields.String()
    reason_en = fields.String()


class KeyAccountViewSchema(KeyAccountSchema):
    evaluation = fields.Nested(KaEvaluationSchema)


class KeyAccountInSchema(Schema):
    potential = fields.Boolean(required=True, metadata={"description": "true: flag as potential key account; "
                                                                        "false: withdraw the flag"})
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class TaskSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    scheme = fields.String()
    kind = fields.String(metadata={"description": "formal | annual"})
    cycle = fields.String()
    opens_at = fields.DateTime()
    due_at = fields.DateTime(metadata={"description": "24:00 of due_through, local"})
    due_through = fields.Date()
    status = fields.String(metadata={"description": "open | done"})
    change_id = fields.Integer(allow_none=True)
    overdue_decision_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer()


class TaskQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(TASK_KINDS))
    cycle = fields.String(validate=validate.Length(max=20))
    status = fields.String(validate=validate.OneOf(TASK_STATUSES))
    customer_id = fields.Integer()


class UngradedQuerySchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))


class UngradedSchema(Schema):
    customer_id = fields.Integer()
    name = fields.String()


def _grade_view(customer_id: int, scheme: str, settings) -> dict:
    row = service.current(customer_id, scheme)
    return {"scheme": scheme, "tiers": tiers.scheme_tiers(settings, scheme), "tier": row.tier if row else None,
            "temporary": row.temporary if row else False, "since": row.since if row else None,
            "decision_id": row.decision_id if row else None}


@blp.route("/<int:customer_id>/grades")
class Grades(MethodView):
    @blp.response(200, GradeSchema(many=True))
    def get(self, customer_id):
        """The customer's tier in every scheme of the tenant (CUS-50)."""
        customers.get_customer(customer_id)
        settings = cus_policy().values["tiers"]
        return [_grade_view(customer_id, scheme, settings) for scheme in settings["schemes"]]


@blp.route("/<int:customer_id>/grades/<scheme>")
class Grade(MethodView):
    @blp.response(200, GradeSchema)
    def get(self, customer_id, scheme):
        """The customer's tier in ``scheme`` (404 for a scheme the tenant does not have)."""
        customers.get_customer(customer_id)
        return _grade_view(customer_id, scheme, cus_policy().values["tiers"])

    @require_roles(*WRITERS, admin_scope=False)
    @blp.arguments(GradeChangeInSchema)
    @blp.response(200, GradeChangeSchema)
    def put(self, data, customer_id, scheme):
        """A manual change (CUS-50): reason and approver required (422 without); a history row and a
        decision that supersedes the previous one."""
        customers.get_customer(customer_id)
        change = service.set_manual_tier(customer_id, scheme, tier=data["tier"], reason=data["reason"],
                                         approver_id=data["approver_id"], decided_by=g.user.id,
                                         temporary=data["temporary"])
        db.session.commit()
        return change


@blp.route("/<int:customer_id>/grades/<scheme>/history")
class GradeHistory(MethodView):
    @blp.response(200, GradeChangeSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, scheme, pagination_parameters):
        """Every change of the customer's tier in ``scheme``, newest first, each with its decision."""
        customers.get_customer(customer_id)
        tiers.scheme_tiers(cus_policy().values["tiers"], scheme)
        return page_of(service.history(customer_id, scheme), pagination_parameters)


@blp.route("/<int:customer_id>/grades/<scheme>/evaluate")
class GradeEvaluate(MethodView):
    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(EvaluateInSchema)
    @blp.response(200, TierEvaluationSchema)
    def post(self, data, customer_id, scheme):
        """Apply the numeric criteria of ``scheme`` (``cus.tiers.criteria``) as of ``on``: an
        automatic change with its decision when the tier differs."""
        customers.get_customer(customer_id)
        evaluation, change = service.evaluate_tier(customer_id, scheme, data["on"])
        db.session.commit()
        return {"scheme": scheme, "tier": evaluation.tier, "previous": evaluation.previous,
                "changed": change is not None, "change": change, "reason_zh": evaluation.reason_zh,
                "reason_en": evaluation.reason_en}


def _ka_view(customer_id: int) -> dict:
    row = service.key_account(customer_id)
    evaluation = service.ka_evaluation(customer_id)
    facts = evaluation.facts
    return {"customer_id": customer_id, "status": row.status if row else None, "basis": row.basis if row else None,
            "reason": row.reason if row else None, "marked_by": row.marked_by if row else None,
            "since": row.since if row else None, "decision_id": row.decision_id if row else None,
            "evaluation": {"qualifies": evaluation.qualifies, "basis": list(evaluation.basis),
                           "purchases": facts["purchases"], "profit_share": evaluation.share,
                           "first_day": facts["window"]["first_day"], "last_day": facts["window"]["last_day"],
                           "reason_zh": evaluation.reason_zh, "reason_en": evaluation.reason_en}}


@blp.route("/<int:customer_id>/key-account")
class CustomerKeyAccount(MethodView):
    @blp.response(200, KeyAccountViewSchema)
    def get(self, customer_id):
        """The customer's key-account mark and the CUS-51 figures over the trailing period now."""
        customers.get_customer(customer_id)
        return _ka_view(customer_id)

    @require_roles(*MANAGERS, admin_scope=False)
    @blp.arguments(KeyAccountInSchema)
    @blp.response(200, KeyAccountViewSchema)
    def put(self, data, customer_id):
        """Flag (``potential: true``) or withdraw (``false``) a potential key account, with a reason."""
        customers.get_customer(customer_id)
        if data["potential"]:
            service.flag_potential(customer_id, reason=data["reason"], by=g.user.id)
        else:
            service.unflag_potential(customer_id, reason=data["reason"], by=g.user.id)
        db.session.commit()
        return _ka_view(customer_id)


@blp.route("/key-accounts")
class KeyAccounts(MethodView):
    @blp.response(200, KeyAccountSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The customers marked key account or potential key account (CUS-51)."""
        return page_of(select(KeyAccount).order_by(KeyAccount.since.desc(), KeyAccount.customer_id),
                       pagination_parameters)


@blp.route("/grading-tasks")
class GradingTasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Gradings due (CUS-52): formal grades of new customers and the annual reviews."""
        return page_of(service.grading_tasks(**args), pagination_parameters)


@blp.route("/grading/ungraded")
class Ungraded(MethodView):
    @blp.arguments(UngradedQuerySchema, location="query")
    @blp.response(200, UngradedSchema(many=True))
    def get(self, args):
        """The customers not graded in ``year``'s annual window (listed by job cus.grading_cycle)."""
        from core.customers.models import Customer

        ids = service.ungraded_after_window(args["year"])
        names = dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all()) \
            if ids else {}
        return [{"customer_id": cid, "name": names.get(cid, "")} for cid in ids]
