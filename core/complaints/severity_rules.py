"""Severity and major-complaint criteria (CMP-10, CMP-11) and the handling level by severity (CMP-43):
pure rules, no database.

- :func:`enabled_criteria` — the tenant's ``cmp.major.criteria`` as ``{name: threshold}``.
- :func:`criteria_holding` — which enabled criteria the case's data meets (channel or a report to the
  manufacturer / an authority / the media, a demand to return or exchange, the complainant count,
  a repeat). Criteria without data (blocking, fire, wide impact...) are flagged by a person.
- :func:`change_errors` — what is wrong with a manual severity change (lowering needs a reason).
- :func:`level_for` — who handles from the start (``cmp.level_by_severity``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.complaints.case_settings import MANUAL_CRITERIA, parse_criterion

SEVERITY_RANK = {"general": 0, "important": 1, "major": 2}
SEVERITY_ZH = {"general": "一般", "important": "重要", "major": "重大"}
LEVEL_ZH = {"agent": "专员", "supervisor": "主管", "cs_supervisor": "客服主管", "dept_manager": "部门经理",
            "cs_manager": "客服经理", "vp": "副总经理", "gm": "总经理"}
EXTERNAL_CHANNELS = ("to_manufacturer", "to_authority", "media")
CRITERION_ZH = {
    "repeat": "二次投诉", "to_manufacturer": "投诉至厂家", "to_authority": "投诉至政府主管部门", "media": "媒体负面报道",
    "collective": "集体投诉", "return_exchange": "要求退货或换货", "blocking": "堵门", "disturbance": "闹事",
    "fire": "火灾", "lift_entrapment": "电梯困人", "explosion": "爆炸", "power_cut": "突然停电", "flooding": "水浸",
    "theft": "盗窃", "destructive_act": "破坏行为", "criminal_case": "刑事案件", "key_plant_failure": "关键设备故障",
    "structural_damage": "房屋结构损坏", "wide_impact": "影响面广",
}


@dataclass(frozen=True)
class MajorFacts:
    """What CMP-11 looks at: the channel, external reports, demands, complainants, repeat."""

    channel: str
    reported_to: tuple[str, ...] = ()
    demands: tuple[str, ...] = ()
    complainant_count: int = 1
    is_repeat: bool = False
    repeat_makes_major: bool = True  # ``major`` in ``cmp.repeat.effects``


@dataclass(frozen=True)
class Holding:
    criterion: str
    zh: str
    en: str


def enabled_criteria(setting: Iterable[str]) -> dict[str, int | None]:
    """``["media", "collective>=3"]`` → ``{"media": None, "collective": 3}``."""
    found: dict[str, int | None] = {}
    for item in setting:
        name, threshold = parse_criterion(item)
        found[name] = threshold
    return found


def criteria_holding(enabled: Mapping[str, int | None], facts: MajorFacts) -> list[Holding]:
    """The enabled, data-based criteria the facts meet, in a stable order."""
    out = []
    for channel in EXTERNAL_CHANNELS:
        if channel not in enabled:
            continue
        if facts.channel == channel:
            out.append(Holding(channel, f"{CRITERION_ZH[channel]}（受理渠道）", f"{channel} (the channel of the case)"))
        elif channel in facts.reported_to:
            out.append(Holding(channel, f"{CRITERION_ZH[channel]}（客户另行投诉）", f"{channel} (also reported there)"))
    if "return_exchange" in enabled:
        asked = [d for d in ("return", "exchange") if d in facts.demands]
        if asked:
            out.append(Holding("return_exchange", f"客户要求{'、'.join('退货' if d == 'return' else '换货' for d in asked)}",
                               f"the customer demands {' and '.join(asked)}"))
    if "collective" in enabled and facts.complainant_count >= (enabled["collective"] or 3):
        threshold = enabled["collective"] or 3
        out.append(Holding("collective", f"投诉人{facts.complainant_count}户（≥{threshold}）",
                           f"{facts.complainant_count} complainants (>= {threshold})"))
    if "repeat" in enabled and facts.is_repeat and facts.repeat_makes_major:
        out.append(Holding("repeat", "二次投诉", "repeat complaint (CMP-12)"))
    return out


def manual_criteria_errors(criteria: Iterable[str], enabled: Mapping[str, int | None], reason: str | None) -> list[str]:
    """Criteria a person flags must be manual ones the tenant enabled (``wide_impact`` always, with a reason)."""
    errors = []
    for name in criteria:
        if name not in MANUAL_CRITERIA:
            errors.append(f"{name!r} is not a criterion a person flags; flag one of {', '.join(MANUAL_CRITERIA)}")
        elif name != "wide_impact" and name not in enabled:
            errors.append(f"{name!r} is not a major criterion of this company (cmp.major.criteria)")
        elif name == "wide_impact" and not (reason or "").strip():
            errors.append("wide_impact needs a reason (CMP-11)")
    return errors


def change_errors(current: str, new: str, reason: str | None, criteria: Iterable[str]) -> dict[str, list[str]]:
    """CMP-10: a severity is changed with a reason; lowering without one is refused; raising to major
    names the criteria that hold or gives a reason (then ``wide_impact``)."""
    errors: dict[str, list[str]] = {}
    if new not in SEVERITY_RANK:
        errors["severity"] = [f"one of {', '.join(SEVERITY_RANK)}"]
        return errors
    if SEVERITY_RANK[new] < SEVERITY_RANK[current] and not (reason or "").strip():
        errors["reason"] = [f"lowering {current} to {new} needs a reason (CMP-10)"]
    if new == "major" and current != "major" and not list(criteria) and not (reason or "").strip():
        errors["criteria"] = ["name the major criteria that hold, or give a reason (wide impact, CMP-11)"]
    return errors


def level_for(severity: str, mapping: Mapping[str, str]) -> str:
    """CMP-43: general → agent, important → supervisor, major → dept_manager by default."""
    return mapping.get(severity) or {"general": "agent", "important": "supervisor", "major": "dept_manager"}[severity]
