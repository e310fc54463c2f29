"""Satisfaction surveys and corrective action (CUS-64).

A survey round has scored items (0–100) and collects responses (online form, phone, call-recording
review); closing it evaluates the round (:func:`core.customers.visits.survey_rules.evaluate_round`)
under the ``cus`` policy in force at the close, records a ``CUS-64`` decision and, when the mean is
below ``cus.survey.threshold``, opens one corrective action (CAPA) listing the weak items, owned by
the first holder of ``cus.survey.capa_role`` (else whoever closed the round), who is notified.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.customers.policy import cus_policy
from core.customers.visits import survey_rules as rules
from core.customers.visits.models import CorrectiveAction, SurveyResponse, SurveyRound
from core.accounts.people import People
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, InvalidInput, NotFound
from core.notifications.service import notify


def create_round(*, name: str, method: str, items: list[dict], note: str | None = None,
                 created_by: int | None = None) -> SurveyRound:
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        raise InvalidInput("invalid survey", fields={"items": ["each item code once"]})
    survey = SurveyRound(name=name, method=method, items=[{"code": i["code"], "label": i["label"]} for i in items],
                         status="open", note=note, created_by=created_by)
    db.session.add(survey)
    db.session.flush()
    return survey


def get_round(round_id: int) -> SurveyRound:
    survey = db.session.scalars(select(SurveyRound).where(SurveyRound.id == round_id)).first()
    if survey is None:
        raise NotFound("survey not found")
    return survey


def rounds():
    return select(SurveyRound).order_by(SurveyRound.created_at.desc(), SurveyRound.id.desc())


def _is_score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100


def add_response(survey: SurveyRound, *, scores: dict, customer_id: int | None = None,
                 responded_at: dt.datetime | None = None, created_by: int | None = None) -> SurveyResponse:
    """A response with ``{item code: score 0..100}`` (the caller has loaded the customer, if any)."""
    if survey.status != "open":
        raise Conflict("the survey is closed")
    codes = {i["code"] for i in survey.items}
    errors = {code: ["not an item of this survey"] for code in scores if code not in codes}
    errors.update({code: ["a score from 0 to 100"] for code, value in scores.items()
                   if code in codes and not _is_score(value)})
    if not scores:
        errors["scores"] = ["score at least one item"]
    if errors:
        raise InvalidInput("invalid response", fields={"scores": errors} if "scores" not in errors else errors)
    if customer_id is not None and db.session.scalars(select(SurveyResponse.id).where(
            SurveyResponse.round_id == survey.id, SurveyResponse.customer_id == customer_id)).first():
        raise Conflict("this customer has already answered this survey")
    response = SurveyResponse(round_id=survey.id, customer_id=customer_id, scores=dict(scores),
                              responded_at=responded_at or utcnow(), created_by=created_by)
    db.session.add(response)
    db.session.flush()
    return response


def responses_query(survey: SurveyRound):
    return select(SurveyResponse).where(SurveyResponse.round_id == survey.id).order_by(SurveyResponse.id)


def responses_of(survey: SurveyRound) -> list[SurveyResponse]:
    return list(db.session.scalars(responses_query(survey)))


def close_round(survey: SurveyRound, *, by: int | None, at: dt.datetime | None = None) -> SurveyRound:
    """Close and evaluate the round (CUS-64); open the CAPA when its mean is below the threshold."""
    if survey.status != "open":
        raise Conflict("the survey is already closed")
    at = at or utcnow()
    policy = cus_policy(at)
    settings = policy.values["survey"]
    outcome = rules.evaluate_round(survey.items, [r.scores for r in responses_of(survey)], settings["threshold"])
    survey.status, survey.closed_at, survey.closed_by = "closed", at, by
    survey.mean, survey.threshold = outcome.mean, outcome.threshold
    survey.item_means = [{"code": i.code, "label": i.label, "mean": str(i.mean), "answers": i.answers}
                         for i in outcome.items]
    decision = decisions.record("CUS-64", "survey_round", survey.id, policy=policy, outcome=outcome.to_outcome(),
                                facts={"responses": outcome.responses, "items": survey.item_means},
                                reason_zh=outcome.reason_zh, reason_en=outcome.reason_en)
    survey.decision_id = decision.id
    if outcome.needs_capa:
        holders = People().holders(settings["capa_role"])
        owner = holders[0][0] if holders else by
        action = CorrectiveAction(round_id=survey.id, title=f"纠正措施：{survey.name}"[:300],
                                  items=[{"code": i.code, "label": i.label, "mean": str(i.mean)}
                                         for i in outcome.weak_items],
                                  owner_id=owner, status="open", decision_id=decision.id)
        db.session.add(action)
        db.session.flush()
        notify([owner], kind="cus.corrective_action", rule_id="CUS-64", subject_type="corrective_action",
               subject_id=action.id, dedupe_key=f"CUS-64:capa:{action.id}",
               title_zh=f"满意度{outcome.mean}低于{outcome.threshold}：请制定纠正措施（{survey.name}）"[:300],
               title_en=f"Satisfaction {outcome.mean} below {outcome.threshold}: corrective action for "
                        f"{survey.name}"[:300], body_zh=outcome.reason_zh, body_en=outcome.reason_en)
    db.session.flush()
    return survey


def action_of(survey: SurveyRound) -> CorrectiveAction | None:
    return db.session.scalars(select(CorrectiveAction).where(CorrectiveAction.round_id == survey.id)).first()


def actions(status: str | None = None):
    stmt = select(CorrectiveAction).order_by(CorrectiveAction.created_at.desc(), CorrectiveAction.id.desc())
    return stmt.where(CorrectiveAction.status == status) if status else stmt


def get_action(action_id: int) -> CorrectiveAction:
    action = db.session.scalars(select(CorrectiveAction).where(CorrectiveAction.id == action_id)).first()
    if action is None:
        raise NotFound("corrective action not found")
    return action


def close_action(action: CorrectiveAction, *, by: int, note: str) -> CorrectiveAction:
    if action.status != "open":
        raise Conflict("the corrective action is already closed")
    if not (note or "").strip():
        raise InvalidInput("say what was done", fields={"note": ["required to close a corrective action"]})
    action.status, action.closed_at, action.closed_by, action.close_note = "closed", utcnow(), by, note
    db.session.flush()
    return action
