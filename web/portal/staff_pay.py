"""Portal pages: performance credit and the month's statement (STF-30..34), scorecards (STF-40..44).

- ``portal.staff.credit`` (``/staff/credit?month=&user_id=``): the month's shares (performance and
  commission), the deals and reversals counting in it, the ledger's totals, and the statement with
  its confirmation (``portal.staff.confirm_statement``, the employee, STF-34).
- ``portal.staff.scorecards`` (``/staff/scorecards?month=&scheme=``): an employee's own scores by
  month; a manager's ranking of the month per scheme, best first as the service orders them.
- ``portal.staff.new_scorecard`` (``/staff/scorecards/new?user_id=&month=&scheme=``): a reviewer scores an
  employee's month under their role's scheme, one field a dimension (STF-40).
- ``portal.staff.scorecard`` (``/staff/scorecards/<scorecard_id>``): the scores by dimension, the
  employee's appeal and the reviewer's answer (STF-44).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.db import db
from core.decisions import service as decisions
from core.policy.service import tenant_today
from core.staff import credit, ledger, scorecards, statements
from core.staff.credit_models import CreditShare, PerformanceCredit
from core.staff.scorecards_models import Scorecard
from core.staff.statements_models import Statement
from core.accounts.models import User
from web.api.staff_scorecards import ScoreAnswerInSchema, ScoreAppealInSchema, ScorecardInSchema
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.paging import paginate
from web.portal.staff import bp
from web.portal.staff_common import (
    REVIEWERS, attempt, employees, form_input, is_manager, may_see_user, month_of, month_text, names, ranked,
    shift_month,
)
from web.portal.tenant_pages import login_required


def _chosen_user() -> int:
    """The employee shown: yourself, or the one a manager picks (``?user_id=``)."""
    user_id = request.args.get("user_id", type=int) or g.user.id
    may_see_user(user_id)
    return user_id


def _chosen_month(default):
    return month_of(request.args.get("month")) or default


# ------------------------------------------------------------------------------------ credit

@bp.get("/credit")
@login_required
def credit_page():
    user_id = _chosen_user()
    month = _chosen_month(tenant_today().replace(day=1))
    figures = credit.month_figures(user_id, month)
    page = paginate(credit.credits(user_id=user_id, month=month))
    shares = {c.id: credit.shares_of(c) for c in page.items}
    statement = statements.statement_for(user_id, month)
    history = list(db.session.scalars(statements.statements(user_id=user_id).limit(12)))
    holders = [s.user_id for rows in shares.values() for s in rows] + [c.owner_id for c in page.items]
    return render_template(
        "portal/staff/credit.html", user_id=user_id, month=month, month_label=month_text(month),
        previous=month_text(shift_month(month, -1)), following=month_text(shift_month(month, 1)),
        figures=figures, totals=ledger.month_totals(user_id, month), page=page, shares=shares,
        statement=statement, history=history, people=names([user_id, *holders]), manager=is_manager(g.user),
        employees=employees() if is_manager(g.user) else [],
        statement_decision=decisions.get(statement.decision_id) if statement and statement.decision_id else None,
        args={"month": month_text(month), "user_id": user_id})


@bp.post("/statements/<int:statement_id>/confirm")
@login_required
def confirm_statement(statement_id):
    """STF-34: the employee confirms (signs) their own statement."""
    statement = statements.get_statement(statement_id)  # 404 first
    may_see_user(statement.user_id)
    form = Form.posted()
    status, _done = attempt(lambda: statements.confirm(statement, by=g.user.id), form, select_locale())
    month = month_text(statement.month)
    if status:
        flash(form.message or _("This cannot be done now."), "error")
        return redirect(url_for("portal.staff.credit_page", month=month, user_id=statement.user_id))
    flash(_("Statement confirmed."), "ok")
    return redirect(url_for("portal.staff.credit_page", month=month, user_id=statement.user_id))


# ------------------------------------------------------------------------------------ scorecards

@bp.get("/scorecards")
@login_required
def scorecards_page():
    manager = is_manager(g.user)
    month = _chosen_month(shift_month(tenant_today().replace(day=1), -1))
    scheme = request.args.get("scheme") or None
    mine = list(db.session.scalars(scorecards.scorecards(user_id=g.user.id).limit(12)))
    ranking = {}
    if manager:
        for card in db.session.scalars(scorecards.scorecards(month=month, scheme=scheme)):
            ranking.setdefault(card.scheme, []).append(card)
        ranking = {name: ranked(cards) for name, cards in sorted(ranking.items())}
    available, _view = scorecards.schemes(month)
    people = names([c.user_id for c in mine] + [c.user_id for rows in ranking.values() for _r, c in rows])
    return render_template(
        "portal/staff/scorecards.html", manager=manager, month=month, month_label=month_text(month),
        previous=month_text(shift_month(month, -1)), following=month_text(shift_month(month, 1)),
        scheme=scheme, schemes=available, mine=mine, ranking=ranking, people=people,
        reviewer=g.user.has_role(*REVIEWERS))


def _scheme_for(values: dict, available: dict) -> str | None:
    """The scheme chosen, else the first role of the employee that has one (as the service picks)."""
    if values.get("scheme") in available:
        return values["scheme"]
    user_id = values.get("user_id")
    user = db.session.scalars(select(User).where(User.id == int(user_id))).first() if str(user_id or "").isdigit() else None
    return next((role for role in (user.roles if user else []) if role in available), None)


def _score_page(form, status=200):
    month = month_of(form.value("month")) or shift_month(tenant_today().replace(day=1), -1)
    available, _view = scorecards.schemes(month)
    scheme = _scheme_for(form.values, available)
    dimensions = scorecards.dimensions_of(available[scheme]) if scheme else []
    return render_template("portal/staff/scorecard_new.html", form=form, employees=employees(), schemes=available,
                           scheme=scheme, dimensions=dimensions,
                           score_fields=[f"scores.{d['code']}" for d in dimensions]), status


@bp.get("/scorecards/new")
@login_required
def new_scorecard():
    if not g.user.has_role(*REVIEWERS):  # the API's POST /staff/scorecards
        abort(403)
    month = request.args.get("month") or month_text(shift_month(tenant_today().replace(day=1), -1))
    return _score_page(Form(values={"user_id": request.args.get("user_id", ""), "month": month,
                                    "scheme": request.args.get("scheme", "")}))


@bp.post("/scorecards/new")
@login_required
def score_month():
    """STF-40: score an employee's month (each dimension from 0 to its weight; nobody scores themselves)."""
    if not g.user.has_role(*REVIEWERS):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("user_id", "month", "scheme", "note"))
    data["scores"] = {name[len("scores."):]: value.strip() for name, value in form.values.items()
                      if name.startswith("scores.") and isinstance(value, str) and value.strip()}

    def step():
        return scorecards.score(**ScorecardInSchema().load(data), by=g.user.id)

    status, card = attempt(step, form, select_locale())
    if status:
        return _score_page(form, status)
    flash(_("The month is scored."), "ok")
    return redirect(url_for("portal.staff.scorecard", scorecard_id=card.id))


