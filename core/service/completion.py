"""Completing a work order (SVC-11, SVC-12) and sending it back for rework (SVC-02 ``rework``).

:func:`complete` takes an order that may be completed now (on site; a remote type once dispatched):

1. SVC-11 — the type's completion checks (``WorkOrderType.completion_checks``, e.g. the safety test
   of a meter installation): a check without a result is refused (409 naming it); a result not in the
   check's ``passing`` keeps the order where it is (409, :class:`StaysOnSite`: the result is kept on
   the order as a ``checks_failed`` step and a decision SVC-11, see :func:`record_failed_checks`). A
   manager (:data:`FORCERS`) may force the close with a reason: the decision SVC-11 records who, why
   and the checks skipped or failed (it feeds the penalty tiers of UTL-41).
2. SVC-12 — an on-site type completes only with the feedback form signed by the customer (409 without
   it or without the signature); a signed form needs the result, the signatory and, when
   ``svc.feedback.photo_required`` (default true), the photo of the signed form: an attachment of this
   order (kind photo, signed_form or scan) checked by ``core.attachments.service.require`` (422 naming
   ``feedback.photo_attachment_id``). The form goes
   to the customer-relations team (holders of :data:`FEEDBACK_TEAM`, notification ``svc.feedback_received``,
   decision SVC-12).
3. :func:`core.service.orders.move` to ``completed`` with the completion ``data``: plugins may still
   veto (SVC-02, e.g. a meter installation without ``data.seal_photo``).

None of these commits; the API step does.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.people import People
from core.customers.fact_time import fact_time
from core.db import db
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput
from core.notifications.service import notify
from core.service import field_rules, order_types, orders, states
from core.service.field_models import WorkOrderFeedback
from core.service.models import WorkOrder, WorkOrderEvent

SUBJECT = orders.SUBJECT
#: who may force a close past missing or failed checks (SVC-11: "a manager")
FORCERS = ("dept_manager", "cs_manager", "gm", "vp", "tenant_admin")
#: the customer-relations team the feedback form goes to (SVC-12; they do the return visit, SVC-14)
FEEDBACK_TEAM = ("cs_manager", "cs_supervisor")
#: the attachment kinds the photo of the signed form may be (an attachment of the order itself)
PHOTO_KINDS = ("photo", "signed_form", "scan")


class StaysOnSite(Conflict):
    """A completion check did not pass (SVC-11): the order stays where it is; the result is kept by
    :func:`record_failed_checks` once the step's transaction is rolled back."""

    def __init__(self, order: WorkOrder, outcome: field_rules.CheckOutcome, results: dict, at: dt.datetime):
        failed = ", ".join(f"{k}={v}" for k, v in outcome.failed.items())
        super().__init__(f"a completion check did not pass ({failed}): the order stays {order.status}",
                         reason_zh=f"完工检查未通过（{failed}），工单保持{states.STATE_LABELS[order.status][0]}",
                         rule_id="SVC-11", failed=dict(outcome.failed), stays=order.status)
        self.order_id, self.outcome, self.results, self.at = order.id, outcome, dict(results), at


def _check_time(order: WorkOrder, at: dt.datetime, field: str = "at") -> None:
    started = order.on_site_at or order.dispatched_at
    if started is not None and at < started:
        raise InvalidInput("invalid time", fields={field: ["before the order was on site (or dispatched)"]})


