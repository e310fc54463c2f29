"""Confidentiality, archive lending and retention of customer records (CUS-07, CUS-70..75).

- ``PUT/GET /customers/<id>/confidentiality`` — level, custodian, designated viewers, secrecy period
  (CUS-71; managers of ``cus.secrecy.managers``). ``GET /customers/<id>/views`` — the access log
  (CUS-70). ``GET /customers/<id>/download`` — the record as CSV (refused under a view-only grant,
  CUS-72; needs an export request when the tenant requires approval, CUS-74).
- ``/view-requests`` — viewing requests: create, endorse, approve, reject (CUS-72).
- ``/loans`` — archive lending: register, approve, reject, return, lost; ``/loan-bans`` (CUS-73).
- ``/customer-exports`` — export requests, approvals and the CSV file (CUS-74).
- ``/leak-reports``, ``/archive-inspections`` (CUS-75); ``/retention-queue`` (CUS-07).
"""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from core.customers import service as customers
from core.customers.confidentiality import custody, exports, lending, secrecy, viewing
from core.customers.confidentiality.access import cus_values
from core.customers.confidentiality.models import (
    ArchiveInspection,
    ArchiveLoan,
    CustomerExport,
    CustomerView,
    LeakReport,
    LoanBan,
    RetentionEntry,
)
from core.customers.confidentiality.settings import EXPORT_KINDS, LEVELS
from core.customers.confidentiality.viewer import Viewer, request_viewer, unrestricted
from core.db import db
from core.errors import Forbidden, NotFound
from web.api.auth import require_roles
from web.api.pagination import page_of

PREFIX = ""
blp = Blueprint("customer_confidentiality", __name__,
                description="Confidentiality, viewing requests, archive lending, exports, leaks, retention "
                            "(CUS-07, CUS-70..75)")

OVERSEERS = ("tenant_admin", "gm")
LOAN_MANAGERS = ("tenant_admin", "gm", "assistant", "dept_manager", "sales_manager", "supervisor", "cs_manager")
CUSTODY_ROLES = ("tenant_admin", "gm", "cs_manager", "info_supervisor", "assistant")


def _viewer() -> Viewer:
    return request_viewer() or Viewer.of(g.user)


def _managers() -> list[str]:
    return cus_values(_viewer())["secrecy"]["managers"]


def _text(max_len: int, required: bool = True, **kw):
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_len), **kw)


# ------------------------------------------------------------------------------------ CUS-71

class ClassificationInSchema(Schema):
    level = fields.String(validate=validate.OneOf(LEVELS), load_default=None,
                          metadata={"description": "normal | confidential (秘密) | secret (机密) | top_secret (绝密); "
                                                   "default cus.secrecy.default_level"})
    custodian_id = fields.Integer(allow_none=True, load_default=None)
    viewer_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=200))
    secret_until = fields.Date(allow_none=True, load_default=None,
                               metadata={"description": "last day of the secrecy period (through)"})
    reason = _text(500)


class ClassificationSchema(Schema):
    customer_id = fields.Integer()
    level = fields.String()
    custodian_id = fields.Integer(allow_none=True)
    viewer_ids = fields.List(fields.Integer())
    secret_until = fields.Date(allow_none=True)
    extensions = fields.Integer()
    decision_id = fields.Integer(allow_none=True)


def _classified_customer(customer_id: int):
    """Managers name levels even of customers they cannot see; others must see the customer."""
    if g.user.has_role(*_managers()):
        with unrestricted("a secrecy manager classifies any customer of the tenant"):
            return customers.get_customer(customer_id)
    return customers.get_customer(customer_id)


