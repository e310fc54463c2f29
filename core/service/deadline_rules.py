"""Work-order deadlines (SVC-07), pure: which milestones an order starts, from ``svc.sla``.

``svc.sla`` maps type → priority → milestone → duration, ``*`` matching any type or priority; the
more specific entry wins per milestone (``*/*`` < ``*/priority`` < ``type/*`` < ``type/priority``).
Every milestone starts when the order is requested and is met by the move named in :data:`MET_BY`
(``arrive`` by arriving on site, ``complete`` by completion)."""
from __future__ import annotations

from core.calendar import Duration
from core.sla.rules import MilestoneSpec

MET_BY = {"approve": "approved", "dispatch": "dispatched", "arrive": "on_site", "complete": "completed"}
ORDER = ("approve", "dispatch", "arrive", "complete")


def durations(sla: dict, type_code: str, priority: str) -> dict[str, Duration]:
    """Milestone → duration for an order of ``type_code`` and ``priority``."""
    out: dict[str, Duration] = {}
    for t, p in (("*", "*"), ("*", priority), (type_code, "*"), (type_code, priority)):
        out.update((sla.get(t) or {}).get(p) or {})
    return {code: out[code] for code in ORDER if code in out}


def specs(values: dict, type_code: str, priority: str, *, on_site: bool = True,
          needs_approval: bool = False) -> list[MilestoneSpec]:
    """The deadlines an order starts (SVC-07): none for a milestone its path never reaches (arrival of
    a remote order, approval of an order that needs none)."""
    found = durations(values["sla"], type_code, priority)
    if not on_site:
        found.pop("arrive", None)
    if not needs_approval:
        found.pop("approve", None)
    escalation = values["escalation"]
    return [MilestoneSpec(code, duration, "SVC-07", escalation=tuple(escalation["ladder"]),
                          escalation_interval=escalation["interval"],
                          pause_reasons=tuple(values["deadlines"]["pause_reasons"]),
                          sla_policy=f"{type_code}/{priority}")
            for code, duration in found.items()]
