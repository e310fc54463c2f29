"""CUS-53 · Effects of grade: the priority a customer's grade gives its complaints (A first).

:func:`grade_priority` is the sort key the complaints list uses (with the time of receipt after it):
0 for the best tier of the scheme, then 1, 2...; a customer without a tier (or with a tier the scheme
no longer has) sorts after every graded one. With ``cus.grade_effects.complaint_priority = false``
every customer has the same priority (time of receipt alone decides).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_TIERS = ("A", "B", "C")


def grade_priority(grades: Mapping[str, str | None] | str | None, tiers: Sequence[str] = DEFAULT_TIERS, *,
                   scheme: str = "grade", enabled: bool = True) -> int:
    """The priority of a customer with ``grades`` (``{scheme: tier}`` as
    ``core.customers.grades.service.current_tiers`` gives it, or the tier itself) in ``tiers`` (the
    scheme's ordered tiers, best first). Lower sorts first."""
    if not enabled:
        return 0
    tier = grades.get(scheme) if isinstance(grades, Mapping) else grades
    return list(tiers).index(tier) if tier in tiers else len(tiers)