@blp.route("/customers/<int:customer_id>/confidentiality")
class Confidentiality(MethodView):
    @blp.response(200, ClassificationSchema)
    def get(self, customer_id):
        """The customer's level, custodian, viewers and secrecy period (CUS-71)."""
        _classified_customer(customer_id)
        return secrecy.summary(customer_id)

    @blp.arguments(ClassificationInSchema)
    @blp.response(200, ClassificationSchema)
    def put(self, data, customer_id):
        """Set the level (a manual CUS-71 decision); above normal needs a custodian and viewers."""
        _classified_customer(customer_id)
        if not g.user.has_role(*_managers()):
            raise Forbidden(f"needs role: {' or '.join(_managers())}")
        result = secrecy.classify(customer_id, decided_by=g.user.id, **data)
        db.session.commit()
        return result


class ViewLogSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    action = fields.String(metadata={"description": "view | download | export"})
    basis = fields.String(metadata={"description": "owner, creator, department, role, custodian, designated, grant"})
    unmasked = fields.Boolean()
    grant_id = fields.Integer(allow_none=True)
    export_id = fields.Integer(allow_none=True)


@blp.route("/customers/<int:customer_id>/views")
class CustomerViews(MethodView):
    @blp.response(200, ViewLogSchema(many=True))
    @blp.paginate()
    def get(self, customer_id, pagination_parameters):
        """Who viewed, downloaded or exported the full record (CUS-70), newest first."""
        _classified_customer(customer_id)
        if not g.user.has_role(*_managers()):
            raise Forbidden(f"needs role: {' or '.join(_managers())}")
        stmt = select(CustomerView).where(CustomerView.customer_id == customer_id).order_by(CustomerView.id.desc())
        return page_of(stmt, pagination_parameters)


