"""Portal pages: customer management (客户管理) — what sales managers decide about customers.

- ``portal.customer_manage.index`` (``/customers/manage``): the queues — takeovers awaiting the claim
  approver (CUS-24) and open arbitration cases (CUS-27) with who must rule.
- ``.customer`` (``/customers/manage/<customer_id>``): one customer's owner and why (CUS-20), its claims
  (approve ``CUS-24`` / void) and cases, and the form opening a case (CUS-27).
- ``.case`` (``/<customer_id>/cases/<case_id>``): a case with its proposal, objection window, events, and
  the forms objection / ruling / quarrel (``POST .../objections|rulings|quarrels``).
- ``.grades`` (``/customers/manage/grades``): grading tasks due (CUS-52) and the latest manual changes;
  ``.grade`` (``/<customer_id>/grades/<scheme>``): history and the manual change with reason and approver
  (CUS-50).
- ``.merges`` (``/customers/manage/merges``): propose a merge of two duplicates, pick the survivor, confirm
  (CUS-15); ``.merge`` (``/<customer_id>/merges/<merge_id>``) and its undo within the window.

Every view loads its objects first (404 for another tenant's or an invisible id), checks the roles of the
API endpoint it mirrors, and calls the API's service with the API's schema; nothing is decided here.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts.models import User, UserRole
from core.customers import service as customers
from core.customers.confidentiality import access
from core.customers.confidentiality.viewer import Viewer
from core.customers.grades import service as grades
from core.customers.grades import tiers as grade_tiers
from core.customers.grades.models import GradeChange, GradingTask
from core.customers.merging import service as merging
from core.customers.merging.models import CustomerMerge
from core.customers.models import Customer, CustomerOwnership
from core.customers.ownership import cases
from core.customers.ownership import service as ownership
from core.customers.ownership.models import CLAIM_KINDS, CustomerClaim, OwnershipCase
from core.customers.policy import cus_policy
from core.customers.staff_facts import users_by_id
from core.db import db, utcnow
from core.errors import Conflict, Forbidden, KehuError
from web.api.customer_grades import GradeChangeInSchema
from web.api.customer_merge import ALWAYS as MERGE_ALWAYS
from web.api.customer_merge import MergeInSchema, UndoInSchema
from web.api.customer_ownership import MANAGERS, CaseInSchema, ObjectionInSchema, QuarrelInSchema, RulingInSchema
from web.api.customers import WRITERS
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.lookups import as_id, visible_customer
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("customer_manage", __name__, url_prefix="/customers/manage")

#: who records a quarrel (as ``POST .../quarrels``)
QUARREL_ROLES = MANAGERS + ("assistant",)
QUEUE_LIMIT = 100


def _customer_for(customer_id: int, *roles: str):
    """The customer (404 when it is another tenant's or hidden from the reader), then the role (403): the
    object first, so that a foreign id never answers anything but 404."""
    customer = customers.get_customer(customer_id)
    if not g.user.has_role(*roles):
        abort(403)
    return customer


# --------------------------------------------------------------------------- pure helpers


def id_list(raw) -> list[int]:
    """Ids from a multi-valued form field (a list of checkboxes, or one comma-separated text)."""
    items = raw if isinstance(raw, list) else str(raw or "").replace("，", ",").split(",")
    out = []
    for item in items:
        number = as_id(item)
        if number is not None and number not in out:
            out.append(number)
    return out


def fail(form: Form, err: Exception, case: OwnershipCase | None = None) -> Form:
    """``form.fail`` with the refusals whose English names values said in the reader's language: a
    customer already merged, a passed undo window, a ruling by somebody the case does not await, the
    approver's roles and the scheme's tiers of a manual grade change."""
    form.fail(err, select_locale())
    extra = getattr(err, "extra", {}) or {}
    if isinstance(err, Conflict) and "merged_into_id" in extra and "customer_id" in extra:
        form.message = _("Customer #%(id)s was already merged into customer #%(into)s.", id=extra["customer_id"],
                         into=extra["merged_into_id"])
    elif isinstance(err, Conflict) and "through" in extra:
        form.message = _("The undo window of this merge is over (undo was possible through %(through)s).",
                         through=extra["through"])
    elif isinstance(err, Forbidden) and case is not None:
        form.message = _("The case awaits a ruling by: %(roles)s",
                         roles="、".join(role_label(r) for r in case.assigned_roles or []))
    settings = cus_policy().values["tiers"]
    for name, lead, text in (
            ("approver_id", "the approver needs one of the roles",
             lambda: _("The approver needs one of the roles: %(roles)s",
                       roles="、".join(role_label(r) for r in settings["approver_roles"]))),
            ("tier", "not a tier of scheme", None)):
        messages = (getattr(err, "fields", None) or {}).get(name) or []
        if any(str(m).startswith(lead) for m in messages):
            form.errors[name] = [text() if text else _("Not a tier of this scheme: choose one of %(tiers)s",
                                                         tiers=str(messages[0]).rsplit(": expected one of ", 1)[-1])]
    return form


def awaiting(case, user) -> bool:
    """Whether ``user`` holds a role the case awaits a ruling from now."""
    return case.status != "final" and any(user.has_role(r) for r in case.assigned_roles or [])


# --------------------------------------------------------------------------- who may see and do what


@visible_to("ownership_case")
def _case_visible(user, subject_id: int) -> bool:
    """A case's decisions: whoever may see its customer (CUS-70, as the API)."""
    customer_id = db.session.scalar(select(OwnershipCase.customer_id).where(OwnershipCase.id == subject_id))
    return customer_id is not None and access.is_visible(customer_id, Viewer.of(user))


@bp.app_template_global("cus_role_label")
def role_label(role: str) -> str:
    """A role as the ownership reasons name it, in the reader's language."""
    from core.customers.ownership.vocabulary import ROLE_EN, ROLE_ZH
    from web.portal.localise import localise

    locale = select_locale()
    return ROLE_EN.get(role, role) if locale == "en" else localise(ROLE_ZH.get(role, role), locale)


def approver_role(at=None) -> str:
    return cus_policy(at).values["ownership"]["under_service"]["claim_approver"]


def manager_roles() -> tuple[str, ...]:
    """Who opens the management queues: the ownership managers, the claim approver and the arbiters."""
    values = cus_policy().values
    arbitration = values["arbitration"]
    return tuple(dict.fromkeys(QUARREL_ROLES + (approver_role(),) + tuple(arbitration["arbiter"])
                               + (arbitration["escalate_to"],)))


def may_merge(user) -> bool:
    return user.has_role(cus_policy().values["merge"]["role"], *MERGE_ALWAYS)


def _writable(customer: Customer) -> None:
    """CUS-15: a merged customer is read-only (as the API's refusal of writes to a tombstone)."""
    if customer.merged_into_id is not None:
        raise Conflict(_("This customer was merged into customer #%(id)s; work on that customer.",
                         id=customer.merged_into_id))


def user_options(*roles: str) -> list[tuple[int, str]]:
    """Active users of the tenant (with one of ``roles`` when given) as select options."""
    query = select(User).where(User.is_active.is_(True)).order_by(User.id)
    if roles:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
    return [(u.id, u.display_name or u.username) for u in db.session.scalars(query)]


def _visible_ids():
    return customers.search(None).with_only_columns(Customer.id).order_by(None)


def _names(customer_ids) -> dict[int, str]:
    ids = sorted(set(i for i in customer_ids if i))
    if not ids:
        return {}
    return dict(db.session.execute(customers.search(None).with_only_columns(Customer.id, Customer.name)
                                   .order_by(None).where(Customer.id.in_(ids))).all())


@bp.app_template_global("customer_manage_tab")
def manage_tab() -> str | None:
    """The tab's target for the reader: the queues for managers, the grades for other customer writers."""
    user = g.get("user")
    if user is None:
        return None
    if user.has_role(*manager_roles()):
        return url_for("portal.customer_manage.index")
    return url_for("portal.customer_manage.grades_index") if user.has_role(*WRITERS) else None


# --------------------------------------------------------------------------- queues


def pending_claims() -> list[dict]:
    """Takeovers awaiting the claim approver (CUS-24): another employee's claim on a claimable customer
    that the rules hold back until approved (``pending_claims`` of the ownership state)."""
    rows = db.session.execute(
        select(CustomerClaim, CustomerOwnership).join(CustomerOwnership, CustomerOwnership.customer_id ==
                                                      CustomerClaim.customer_id)
        .where(CustomerClaim.void.is_(False), CustomerClaim.approved_at.is_(None),
               CustomerClaim.kind != "assignment", CustomerOwnership.state == "claimable",
               CustomerOwnership.owner_id != CustomerClaim.claimant_id,
               CustomerClaim.customer_id.in_(_visible_ids()))
        .order_by(CustomerClaim.at, CustomerClaim.id).limit(QUEUE_LIMIT)).all()
    held: dict[int, set] = {}
    out = []
    for claim, owner in rows:
        if claim.customer_id not in held:
            state = ownership.judge(claim.customer_id)[0]
            held[claim.customer_id] = {c.record_id for c in state.pending_claims}
        if claim.id in held[claim.customer_id]:
            out.append({"claim": claim, "owner": owner})
    return out


def open_cases() -> list[OwnershipCase]:
    return list(db.session.scalars(select(OwnershipCase).where(
        OwnershipCase.status != "final", OwnershipCase.customer_id.in_(_visible_ids()))
        .order_by(OwnershipCase.opened_at, OwnershipCase.id).limit(QUEUE_LIMIT)))


@bp.get("")
@login_required
def index():
    if not g.user.has_role(*manager_roles()):
        abort(403)
    claims, open_ = pending_claims(), open_cases()
    ids = [r["claim"].customer_id for r in claims] + [c.customer_id for c in open_]
    people = users_by_id([r["claim"].claimant_id for r in claims] + [r["owner"].owner_id for r in claims]
                         + [c.opened_by for c in open_] + [c.proposed_owner_id for c in open_])
    return render_template("portal/customer_manage/index.html", claims=claims, cases=open_, names=_names(ids),
                           people=people, approver=approver_role(), may_approve=g.user.has_role(approver_role()),
                           may_void=g.user.has_role(*MANAGERS), awaiting=awaiting)


# --------------------------------------------------------------------------- one customer: claims and cases


def _customer_page(customer: Customer, case_form: Form | None = None, status: int = 200):
    claims = list(db.session.scalars(ownership.claims_of(customer.id)))
    case_rows = list(db.session.scalars(cases.cases_of(customer.id)))
    state = ownership.judge(customer.id)[0] if not customer.merged_into_id else None
    pending = {c.record_id for c in state.pending_claims} if state else set()
    people = users_by_id([c.claimant_id for c in claims] + [c.approved_by for c in claims]
                         + [c.opened_by for c in case_rows] + [c.final_owner_id for c in case_rows])
    return render_template(
        "portal/customer_manage/customer.html", c=customer, owner=ownership.owner_answer(customer.id),
        claims=claims, pending=pending, cases=case_rows, people=people, kinds=CLAIM_KINDS,
        case_form=case_form or Form(values={"reason": "collision"}), reasons=cases.REASONS,
        may_approve=g.user.has_role(approver_role()), may_void=g.user.has_role(*MANAGERS),
        may_write=g.user.has_role(*WRITERS)), status


@bp.get("/<int:customer_id>")
@login_required
def customer(customer_id: int):
    return _customer_page(customers.get_customer(customer_id))


def _back(customer_id: int):
    target = request.form.get("back")
    if target == "index":
        return redirect(url_for(".index"))
    return redirect(url_for(".customer", customer_id=customer_id))


@bp.post("/<int:customer_id>/claims/<int:claim_id>/approve")
@login_required
def claim_approve(customer_id: int, claim_id: int):
    """CUS-24: the claim approver approves a takeover, as ``POST .../claims/<id>/approve``."""
    customer = customers.get_customer(customer_id)
    claim = ownership.get_claim(customer_id, claim_id)
    role = approver_role(claim.at)
    if not g.user.has_role(role):
        abort(403)
    try:
        _writable(customer)
        ownership.approve_claim(customer_id, claim_id, by=g.user.id)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        return _refused(customer, err)
    flash(_("Takeover approved: the owner changes from now (CUS-24)."), "ok")
    return _back(customer_id)


@bp.post("/<int:customer_id>/claims/<int:claim_id>/void")
@login_required
def claim_void(customer_id: int, claim_id: int):
    """Refuse a claim recorded in error: it stops counting (void), ownership is re-judged."""
    customer = _customer_for(customer_id, *MANAGERS)
    ownership.get_claim(customer_id, claim_id)
    try:
        _writable(customer)
        ownership.void_claim(customer_id, claim_id)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        return _refused(customer, err)
    flash(_("Claim refused: it no longer counts; the ownership was judged again."), "ok")
    return _back(customer_id)


def _refused(customer: Customer, err: KehuError):
    form = Form()
    form.fail(err, select_locale())
    flash(form.message, "error")
    return _customer_page(customer, status=409)


@bp.post("/<int:customer_id>/cases")
@login_required
def case_open(customer_id: int):
    """Open an arbitration case (CUS-27), as ``POST .../ownership-cases``; the rules propose."""
    customer = _customer_for(customer_id, *WRITERS)
    form = Form.posted()
    body = {"reason": form.values.get("reason") or "", "note": form.values.get("note") or None,
            "claim_ids": id_list(form.values.get("claim_ids")) or None}
    try:
        _writable(customer)
        data = CaseInSchema().load(body)
        case = cases.open_case(customer_id, opened_by=g.user.id, **data)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _customer_page(customer, case_form=form, status=409)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _customer_page(customer, case_form=form, status=422)
    flash(_("Case opened: the rules' proposal is below; parties may object within the window."), "ok")
    return redirect(url_for(".case", customer_id=customer_id, case_id=case.id))


def _case_page(customer: Customer, case: OwnershipCase, forms: dict | None = None, status: int = 200):
    events = cases.events_of(case)
    claims = list(db.session.scalars(select(CustomerClaim).where(CustomerClaim.id.in_(case.claim_ids or [])))) \
        if case.claim_ids else []
    party_ids = [c.claimant_id for c in claims]
    people = users_by_id(party_ids + [case.opened_by, case.proposed_owner_id, case.final_owner_id, case.decided_by]
                         + [e.user_id for e in events] + [e.owner_id for e in events]
                         + [p for e in events for p in (e.parties or [])]
                         + [c.get("party") for c in case.consequences or [] if isinstance(c, dict)])
    forms = forms or {}
    return render_template(
        "portal/customer_manage/case.html", c=customer, case=case, events=events, claims=claims, people=people,
        parties=[(i, people[i].display_name) for i in dict.fromkeys(party_ids) if i in people],
        staff=user_options(), verdicts=cases.VERDICTS,
        objection_form=forms.get("objection") or Form(), ruling_form=forms.get("ruling") or Form(
            values={"verdict": "uphold"}),
        quarrel_form=forms.get("quarrel") or Form(), awaits_me=awaiting(case, g.user),
        may_write=g.user.has_role(*WRITERS), may_quarrel=g.user.has_role(*QUARREL_ROLES)), status


@bp.get("/<int:customer_id>/cases/<int:case_id>")
@login_required
def case(customer_id: int, case_id: int):
    customer = customers.get_customer(customer_id)
    found = cases.refresh(cases.get_case(customer_id, case_id))  # a passed objection window is applied
    db.session.commit()
    return _case_page(customer, found)


def _case_step(customer_id: int, case_id: int, name: str, schema, body: dict, step):
    """One step of a case (objection, ruling, quarrel) from its form, loaded with the API's ``schema``:
    422 with the fields kept, 409 when refused, 403 when the case does not await the caller."""
    customer = customers.get_customer(customer_id)
    found = cases.get_case(customer_id, case_id)
    form = Form.posted()
    try:
        _writable(customer)
        step(found, schema().load(body(form.values)))
        db.session.commit()
    except (Conflict, Forbidden) as err:
        db.session.rollback()
        fail(form, err, found)
        return _case_page(customer, cases.get_case(customer_id, case_id), {name: form},
                          409 if isinstance(err, Conflict) else 403)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _case_page(customer, cases.get_case(customer_id, case_id), {name: form}, 422)
    flash(_("Recorded; the case was judged again."), "ok")
    return redirect(url_for(".case", customer_id=customer_id, case_id=case_id))


def objection_body(values: dict) -> dict:
    return {"note": values.get("note") or None}


def ruling_body(values: dict) -> dict:
    return {"verdict": values.get("verdict") or "", "note": values.get("note") or None,
            "owner_id": values.get("owner_id") or None}


def quarrel_body(values: dict) -> dict:
    return {"party_ids": id_list(values.get("party_ids")), "note": values.get("note") or None}


@bp.post("/<int:customer_id>/cases/<int:case_id>/objections")
@login_required
def case_object(customer_id: int, case_id: int):
    """The caller objects to the proposal within ``cus.arbitration.objection_window`` (409 after)."""
    _customer_for(customer_id, *WRITERS)
    return _case_step(customer_id, case_id, "objection", ObjectionInSchema, objection_body,
                      lambda case, data: cases.object_to(case, party_id=g.user.id, **data))


@bp.post("/<int:customer_id>/cases/<int:case_id>/rulings")
@login_required
def case_rule(customer_id: int, case_id: int):
    """The arbiter (or, escalated, ``escalate_to``) rules; 403 for anybody the case does not await."""
    return _case_step(customer_id, case_id, "ruling", RulingInSchema, ruling_body,
                      lambda case, data: cases.rule_on(case, user=g.user, **data))


@bp.post("/<int:customer_id>/cases/<int:case_id>/quarrels")
@login_required
def case_quarrel(customer_id: int, case_id: int):
    """Parties quarrelled in front of customers: ``cus.arbitration.quarrel_consequence`` applies."""
    _customer_for(customer_id, *QUARREL_ROLES)
    return _case_step(customer_id, case_id, "quarrel", QuarrelInSchema, quarrel_body,
                      lambda case, data: cases.record_quarrel(case, recorded_by=g.user.id, **data))


# --------------------------------------------------------------------------- grades (CUS-50, CUS-52)


@bp.get("/grades")
@roles_required(*WRITERS)
def grades_index():
    tasks = list(db.session.scalars(select(GradingTask).where(
        GradingTask.status == "open", GradingTask.customer_id.in_(_visible_ids()))
        .order_by(GradingTask.due_at, GradingTask.id).limit(QUEUE_LIMIT)))
    changes = list(db.session.scalars(select(GradeChange).where(
        GradeChange.kind == "manual", GradeChange.customer_id.in_(_visible_ids()))
        .order_by(GradeChange.at.desc(), GradeChange.id.desc()).limit(30)))
    people = users_by_id([c.decided_by for c in changes] + [c.approved_by for c in changes])
    ids = [t.customer_id for t in tasks] + [c.customer_id for c in changes]
    return render_template("portal/customer_manage/grades.html", tasks=tasks, changes=changes, people=people,
                           names=_names(ids), mine=[c for c in changes if c.approved_by == g.user.id])


def _grade_page(customer: Customer, scheme: str, form: Form | None = None, status: int = 200):
    settings = cus_policy().values["tiers"]
    tier_names = grade_tiers.scheme_tiers(settings, scheme)
    history = list(db.session.scalars(grades.history(customer.id, scheme).limit(50)))
    people = users_by_id([c.decided_by for c in history] + [c.approved_by for c in history])
    approvers = [(i, n) for i, n in user_options(*settings["approver_roles"]) if i != g.user.id]
    return render_template(
        "portal/customer_manage/grade.html", c=customer, scheme=scheme, tiers=tier_names,
        tier_options=[(t, t) for t in tier_names],
        roles_text="、".join(role_label(r) for r in settings["approver_roles"]),
        current=grades.current(customer.id, scheme), history=history, people=people, approvers=approvers,
        form=form or Form(), may_write=g.user.has_role(*WRITERS)), status


@bp.get("/<int:customer_id>/grades/<scheme>")
@login_required
def grade(customer_id: int, scheme: str):
    return _grade_page(customers.get_customer(customer_id), scheme)


@bp.post("/<int:customer_id>/grades/<scheme>")
@login_required
def grade_change(customer_id: int, scheme: str):
    """A manual tier change with reason and approver (CUS-50), as ``PUT .../grades/<scheme>``."""
    customer = _customer_for(customer_id, *WRITERS)
    grade_tiers.scheme_tiers(cus_policy().values["tiers"], scheme)
    form = Form.posted()
    body = {"tier": form.values.get("tier") or "", "reason": form.values.get("reason") or "",
            "approver_id": form.values.get("approver_id") or None, "temporary": form.values.get("temporary") == "1"}
    try:
        _writable(customer)
        data = GradeChangeInSchema().load(body)
        grades.set_manual_tier(customer_id, scheme, tier=data["tier"], reason=data["reason"],
                               approver_id=data["approver_id"], decided_by=g.user.id, temporary=data["temporary"])
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _grade_page(customer, scheme, form, 409)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        fail(form, err)
        return _grade_page(customer, scheme, form, 422)
    flash(_("Grade changed; the approver is recorded with the decision (CUS-50)."), "ok")
    return redirect(url_for(".grade", customer_id=customer_id, scheme=scheme))


# --------------------------------------------------------------------------- merges (CUS-15)


def _merges_page(form: Form | None = None, status: int = 200, pair: list | None = None):
    records = list(db.session.scalars(select(CustomerMerge).where(
        CustomerMerge.survivor_id.in_(_visible_ids())).order_by(CustomerMerge.merged_at.desc(),
                                                                CustomerMerge.id.desc()).limit(30)))
    names = _names([r.survivor_id for r in records])
    names.update(_merge_names(records))
    return render_template("portal/customer_manage/merges.html", form=form or Form(values={"survivor": "a"}),
                           records=records, names=names, pair=pair, now=utcnow(), may_merge=may_merge(g.user),
                           owners=_owner_names(pair or [])), status


def _merge_names(records) -> dict[int, str]:
    """The names of both sides of merges, as the reader may see them (CUS-70): a customer the reader may
    see, and a tombstone (no longer found by search) while its merge stands and its survivor is visible;
    any other side stays "#id"."""
    ids = {i for r in records for i in (r.survivor_id, r.merged_id)}
    if not ids:
        return {}
    visible = set(db.session.scalars(access.restrict(select(Customer.id).where(Customer.id.in_(ids)))))
    named = set(visible)
    named.update(r.merged_id for r in records if r.undone_at is None and r.survivor_id in visible)
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(named))).all()) \
        if named else {}


