"""Portal pages: reassignment of a leaver's customers (客户再分配, CUS-33, CUS-35).

- ``portal.customer_reassign.index`` (``/customers/reassign``): the form — the employee whose customers
  move (leaving, transferred, on long leave), the trigger, the leave dates, who may receive, an optional
  seed — and the earlier redistributions. Posting it is ``POST /redistributions``: the plan is stored at
  once and the job ``cus.redistribute`` applies it; the manager lands on the job's page
  (``portal.jobs.show``) with its progress bar.
- ``.show`` (``/customers/reassign/<redistribution_id>``): the result — who received how many customers,
  each customer's draw position and new owner with its "why?", the summary decision (seed, lists).

Managers only (as the API: ``web.api.customer_assignment.MANAGERS``).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from core.customers.assignment import redistribution
from core.customers.assignment.models import RedistributionRun
from core.customers.assignment.rules import REDISTRIBUTION_TRIGGERS
from core.customers.models import CustomerOwnership
from core.customers.policy import cus_policy
from core.customers.staff_facts import users_by_id
from core.db import db
from core.errors import Conflict, KehuError
from web.api.customer_assignment import MANAGERS, RedistributionInSchema
from web.portal import select_locale
from web.portal.customer_manage import _names, id_list, user_options
from web.portal.forms import Form
from web.portal.tenant_pages import roles_required
from workers.models import JobRecord

bp = Blueprint("customer_reassign", __name__, url_prefix="/customers/reassign")


@bp.app_template_global("customer_reassign_tab")
def reassign_tab() -> str | None:
    user = g.get("user")
    return url_for("portal.customer_reassign.index") if user is not None and user.has_role(*MANAGERS) else None


def reassign_body(values: dict) -> dict:
    """The body of ``POST /redistributions`` from the form (empty fields left to the API's defaults)."""
    body = {"leaver_id": values.get("leaver_id") or None, "trigger": values.get("trigger") or ""}
    for name in ("seed", "leave_start", "leave_end"):
        if (values.get(name) or "").strip():
            body[name] = values[name].strip()
    colleagues = id_list(values.get("colleague_ids"))
    if colleagues:
        body["colleague_ids"] = colleagues
    return body


def result_counts(run: RedistributionRun, items) -> list[tuple[int, int]]:
    """(colleague id, customers received) for every eligible colleague, most first, then by id."""
    counts = {c: 0 for c in run.colleagues or []}
    for item in items:
        if item.to_owner_id is not None and item.status != "skipped":
            counts[item.to_owner_id] = counts.get(item.to_owner_id, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def trigger_names() -> dict[str, str]:
    """The CUS-35 triggers in the reader's language."""
    from web.portal.localise import localise

    locale = select_locale()
    return {k: en if locale == "en" else localise(zh, locale) for k, (zh, en) in REDISTRIBUTION_TRIGGERS.items()}


def owners_with_counts() -> list[tuple[int, str]]:
    """Employees who own customers now, with how many (the leaver's select)."""
    rows = db.session.execute(select(CustomerOwnership.owner_id, func.count()).where(
        CustomerOwnership.owner_id.is_not(None)).group_by(CustomerOwnership.owner_id)).all()
    people = users_by_id([r[0] for r in rows])
    return [(uid, _("%(name)s (%(n)s customers)", name=people[uid].display_name, n=n))
            for uid, n in sorted(rows) if uid in people]


def _index_page(form: Form | None = None, status: int = 200):
    runs = list(db.session.scalars(select(RedistributionRun).order_by(RedistributionRun.id.desc()).limit(30)))
    people = users_by_id([r.leaver_id for r in runs] + [r.requested_by for r in runs])
    settings = cus_policy().values["reassign"]
    return render_template(
        "portal/customer_manage/reassign.html", form=form or Form(values={"trigger": "departure"}),
        leavers=owners_with_counts(), colleagues=user_options("salesperson"), runs=runs, people=people,
        triggers_options=list(trigger_names().items()), trigger_names=trigger_names(), settings=settings), status


@bp.get("")
@roles_required(*MANAGERS)
def index():
    return _index_page()


@bp.post("")
@roles_required(*MANAGERS)
def start():
    """``POST /redistributions`` as a form: the plan now, the job applying it, then its progress page."""
    form = Form.posted()
    try:
        data = RedistributionInSchema().load(reassign_body(form.values))
        run, _new = redistribution.plan_redistribution(
            data["leaver_id"], data["trigger"], seed=data.get("seed"), leave_start=data.get("leave_start"),
            leave_end=data.get("leave_end"), colleague_ids=data.get("colleague_ids"), requested_by=g.user.id)
        run_id, job_id = run.id, run.job_id
        db.session.commit()
    except Conflict as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return _index_page(form, 409)
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        from web.portal.customers import reason_on_fields

        reason_on_fields(form, err, select_locale())
        if "leave" in form.errors:  # the rule names the leave as a whole: its dates are the form's inputs
            form.errors.setdefault("leave_end", []).extend(form.errors.pop("leave"))
        return _index_page(form, 422)
    flash(_("Redistribution #%(id)s planned; the job below gives each customer to its new owner. The result "
            "is under Customers › Reassignment.", id=run_id), "ok")
    if job_id is not None:
        return redirect(url_for("portal.jobs.show", job_id=job_id))
    return redirect(url_for(".show", redistribution_id=run_id))


@bp.get("/<int:redistribution_id>")
@roles_required(*MANAGERS)
def show(redistribution_id: int):
    from web.portal.jobs import job_view

    run = redistribution.get_run(redistribution_id)
    items = redistribution.items_of(run.id)
    job = db.session.scalars(select(JobRecord).where(JobRecord.id == run.job_id)).first() if run.job_id else None
    people = users_by_id([run.leaver_id, run.requested_by, *(run.colleagues or [])]
                         + [i.to_owner_id for i in items])
    return render_template("portal/customer_manage/reassign_show.html", run=run, items=items, people=people,
                           counts=result_counts(run, items), names=_names([i.customer_id for i in items]),
                           job=job_view(job) if job else None,
                           trigger_names=trigger_names())
