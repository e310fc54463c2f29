"""Portal: the case tools the case page did not have yet — each a form on the case page
(``portal/complaint_tools/_case_tools.html``) posting here, through the API's roles, input schema and
service call; then back to ``portal.complaints.show``.

- ``tool_link`` ``POST /complaints/tools/<complaint_id>/link`` — cases of the same issue under this
  master (CMP-13, ``POST /complaints/<id>/link``); cases named by number or ticked.
- ``tool_tags`` ``…/tags`` (CMP-14) · ``tool_transfer`` ``…/transfer`` (CMP-20/22) · ``tool_supplier``
  ``…/supplier`` (CMP-22) · ``tool_external`` ``…/external`` (CMP-11) · ``tool_adoption`` ``…/adoption``
  (CMP-01, suggestions).
- ``tool_acknowledge`` ``…/acknowledge`` · ``tool_meeting`` ``…/meeting`` · ``tool_group_warning``
  ``…/group-warning`` — the major-complaint path (CMP-42, ``/complaints/<id>/major/...``).
- ``tool_analysis`` ``…/analysis`` — the investigation's answers: root cause, corrective and preventive
  actions (CMP-55, ``PUT /complaints/<id>/analysis``).
- ``tool_improvement`` ``…/improvement`` — draft an improvement proposal; ``improvement_<action>``
  ``…/improvements/<improvement_id>/<action>`` sign, countersign, approve, return (CMP-55).

Every view loads the case first (404 for another tenant's case or one the user is excluded from,
CMP-21), checks the API's roles (403), loads the form with the API's schema (422, what was typed kept),
runs the service (409 with the refusal in the reader's language) and redirects back.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, g, redirect, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from core.complaints import handling, improvement, linking, major, resolution, service, severity, severity_rules
from core.complaints.models import OPEN_STATUSES, Complaint
from core.complaints.policy import cmp_policy
from core.db import db, utcnow
from core.errors import InvalidInput, KehuError
from web.api import complaint_resolution as resolution_api
from web.api import complaints as complaint_api
from web.api.complaints import SUPERVISORS, TAKERS, case_for
from web.portal import complaints as pages
from web.portal import select_locale
from web.portal.complaints_rules import as_input
from web.portal.forms import Form
from web.portal.tenant_pages import login_required

bp = Blueprint("complaint_tools", __name__, url_prefix="/complaints/tools")

_SPLIT = re.compile(r"[\s,，;；、]+")


@dataclass(frozen=True)
class Tool:
    roles: tuple[str, ...]
    schema: type[Schema]
    run: Callable  # (complaint, data) -> None
    times: tuple[str, ...] = ("at",)
    lists: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()  # text fields whose words (commas, new lines) are the list


@dataclass(frozen=True)
class ToolFacts:
    """What the choice of tools looks at."""

    status: str
    case_type: str = "complaint"
    master_id: int | None = None
    supplier: str | None = None
    adopted: bool | None = None
    major: bool = False
    told: bool = False  # the user is one of those told of the major case
    acknowledged: bool = False
    warning_due: bool = False  # a group warning is owed and not sent


def available_tools(case: ToolFacts, roles: set[str]) -> list[str]:
    """The tools whose forms the case page shows (the services check again and refuse out of turn)."""
    taker, supervisor = bool(roles & set(TAKERS)), bool(roles & set(SUPERVISORS))
    recorder = bool(roles & set(resolution_api.MAJOR_RECORDERS))
    is_open = case.status in OPEN_STATUSES
    tools: list[str] = []
    if case.major and case.told and not case.acknowledged and taker:
        tools.append("acknowledge")
    if case.major and recorder:
        tools.append("meeting")
        if case.warning_due:
            tools.append("group_warning")
    if is_open and supervisor and case.master_id is None:
        tools.append("link")
    if is_open and taker:
        tools += ["transfer", "external"]
        if case.supplier is None:
            tools.append("supplier")
    if taker and case.status != "rejected":
        tools.append("tags")
    if supervisor and case.case_type == "suggestion" and case.adopted is None:
        tools.append("adoption")
    if taker and case.status in (*OPEN_STATUSES, "resolved", "closed"):
        tools += ["analysis", "improvement"]
    return tools


def words(value) -> list[str]:
    """The words of a text field (commas, semicolons, 、 and new lines separate them)."""
    values = value if isinstance(value, list) else [value]
    return [w for v in values for w in _SPLIT.split(str(v or "")) if w]


# ---------------------------------------------------------------- the service calls, as the API's


def _link(complaint, data):
    at = handling.case_time(data["at"], complaint)
    linking.link(complaint, data["complaint_ids"], by=g.user.id, at=at)


def _external(complaint, data):
    at = handling.case_time(data["at"], complaint)
    severity.report_external(complaint, data["channel"], by=g.user.id, at=at, note=data["note"])


def _acknowledge(complaint, data):
    major.acknowledge(complaint, user_id=g.user.id, at=resolution.fact_at(complaint, data["at"]))


def _meeting(complaint, data):
    held_at = resolution.fact_at(complaint, data["held_at"], "held_at")
    major.record_meeting(complaint, kind=data["kind"], held_at=held_at, minutes=data["minutes"],
                         attendees=data["attendees"], resolutions=data["resolutions"],
                         convened_by=data["convened_by"], by=g.user.id)


def _group_warning(complaint, data):
    sent_at = resolution.fact_at(complaint, data["sent_at"], "sent_at")
    major.record_group_warning(complaint, sent_at=sent_at, sent_to=data["sent_to"], text=data["text"], by=g.user.id)


TOOLS: dict[str, Tool] = {
    "link": Tool(SUPERVISORS, complaint_api.ComplaintLinkInSchema, _link, lists=("complaint_ids",)),
    "tags": Tool(TAKERS, complaint_api.ComplaintTagsInSchema,
                 lambda c, d: handling.set_tags(c, d["tags"], by=g.user.id, at=d["at"]), lists=("tags",)),
    "transfer": Tool(TAKERS, complaint_api.ComplaintTransferInSchema,
                     lambda c, d: handling.transfer(c, by=g.user.id, **d)),
    "supplier": Tool(TAKERS, complaint_api.ComplaintSupplierInSchema,
                     lambda c, d: handling.flag_supplier(c, by=g.user.id, **d)),
    "external": Tool(TAKERS, complaint_api.ComplaintExternalReportInSchema, _external),
    "adoption": Tool(SUPERVISORS, complaint_api.ComplaintAdoptionInSchema,
                     lambda c, d: handling.record_adoption(c, by=g.user.id, **d)),
    "acknowledge": Tool(TAKERS, resolution_api.CaseStepInSchema, _acknowledge),
    "meeting": Tool(resolution_api.MAJOR_RECORDERS, resolution_api.MajorMeetingInSchema, _meeting,
                    times=("held_at",), splits=("attendees",)),
    "group_warning": Tool(resolution_api.MAJOR_RECORDERS, resolution_api.MajorGroupWarningInSchema, _group_warning,
                          times=("sent_at",), splits=("sent_to",)),
    "analysis": Tool(TAKERS, resolution_api.CaseAnalysisInSchema,
                     lambda c, d: resolution.record_analysis(c, d, by=g.user.id), times=()),
    "improvement": Tool(TAKERS, resolution_api.ComplaintImprovementInSchema,
                        lambda c, d: improvement.draft(c, kind=d["kind"], title=d["title"], text=d["text"],
                                                       by=g.user.id, at=utcnow()), times=()),
}

#: the fields each tool form shows (the others' errors are listed at the top of the form)
FIELDS = {
    "link": ["complaint_ids", "numbers"], "tags": ["tags"], "transfer": ["department_id", "kind", "note"],
    "supplier": ["supplier", "note"], "external": ["channel", "note"], "adoption": ["adopted", "note"],
    "acknowledge": ["note"], "meeting": ["kind", "held_at", "attendees", "minutes", "resolutions"],
    "group_warning": ["sent_to", "text", "sent_at"],
    "analysis": ["root_cause", "corrective_action", "preventive_action", "human_negligence", "gap_in_standard",
                 "internal_notes"],
    "improvement": ["kind", "title", "text"], "improvement_step": ["note"],
}


# ---------------------------------------------------------------- what the case page shows


def _refusal(message: str) -> str | None:
    """Refusals of these services in the reader's language (None: one we do not know)."""
    known = (
        (r"^case \S+ is itself linked to another master", _("This case is linked to another master: link to that one (CMP-13).")),
        (r"^case \S+ is already linked to a master", _("A case named is already linked to a master (CMP-13).")),
        (r"^case \S+ is the master of other cases", _("A case named is the master of other cases (CMP-13).")),
        (r"^a case cannot be linked to itself", _("A case cannot be linked to itself.")),
        (r"^case \S+ is \w+: only open cases are linked", _("Only open cases can be linked (CMP-13).")),
        (r"^case \S+ is \w+: only an open case can be the master", _("Only an open case can be the master (CMP-13).")),
        (r"^the \w+ of master case", _("Someone in charge of the master is excluded from a case named (CMP-21).")),
        (r"^case \S+ is already handled by", _("The case is already handled by that department.")),
        (r"^case \S+ is already flagged for supplier", _("The case is already flagged for a supplier (CMP-22).")),
        (r"^only a suggestion is adopted", _("Only a suggestion is adopted or not (CMP-01).")),
        (r"^already recorded: ", _("Adoption is already recorded (CMP-01).")),
        (r"^not a major complaint", _("This is not a major complaint (CMP-42).")),
        (r"^only those told of the major complaint", _("Only those told of the major complaint acknowledge it (CMP-42).")),
        (r"^the company is not part of a group", _("The company is not part of a group: no group warning is due (CMP-42).")),
        (r"^the group warning report was already sent", _("The group warning report was already sent (CMP-42).")),
        (r"^only a draft proposal can be edited", _("Only a draft proposal can be edited: return it first (CMP-55).")),
        (r"^a \w+ proposal cannot be returned", _("This proposal cannot be returned in its state (CMP-55).")),
        (r"^the proposal is \w+: it waits for", _("The proposal is not waiting for this step (CMP-55).")),
        (r"^you may not \w+ this proposal", _("You may not take this step of the proposal (CMP-55).")),
    )
    for pattern, text in known:
        if re.match(pattern, message or ""):
            return text
    return None


