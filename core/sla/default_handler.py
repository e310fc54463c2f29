"""The handler of subject types without one of their own (see :mod:`core.sla.subjects`): each
warning, breach and escalation step is a decision under the milestone's rule, nobody is told."""
from __future__ import annotations

from core.decisions import service as decisions


def _record(row, what_zh: str, what_en: str, outcome: dict) -> None:
    decisions.record(row.rule_id, row.subject_type, row.subject_id,
                     outcome={"milestone": row.code, **outcome}, facts={"due_at": row.due_at},
                     reason_zh=f"{row.code}期限{what_zh}", reason_en=f"{row.code} deadline {what_en}")


def warned(rows, now) -> None:
    for row in rows:
        _record(row, "将至", "is near", {"warned_at": now})


def breached(rows, now) -> None:
    for row in rows:
        _record(row, "已超期", "breached", {"breached_at": row.breached_at})


def hard_breached(rows, now) -> None:
    for row in rows:
        _record(row, "已超过最迟期限", "passed its hard limit", {"hard_breached_at": row.hard_breached_at})


def escalated(steps, now) -> None:
    for row, step_at in steps:
        _record(row, f"超期升级至第{row.escalation_level}级", f"escalated to level {row.escalation_level}",
                {"level": row.escalation_level, "at": step_at})


def met(row, at) -> None:
    return None
