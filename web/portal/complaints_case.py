"""What the complaint pages read: the list query (mine / team / stage / category / overdue, by the
nearest deadline) and everything the case page shows. Reading only; the steps are in
``complaints_steps``."""
from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select

from core.accounts.models import Department, User
from core.complaints import authority, handling, major, return_visits, service, taxonomy
from core.complaints.models import OPEN_STATUSES, STATUSES, Complaint
from core.complaints.policy import cmp_policy
from core.customers.models import Customer
from core.db import db, utcnow
from core.decisions import service as decisions
from core.sla import engine as sla
from core.sla.models import SlaMilestone
from web.portal.complaints_rules import CaseFacts, available_steps, may_arrange_visit, may_record_visit

SCOPES = ("mine", "team", "all")
STAGES = ("open", *STATUSES, "all")
UNFINISHED = ("open", "breached")


def _next_due():
    """The earliest due time of a case's unfinished clocks (None when none runs)."""
    return (select(func.min(SlaMilestone.due_at))
            .where(SlaMilestone.subject_type == service.SUBJECT, SlaMilestone.subject_id == Complaint.id,
                   SlaMilestone.state.in_(UNFINISHED))
            .correlate(Complaint).scalar_subquery())


def list_query(user, *, scope: str = "mine", stage: str = "open", category: str | None = None,
               overdue: bool = False):
    """The cases of the list, nearest deadline first (service.search: never a case the user is
    excluded from, CMP-21)."""
    stmt = service.search(category=category or None).order_by(None)
    if stage == "open":
        stmt = stmt.where(Complaint.status.in_((*OPEN_STATUSES, "resolved")))
    elif stage in STATUSES:
        stmt = stmt.where(Complaint.status == stage)
    if scope == "mine":
        stmt = stmt.where(or_(Complaint.owner_id == user.id, Complaint.handler_id == user.id))
    elif scope == "team":
        members = select(User.id).where(User.department_id == user.department_id)
        dep = user.department_id
        stmt = stmt.where(or_(Complaint.owner_id.in_(members), Complaint.handler_id.in_(members),
                              Complaint.handler_department_id == dep, Complaint.owner_department_id == dep)
                          if dep is not None else or_(Complaint.owner_id == user.id, Complaint.handler_id == user.id))
    if overdue:
        stmt = stmt.where(exists(select(SlaMilestone.id).where(
            SlaMilestone.subject_type == service.SUBJECT, SlaMilestone.subject_id == Complaint.id,
            or_(SlaMilestone.state == "breached",
                and_(SlaMilestone.state == "open", SlaMilestone.due_at < utcnow()))).correlate(Complaint)))
    due = _next_due()
    return stmt.order_by(due.is_(None), due, Complaint.received_at.desc(), Complaint.id.desc())


def next_clocks(complaints) -> dict:
    """The nearest unfinished clock of each case of a page: its milestone ``code`` and ``due_at`` (the
    columns the list shows, not whole rows: a list page reads them for 25 cases at a time)."""
    ids = [c.id for c in complaints]
    if not ids:
        return {}
    rows = db.session.execute(select(SlaMilestone.subject_id, SlaMilestone.code, SlaMilestone.due_at).where(
        SlaMilestone.subject_type == service.SUBJECT, SlaMilestone.subject_id.in_(ids),
        SlaMilestone.state.in_(UNFINISHED)).order_by(SlaMilestone.due_at))
    found: dict = {}
    for row in rows:
        found.setdefault(row.subject_id, row)
    return found


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def department_names() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)).all())


def categories() -> dict:
    return taxonomy.categories(cmp_policy().values)


def current_decisions(complaint) -> dict[str, object]:
    """The newest decision of each rule about the case (the "why?" next to each automatic outcome)."""
    found: dict[str, object] = {}
    for decision in db.session.scalars(decisions.query(service.SUBJECT, complaint.id)):
        found.setdefault(decision.rule_id, decision)
    return found