@blp.route("/customers/<int:customer_id>/download")
class CustomerDownload(MethodView):
    @blp.response(200, description="text/csv, UTF-8 with BOM")
    def get(self, customer_id):
        """The record as CSV (CUS-74): 403 under a view-only grant (CUS-72); logged."""
        customer = customers.get_customer(customer_id)
        data = exports.single_download(customer, _viewer())
        db.session.commit()
        return Response(data, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="customer-{customer_id}.csv"'})


# ------------------------------------------------------------------------------------ CUS-72

class ViewRequestInSchema(Schema):
    customer_id = fields.Integer(required=True)
    purpose = _text(500)
    reason = _text(5000)
    external_name = fields.String(allow_none=True, validate=validate.Length(max=200),
                                  metadata={"description": "an outside viewer, registered"})
    external_document = fields.String(allow_none=True, validate=validate.Length(max=200),
                                      metadata={"description": "introduction letter or ID of the outside viewer"})


class ViewRequestSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer()
    requester_id = fields.Integer()
    purpose = fields.String()
    reason = fields.String()
    case = fields.String(metadata={"description": "own | other | classified"})
    approver_role = fields.String()
    external_name = fields.String(allow_none=True)
    external_document = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending_endorsement | pending_approval | approved | rejected"})
    endorser_id = fields.Integer(allow_none=True)
    endorsed_by = fields.Integer(allow_none=True)
    endorsed_at = fields.DateTime(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    view_only = fields.Boolean()
    grant_from = fields.DateTime(allow_none=True)
    grant_until = fields.DateTime(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class NoteSchema(Schema):
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))


def _view_request(request_id: int):
    found = db.session.scalars(viewing.visible_requests(g.user).where(
        viewing.ViewRequest.id == request_id)).first()
    if found is None:
        raise NotFound("viewing request not found")
    return found


@blp.route("/view-requests")
class ViewRequests(MethodView):
    @blp.response(200, ViewRequestSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Requests I made, must endorse or may approve (all for tenant admins and gm)."""
        return page_of(viewing.visible_requests(g.user), pagination_parameters)

    @blp.arguments(ViewRequestInSchema)
    @blp.response(201, ViewRequestSchema)
    def post(self, data):
        """Ask to view a customer's archive (CUS-72)."""
        request = viewing.create(data.pop("customer_id"), g.user, **data)
        db.session.commit()
        return request


@blp.route("/view-requests/<int:request_id>")
class ViewRequestItem(MethodView):
    @blp.response(200, ViewRequestSchema)
    def get(self, request_id):
        """One viewing request."""
        return _view_request(request_id)


@blp.route("/view-requests/<int:request_id>/endorse")
class ViewRequestEndorse(MethodView):
    @blp.response(200, ViewRequestSchema)
    def post(self, request_id):
        """Endorsement by the head of the requester's department."""
        request = viewing.endorse(_view_request(request_id), g.user)
        db.session.commit()
        return request


@blp.route("/view-requests/<int:request_id>/approve")
class ViewRequestApprove(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, ViewRequestSchema)
    def post(self, data, request_id):
        """Approve: the requester may view the customer until ``grant_until`` (view-only by default)."""
        request = viewing.decide(_view_request(request_id), g.user, approve=True, note=data["note"])
        db.session.commit()
        return request


@blp.route("/view-requests/<int:request_id>/reject")
class ViewRequestReject(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, ViewRequestSchema)
    def post(self, data, request_id):
        """Reject the request."""
        request = viewing.decide(_view_request(request_id), g.user, approve=False, note=data["note"])
        db.session.commit()
        return request


# ------------------------------------------------------------------------------------ CUS-73

class LoanInSchema(Schema):
    material = _text(300, metadata={"description": "what is borrowed (档案/资料名称)"})
    copies = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    reason = _text(500)
    signature = _text(200, metadata={"description": "the borrower's signature (name as signed)"})
    customer_id = fields.Integer(allow_none=True, load_default=None,
                                 metadata={"description": "the customer whose file it is (must be visible)"})


class LoanSchema(Schema):
    id = fields.Integer()
    customer_id = fields.Integer(allow_none=True)
    material = fields.String()
    copies = fields.Integer()
    reason = fields.String()
    borrower_id = fields.Integer()
    borrower_signature = fields.String()
    status = fields.String(metadata={"description": "pending | out | returned | lost | rejected"})
    steps = fields.List(fields.String())
    borrowed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    due_through = fields.Date(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    lost_at = fields.DateTime(allow_none=True)
    late_fine = fields.Decimal(as_string=True, allow_none=True)
    loss_fine = fields.Decimal(as_string=True, allow_none=True)
    late_decision_id = fields.Integer(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class LoanApproveSchema(Schema):
    borrowed_at = fields.AwareDateTime(load_default=None, metadata={"description": "handed out at; default now"})


class LoanReturnSchema(Schema):
    returned_at = fields.AwareDateTime(load_default=None, metadata={"description": "default now"})


class LoanLostSchema(Schema):
    at = fields.AwareDateTime(load_default=None)


class BanSchema(Schema):
    user_id = fields.Integer()
    since = fields.DateTime()
    loan_id = fields.Integer(allow_none=True)
    reason = fields.String()
    decision_id = fields.Integer(allow_none=True)


def _loan(loan_id: int) -> ArchiveLoan:
    loan = lending.get_loan(loan_id)
    if loan.borrower_id != g.user.id and not g.user.has_role(*LOAN_MANAGERS):
        raise NotFound("loan not found")
    return loan


@blp.route("/loans")
class Loans(MethodView):
    @blp.response(200, LoanSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Loans, newest first: my own, or all for approvers and managers."""
        stmt = select(ArchiveLoan).order_by(ArchiveLoan.id.desc())
        if not g.user.has_role(*LOAN_MANAGERS):
            stmt = stmt.where(ArchiveLoan.borrower_id == g.user.id)
        return page_of(stmt, pagination_parameters)

    @blp.arguments(LoanInSchema)
    @blp.response(201, LoanSchema)
    @blp.alt_response(409, description="the borrower is banned from borrowing (CUS-73)")
    def post(self, data):
        """Register a loan for approval (CUS-73)."""
        if data["customer_id"] is not None:
            customers.get_customer(data["customer_id"])
        loan = lending.register(borrower_id=g.user.id, material=data["material"], copies=data["copies"],
                                reason=data["reason"], signature=data["signature"], customer_id=data["customer_id"])
        db.session.commit()
        return loan


@blp.route("/loans/<int:loan_id>")
class LoanItem(MethodView):
    @blp.response(200, LoanSchema)
    def get(self, loan_id):
        """One loan."""
        return _loan(loan_id)


@blp.route("/loans/<int:loan_id>/approve")
class LoanApprove(MethodView):
    @blp.arguments(LoanApproveSchema)
    @blp.response(200, LoanSchema)
    def post(self, data, loan_id):
        """Approve one step; the last one hands the loan out and fixes its due date."""
        loan = lending.approve(_loan(loan_id), g.user, borrowed_at=data["borrowed_at"])
        db.session.commit()
        return loan


@blp.route("/loans/<int:loan_id>/reject")
class LoanReject(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, LoanSchema)
    def post(self, data, loan_id):
        """Refuse the loan."""
        loan = lending.reject(_loan(loan_id), g.user, data["note"])
        db.session.commit()
        return loan


@blp.route("/loans/<int:loan_id>/return")
class LoanReturn(MethodView):
    @blp.arguments(LoanReturnSchema)
    @blp.response(200, LoanSchema)
    def post(self, data, loan_id):
        """Record the return (by the borrower's approvers or managers); late → fine and ban per policy."""
        loan = _loan(loan_id)
        if not g.user.has_role(*LOAN_MANAGERS):
            raise Forbidden(f"needs role: {' or '.join(LOAN_MANAGERS)}")
        lending.give_back(loan, at=data["returned_at"])
        db.session.commit()
        return loan


@blp.route("/loans/<int:loan_id>/lost")
class LoanLost(MethodView):
    @blp.arguments(LoanLostSchema)
    @blp.response(200, LoanSchema)
    def post(self, data, loan_id):
        """The file was lost or damaged: loss fine and ban per policy."""
        loan = _loan(loan_id)
        if not g.user.has_role(*LOAN_MANAGERS):
            raise Forbidden(f"needs role: {' or '.join(LOAN_MANAGERS)}")
        lending.report_lost(loan, at=data["at"])
        db.session.commit()
        return loan


@blp.route("/loan-bans")
class LoanBans(MethodView):
    @require_roles(*LOAN_MANAGERS)
    @blp.response(200, BanSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Borrowers banned from borrowing."""
        return page_of(select(LoanBan).order_by(LoanBan.since.desc()), pagination_parameters)


@blp.route("/loan-bans/<int:user_id>")
class LoanBanItem(MethodView):
    @blp.response(204)
    def delete(self, user_id):
        """Lift a ban (tenant admin or gm)."""
        if lending.ban_of(user_id) is None:
            raise NotFound("no ban for this user")
        if not g.user.has_role(*OVERSEERS):
            raise Forbidden(f"needs role: {' or '.join(OVERSEERS)}")
        lending.lift_ban(user_id)
        db.session.commit()


# ------------------------------------------------------------------------------------ CUS-74

class ExportInSchema(Schema):
    kind = fields.String(load_default="ordinary", validate=validate.OneOf(EXPORT_KINDS))
    purpose = _text(500)
    recipient = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    customer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=5000))


class ExportApprovalSchema(Schema):
    user_id = fields.Integer()
    roles = fields.List(fields.String())
    approved = fields.Boolean()
    note = fields.String(allow_none=True)
    at = fields.DateTime()


class ExportSchema(Schema):
    id = fields.Integer()
    requester_id = fields.Integer()
    purpose = fields.String()
    kind = fields.String()
    recipient = fields.String(allow_none=True)
    customer_ids = fields.List(fields.Integer())
    level = fields.String(metadata={"description": "the highest level of its customers (CUS-71)"})
    steps = fields.List(fields.String(), metadata={"description": "approval steps, each 'role|role'"})
    missing = fields.List(fields.String())
    approvals = fields.List(fields.Nested(ExportApprovalSchema))
    status = fields.String(metadata={"description": "pending | approved | rejected | done"})
    decision_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)


def _export_out(export: CustomerExport) -> CustomerExport:
    export.missing = exports.missing_steps(export) if export.status == "pending" else []
    export.approvals = exports.approvals(export)
    return export


@blp.route("/customer-exports")
class Exports(MethodView):
    @blp.response(200, ExportSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """My export requests and those waiting for my approval (all for tenant admins and gm)."""
        stmt = select(CustomerExport).order_by(CustomerExport.id.desc())
        if not g.user.has_role(*OVERSEERS):
            pending = db.session.scalars(select(CustomerExport).where(CustomerExport.status == "pending"))
            mine = [e.id for e in pending if g.user.has_role(*exports.approver_roles(e))]
            stmt = stmt.where(or_(CustomerExport.requester_id == g.user.id, CustomerExport.id.in_(mine)))
        return [_export_out(e) for e in page_of(stmt, pagination_parameters)]

    @blp.arguments(ExportInSchema)
    @blp.response(201, ExportSchema)
    def post(self, data):
        """Request an export (CUS-74); approved at once when no approval is required."""
        export = exports.create(g.user, _viewer(), **data)
        db.session.commit()
        return _export_out(export)


@blp.route("/customer-exports/<int:export_id>")
class ExportItem(MethodView):
    @blp.response(200, ExportSchema)
    def get(self, export_id):
        """One export request with its approvals."""
        return _export_out(exports.get_export(export_id, g.user))


@blp.route("/customer-exports/<int:export_id>/approve")
class ExportApprove(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, ExportSchema)
    def post(self, data, export_id):
        """Approve one step (one approver per step)."""
        export = exports.decide(exports.get_export(export_id, g.user), g.user, approve=True, note=data["note"])
        db.session.commit()
        return _export_out(export)


@blp.route("/customer-exports/<int:export_id>/reject")
class ExportReject(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, ExportSchema)
    def post(self, data, export_id):
        """Refuse the export."""
        export = exports.decide(exports.get_export(export_id, g.user), g.user, approve=False, note=data["note"])
        db.session.commit()
        return _export_out(export)


@blp.route("/customer-exports/<int:export_id>/file")
class ExportFile(MethodView):
    @blp.response(200, description="text/csv, UTF-8 with BOM")
    def get(self, export_id):
        """The CSV of an approved export, for its requester (409 while approvals are missing)."""
        export = exports.get_export(export_id, g.user)
        data = exports.produce(export, g.user, _viewer())
        db.session.commit()
        return Response(data, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="export-{export_id}.csv"'})


# ------------------------------------------------------------------------------------ CUS-75

class LeakInSchema(Schema):
    description = _text(10000)
    customer_id = fields.Integer(allow_none=True, load_default=None)
    occurred_at = fields.AwareDateTime(allow_none=True, load_default=None)


class LeakActionInSchema(Schema):
    text = _text(2000)
    close = fields.Boolean(load_default=False)


class LeakActionSchema(Schema):
    at = fields.String()
    by = fields.Integer(allow_none=True)
    text = fields.String()


class LeakSchema(Schema):
    id = fields.Integer()
    reporter_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    description = fields.String()
    occurred_at = fields.DateTime(allow_none=True)
    status = fields.String()
    actions = fields.List(fields.Nested(LeakActionSchema))
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


def _leak_roles() -> tuple[str, ...]:
    return tuple(set(CUSTODY_ROLES) | set(cus_values(_viewer())["leak"]["notify"]))


def _leak(report_id: int) -> LeakReport:
    report = custody.get_leak(report_id)
    if report.reporter_id != g.user.id and not g.user.has_role(*_leak_roles()):
        raise NotFound("leak report not found")
    return report


@blp.route("/leak-reports")
class LeakReports(MethodView):
    @blp.response(200, LeakSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Leak reports: mine, or all for the information supervisor, CS manager and managers."""
        stmt = select(LeakReport).order_by(LeakReport.id.desc())
        if not g.user.has_role(*_leak_roles()):
            stmt = stmt.where(LeakReport.reporter_id == g.user.id)
        return page_of(stmt, pagination_parameters)

    @blp.arguments(LeakInSchema)
    @blp.response(201, LeakSchema)
    def post(self, data):
        """Report a (suspected) leak: the information supervisor and CS manager are told at once."""
        if data["customer_id"] is not None:
            with unrestricted("a leak report may name any customer of the tenant"):
                customers.get_customer(data["customer_id"])
        report = custody.report_leak(g.user.id, **data)
        db.session.commit()
        return report


@blp.route("/leak-reports/<int:report_id>")
class LeakItem(MethodView):
    @blp.response(200, LeakSchema)
    def get(self, report_id):
        """One leak report with its remedial actions."""
        return _leak(report_id)


@blp.route("/leak-reports/<int:report_id>/actions")
class LeakActions(MethodView):
    @blp.arguments(LeakActionInSchema)
    @blp.response(200, LeakSchema)
    def post(self, data, report_id):
        """Record a remedial action (``close``: the last one)."""
        report = _leak(report_id)
        if not g.user.has_role(*_leak_roles()):
            raise Forbidden("needs role: " + " or ".join(sorted(_leak_roles())))
        custody.add_action(report, g.user.id, data["text"], close=data["close"])
        db.session.commit()
        return report


class InspectionSchema(Schema):
    id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date(metadata={"description": "due through this day"})
    due_at = fields.DateTime()
    status = fields.String()
    findings = fields.String(allow_none=True)
    done_by = fields.Integer(allow_none=True)
    done_at = fields.DateTime(allow_none=True)


class InspectionDoneSchema(Schema):
    findings = _text(20000)


@blp.route("/archive-inspections")
class Inspections(MethodView):
    @require_roles(*CUSTODY_ROLES)
    @blp.response(200, InspectionSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Custody inspection tasks (CUS-75), newest period first."""
        return page_of(select(ArchiveInspection).order_by(ArchiveInspection.period_start.desc()),
                       pagination_parameters)


@blp.route("/archive-inspections/<int:inspection_id>/complete")
class InspectionDone(MethodView):
    @blp.arguments(InspectionDoneSchema)
    @blp.response(200, InspectionSchema)
    def post(self, data, inspection_id):
        """Record the findings; the task is done."""
        task = custody.get_inspection(inspection_id)
        if not g.user.has_role(*CUSTODY_ROLES):
            raise Forbidden(f"needs role: {' or '.join(CUSTODY_ROLES)}")
        custody.complete_inspection(task, g.user.id, data["findings"])
        db.session.commit()
        return task


# ------------------------------------------------------------------------------------ CUS-07

class RetentionSchema(Schema):
    id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.Integer()
    retention_class = fields.String()
    last_activity_at = fields.DateTime()
    kept_through = fields.Date()
    status = fields.String(metadata={"description": "queued | destroyed | kept"})
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)


@blp.route("/retention-queue")
class RetentionQueue(MethodView):
    @require_roles(*CUSTODY_ROLES)
    @blp.response(200, RetentionSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Records past their retention, waiting for a destruction decision (CUS-07)."""
        return page_of(select(RetentionEntry).order_by(RetentionEntry.id.desc()), pagination_parameters)


@blp.route("/retention-queue/<int:queue_entry_id>/destroy")
class RetentionDestroy(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, RetentionSchema)
    def post(self, data, queue_entry_id):
        """Destroy the record (personal data erased; logged with approver and time)."""
        entry = custody.decide_destruction(custody.get_entry(queue_entry_id), g.user, destroy=True, note=data["note"])
        db.session.commit()
        return entry


@blp.route("/retention-queue/<int:queue_entry_id>/keep")
class RetentionKeep(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(200, RetentionSchema)
    def post(self, data, queue_entry_id):
        """Keep the record (it is not queued again for the same expiry)."""
        entry = custody.decide_destruction(custody.get_entry(queue_entry_id), g.user, destroy=False, note=data["note"])
        db.session.commit()
        return entry
