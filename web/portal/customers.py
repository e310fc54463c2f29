"""Portal pages: Customers (客户) — the salesperson's daily tool.

- ``portal.customers.index`` (``/customers``): search by name, pinyin (full or initials), phone digits,
  resident id / USCC or customer number, with the filters mine / grade / ownership state; the same
  query as ``GET /api/v1/customers`` (:func:`core.customers.service.search`, CUS-70 visibility), PII
  masked in the list as the API masks it.
- ``portal.customers.new`` (``/customers/new``): ``POST /customers`` as a form. CUS-13: an exact
  duplicate is refused (409, with a link to the existing customer); likely duplicates and household
  hints are shown first and the form asks to confirm ("create anyway" re-posts the same values).
  ``portal.customers.duplicates`` (``/customers/duplicates``, JSON) answers the same check while the
  user types (``web/static/customers.js``).
- ``portal.customers.show`` (``/customers/<customer_id>``): facts, owner and protection (CUS-20), grade
  (CUS-50), points (CUS-41), the timeline (CUS-05) with a "why?" on every automatic outcome, and the
  actions: log a contact (CUS-60), register the customer as mine (CUS-21 evidence).
- ``portal.customers.edit`` (``/customers/<customer_id>/edit``): ``PATCH /customers/<id>`` as a form.

Every view calls the core services the API calls, with the API's schemas; nothing is decided here.
"""
from __future__ import annotations

import re

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import and_, or_, select

from core.customers import service, timeline
from core.customers import ownership_store
from core.customers.confidentiality import access
from core.customers.confidentiality.viewer import Viewer
from core.customers.grades import service as grades
from core.customers.grades import tiers as grade_tiers
from core.customers.identity import IdentityError, normalise_phone, parse_resident_id, parse_uscc
from core.customers.models import CONTACT_CHANNELS, GENDERS, KINDS, Customer, CustomerOwnership, OwnershipChange
from core.customers.ownership import service as ownership
from core.customers.ownership.vocabulary import CLAIMABLE, EXPIRING, PROTECTED, UNOWNED
from core.customers.points import ledger
from core.customers.policy import cus_policy
from core.customers.staff_facts import users_by_id
from core.db import db
from core.errors import Conflict, InvalidInput, KehuError
from web.api.contact_log import ContactLogInSchema
from web.api.customer_ownership import ClaimInSchema
from web.api.customers import WRITERS, CustomerCreateSchema, CustomerUpdateSchema
from web.portal import select_locale
from web.portal.decision_access import visible_to
from web.portal.forms import Form
from web.portal.paging import Page, paginate
from web.portal.tenant_pages import login_required, roles_required

bp = Blueprint("customers", __name__, url_prefix="/customers")

#: ownership states a salesperson filters by (CUS-20)
STATES = (PROTECTED, EXPIRING, CLAIMABLE, "locked", UNOWNED)
#: the form's phone inputs (the API takes a list; the form has two rows)
PHONE_FIELDS = ("phones.0.number", "phones.1.number")
#: plain text fields of the customer form, in the order of the API schema
TEXT_FIELDS = ("name", "resident_id", "uscc", "birth_date", "gender", "district", "address", "source", "note")
#: the organisation's contact person (the first of the API's contacts list)
CONTACT_FIELDS = ("contacts.0.name", "contacts.0.mobile")
TIMELINE_PAGE = 20


# --------------------------------------------------------------------------- pure helpers


def pretty_phone(e164: str | None, extension: str | None = None) -> str:
    """A stored number as people write it in China — the CUS-10 display (``138 0013 8000``,
    ``0830-2345678 转12``); a masked number (``138****8000``) or anything unparsable as it is."""
    if not e164:
        return ""
    text = e164
    if "*" not in e164:
        try:
            text = normalise_phone(e164, "CN").display
        except IdentityError:
            pass
    return f"{text} 转{extension}" if extension else text


