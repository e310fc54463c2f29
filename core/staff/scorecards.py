"""Scorecards (STF-40), appeals on scores (STF-44) and the forced-ranking flag (STF-43).

- :func:`score` — a reviewer scores an employee's month under the scheme of their role
  (``stf.scorecards.schemes``, the version in force on the month's first day): every dimension from 0
  to its weight (422 otherwise), the total their sum. Nobody scores themselves.
- :func:`appeal` / :func:`answer` — the employee objects; the score is ``appealed`` (and its pay
  held) until the reviewer upholds or revises it.
- :func:`flag_forced_ranking` — the job ``stf.forced_ranking``: last in the scheme for
  ``stf.forced_ranking.months`` months → an HR review flag on the staff ledger (never an automatic
  dismissal).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.accounts.models import User
from core.calendar.service import tenant_calendar
from core.db import db, utcnow
from core.decisions import service as decisions
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.notifications.service import notify
from core.policy.service import tenant_today
from core.staff import ledger
from core.staff import scorecards_rules as rules
from core.staff.credit_rules import month_label
from core.staff.policy import stf_policy
from core.staff.scorecards_models import Scorecard
from core.staff.statements_rules import previous_month

SUBJECT = "staff_scorecard"


def get_scorecard(scorecard_id: int) -> Scorecard:
    card = db.session.scalars(select(Scorecard).where(Scorecard.id == scorecard_id)).first()
    if card is None:
        raise NotFound("scorecard not found")
    return card


def scorecard_for(user_id: int, month: dt.date) -> Scorecard | None:
    return db.session.scalars(select(Scorecard).where(Scorecard.user_id == user_id,
                                                      Scorecard.month == month.replace(day=1))).first()


def scorecards(*, user_id: int | None = None, month: dt.date | None = None, scheme: str | None = None,
               state: str | None = None):
    stmt = select(Scorecard).order_by(Scorecard.month.desc(), Scorecard.total.desc(), Scorecard.user_id)
    if user_id is not None:
        stmt = stmt.where(Scorecard.user_id == user_id)
    if month is not None:
        stmt = stmt.where(Scorecard.month == month.replace(day=1))
    for column, value in ((Scorecard.scheme, scheme), (Scorecard.state, state)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def schemes(month: dt.date):
    """The scorecard schemes in force on ``month``'s first day, by role, and the policy view."""
    view = stf_policy(month.replace(day=1))
    return view.values["scorecards"]["schemes"], view


def dimensions_of(scheme: dict) -> list[dict]:
    return [{"code": d["code"], "label_zh": d["label_zh"], "label_en": d.get("label_en", ""),
             "weight": str(d["weight"])} for d in scheme["dimensions"]]


def score(*, user_id: int, month: dt.date, scores: dict, by: int, scheme: str | None = None,
          note: str | None = None) -> Scorecard:
    """STF-40: score ``user_id``'s ``month``."""
    month = month.replace(day=1)
    user = db.session.scalars(select(User).where(User.id == user_id)).first()
    if user is None:
        raise InvalidInput("invalid scorecard", fields={"user_id": ["not an employee of this company"]})
    if user_id == by:
        raise Forbidden("nobody scores their own month", rule_id="STF-40")
    if month > tenant_today().replace(day=1):
        raise InvalidInput("invalid scorecard", fields={"month": ["a month that has begun"]})
    available, view = schemes(month)
    if scheme is None:
        scheme = next((role for role in user.roles if role in available), None)
        if scheme is None:
            raise InvalidInput("no scorecard scheme", fields={"scheme": [
                "none of the employee's roles has a scheme in stf.scorecards.schemes; name one"]}, rule_id="STF-40")
    elif scheme not in available:
        raise InvalidInput("no such scheme", fields={"scheme": [f"one of {', '.join(available) or '(none set)'}"]},
                           rule_id="STF-40")
    dimensions = dimensions_of(available[scheme])
    errors = rules.score_errors(dimensions, scores)
    if errors:
        raise InvalidInput("invalid scores", fields={"scores": errors}, rule_id="STF-40")
    if scorecard_for(user_id, month) is not None:
        raise Conflict(f"{month_label(month)} is scored already; an appeal can revise it", rule_id="STF-40")
    values = {d["code"]: str(rules.total({d["code"]: scores[d["code"]]})) for d in dimensions}
    card = Scorecard(user_id=user_id, month=month, scheme=scheme, dimensions=dimensions, scores=values,
                     total=rules.total(values), policy_version=view.version, note=note, state="scored", scored_by=by)
    db.session.add(card)
    db.session.flush()
    card.decision_id = _decision("STF-40", card, view, by=by).id
    return card


def _decision(rule_id: str, card: Scorecard, view, *, by: int, supersedes=None, extra_zh: str = "",
              extra_en: str = ""):
    parts = " + ".join(f"{card.scores[d['code']]}" for d in card.dimensions)
    return decisions.record(
        rule_id, SUBJECT, card.id, policy=view, decided_by=by, supersedes=supersedes,
        outcome={"total": card.total, "scores": card.scores, "state": card.state},
        facts={"user_id": card.user_id, "month": month_label(card.month), "scheme": card.scheme,
               "dimensions": card.dimensions},
        reason_zh=f"{month_label(card.month)}考核（{card.scheme}）：{parts} = {card.total}分。{extra_zh}",
        reason_en=f"Scorecard {month_label(card.month)} ({card.scheme}): {parts} = {card.total}. {extra_en}".strip())