def _facts(complaint, track, user_id: int) -> ToolFacts:
    return ToolFacts(
        status=complaint.status, case_type=complaint.case_type, master_id=complaint.master_id,
        supplier=complaint.supplier, adopted=complaint.adopted, major=track is not None,
        told=bool(track and user_id in (track.recipients or [])),
        acknowledged=bool(track and str(user_id) in (track.acknowledgements or {})),
        warning_due=bool(track and track.group_warning_due_at and not track.group_warning_sent_at))


def _candidates(complaint) -> list[Complaint]:
    """Open cases of the same customer that could be linked to this master (CMP-13)."""
    if complaint.customer_id is None:
        return []
    stmt = service.search(customer_id=complaint.customer_id).where(
        Complaint.id != complaint.id, Complaint.master_id.is_(None), Complaint.status.in_(OPEN_STATUSES))
    return list(db.session.scalars(stmt.limit(20)))


def tools_page(complaint) -> dict:
    """Everything the tools part of the case page shows, for the user."""
    from core.accounts.models import Department
    from web.portal.complaints_case import options, picker

    locale = select_locale()
    pick = picker(locale)
    track = major.track_of(complaint)
    tools = available_tools(_facts(complaint, track, g.user.id), set(g.user.roles))
    proposals = improvement.improvements_of(complaint)
    values = cmp_policy(complaint.received_at).values
    return {
        "tools": tools, "track": track, "meetings": major.meetings_of(complaint) if track else [],
        "proposals": [(row, improvement._next_action(row.state, complaint)) for row in proposals],
        "may_sign": g.user.has_role(*resolution_api.SIGNERS),
        "candidates": _candidates(complaint) if "link" in tools else [],
        "linked": [c for c in linking.issue_of(complaint) if c.id != complaint.id],
        "tag_options": options("tag", values["tags"], locale),
        "department_options": [(str(i), n) for i, n in db.session.execute(select(Department.id, Department.name)
                                                                          .order_by(Department.name))],
        "channels": [(c, pick(severity_rules.CRITERION_ZH.get(c, c), c.replace("_", " ")))
                     for c in severity_rules.EXTERNAL_CHANNELS],
        "fields": FIELDS, "tags_form": Form(values={"tags": list(complaint.tags or [])}),
    }