def customer_body(values: dict, *, update: bool = False) -> tuple[dict, list[str]]:
    """The body of ``POST /customers`` (or, with ``update``, ``PATCH``) from the form's values, and the
    form field of each phone in the body's order (to put a phone's error back on its input). A create
    leaves out empty fields; an update sends them as null (clearing them) and always replaces the
    phones."""
    body: dict = {"kind": (values.get("kind") or "person").strip()}
    for name in TEXT_FIELDS:
        value = (values.get(name) or "").strip() if isinstance(values.get(name, ""), str) else values.get(name)
        if value:
            body[name] = value
        elif update and name != "name":
            body[name] = None
        elif update:
            body[name] = ""
    phones, fields = [], []
    for name in PHONE_FIELDS:
        number = (values.get(name) or "").strip()
        if number:
            phones.append({"number": number})
            fields.append(name)
    body["phones"] = phones
    contact = {name.rsplit(".", 1)[1]: (values.get(name) or "").strip() for name in CONTACT_FIELDS}
    if any(contact.values()):
        body["contacts"] = [{k: v or None for k, v in contact.items()}]
    return body, fields


def place_phone_errors(form: Form, fields: list[str]) -> None:
    """``phones.<i>.number`` of the body → the form input the number came from; a requirement on the
    whole list (``phones``, ``contacts``: CUS-01) → the list's first input."""
    for whole, first in (("phones", PHONE_FIELDS[0]), ("contacts", CONTACT_FIELDS[0])):
        if whole in form.errors:
            form.errors.setdefault(first, []).extend(form.errors.pop(whole))
    moved = {}
    for key in list(form.errors):
        found = re.match(r"^phones\.(\d+)\.(.+)$", key)
        if found and int(found.group(1)) < len(fields):
            moved[f"{fields[int(found.group(1))].rsplit('.', 1)[0]}.{found.group(2)}"] = form.errors.pop(key)
    form.errors.update(moved)


_REQUIRED = re.compile(r"^required: (?P<names>[a-z_]+(?: or [a-z_]+)*)(?:, at least one contact with a name)? "
                       r"\((?P<setting>[a-z_.]+), CUS-01\)$")


def required_zh(message: str) -> str:
    """A CUS-01 "required: address (cus.archive.required.organisation, CUS-01)" in Chinese, with the
    archive's own names of the fields; any other message unchanged."""
    from core.customers.archive.requirements import _ZH

    found = _REQUIRED.match(message)
    if not found:
        return message
    names = "或".join(_ZH.get(n, n) for n in found.group("names").split(" or "))
    return f"必填：{names}（{found.group('setting')}，CUS-01）"


def chinese_identity_errors(form: Form, body: dict, fields: list[str], region: str, locale: str) -> None:
    """The service reports a refused phone, resident id or USCC (CUS-10/11) in English; the same
    parser (:mod:`core.customers.identity`) also has the reason in Chinese: put that on the field."""
    from web.portal.localise import localise

    if locale == "en":
        return
    for name, messages in form.errors.items():
        form.errors[name] = [localise(required_zh(m), locale) for m in messages]
    checks = [(name, lambda n=phone["number"]: normalise_phone(n, region or "CN"))
              for name, phone in zip(fields, body.get("phones") or [])]
    if body.get("resident_id"):
        checks.append(("resident_id", lambda: parse_resident_id(body["resident_id"])))
    if body.get("uscc"):
        checks.append(("uscc", lambda: parse_uscc(body["uscc"])))
    for name, check in checks:
        if name not in form.errors:
            continue
        try:
            check()
        except IdentityError as err:
            form.errors[name] = [localise(err.zh, locale)]


def reason_on_fields(form: Form, err: Exception, locale: str) -> None:
    """A rule's refusal names its field with the English reason; show its Chinese reason there too."""
    from web.portal.localise import localise

    extra = getattr(err, "extra", {}) or {}
    english = extra.get("reason_en") or getattr(err, "message", None)
    if locale == "en" or not extra.get("reason_zh") or not english:
        return
    for name, messages in form.errors.items():
        form.errors[name] = [localise(extra["reason_zh"], locale) if m == english else m for m in messages]


