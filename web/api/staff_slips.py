"""Penalty slips (处罚单), appeals and the monthly penalty list for HR (STF-20..23).

- ``GET /staff/slips?user_id=&state=&staff_entry_id=`` — your own slips, or anyone's for a manager.
- ``POST /staff/slips`` ``{staff_entry_id, facts, opinion, amount?, issued_at, evidence}`` → 201 (STF-20).
- ``GET /staff/slips/<slip_id>`` — with its witnesses and appeal.
- ``POST /staff/slips/<slip_id>/sign`` ``{signed_at}`` — the employee acknowledges receipt → effective.
- ``POST /staff/slips/<slip_id>/refusal`` ``{refused_at, note, bad_attitude, evidence}`` — a manager
  records a refusal (STF-22 flag with evidence and bad attitude).
- ``POST /staff/slips/<slip_id>/witnesses`` ``{user_id?, signed_at}`` → 201 — a witness signs.
- ``POST /staff/slips/<slip_id>/appeal`` ``{text, received_at}`` → 201 (STF-21, 422 after the window).
- ``POST /staff/slips/<slip_id>/appeal/reply`` ``{outcome, text, new_amount, replied_at}``.
- ``GET /staff/appeals?state=&user_id=&overdue=true`` — appeals, the earliest reply due first.
- ``GET /staff/penalty-publications`` · ``/<publication_id>`` · ``/<publication_id>/csv`` — STF-23
  lists (managers and ``stf.publication.hr_roles``); the CSV is UTF-8 with BOM.
"""
from __future__ import annotations

from flask import Response, abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.staff import appeals, slips, slips_publication
from core.staff import slips_rules
from core.staff.appeals_models import APPEAL_STATES, OUTCOMES
from core.staff.appeals_rules import through_day
from core.staff.policy import stf_policy
from core.staff.slips_models import SLIP_STATES
from web.api.auth import require_roles
from web.api.pagination import page_of
from web.api.staff_ledger import LEDGER_MANAGERS, LedgerMonthField

PREFIX = "/staff"
blp = Blueprint("staff_slips", __name__, description="Penalty slips, appeals, the monthly penalty list (STF-20..23)")

_TEXT = validate.Length(min=1, max=4000)
_EVIDENCE = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                        validate=validate.Length(max=50),
                        metadata={"description": "references of the evidence (photos, records, documents)"})


class SlipWitnessSchema(Schema):
    user_id = fields.Integer()
    signed_at = fields.DateTime()
    recorded_by = fields.Integer()


class SlipAppealSchema(Schema):
    id = fields.Integer()
    slip_id = fields.Integer()
    staff_entry_id = fields.Integer()
    user_id = fields.Integer()
    text = fields.String()
    received_at = fields.DateTime()
    submitted_by = fields.Integer()
    reply_due_at = fields.DateTime()
    reply_due_through = fields.Date(metadata={"description": "the reply is due through this local day"})
    overdue = fields.Boolean()
    state = fields.String()
    replied_at = fields.DateTime(allow_none=True)
    replied_by = fields.Integer(allow_none=True)
    reply_text = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    new_amount = fields.Decimal(as_string=True, allow_none=True)
    reversal_entry_id = fields.Integer(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    escalated_to = fields.Integer(allow_none=True)
    escalation_decision_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class SlipSchema(Schema):
    id = fields.Integer()
    staff_entry_id = fields.Integer()
    user_id = fields.Integer()
    facts = fields.String()
    opinion = fields.String()
    amount = fields.Decimal(as_string=True)
    unit = fields.String()
    evidence = fields.List(fields.String())
    issued_at = fields.DateTime()
    issued_by = fields.Integer()
    state = fields.String()
    signed_at = fields.DateTime(allow_none=True)
    refused_at = fields.DateTime(allow_none=True)
    refusal_recorded_by = fields.Integer(allow_none=True)
    refusal_note = fields.String(allow_none=True)
    bad_attitude = fields.Boolean()
    effective_at = fields.DateTime(allow_none=True)
    effective_by = fields.String(allow_none=True)
    witnesses_needed = fields.String(metadata={"description": "witnesses needed on refusal, e.g. ≥2"})
    witnesses = fields.List(fields.Nested(SlipWitnessSchema))
    appeal_window_ends_at = fields.DateTime()
    appeal_window_through = fields.Date(metadata={"description": "appeal in writing through this local day"})
    appeal_window_closed_at = fields.DateTime(allow_none=True)
    appeal = fields.Nested(SlipAppealSchema, allow_none=True)
    hr_flag_entry_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


class SlipQuerySchema(Schema):
    user_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(SLIP_STATES))
    staff_entry_id = fields.Integer()