def _visible_card(scorecard_id: int) -> Scorecard:
    card = scorecards.get_scorecard(scorecard_id)  # 404 first
    may_see_user(card.user_id)
    return card


def _card_page(scorecard_id: int, forms=None, status=200):
    card = scorecards.get_scorecard(scorecard_id)
    forms = forms or {}
    answer_form = forms.get("answer") or Form(values={f"scores.{code}": value for code, value in card.scores.items()})
    return render_template(
        "portal/staff/scorecard.html", card=card, people=names([card.user_id, card.scored_by, card.answered_by]),
        decision=decisions.get(card.decision_id) if card.decision_id else None, mine=card.user_id == g.user.id,
        reviewer=g.user.has_role(*REVIEWERS) and card.user_id != g.user.id,
        appeal_form=forms.get("appeal") or Form(), answer_form=answer_form,
        score_fields=[f"scores.{d['code']}" for d in card.dimensions]), status


@bp.get("/scorecards/<int:scorecard_id>")
@login_required
def scorecard(scorecard_id):
    _visible_card(scorecard_id)
    return _card_page(scorecard_id)


@bp.post("/scorecards/<int:scorecard_id>/appeal")
@login_required
def appeal_scorecard(scorecard_id):
    """STF-44: the employee objects to their score."""
    card = _visible_card(scorecard_id)
    form = Form.posted()
    data = form_input(form.values, ("reason",))

    def step():
        loaded = ScoreAppealInSchema().load(data)
        return scorecards.appeal(card, reason=loaded["reason"], by=g.user.id)

    status, _done = attempt(step, form, select_locale())
    if status:
        return _card_page(scorecard_id, {"appeal": form}, status)
    flash(_("Your objection is sent to the reviewer."), "ok")
    return redirect(url_for("portal.staff.scorecard", scorecard_id=scorecard_id))


@bp.post("/scorecards/<int:scorecard_id>/answer")
@login_required
def answer_scorecard(scorecard_id):
    """STF-44: the reviewer answers: upheld, or revised with new scores."""
    card = _visible_card(scorecard_id)
    if not g.user.has_role(*REVIEWERS):
        abort(403)
    form = Form.posted()
    data = form_input(form.values, ("answer",))
    revised = {d["code"]: form.values.get(f"scores.{d['code']}", "").strip() for d in card.dimensions}
    if form.values.get("revise") and all(revised.values()):
        data["scores"] = revised

    def step():
        loaded = ScoreAnswerInSchema().load(data)
        return scorecards.answer(card, answer=loaded["answer"], scores=loaded["scores"], by=g.user.id)

    status, _done = attempt(step, form, select_locale())
    if status:
        return _card_page(scorecard_id, {"answer": form}, status)
    flash(_("The answer is recorded and the employee is told."), "ok")
    return redirect(url_for("portal.staff.scorecard", scorecard_id=scorecard_id))


# ------------------------------------------------------------------------------------ "why?" access

def _own(model, column, user, subject_id) -> bool:
    if is_manager(user):
        return True
    found = db.session.scalars(select(column).where(model.id == subject_id)).first()
    return found is not None and found == user.id


@visible_to("staff_credit")
def _credit_visible(user, subject_id):
    """The owner of the deal, a holder of one of its shares, and managers (as the API)."""
    if _own(PerformanceCredit, PerformanceCredit.owner_id, user, subject_id):
        return True
    held = select(CreditShare.id).where(CreditShare.credit_id == subject_id, CreditShare.user_id == user.id)
    return db.session.scalars(held.limit(1)).first() is not None


@visible_to("staff_statement")
def _statement_visible(user, subject_id):
    return _own(Statement, Statement.user_id, user, subject_id)


@visible_to("staff_scorecard")
def _scorecard_visible(user, subject_id):
    return _own(Scorecard, Scorecard.user_id, user, subject_id)