def customer_number(q: str) -> int | None:
    """The customer number in a search: ``#123``, ``No.123``, ``编号123`` or plain digits (``123``;
    4 or more digits are searched as a phone too)."""
    found = re.fullmatch(r"\s*(?:#|no\.?|编号)?\s*(\d{1,12})\s*", q or "", flags=re.I)
    return int(found.group(1)) if found else None


@bp.app_template_filter("phone")
def _phone_filter(e164, extension=None):
    return pretty_phone(e164, extension)


# --------------------------------------------------------------------------- who may see what


@visible_to("customer")
def _customer_visible(user, subject_id: int) -> bool:
    """The decisions about a customer: whoever may see the customer (CUS-70, as the API)."""
    return access.is_visible(subject_id, Viewer.of(user))


# --------------------------------------------------------------------------- list and search


def _grade_scheme() -> tuple[str, list[str]]:
    settings = cus_policy().values["tiers"]
    schemes = list(settings["schemes"])
    scheme = "grade" if "grade" in schemes else schemes[0]
    return scheme, grade_tiers.scheme_tiers(settings, scheme)


def search_statement(q: str, *, mine: bool, grade: str, state: str, scheme: str):
    """The API's search (CUS-70 visibility included) with the portal's filters."""
    stmt = service.search(q)
    number = customer_number(q)
    if number is not None:
        found = service.search(q).with_only_columns(Customer.id).order_by(None)
        stmt = service.search(None).where(or_(Customer.id == number, Customer.id.in_(found)))
    owned = select(CustomerOwnership.customer_id).where(CustomerOwnership.owner_id.is_not(None))
    if mine:
        stmt = stmt.where(or_(
            Customer.id.in_(select(CustomerOwnership.customer_id).where(CustomerOwnership.owner_id == g.user.id)),
            and_(Customer.created_by == g.user.id, Customer.id.not_in(owned))))
    if grade:
        from core.customers.grades.models import CustomerGrade

        stmt = stmt.where(Customer.id.in_(select(CustomerGrade.customer_id).where(
            CustomerGrade.scheme == scheme, CustomerGrade.tier == grade)))
    if state == UNOWNED:
        stmt = stmt.where(Customer.id.not_in(select(CustomerOwnership.customer_id).where(
            CustomerOwnership.state != UNOWNED)))
    elif state:
        stmt = stmt.where(Customer.id.in_(select(CustomerOwnership.customer_id).where(
            CustomerOwnership.state == state)))
    return stmt


@bp.get("")
@login_required
def index():
    q = request.args.get("q", "").strip()
    mine = request.args.get("mine") == "1"
    scheme, tiers = _grade_scheme()
    grade = request.args.get("grade", "") if request.args.get("grade", "") in tiers else ""
    state = request.args.get("state", "") if request.args.get("state", "") in STATES else ""
    page = paginate(search_statement(q, mine=mine, grade=grade, state=state, scheme=scheme))
    customers = access.present(page.items)
    ids = [c.id for c in page.items]
    owners = {r.customer_id: r for r in db.session.scalars(
        select(CustomerOwnership).where(CustomerOwnership.customer_id.in_(ids)))} if ids else {}
    names = users_by_id([r.owner_id for r in owners.values()])
    return render_template("portal/customers/index.html", page=page, customers=customers, owners=owners,
                           names=names, grades=grades.tiers_of(ids, scheme) if ids else {}, q=q, mine=mine,
                           grade=grade, state=state, tiers=tiers, states=STATES,
                           args={"q": q, "mine": "1" if mine else "", "grade": grade, "state": state},
                           may_write=g.user.has_role(*WRITERS))