class SlipIssueSchema(Schema):
    staff_entry_id = fields.Integer(required=True)
    facts = fields.String(required=True, validate=_TEXT, metadata={"description": "违纪事实 the facts"})
    opinion = fields.String(required=True, validate=_TEXT, metadata={"description": "处罚意见 the penalty opinion"})
    amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                            metadata={"description": "optional check: must equal the entry's amount"})
    issued_at = fields.AwareDateTime(load_default=None)
    evidence = _EVIDENCE


class SlipSignSchema(Schema):
    signed_at = fields.AwareDateTime(load_default=None)


class SlipRefusalSchema(Schema):
    refused_at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    bad_attitude = fields.Boolean(load_default=False, metadata={"description": "STF-22: behaved badly"})
    evidence = _EVIDENCE


class SlipWitnessInSchema(Schema):
    user_id = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "the witness; default you (a manager may copy a paper slip)"})
    signed_at = fields.AwareDateTime(load_default=None)


class SlipAppealInSchema(Schema):
    text = fields.String(required=True, validate=_TEXT)
    received_at = fields.AwareDateTime(load_default=None)


class SlipReplyInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    text = fields.String(required=True, validate=_TEXT)
    new_amount = fields.Decimal(places=2, as_string=True, load_default=None, allow_none=True,
                                metadata={"description": "outcome modified: the penalty's new amount"})
    replied_at = fields.AwareDateTime(load_default=None)


class AppealQuerySchema(Schema):
    user_id = fields.Integer()
    state = fields.String(validate=validate.OneOf(APPEAL_STATES))
    overdue = fields.Boolean(metadata={"description": "only open appeals whose reply is overdue now"})


class PenaltyPublicationItemSchema(Schema):
    entry_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    employee = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    department = fields.String(allow_none=True)
    offence = fields.String()
    rule_id = fields.String()
    occurred_at = fields.String()
    amount = fields.String(metadata={"description": "net of reversals (a modified penalty at its new amount)"})
    original_amount = fields.String()
    unit = fields.String()
    state = fields.String()
    approved_at = fields.String(allow_none=True)
    approved_by = fields.Integer(allow_none=True)
    slip_id = fields.Integer(allow_none=True)
    slip_effective_at = fields.String(allow_none=True)
    appeal_outcome = fields.String(allow_none=True)


class PenaltyPublicationBriefSchema(Schema):
    id = fields.Integer()
    month = LedgerMonthField()
    due_on = fields.Date()
    published_at = fields.DateTime()
    entry_count = fields.Integer()
    totals = fields.Dict(keys=fields.String(), values=fields.String())
    decision_id = fields.Integer(allow_none=True)


class PenaltyPublicationSchema(PenaltyPublicationBriefSchema):
    items = fields.List(fields.Nested(PenaltyPublicationItemSchema))


# ------------------------------------------------------------------------------------ helpers

def _is_manager() -> bool:
    return g.user.has_role(*LEDGER_MANAGERS)


def _through(moment):
    calendar, _ = tenant_calendar(moment)
    return through_day(calendar, moment)


def _appeal_out(appeal):
    if appeal is None:
        return None
    appeal.reply_due_through = _through(appeal.reply_due_at)
    appeal.overdue = appeal.state == "open" and appeal.reply_due_at <= utcnow()
    return appeal


def _slip_out(slip):
    slip.witnesses = slips.witnesses_of(slip.id)
    slip.witnesses_needed = str(slips_rules.witness_threshold(stf_policy(slip.issued_at).values["slip"]))
    slip.appeal_window_through = _through(slip.appeal_window_ends_at)
    slip.appeal = _appeal_out(appeals.appeal_of(slip.id))
    return slip


def _may_see_slip(slip) -> None:
    """The employee, managers, and witnesses (anyone may read a refused slip to witness it)."""
    if slip.user_id == g.user.id or _is_manager() or slip.state == "refused":
        return
    if any(w.user_id == g.user.id for w in slips.witnesses_of(slip.id)):
        return
    abort(403, description=f"needs role: {' or '.join(LEDGER_MANAGERS)} to see another employee's slip")


def _may_see_user(user_id) -> None:
    if user_id != g.user.id and not _is_manager():
        abort(403, description=f"needs role: {' or '.join(LEDGER_MANAGERS)} to see another employee's slips")


def _may_read_publications() -> None:
    roles = (*LEDGER_MANAGERS, *slips_publication.hr_roles())
    if not g.user.has_role(*roles):
        abort(403, description=f"needs role: {' or '.join(roles)}")


# ------------------------------------------------------------------------------------ STF-20/22

