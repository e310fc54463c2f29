"""Record and read decisions. Every automatic outcome in Kehu is written here with the rule id, the
policy version in force at the time of the fact, the facts used, the outcome and a reason in Chinese
and English, so that a manager can ask "why?". Manual overrides are decisions too (``decided_by`` set,
reason mandatory) and supersede, never delete, the automatic one."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.audit.recorder import json_safe
from core.db import db
from core.decisions.models import Decision
from core.errors import InvalidInput, NotFound

RULE_ID = re.compile(r"^(CAL|CUS|CMP|SVC|STF|RE|CAR|UTL|PM|PRE)-\d{2}[a-z]?$|^[a-z][a-z0-9_]*:[A-Za-z0-9_.-]+$")


def record(rule_id: str, subject_type: str, subject_id: int, *, outcome: dict, reason_zh: str,
           reason_en: str, facts: dict | None = None, policy=None, decided_by: int | None = None,
           supersedes: Decision | None = None) -> Decision:
    """Write one decision. ``policy`` is the ``PolicyView`` the rule ran under (None for rules without
    settings). Plugin rules outside the spec use ``<plugin>:<rule>`` ids."""
    errors = {}
    if not RULE_ID.match(rule_id or "") or len(rule_id) > 60:
        errors["rule_id"] = [f"not a rule id of the spec: {rule_id!r}"]
    if not (reason_zh or "").strip() or not (reason_en or "").strip():
        errors["reason"] = ["a reason in Chinese and English is required"]
    if errors:
        raise InvalidInput("invalid decision", fields=errors)
    decision = Decision(
        rule_id=rule_id,
        policy_module=policy.module if policy else None,
        policy_version=policy.version if policy else None,
        subject_type=subject_type,
        subject_id=subject_id,
        facts=json_safe(facts or {}),
        outcome=json_safe(outcome),
        reason_zh=reason_zh,
        reason_en=reason_en,
        decided_by=decided_by,
        supersedes_id=supersedes.id if supersedes else None,
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def get(decision_id: int) -> Decision:
    decision = db.session.scalars(select(Decision).where(Decision.id == decision_id)).first()
    if decision is None:
        raise NotFound("decision not found")
    return decision


def query(subject_type: str | None = None, subject_id: int | None = None, rule_id: str | None = None):
    stmt = select(Decision).order_by(Decision.created_at.desc(), Decision.id.desc())
    if subject_type:
        stmt = stmt.where(Decision.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(Decision.subject_id == subject_id)
    if rule_id:
        stmt = stmt.where(Decision.rule_id == rule_id)
    return stmt


def current_for(subject_type: str, subject_id: int) -> list[Decision]:
    """The decisions about a subject that nothing has superseded (the answer to "why?")."""
    decisions = list(db.session.scalars(query(subject_type, subject_id)))
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    return [d for d in decisions if d.id not in superseded]