# --------------------------------------------------------------------------- duplicates (CUS-13)


def _warning_rows(verdict) -> list[dict]:
    """The verdict's warnings as the API lists them, each with the existing customer's name when the
    reader may see it."""
    from web.api.customers import _warnings

    rows = _warnings(verdict)
    ids = [w["existing_id"] for w in rows]
    visible = {c.id: c.name for c in db.session.scalars(service.search(None).where(Customer.id.in_(ids)))} if ids \
        else {}
    for row in rows:
        row["name"] = visible.get(row["existing_id"])
    return rows


def _exact_row(err: Conflict) -> dict:
    existing = err.extra.get("existing_id")
    name = None
    if existing is not None:
        name = db.session.scalar(service.search(None).with_only_columns(Customer.name).where(Customer.id == existing))
    return {"existing_id": existing, "name": name, "reason_zh": err.extra.get("reason_zh"),
            "reason_en": err.extra.get("reason_en"), "rule_id": "CUS-13"}


@bp.get("/duplicates")
@roles_required(*WRITERS)
def duplicates():
    """The CUS-13 answer for what is typed so far (JSON for ``customers.js``): ``warnings`` (likely
    duplicates and household hints), ``exact`` (the refusal a create would get) or ``errors``."""
    from web.portal.localise import localise

    locale = select_locale()
    body, fields = customer_body(request.args.to_dict())

    def text(zh, en):
        return localise(zh, locale) if locale != "en" and zh else (en or zh or "")

    answer = {"warnings": [], "exact": None, "errors": {}}
    if not body.get("name") and not body["phones"] and not body.get("resident_id") and not body.get("uscc"):
        return jsonify(answer)
    try:
        CustomerCreateSchema().load(body)
        verdict = service.check_duplicates(body, region=g.tenant.region)
    except (InvalidInput, ValidationError) as err:
        form = Form(values=request.args.to_dict()).fail(err, locale)
        place_phone_errors(form, fields)
        chinese_identity_errors(form, body, fields, g.tenant.region, locale)
        answer["errors"] = form.errors
    except Conflict as err:
        row = _exact_row(err)
        answer["exact"] = {**row, "reason": text(row["reason_zh"], row["reason_en"]),
                           "url": url_for(".show", customer_id=row["existing_id"]) if row["name"] else None}
    else:
        answer["warnings"] = [{**w, "reason": text(w["reason_zh"], w["reason_en"]),
                               "url": url_for(".show", customer_id=w["existing_id"]) if w["name"] else None}
                              for w in _warning_rows(verdict)]
    db.session.rollback()
    return jsonify(answer)


# --------------------------------------------------------------------------- create and edit


def load_body(schema, body: dict, region: str) -> dict:
    """``body`` loaded with the API's ``schema``; when that refuses some fields, the others still go
    through the service's own checks (CUS-01/10/11), so every field's problem is shown at once."""
    try:
        return schema.load(body)
    except ValidationError as err:
        messages = dict(err.messages) if isinstance(err.messages, dict) else {"_schema": err.messages}
        rest = {k: v for k, v in body.items() if k not in messages}
        try:
            loaded = schema.load(rest, partial=True)
            service.prepare({"name": "-", **loaded}, region)
        except ValidationError:
            pass
        except InvalidInput as more:
            for name, problems in (more.fields or {}).items():
                if name not in messages and name != "name":
                    messages[name] = problems
        raise ValidationError(messages) from err