@blp.route("/slips")
class Slips(MethodView):
    @blp.arguments(SlipQuerySchema, location="query")
    @blp.response(200, SlipSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Penalty slips, newest first; your own unless you manage."""
        if "user_id" not in args and not _is_manager():
            args["user_id"] = g.user.id
        if "user_id" in args:
            _may_see_user(args["user_id"])
        return [_slip_out(slip) for slip in page_of(slips.slips(**args), pagination_parameters)]

    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(SlipIssueSchema)
    @blp.response(201, SlipSchema)
    def post(self, data):
        """Issue the slip of an approved penalty (STF-20); the appeal window starts (STF-21)."""
        slip = slips.issue(data.pop("staff_entry_id"), by=g.user.id, **data)
        db.session.commit()
        return _slip_out(slip)


@blp.route("/slips/<int:slip_id>")
class SlipItem(MethodView):
    @blp.response(200, SlipSchema)
    def get(self, slip_id):
        """A slip with its witnesses and appeal."""
        slip = slips.get_slip(slip_id)
        _may_see_slip(slip)
        return _slip_out(slip)


@blp.route("/slips/<int:slip_id>/sign")
class SlipSign(MethodView):
    @blp.arguments(SlipSignSchema)
    @blp.response(200, SlipSchema)
    def post(self, data, slip_id):
        """The employee signs: receipt, not agreement; the slip takes effect (STF-20)."""
        slip = slips.sign(slip_id, by=g.user.id, **data)
        db.session.commit()
        return _slip_out(slip)


@blp.route("/slips/<int:slip_id>/refusal")
class SlipRefusal(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(SlipRefusalSchema)
    @blp.response(200, SlipSchema)
    def post(self, data, slip_id):
        """Record the employee's refusal to sign (STF-20); with evidence and bad attitude, the STF-22 flag."""
        slip = slips.refuse(slip_id, by=g.user.id, **data)
        db.session.commit()
        return _slip_out(slip)


@blp.route("/slips/<int:slip_id>/witnesses")
class SlipWitnesses(MethodView):
    @blp.arguments(SlipWitnessInSchema)
    @blp.response(201, SlipSchema)
    def post(self, data, slip_id):
        """A witness signs a refused slip; it takes effect at the signature that reaches the number needed."""
        slips.witness(slip_id, by=g.user.id, may_record_others=_is_manager(), **data)
        db.session.commit()
        return _slip_out(slips.get_slip(slip_id))


# ------------------------------------------------------------------------------------ STF-21

@blp.route("/slips/<int:slip_id>/appeal")
class SlipAppealItem(MethodView):
    @blp.arguments(SlipAppealInSchema)
    @blp.response(201, SlipAppealSchema)
    def post(self, data, slip_id):
        """Appeal in writing within the window from the issue (the slip is still signed)."""
        appeal = appeals.file(slip_id, by=g.user.id, on_behalf=_is_manager(), **data)
        db.session.commit()
        return _appeal_out(appeal)


@blp.route("/slips/<int:slip_id>/appeal/reply")
class SlipAppealReply(MethodView):
    @require_roles(*LEDGER_MANAGERS, admin_scope=False)
    @blp.arguments(SlipReplyInSchema)
    @blp.response(200, SlipAppealSchema)
    def post(self, data, slip_id):
        """The written reply: upheld, modified (new amount; partial reversal) or revoked (full reversal)."""
        appeal = appeals.reply(slip_id, by=g.user.id, **data)
        db.session.commit()
        return _appeal_out(appeal)


@blp.route("/appeals")
class Appeals(MethodView):
    @blp.arguments(AppealQuerySchema, location="query")
    @blp.response(200, SlipAppealSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Appeals, the earliest reply due first; your own unless you manage."""
        if "user_id" not in args and not _is_manager():
            args["user_id"] = g.user.id
        if "user_id" in args:
            _may_see_user(args["user_id"])
        overdue_at = utcnow() if args.pop("overdue", False) else None
        stmt = appeals.appeals(overdue_at=overdue_at, **args)
        return [_appeal_out(appeal) for appeal in page_of(stmt, pagination_parameters)]


# ------------------------------------------------------------------------------------ STF-23

@blp.route("/penalty-publications")
class PenaltyPublications(MethodView):
    @blp.response(200, PenaltyPublicationBriefSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The monthly lists of approved penalties published to HR, newest month first."""
        _may_read_publications()
        return page_of(slips_publication.publications(), pagination_parameters)


@blp.route("/penalty-publications/<int:publication_id>")
class PenaltyPublicationItem(MethodView):
    @blp.response(200, PenaltyPublicationSchema)
    def get(self, publication_id):
        """One month's list, as published."""
        publication = slips_publication.get_publication(publication_id)
        _may_read_publications()
        return publication


@blp.route("/penalty-publications/<int:publication_id>/csv")
class PenaltyPublicationCsv(MethodView):
    @blp.response(200, description="text/csv, UTF-8 with BOM")
    def get(self, publication_id):
        """One month's list as CSV for Excel (UTF-8 with BOM)."""
        publication = slips_publication.get_publication(publication_id)
        _may_read_publications()
        return Response(slips_publication.csv_for(publication), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="penalties-{publication.month:%Y-%m}.csv"'})