def complete(order: WorkOrder, *, by: int | None, at: dt.datetime | None = None, checks: dict | None = None,
             feedback: dict | None = None, data: dict | None = None, note: str | None = None, force: bool = False,
             reason: str | None = None, may_force: bool = False) -> WorkOrderEvent:
    """Complete ``order`` (see the module doc). ``may_force``: the caller is a manager (:data:`FORCERS`)."""
    at = fact_time(at, "at")
    orders.require_move(order, "completed")  # SVC-02 first
    _check_time(order, at)
    types = order_types.tenant_types()
    wo_type = types.get(order.type)
    view = orders.order_policy(order)
    reason = (reason or "").strip() or None
    if force and not may_force:
        raise Forbidden("only a manager may force a close past the completion checks (SVC-11)", rule_id="SVC-11")
    if force and reason is None:
        raise InvalidInput("a reason is required", fields={"reason": ["say why the close is forced (SVC-11)"]})
    declared = wo_type.completion_checks if wo_type else ()
    outcome = field_rules.judge_checks(declared, checks)
    if not outcome.ok and not force:
        if outcome.missing:
            names = ", ".join(outcome.missing)
            raise Conflict(f"the completion checks are missing: {names}", rule_id="SVC-11",
                           reason_zh=f"缺少完工检查：{'、'.join(_labels_zh(declared, outcome.missing))}",
                           missing=list(outcome.missing))
        raise StaysOnSite(order, outcome, checks or {}, at)
    on_site = order_types.is_on_site(order.type, types)
    if on_site:
        problem = field_rules.feedback_problem(feedback, photo_required=view.values["feedback"]["photo_required"])
        if problem is not None and problem.status == 409:
            raise Conflict(problem.reason_en, reason_zh=problem.reason_zh, rule_id="SVC-12")
        if problem is not None:
            raise InvalidInput(problem.reason_en, fields=problem.fields, rule_id="SVC-12")
    if feedback and feedback.get("photo_attachment_id"):
        from core.attachments import service as attachments

        attachments.require(feedback["photo_attachment_id"], field="feedback.photo_attachment_id",
                            subject_type=SUBJECT, subject_id=order.id, kinds=PHOTO_KINDS)
    _check_duty_evidence(order, checks, data, forced=force)
    event = orders.move(order, "completed", by=by, at=at, data=data, note=note)
    if declared:
        _decide_checks(order, declared, outcome, checks or {}, by=by, view=view, forced=force and not outcome.ok,
                       reason=reason, event=event)
    if feedback:
        _receive_feedback(order, feedback, by=by, at=at, view=view)
    _after_completion(order, at, on_site=on_site, feedback=bool(feedback), by=by)
    return event


def _check_duty_evidence(order: WorkOrder, checks: dict | None, data: dict | None, *, forced: bool) -> None:
    """SVC-30: an order a recurring duty generated carries the evidence the duty requires (a water-tank
    cleaning its sample test); 409 naming what is missing, unless a manager forces the close."""
    from core.service.duties import completion_errors

    errors = completion_errors(order, {**(data or {}), "checks": checks or {}})
    if errors and not forced:
        raise Conflict("the duty's evidence is missing", fields=errors, rule_id="SVC-30",
                       reason_zh="缺少定期任务要求的完工凭证（如水样检测结果）")


def _after_completion(order: WorkOrder, at: dt.datetime, *, on_site: bool, feedback: bool, by: int | None) -> None:
    """What completion starts elsewhere: the return visit (SVC-14: on the signed form, or on completion of
    a remote order) and the service period of contracts waiting for this installation (SVC-20)."""
    from core.service import contracts, return_visits

    if on_site and feedback:
        return_visits.on_feedback(order, at)
    elif not on_site:
        return_visits.on_completed_remote(order, at)
    contracts.on_installation_completed(order, by=by)


def _labels_zh(declared, names) -> list[str]:
    labels = {c.name: c.label_zh for c in declared}
    return [labels.get(n, n) for n in names]


def _decide_checks(order, declared, outcome, results, *, by, view, forced, reason, event) -> None:
    facts = {"type": order.type, "required": [c.name for c in declared], "results": results}
    if forced:
        skipped = _labels_zh(declared, outcome.missing)
        failed_zh = "、".join(f"{k}={v}" for k, v in outcome.failed.items())
        decision = decisions.record(
            "SVC-11", SUBJECT, order.id, policy=view, decided_by=by, facts=facts,
            outcome={"forced": True, "missing": list(outcome.missing), "failed": dict(outcome.failed),
                     "passed": dict(outcome.passed), "assignee_id": order.assignee_id, "forced_by": by,
                     "reason": reason},
            reason_zh=f"工单{order.number}经理强制完工（{reason}）："
                      + "；".join(p for p in (f"未做{'、'.join(skipped)}" if skipped else "",
                                              f"未通过{failed_zh}" if failed_zh else "") if p),
            reason_en=f"order {order.number} closed by a manager past its completion checks ({reason}): "
                      + "; ".join(p for p in (f"missing {', '.join(outcome.missing)}" if outcome.missing else "",
                                              "failed " + ", ".join(f"{k}={v}" for k, v in outcome.failed.items())
                                              if outcome.failed else "") if p))
    else:
        decision = decisions.record(
            "SVC-11", SUBJECT, order.id, policy=view, facts=facts, outcome={"passed": dict(outcome.passed)},
            reason_zh=f"工单{order.number}完工检查通过：{'、'.join(_labels_zh(declared, outcome.passed))}",
            reason_en=f"order {order.number} passed its completion checks: {', '.join(outcome.passed)}")
    event.decision_id = event.decision_id or decision.id