def _form_page(template: str, form: Form, status: int = 200, **context):
    return render_template(template, form=form, kinds=KINDS, genders=GENDERS, **context), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new():
    if request.method == "GET":
        return _form_page("portal/customers/new.html", Form(values={"kind": request.args.get("kind", "person")}))
    form = Form.posted()
    body, fields = customer_body(form.values)
    locale = select_locale()
    try:
        data = load_body(CustomerCreateSchema(), body, g.tenant.region)
        if form.values.get("confirm") != "1":
            service.prepare(data, region=g.tenant.region)  # every field error before any warning
            verdict = service.check_duplicates(data, region=g.tenant.region)
            if verdict.warnings:
                db.session.rollback()
                return _form_page("portal/customers/new.html", form, 200, warnings=_warning_rows(verdict))
        customer, verdict = service.create_customer(data, region=g.tenant.region, created_by=g.user.id)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        form.message = _("Not created: this customer already exists.")
        return _form_page("portal/customers/new.html", form, 409, exact=_exact_row(err))
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, locale)
        place_phone_errors(form, fields)
        chinese_identity_errors(form, body, fields, g.tenant.region, locale)
        return _form_page("portal/customers/new.html", form, 422)
    if verdict.warnings:
        flash(_("Customer created despite likely duplicates; the warning is kept on its timeline."), "ok")
    else:
        flash(_("Customer created."), "ok")
    return redirect(url_for(".show", customer_id=customer.id))


