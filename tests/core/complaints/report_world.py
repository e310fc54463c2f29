"""A tenant with a realistic September 2026 of complaints (Asia/Shanghai) for the CMP-80/81 tests.

Departments 客服部 (head Li) and 工程部 (head Wang); agent Ma takes every case (owner, CMP-20).
Cases (received → what happened), deadlines by the core defaults (CMP-31):

- A   09-02 10:00 staff_attitude against Zhou, handler Ma; all deadlines met on time; closed 09-04, score 5
- L1  09-08 08:10 lift of building 5, major, handler Zhou (工程部); L2 08:40 and L3 09:05 linked to it
      (CMP-13, their clocks cancelled): one issue, 3 complainants; solution met late; closed 09-15, score 4
- J   09-17 14:00 工程部, handler Zhou; met on time; resolved 09-21 12:00 (not closed)
- C   09-18 16:00 other, handler Ma; reply breached 09-19 16:00; open; K 09-20 14:00 is linked to it
- E   09-19 09:00 interdepartment_dispute, handler Ma; resolved 09-20 15:00, closed 09-22, score 3;
      its root cause is a formula (=HYPERLINK...), neutralised in CSV
- D   09-20 11:00 staff_conduct against Chen, nobody handling (owner Ma, so 客服部); open
- F   09-21 08:00 other, handler Zhou (工程部); open
- G   09-24 10:00 staff_attitude against Zhou, a repeat; met on time; closed 09-28, score 2
- H   09-29 10:00 other, handler Wang (工程部); reply and solution met; closed 10-02
- I   08-25 10:00 other; met and closed in August
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core.accounts.models import Department, User
from core.audit.recorder import acting_as
from core.complaints import service
from core.complaints.models import Complaint
from core.db import db
from core.sla import engine as sla
from core.sla.models import SlaMilestone
from core.tenancy import tenant_scope

SH = ZoneInfo("Asia/Shanghai")


def t(text: str) -> dt.datetime:
    """``"09-02 10:00"`` (2026, Shanghai) or ``"2026-08-25 10:00"`` → aware datetime."""
    if len(text) == 11:
        text = f"2026-{text}"
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@dataclass
class World:
    handle: object
    users: dict = field(default_factory=dict)  # name → (id, token)
    departments: dict = field(default_factory=dict)  # name → id
    cases: dict = field(default_factory=dict)  # letter → complaint id
    numbers: dict = field(default_factory=dict)  # letter → number

    def headers(self, who: str = "li"):
        return self.handle.headers(self.users[who][1])

    def uid(self, who: str) -> int:
        return self.users[who][0]


def _meet(case_id: int, code: str, at: str) -> None:
    sla.meet("complaint", case_id, code, t(at))


def build_world(make_tenant, slug: str = "cmp-reports") -> World:
    handle = make_tenant(slug, "华信客服")
    world = World(handle)
    for name, roles in (("li", ["cs_manager"]), ("wang", ["dept_manager"]), ("ma", ["cs_agent"]),
                        ("zhou", ["technician"]), ("chen", ["salesperson"]), ("xu", ["cs_agent"])):
        world.users[name] = make_tenant.user(handle, name, roles=roles)
    with tenant_scope(handle.id), acting_as("test"):
        cs = Department(name="客服部", head_user_id=world.uid("li"))
        eng = Department(name="工程部", head_user_id=world.uid("wang"))
        db.session.add_all([cs, eng])
        db.session.flush()
        world.departments = {"客服部": cs.id, "工程部": eng.id}
        for name, dep in (("li", cs), ("ma", cs), ("xu", cs), ("wang", eng), ("zhou", eng)):
            db.session.get(User, (handle.id, world.uid(name))).department_id = dep.id
        db.session.flush()
        _cases(world)
        db.session.commit()
    return world


def _case(world: World, letter: str, received: str, **data) -> Complaint:
    case = service.create_complaint({"channel": "phone", "content": f"case {letter}", "received_at": t(received),
                                     **data}, by=world.uid("ma"))
    world.cases[letter] = case.id
    world.numbers[letter] = case.number
    return case


def _handled(case: Complaint, world: World, handler: str | None, department: str | None) -> None:
    case.handler_id = world.uid(handler) if handler else None
    case.handler_department_id = world.departments[department] if department else None


def _closed(case: Complaint, resolved: str, closed: str | None, score: int | None = None, **extra) -> None:
    case.resolved_at = t(resolved)
    case.status = "resolved"
    if closed:
        case.closed_at = t(closed)
        case.status = "closed"
    case.satisfaction = score
    for key, value in extra.items():
        setattr(case, key, value)


def _cases(world: World) -> None:
    zhou, chen = world.uid("zhou"), world.uid("chen")
    i = _case(world, "I", "2026-08-25 10:00", category="other")
    for code, at in (("reply", "2026-08-25 11:00"), ("solution", "2026-08-26 10:00"), ("resolve", "2026-08-27 10:00")):
        _meet(i.id, code, at)
    _closed(i, "2026-08-27 10:00", "2026-08-28 10:00", 5)

    a = _case(world, "A", "09-02 10:00", category="staff_attitude", accused_user_id=zhou, cause="attitude",
              cause_class="non_quality")
    _handled(a, world, "ma", "客服部")
    for code, at in (("reply", "09-02 15:00"), ("solution", "09-03 10:00"), ("resolve", "09-04 16:00")):
        _meet(a.id, code, at)
    _closed(a, "09-04 16:00", "09-04 17:00", 5, root_cause="培训不足")

    lift = _case(world, "L1", "09-08 08:10", category="service_not_delivered", severity="major",
                 subject_ref="5号楼电梯", cause="equipment", cause_class="quality")
    _handled(lift, world, "zhou", "工程部")
    lift.complainant_count = 3  # CMP-13: the linking counts the complainants on the master
    for letter, at in (("L2", "09-08 08:40"), ("L3", "09-08 09:05")):
        linked = _case(world, letter, at, category="service_not_delivered", subject_ref="5号楼电梯")
        linked.master_id = lift.id
        _handled(linked, world, "zhou", "工程部")
        sla.cancel("complaint", linked.id)
        _closed(linked, "09-11 15:00", "09-15 10:00")
    for code, at in (("reply", "09-08 12:00"), ("solution", "09-10 10:00"), ("resolve", "09-11 15:00")):
        _meet(lift.id, code, at)  # the solution was due through 09-09: met late
    _closed(lift, "09-11 15:00", "09-15 10:00", 4, root_cause=" 维保不到位 ")

    j = _case(world, "J", "09-17 14:00", category="service_not_delivered")
    _handled(j, world, "zhou", "工程部")
    for code, at in (("reply", "09-17 15:00"), ("solution", "09-18 10:00"), ("resolve", "09-21 12:00")):
        _meet(j.id, code, at)
    _closed(j, "09-21 12:00", None)

    c = _case(world, "C", "09-18 16:00", category="other")
    _handled(c, world, "ma", "客服部")
    reply = sla.get_milestone("complaint", c.id, "reply")
    reply.state, reply.breached_at = "breached", reply.due_at

    e = _case(world, "E", "09-19 09:00", category="interdepartment_dispute")
    _handled(e, world, "ma", "客服部")
    for code, at in (("reply", "09-19 10:00"), ("solution", "09-20 15:00"), ("resolve", "09-20 15:00")):
        _meet(e.id, code, at)
    _closed(e, "09-20 15:00", "09-22 10:00", 3, root_cause='=HYPERLINK("http://x")')

    _case(world, "D", "09-20 11:00", category="staff_conduct", accused_user_id=chen)  # owner Ma, no handler

    k = _case(world, "K", "09-20 14:00", category="other")
    k.master_id = c.id
    _handled(k, world, "ma", "客服部")
    sla.cancel("complaint", k.id)

    f = _case(world, "F", "09-21 08:00", category="other")
    _handled(f, world, "zhou", "工程部")

    g = _case(world, "G", "09-24 10:00", category="staff_attitude", accused_user_id=zhou)
    _handled(g, world, "ma", "客服部")
    g.is_repeat = True
    for code, at in (("reply", "09-24 12:00"), ("solution", "09-25 09:00"), ("resolve", "09-28 11:00")):
        _meet(g.id, code, at)
    _closed(g, "09-28 11:00", "09-28 11:00", 2)

    h = _case(world, "H", "09-29 10:00", category="other")
    _handled(h, world, "wang", "工程部")
    for code, at in (("reply", "09-29 11:00"), ("solution", "09-30 17:00"), ("resolve", "2026-10-02 10:00")):
        _meet(h.id, code, at)
    _closed(h, "2026-10-02 10:00", "2026-10-02 10:00")
    db.session.flush()


def milestone(world: World, letter: str, code: str) -> SlaMilestone:
    return sla.get_milestone("complaint", world.cases[letter], code)