def _owner_names(pair) -> dict[int, str]:
    out = {}
    for customer in pair:
        answer = ownership.owner_answer(customer.id)
        out[customer.id] = answer["owner_name"] or ""
    return out


@bp.get("/merges")
@roles_required(*WRITERS)
def merges():
    values = {"survivor": "a", "a_id": request.args.get("a_id", ""), "b_id": request.args.get("b_id", "")}
    return _merges_page(Form(values=values))


@bp.post("/merges")
@login_required
def merge_start():
    """Step 1 shows both customers side by side to pick the survivor; step 2 (``confirm``) merges, as
    ``POST /customers/<A>/merge``."""
    if not may_merge(g.user):
        abort(403)
    form = Form.posted()
    a, b = visible_customer(form.values.get("a_id")), visible_customer(form.values.get("b_id"))
    for name, found in (("a_id", a), ("b_id", b)):
        if found is None:
            form.add(name, _("No such customer (or not visible to you)."))
    if a is not None and b is not None and a.id == b.id:
        form.add("b_id", _("A customer cannot be merged into itself."))
    if form.errors:
        form.message = _("Please correct the fields marked below.")
        return _merges_page(form, 422)
    if form.values.get("confirm") != "1":
        return _merges_page(form, 200, pair=[a, b])
    survivor, merged = (b, a) if form.values.get("survivor") == "b" else (a, b)
    try:
        data = MergeInSchema().load({"merged_id": merged.id, "reason": form.values.get("reason") or ""})
        record = merging.merge(survivor.id, data["merged_id"], reason=data["reason"], by=g.user.id)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        fail(form, err)
        return _merges_page(form, 409, pair=[a, b])
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _merges_page(form, 422, pair=[a, b])
    flash(_("Merged: the duplicate now points to the customer that stays (CUS-15)."), "ok")
    return redirect(url_for(".merge", customer_id=record.survivor_id, merge_id=record.id))