def record_failed_checks(error: StaysOnSite, *, by: int | None) -> None:
    """Keep a failed check on the order (SVC-11) in a transaction of its own (the step's was rolled
    back): a decision and a ``checks_failed`` step of its history."""
    order = orders.get_order(error.order_id)
    failed = error.outcome.failed
    decision = decisions.record(
        "SVC-11", SUBJECT, order.id, policy=orders.order_policy(order), decided_by=None,
        facts={"type": order.type, "results": error.results},
        outcome={"stays": order.status, "failed": dict(failed)},
        reason_zh=f"工单{order.number}完工检查未通过（{'、'.join(f'{k}={v}' for k, v in failed.items())}），"
                  f"不能完工，保持{states.STATE_LABELS[order.status][0]}",
        reason_en=f"order {order.number} failed its completion checks "
                  f"({', '.join(f'{k}={v}' for k, v in failed.items())}): it stays {order.status}")
    orders.log_event(order, "checks_failed", by=by, at=error.at, decision_id=decision.id,
                     note="、".join(f"{k}={v}" for k, v in failed.items()),
                     data={"results": error.results, "failed": dict(failed)})


def _receive_feedback(order: WorkOrder, feedback: dict, *, by, at, view) -> WorkOrderFeedback:
    """Keep the feedback form and send it to the customer-relations team (SVC-12)."""
    form = WorkOrderFeedback(
        order_id=order.id, result=(feedback.get("result") or "").strip() or None,
        opinion=(feedback.get("opinion") or "").strip() or None,
        signatory=(feedback.get("signatory") or "").strip() or None, signed=bool(feedback.get("signed")),
        photo_attachment_id=feedback.get("photo_attachment_id"), received_at=at, by=by)
    db.session.add(form)
    db.session.flush()
    people = People()
    team = sorted({uid for role in FEEDBACK_TEAM for uid, _ in people.holders(role)})
    notify(team, kind="svc.feedback_received", rule_id="SVC-12", subject_type=SUBJECT, subject_id=order.id,
           title_zh=f"工单{order.number}的服务反馈单已收到，请安排回访",
           title_en=f"feedback form of order {order.number} received: arrange the return visit",
           body_zh=f"结果：{form.result or '—'}；客户意见：{form.opinion or '—'}；签字人：{form.signatory or '—'}",
           body_en=f"result: {form.result or '—'}; customer's opinion: {form.opinion or '—'}; "
                   f"signed by: {form.signatory or '—'}",
           dedupe_key=f"SVC-12:feedback:{form.id}")
    decisions.record(
        "SVC-12", SUBJECT, order.id, policy=view,
        facts={"signed": form.signed, "photo_attachment_id": form.photo_attachment_id,
               "photo_required": view.values["feedback"]["photo_required"]},
        outcome={"feedback_id": form.id, "sent_to": team},
        reason_zh=f"工单{order.number}服务反馈单已由{form.signatory or '客户'}签字，转客服部回访",
        reason_en=f"feedback form of order {order.number} signed by {form.signatory or 'the customer'}, "
                  "sent to customer relations for the return visit")
    return form


def feedback_of(order: WorkOrder) -> list[WorkOrderFeedback]:
    return list(db.session.scalars(select(WorkOrderFeedback).where(WorkOrderFeedback.order_id == order.id)
                                   .order_by(WorkOrderFeedback.received_at, WorkOrderFeedback.id)))


def rework(order: WorkOrder, reason: str, *, by: int | None, at: dt.datetime | None = None) -> WorkOrderEvent:
    """SVC-02 ``rework`` (返修): a completed, recorded or return-visit-due order goes back to be
    dispatched again, with its reason; its next completion needs its checks and feedback form again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a reason is required", fields={"reason": ["say why the work is redone"]})
    at = fact_time(at, "at")
    if order.completed_at is not None and at < order.completed_at:
        raise InvalidInput("invalid time", fields={"at": ["before the order was completed"]})
    return orders.move(order, "rework", by=by, at=at, note=reason, data={"reason": reason})