def case_page(complaint, user) -> dict:
    """Everything the case page shows, besides the step forms' values and errors."""
    milestones = sla.milestones_of(service.SUBJECT, complaint.id)
    unfinished = sorted((m for m in milestones if m.state in UNFINISHED), key=lambda m: m.due_at)
    events = service.events_of(complaint)
    steps = authority.steps_of(complaint)
    visits = return_visits.visits_of(complaint.id)
    paused = sla.open_pause(service.SUBJECT, complaint.id) is not None
    roles = set(user.roles)
    level, pool = handling.handler_pool(complaint) if complaint.status in OPEN_STATUSES else (None, [])
    people = user_names([complaint.owner_id, complaint.handler_id, complaint.accused_user_id, complaint.received_by,
                         complaint.approved_by, complaint.closed_by, *pool, *(e.by for e in events),
                         *(s.by for s in steps), *(v.visitor_id for v in visits)])
    customer = (db.session.scalars(select(Customer).where(Customer.id == complaint.customer_id)).first()
                if complaint.customer_id else None)
    values = cmp_policy(complaint.received_at).values
    return {
        "c": complaint, "customer": customer, "milestones": milestones, "current": unfinished[0] if unfinished else None,
        "events": list(reversed(events)), "authority_steps": steps,
        "escalations": [e for e in events if e.kind in ("escalated", "deadline_breached", "authority_offered",
                                                        "major_flagged", "severity_changed")],
        "why": current_decisions(complaint), "people": people, "departments": department_names(),
        "categories": categories(), "paused": paused,
        "steps": available_steps(CaseFacts.of(complaint, paused=paused), roles, user.id),
        "selection": return_visits.selection_of(complaint.id), "visits": visits,
        "issues": return_visits.issues_of(complaint.id), "may_record_visit": may_record_visit(roles),
        "may_arrange_visit": may_arrange_visit(roles), "level": level, "pool": pool,
        "major": major.track_of(complaint) if complaint.severity == "major" else None,
        "pause_reasons": values["sla"]["pause_reasons"], "authority_level": authority.current_level(complaint),
        "visitors": _active_users() if may_arrange_visit(roles) else [],
    }


def _active_users() -> list[tuple[int, str]]:
    return list(db.session.execute(select(User.id, User.display_name).where(User.is_active.is_(True))
                                   .order_by(User.id)).all())


def intake_choices() -> dict:
    """The choices of the intake form under today's policy: channels, categories (plugins' too),
    causes, tags, demands, plugin fields, employees (the accused)."""
    from core.complaints import intake_fields, intake_rules

    values = cmp_policy().values
    return {"channels": taxonomy.channels(values), "categories": taxonomy.categories(values),
            "causes": values["causes"], "tags": values["tags"], "demands": intake_rules.DEMANDS,
            "extra_fields": intake_fields.definitions(), "employees": _active_users()}


def picker(locale: str):
    """``pick(zh, en)`` of the templates, for option lists built here."""
    from web.portal.localise import localise

    return lambda zh, en: en if locale == "en" else localise(zh, locale)


def options(kind: str, codes, locale: str) -> list[tuple[str, str]]:
    """``[(code, label)]`` of codes named in :mod:`web.portal.complaints_labels`."""
    from web.portal.complaints_labels import labels_of

    pick = picker(locale)
    return [(code, pick(*labels_of(kind, code))) for code in codes]


def intake_options(locale: str) -> dict:
    """The option lists of the intake form in the reader's language."""
    from core.complaints.models import CASE_TYPES, SEVERITIES
    from core.complaints.severity_rules import CRITERION_ZH, EXTERNAL_CHANNELS

    pick = picker(locale)
    choices = intake_choices()
    return {
        "case_types": options("type", CASE_TYPES, locale), "channels": options("channel", choices["channels"], locale),
        "categories": [(code, pick(c.label_zh, c.label_en) + (" ◆" if c.source == "plugin" else ""))
                       for code, c in choices["categories"].items()],
        "severities": options("severity", SEVERITIES, locale), "demands": options("demand", choices["demands"], locale),
        "causes": [(c, c) for c in choices["causes"]], "tags": options("tag", choices["tags"], locale),
        "reported_to": [(c, pick(CRITERION_ZH.get(c, c), c.replace("_", " "))) for c in EXTERNAL_CHANNELS],
        "employees": [(str(uid), name) for uid, name in choices["employees"]],
        "extra_fields": [(f"extra.{name}", pick(record.label_zh, record.label_en), record.required)
                         for name, record in choices["extra_fields"].items()],
    }