def _merge_page(customer: Customer, record: CustomerMerge, form: Form | None = None, status: int = 200):
    names = _merge_names([record])
    people = users_by_id([record.merged_by, record.undone_by] + [
        (o or {}).get("owner_id") for o in (record.survivor_owner_before, record.merged_owner_before,
                                            record.survivor_owner_after)])
    return render_template("portal/customer_manage/merge.html", c=customer, record=record, names=names,
                           people=people, now=utcnow(), form=form or Form(),
                           may_undo=may_merge(g.user) and customer.id == record.survivor_id), status


@bp.get("/<int:customer_id>/merges/<int:merge_id>")
@login_required
def merge(customer_id: int, merge_id: int):
    customer = customers.get_customer(customer_id)
    return _merge_page(customer, merging.get_merge(customer_id, merge_id))


@bp.post("/<int:customer_id>/merges/<int:merge_id>/undo")
@login_required
def merge_undo(customer_id: int, merge_id: int):
    """Undo within ``cus.merge.undo_window`` (409 after, naming the deadline), as ``POST .../undo``."""
    customer = customers.get_customer(customer_id)
    record = merging.get_merge(customer_id, merge_id)
    if not may_merge(g.user):
        abort(403)
    form = Form.posted()
    try:
        data = UndoInSchema().load({"reason": form.values.get("reason") or None})
        merging.undo(customer_id, merge_id, by=g.user.id, reason=data.get("reason"))
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        fail(form, err)
        return _merge_page(customer, record, form, 409)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _merge_page(customer, record, form, 422)
    flash(_("Merge undone: both customers are back with their own records and owners."), "ok")
    return redirect(url_for(".merge", customer_id=customer_id, merge_id=merge_id))