@bp.app_context_processor
def _tools():
    return {"cmp_tools": tools_page}


# ---------------------------------------------------------------- the views


def _input(tool: Tool, form: Form) -> dict:
    values = {k: v for k, v in form.values.items() if k != "numbers"}
    for name in tool.splits:
        values[name] = words(values.get(name))
    return as_input(values, times=tool.times, lists=tool.lists + tool.splits, timezone=g.tenant.timezone)


def _link_ids(form: Form, body: dict) -> None:
    """Case numbers typed (``numbers``) → ids among the cases the user may see; an unknown one is 422."""
    ids = [int(v) if str(v).isdigit() else v for v in body.get("complaint_ids", [])]
    unknown = []
    for number in words(form.value("numbers")):
        found = db.session.scalars(service.search(number=number)).first()
        if found is None or found.number != number:
            unknown.append(number)
        else:
            ids.append(found.id)
    if unknown:
        raise InvalidInput("unknown case", fields={"numbers": [_("No case numbered %(n)s.", n="、".join(unknown))]})
    body["complaint_ids"] = ids


def _refused(form: Form, err: KehuError, complaint, key: str):
    db.session.rollback()
    pages._fail(form, err)
    from web.portal.complaints_rules import refusal

    form.message = _refusal(err.message) or refusal(err.message, pages._status_name) or form.message or err.message
    complaint = service.get_complaint(complaint.id)
    return pages._render_case(complaint, {key: form}, err.status if err.status in (403, 409, 422) else 409,
                              refused=form.message)