def appeal(card: Scorecard, *, reason: str, by: int) -> Scorecard:
    """STF-44: the employee objects to their score; it stays ``appealed`` until answered."""
    if card.user_id != by:
        raise Forbidden("only the employee scored appeals their score", rule_id="STF-44")
    if card.state != "scored":
        raise Conflict(f"a {card.state} score cannot be appealed", rule_id="STF-44")
    if not (reason or "").strip():
        raise InvalidInput("an appeal needs its reason", fields={"reason": ["say what is wrong with the score"]})
    card.state = "appealed"
    card.appeal_reason = reason.strip()
    card.appealed_at = utcnow()
    db.session.flush()
    notify([card.scored_by], kind="stf_score_appeal", rule_id="STF-44", subject_type=SUBJECT, subject_id=card.id,
           dedupe_key=f"STF-44:appeal:{card.id}", title_zh=f"考核申诉待答复（{month_label(card.month)}）",
           title_en=f"A score appeal awaits your answer ({month_label(card.month)})", body_zh=card.appeal_reason,
           body_en=card.appeal_reason)
    return card


def answer(card: Scorecard, *, answer: str, by: int, scores: dict | None = None) -> Scorecard:
    """STF-44: the reviewer answers an appeal: ``upheld`` (scores unchanged) or ``revised`` (new
    scores, a decision superseding the first); pay held for the appeal is computed now."""
    from core.staff import pay

    if card.user_id == by:
        raise Forbidden("the employee cannot answer their own appeal", rule_id="STF-44")
    if card.state != "appealed":
        raise Conflict(f"only an appealed score is answered; this one is {card.state}", rule_id="STF-44")
    if not (answer or "").strip():
        raise InvalidInput("an answer is required", fields={"answer": ["write the answer to the appeal"]})
    view = stf_policy(card.month)
    revised = False
    if scores is not None:
        errors = rules.score_errors(card.dimensions, scores)
        if errors:
            raise InvalidInput("invalid scores", fields={"scores": errors}, rule_id="STF-40")
        values = {d["code"]: str(rules.total({d["code"]: scores[d["code"]]})) for d in card.dimensions}
        revised = values != card.scores
        card.scores = values
        card.total = rules.total(values)
    card.state = "revised" if revised else "upheld"
    card.answer, card.answered_by, card.answered_at = answer.strip(), by, utcnow()
    db.session.flush()
    old = decisions.get(card.decision_id) if card.decision_id else None
    card.decision_id = _decision("STF-44", card, view, by=by, supersedes=old,
                                 extra_zh=f"申诉答复：{card.answer}", extra_en=f"Appeal answered: {card.answer}").id
    notify([card.user_id], kind="stf_score_answer", rule_id="STF-44", subject_type=SUBJECT, subject_id=card.id,
           dedupe_key=f"STF-44:answer:{card.id}", title_zh=f"考核申诉已答复（{month_label(card.month)}）",
           title_en=f"Your score appeal was answered ({month_label(card.month)})", body_zh=card.answer,
           body_en=card.answer)
    pay.release(card.user_id, card.month)
    return card


def flag_forced_ranking(as_of: dt.datetime) -> dict:
    """STF-43 (job ``stf.forced_ranking``, 1st of the month): for the month just closed, each
    employee who reaches ``stf.forced_ranking.months`` last places in their scheme gets one HR review
    flag (kind ``flag``, label ``forced_ranking_review``); once per month however often it runs."""
    calendar, _ = tenant_calendar(as_of)
    today = calendar.local_date(as_of)
    view = stf_policy(today)
    setting = view.values["forced_ranking"]
    month = previous_month(today)
    if not setting["enabled"]:
        return {"enabled": False, "month": month_label(month), "flagged": []}
    span = rules.months_back(month, max(setting["months"] + 1, setting["window"]))
    cards = list(db.session.scalars(select(Scorecard).where(Scorecard.month.in_(span))))
    totals: dict[tuple[str, dt.date], dict[int, object]] = {}
    for card in cards:
        totals.setdefault((card.scheme, card.month), {})[card.user_id] = card.total
    last: dict[tuple[str, int], set[dt.date]] = {}
    for (scheme, m), scored in totals.items():
        for user_id in rules.last_placed(scored):
            last.setdefault((scheme, user_id), set()).add(m)
    flagged = []
    for (scheme, user_id), months in sorted(last.items()):
        if not rules.forced_ranking_due(months, month, months=setting["months"], consecutive=setting["consecutive"],
                                        window=setting["window"]):
            continue
        listed = ", ".join(month_label(m) for m in sorted(months) if m in span)
        entry = ledger.record_entry(
            kind="flag", offence="forced_ranking", rule_id="STF-43", amount=0, user_id=user_id,
            label="forced_ranking_review", occurred_at=as_of, state="proposed", policy=view,
            subject_type=SUBJECT, subject_id=scorecard_for(user_id, month).id,
            facts={"scheme": scheme, "last_in": sorted(month_label(m) for m in months), "months": setting["months"],
                   "consecutive": setting["consecutive"]},
            dedupe_key=f"STF-43:{scheme}:{user_id}:{month_label(month)}",
            reason_zh=f"在“{scheme}”考核中排名末位（{listed}），达到{setting['months']}个月，提请人事审核（末位淘汰）。",
            reason_en=f"Ranked last in the '{scheme}' scorecard ({listed}), {setting['months']} months: "
                      "HR review (forced ranking).")
        flagged.append(entry.id)
    return {"enabled": True, "month": month_label(month), "flagged": flagged}
