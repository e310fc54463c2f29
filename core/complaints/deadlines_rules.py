"""Complaint deadline rules, pure (no database, no clock): which clocks a case runs and when.

- :func:`choose_policy` — CMP-30: the SLA policy of a case, the first entry of ``cmp.sla.policies``
  whose case types, severities, categories and customer grades (an empty list matches any) hold for
  it; None → the core defaults.
- :func:`specs_for_event` — the milestones a case event starts: at ``received`` the CMP-31 defaults
  by case type (reply 24 hours, solution 1 working day, resolve 3 working days or 7 when special;
  inquiries and anomalies their own), or the chosen policy's milestones of that start event; the
  overall limit of CMP-32 at its start event (accepted by its department, received, a stage).
- :func:`stage_spec` — CMP-32: the timer of a stage or sub-stage when the case enters it.
- :func:`reminder_due` — CMP-35: a reminder is due on the day of the breach and on every working day
  after while the case stays overdue.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from core.calendar import WorkCalendar
from core.sla.rules import MilestoneSpec

STAGE_PREFIX = "stage."
NEXT_REPLY_PREFIX = "next_reply."


@dataclass(frozen=True)
class CaseFacts:
    """What the choice of an SLA policy looks at (CMP-30)."""

    case_type: str
    severity: str
    category: str
    grade: str | None = None
    special: bool = False


def _matches(allowed: list, value) -> bool:
    return not allowed or value in allowed


def choose_policy(sla: dict, facts: CaseFacts) -> dict | None:
    """CMP-30: the first ``cmp.sla.policies`` entry for the case, or None (core defaults)."""
    for entry in sla.get("policies") or []:
        if _matches(entry["case_types"], facts.case_type) and _matches(entry["severities"], facts.severity) \
                and _matches(entry["categories"], facts.category) and _matches(entry["grades"], facts.grade):
            return entry
    return None


def _with_clock_settings(values: dict, specs: list[MilestoneSpec]) -> list[MilestoneSpec]:
    """The case's CMP-34 warning mode and CMP-33 pause threshold on each clock."""
    sla = values["sla"]
    return [replace(spec, warn_day_based=sla["warn_day_based"], pause_day_threshold=sla["pause_day_threshold"])
            for spec in specs]


def _ladder(values: dict, escalate: bool) -> dict:
    escalation = values["escalation"]
    if not escalate or not escalation["ladder"]:
        return {}
    return {"escalation": tuple(escalation["ladder"]), "escalation_interval": escalation["interval"]}


def _default_specs(values: dict, facts: CaseFacts) -> list[MilestoneSpec]:
    """CMP-31 (complaints) and CMP-01 (inquiries, anomalies): the core defaults at intake."""
    sla = values["sla"]
    earlier = set(sla["customer_may_set_earlier"])

    def spec(code, duration, rule_id, special=None):
        return MilestoneSpec(code, duration, rule_id, special_duration=special,
                             customer_may_set_earlier=code in earlier, **_ladder(values, True))

    if facts.case_type == "complaint":
        resolve = sla["resolve_special"] if facts.special else sla["resolve"]
        return [spec("reply", sla["reply"], "CMP-31"), spec("solution", sla["solution"], "CMP-31"),
                spec("resolve", resolve, "CMP-31", None if facts.special else sla["resolve_special"])]
    if facts.case_type == "inquiry":
        return [spec("reply", sla["inquiry_reply"], "CMP-01")]
    if facts.case_type == "anomaly":
        return [spec("resolve", sla["resolve"], "CMP-01")]
    return []  # suggestions get a promised reply date (CMP-36), praise is logged


def _event_matches(setting: dict, event: str, department: str | None, stage: str | None) -> bool:
    if setting["start"] != event:
        return False
    if event == "accepted" and setting.get("department"):
        return setting["department"] == department
    if event == "stage_entered":
        return setting.get("stage") == stage
    return True


def _policy_specs(values: dict, entry: dict, facts: CaseFacts, event: str, department: str | None,
                  stage: str | None) -> list[MilestoneSpec]:
    out = []
    for m in entry["milestones"]:
        if not _event_matches(m, event, department, stage):
            continue
        special = m.get("special")
        duration = special if (facts.special and special) else m["duration"]
        out.append(MilestoneSpec(
            m["code"], duration, "CMP-30", hard_duration=m.get("hard"), department=m.get("department"),
            pause_reasons=tuple(m["pause_reasons"]) if m.get("pause_reasons") is not None else None,
            special_duration=None if facts.special else special,
            customer_may_set_earlier=m["customer_may_set_earlier"], sla_policy=entry["name"],
            **_ladder(values, m["escalate"])))
    return out


def specs_for_event(values: dict, facts: CaseFacts, event: str, *, department: str | None = None,
                    stage: str | None = None) -> list[MilestoneSpec]:
    """The milestones ``event`` starts for a case (``values``: its ``cmp`` version, CMP-37)."""
    sla = values["sla"]
    entry = choose_policy(sla, facts)
    if entry is not None:
        specs = _policy_specs(values, entry, facts, event, department, stage)
    else:
        specs = _default_specs(values, facts) if event == "received" else []
    overall = sla.get("overall")
    if overall and facts.case_type == "complaint" and _event_matches(overall, event, department, stage):
        specs.append(MilestoneSpec("overall", overall["target"], "CMP-32", hard_duration=overall.get("hard"),
                                   department=overall.get("department"),
                                   customer_may_set_earlier="overall" in sla["customer_may_set_earlier"],
                                   **_ladder(values, True)))
    return _with_clock_settings(values, specs)


def stage_code(stage: str, sub_stage: str | None = None) -> str:
    return f"{STAGE_PREFIX}{stage}" + (f".{sub_stage}" if sub_stage else "")


def stage_spec(values: dict, stage: str, sub_stage: str | None = None) -> MilestoneSpec | None:
    """CMP-32: the timer of ``stage`` (or of its ``sub_stage``); None when the policy has no such
    stage. Stage timers are not escalated: their breach is a decision of its own, apart from the
    overall limit."""
    stages = values["sla"]["stages"]
    setting = stages.get(stage)
    if setting is None:
        return None
    if sub_stage is not None:
        sub = setting["sub_stages"].get(sub_stage)
        if sub is None:
            return None
        spec = MilestoneSpec(stage_code(stage, sub_stage), sub["limit"], "CMP-32",
                             department=sub.get("department") or setting.get("department"),
                             parent_code=stage_code(stage))
    else:
        spec = MilestoneSpec(stage_code(stage), setting["limit"], "CMP-32", department=setting.get("department"))
    return _with_clock_settings(values, [spec])[0]


def reminder_due(calendar: WorkCalendar, first_breach_day: dt.date, day: dt.date) -> bool:
    """CMP-35: on the day of the breach, and on every working day after it."""
    return day == first_breach_day or (day > first_breach_day and calendar.is_working_day(day))