def _step(complaint, form: Form, key: str, roles, act, anchor: str):
    """Run one step of the case: the role as the API's (403), ``act()`` and commit; bad input 422 with the
    field errors, a refusal 409 with its reason, another case's record 404; then back to the case page."""
    if not g.user.has_role(*roles):
        db.session.rollback()
        form.message = _("Your role may not take this step.")
        return pages._render_case(service.get_complaint(complaint.id), {key: form}, 403, refused=form.message)
    try:
        act()
        db.session.commit()
    except ValidationError as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return pages._render_case(service.get_complaint(complaint.id), {key: form}, 422)
    except KehuError as err:
        if err.status == 404:
            raise
        return _refused(form, err, complaint, key)
    flash(_("Saved."), "ok")
    return redirect(url_for("portal.complaints.show", complaint_id=complaint.id) + f"#{anchor}")


def _take(name: str, complaint_id: int):
    tool = TOOLS[name]
    complaint = case_for(complaint_id)  # first: another tenant's case is 404 whatever the form holds
    form = Form.posted()
    key = f"tool-{name}"

    def act():
        body = _input(tool, form)
        if name == "link":
            _link_ids(form, body)
        tool.run(complaint, tool.schema().load(body))

    return _step(complaint, form, key, tool.roles, act, key)


def _tool_view(name: str):
    def view(complaint_id):
        return _take(name, complaint_id)

    view.__name__ = f"tool_{name}"
    return login_required(view)


for _name in TOOLS:
    bp.add_url_rule(f"/<int:complaint_id>/{_name.replace('_', '-')}", endpoint=f"tool_{_name}",
                    view_func=_tool_view(_name), methods=["POST"])


def _improvement_step(action: str, complaint_id: int, improvement_id: int):
    """As ``POST /complaints/<id>/improvements/<improvement_id>/<action>`` (CMP-55)."""
    complaint = case_for(complaint_id)
    row = improvement.get_improvement(complaint, improvement_id)  # another case's proposal: 404
    form = Form.posted()

    def act():
        data = resolution_api.ComplaintImprovementStepSchema().load(
            as_input(form.values, times=("at",), timezone=g.tenant.timezone))
        at = resolution.fact_at(complaint, data["at"])
        improvement.act(complaint, row, action, user_id=g.user.id, note=data["note"], at=at)

    return _step(complaint, form, f"improvement-{row.id}", resolution_api.SIGNERS, act, "improvements")


def _improvement_view(action: str):
    def view(complaint_id, improvement_id):
        return _improvement_step(action, complaint_id, improvement_id)

    view.__name__ = f"improvement_{action}"
    return login_required(view)


for _action in improvement.ACTIONS:
    bp.add_url_rule(f"/<int:complaint_id>/improvements/<int:improvement_id>/{_action}",
                    endpoint=f"improvement_{_action}", view_func=_improvement_view(_action), methods=["POST"])
