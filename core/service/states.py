"""The work-order state machine (SVC-02), pure: no database, no clock.

Default: ``requested → approval_pending → approved → dispatched → on_site → completed → recorded →
return_visit_due → closed``. Side states: ``on_hold`` (from any open state, back to the state it
came from on resume), ``cancelled`` (from any open state, with a reason), ``rework`` (返修: a done
order goes back to be dispatched again). Approval states are skipped when the order needs no
approval (``requested → dispatched``); remote types (``on_site = False``) go from dispatched to
completed. A type may replace the machine (``WorkOrderType.transitions``).
"""
from __future__ import annotations

from core.service.models import OPEN_STATES

DEFAULT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("approval_pending", "dispatched"),
    "approval_pending": ("approved",),
    "approved": ("dispatched",),
    "dispatched": ("dispatched", "on_site", "completed"),  # dispatched → dispatched: reassigned
    "on_site": ("completed",),
    "completed": ("recorded", "rework"),
    "recorded": ("return_visit_due", "closed", "rework"),
    "return_visit_due": ("closed", "rework"),
    "rework": ("dispatched",),
    "closed": (),
    "cancelled": (),
}
SIDE_STATES = ("on_hold", "cancelled")

STATE_LABELS = {
    "requested": ("已受理", "requested"), "approval_pending": ("待审批", "awaiting approval"),
    "approved": ("已审批", "approved"), "dispatched": ("已派工", "dispatched"), "on_site": ("已到场", "on site"),
    "completed": ("已完工", "completed"), "recorded": ("已记录", "recorded"),
    "return_visit_due": ("待回访", "return visit due"), "closed": ("已关闭", "closed"),
    "on_hold": ("暂停", "on hold"), "cancelled": ("已取消", "cancelled"), "rework": ("返修", "rework"),
}


def next_states(state: str, *, on_site: bool = True, needs_approval: bool = False,
                transitions: dict[str, tuple[str, ...]] | None = None, held_from: str | None = None) -> tuple[str, ...]:
    """The states an order in ``state`` may move to."""
    if state == "on_hold":
        return (held_from,) + (("cancelled",) if held_from in OPEN_STATES else ()) if held_from else ()
    machine = transitions if transitions is not None else DEFAULT_TRANSITIONS
    out = list(machine.get(state, ()))
    if transitions is None:
        if state == "requested":
            out = ["approval_pending"] if needs_approval else ["dispatched"]
        if state == "dispatched":
            out = [s for s in out if s != ("completed" if on_site else "on_site")]
    if state in OPEN_STATES and state != "on_hold":
        out += [s for s in SIDE_STATES if s not in out]
    return tuple(dict.fromkeys(out))


def refusal(state: str, to: str, allowed: tuple[str, ...]) -> tuple[str, str]:
    """The reason a move is refused, in Chinese and English."""
    zh_from, en_from = STATE_LABELS.get(state, (state, state))
    zh_to, en_to = STATE_LABELS.get(to, (to, to))
    if allowed:
        nexts_zh = "、".join(STATE_LABELS.get(s, (s, s))[0] for s in allowed)
        nexts_en = ", ".join(allowed)
        return (f"工单{zh_from}，不能直接转为{zh_to}（可转为：{nexts_zh}）",
                f"an order {en_from} cannot go to {to} (it may go to: {nexts_en})")
    return f"工单{zh_from}，不能再变更", f"an order {en_from} cannot change any more"