def _values_of(customer: Customer) -> dict:
    values = {"kind": customer.kind}
    for name in TEXT_FIELDS:
        value = getattr(customer, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else (value or "")
    for field, phone in zip(PHONE_FIELDS, customer.phones):
        values[field] = pretty_phone(phone.e164, phone.extension)
    for contact in customer.contacts[:1]:
        values["contacts.0.name"] = contact.name or ""
        values["contacts.0.mobile"] = pretty_phone(contact.mobile)
    return values


def _other_contacts(customer: Customer) -> list[dict]:
    """The contacts after the first, as the API takes them (an edit of the first keeps them)."""
    keep = ("name", "title", "department", "mobile", "landline", "email", "im", "note")
    return [{k: getattr(c, k) for k in keep} for c in customer.contacts[1:]]


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit(customer_id: int):
    customer = service.get_customer(customer_id)  # first: another tenant's or an invisible id is 404
    if request.method == "GET":
        return _form_page("portal/customers/edit.html", Form(values=_values_of(customer)), customer=customer)
    form = Form.posted()
    body, fields = customer_body(form.values, update=True)
    if "contacts" in body:
        body["contacts"] += _other_contacts(customer)
    try:
        data = load_body(CustomerUpdateSchema(), body, g.tenant.region)
        customer, verdict = service.update_customer(customer, data, region=g.tenant.region)
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        form.message = _("Not saved: another customer already has this number.")
        return _form_page("portal/customers/edit.html", form, 409, customer=service.get_customer(customer_id),
                          exact=_exact_row(err))
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        place_phone_errors(form, fields)
        chinese_identity_errors(form, body, fields, g.tenant.region, select_locale())
        return _form_page("portal/customers/edit.html", form, 422, customer=service.get_customer(customer_id))
    flash(_("Saved.") if not verdict.warnings else
          _("Saved; it looks like other customers (see the duplicate warning on the timeline)."), "ok")
    return redirect(url_for(".show", customer_id=customer.id))


# --------------------------------------------------------------------------- customer page


def _timeline_page(customer_id: int):
    number = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = timeline.timeline(customer_id, offset=(number - 1) * TIMELINE_PAGE, limit=TIMELINE_PAGE)
    change_ids = [i["source_id"] for i in items if i["source"] == "ownership_changes"]
    decided = dict(db.session.execute(select(OwnershipChange.id, OwnershipChange.decision_id).where(
        OwnershipChange.id.in_(change_ids))).all()) if change_ids else {}
    for item in items:
        if item["source"] == "decisions":
            item["decision"] = {"id": item["source_id"], "rule_id": item["rule_id"]}
        elif item["source"] == "ownership_changes" and decided.get(item["source_id"]):
            item["decision"] = {"id": decided[item["source_id"]], "rule_id": item["rule_id"]}
        else:
            item["decision"] = None
    pages = max(1, -(-total // TIMELINE_PAGE))
    return Page(items, min(number, pages), pages, total)


def channel_options() -> list[tuple[str, str]]:
    """The contact channels (CUS-60) with their labels in the reader's language."""
    from web.portal.localise import localise

    locale = select_locale()
    out = []
    for channel in CONTACT_CHANNELS:
        zh, en = timeline.CHANNEL_LABELS.get(channel, (channel, channel))
        out.append((channel, en if locale == "en" else localise(zh, locale)))
    return out


def _show(customer_id: int, contact_form: Form | None = None, status: int = 200):
    customer = service.get_customer(customer_id)
    access.log_view(customer)
    owner = ownership.owner_answer(customer_id)
    row = ownership_store.current(customer_id)
    settings = cus_policy().values["tiers"]
    grade_rows = []
    for scheme in settings["schemes"]:
        current = grades.current(customer_id, scheme)
        grade_rows.append({"scheme": scheme, "tier": current.tier if current else None,
                           "temporary": current.temporary if current else False,
                           "decision": {"id": current.decision_id, "rule_id": "CUS-50"}
                           if current and current.decision_id else None})
    balance = sum(e.points for e in ledger.entries_of(customer_id))
    creator = users_by_id([customer.created_by]).get(customer.created_by)
    page = render_template(
        "portal/customers/show.html", c=customer, owner=owner, until=row.until if row else None,
        grades=grade_rows, balance=balance, creator=creator, tl=_timeline_page(customer_id),
        contact_form=contact_form or Form(values={"channel": "phone_answered"}), channel_options=channel_options(),
        may_write=g.user.has_role(*WRITERS),
        is_owner=owner["owner_id"] == g.user.id)
    db.session.commit()  # the access log of the view (CUS-70)
    return page, status


@bp.get("/<int:customer_id>")
@login_required
def show(customer_id: int):
    return _show(customer_id)


@bp.post("/<int:customer_id>/contacts")
@roles_required(*WRITERS)
def log_contact(customer_id: int):
    """Log a contact or follow-up (CUS-60), as ``POST /customers/<id>/contact-log``."""
    from core.customers import contact_log

    service.get_customer(customer_id)
    form = Form.posted()
    body = {k: v for k, v in form.values.items() if k in ("channel", "content", "outcome", "next_step") and v}
    body["return_visit"] = form.values.get("return_visit") == "1"
    if "customer_signed" in form.values:
        body["customer_signed"] = form.values["customer_signed"] == "1"
    try:
        data = ContactLogInSchema().load(body)
        at = data.pop("at")
        offline = cus_policy(at).values["contact_log"]["offline_capture"]
        contact_log.log_contact(customer_id, at=at, user_id=g.user.id, offline_capture=offline, **data)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        reason_on_fields(form, err, select_locale())
        return _show(customer_id, contact_form=form, status=422)
    flash(_("Contact logged."), "ok")
    return redirect(url_for(".show", customer_id=customer_id))


@bp.post("/<int:customer_id>/claim")
@roles_required(*WRITERS)
def claim(customer_id: int):
    """Register the customer as mine: CUS-21 evidence (``register``) by the caller, as ``POST
    /customers/<id>/claims``; ownership is re-judged (the earliest valid evidence wins)."""
    service.get_customer(customer_id)
    form = Form.posted()
    try:
        data = ClaimInSchema().load({"kind": "register", "note": form.values.get("note") or None})
        data.pop("claimant_id")
        ownership.record_claim(customer_id, claimant_id=g.user.id, **data)
        db.session.commit()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        flash(form.message or _("Not registered."), "error")
        return redirect(url_for(".show", customer_id=customer_id))
    after = ownership.owner_answer(customer_id)
    if after["owner_id"] == g.user.id:
        flash(_("Registered: the customer is yours now."), "ok")
    else:
        flash(_("Registered; the customer stays with its owner (earlier valid evidence wins, CUS-21)."), "ok")
    return redirect(url_for(".show", customer_id=customer_id))

