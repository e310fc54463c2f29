"""Inclusive thresholds and count brackets (CAL-10).

Source wording N以上 / N以下 / N以内 is inclusive (≥, ≤) unless a policy sets
``inclusive: false`` (section 1, CAL-10). Where a source's brackets overlap
(5人以下 / 5至10人 / 10人以上) a preset states its resolution as a list of
:class:`Bracket`; :func:`resolve_bracket` refuses a value that falls into
none or into more than one of them, so an unresolved overlap cannot slip by.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

AT_LEAST = "at_least"  #: N以上 — reached when count ≥ N (> N if not inclusive)
AT_MOST = "at_most"  #: N以下 / N以内 — reached when count ≤ N (< N if not inclusive)

Number = int | Decimal


@dataclass(frozen=True)
class Threshold:
    """CAL-10: a policy threshold with its ``inclusive`` flag (default true).

    ``bound`` is ``at_least`` (N以上, the default) or ``at_most`` (N以下/N以内).
    """

    value: Number
    inclusive: bool = True
    bound: str = AT_LEAST

    def __post_init__(self) -> None:
        if self.bound not in (AT_LEAST, AT_MOST):
            raise ValueError(f"threshold bound must be {AT_LEAST!r} or {AT_MOST!r}, got {self.bound!r}")

    def reached(self, count: Number) -> bool:
        """True when ``count`` satisfies the threshold (CAL-10)."""
        if self.bound == AT_LEAST:
            return count >= self.value if self.inclusive else count > self.value
        return count <= self.value if self.inclusive else count < self.value

    def __str__(self) -> str:
        op = {(AT_LEAST, True): "≥", (AT_LEAST, False): ">", (AT_MOST, True): "≤", (AT_MOST, False): "<"}
        return f"{op[(self.bound, self.inclusive)]}{self.value}"


@dataclass(frozen=True)
class Bracket:
    """A labelled range ``low..high``; either end may be open (``None``) (CAL-10)."""

    label: str
    low: Number | None = None
    high: Number | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, value: Number) -> bool:
        if self.low is not None and not Threshold(self.low, self.low_inclusive, AT_LEAST).reached(value):
            return False
        if self.high is not None and not Threshold(self.high, self.high_inclusive, AT_MOST).reached(value):
            return False
        return True


def resolve_bracket(value: Number, brackets: Sequence[Bracket]) -> Bracket:
    """The one bracket containing ``value`` (CAL-10).

    Raises ``ValueError`` when no bracket or several brackets contain it (an
    overlap the preset has not resolved).
    """
    matches = [b for b in brackets if b.contains(value)]
    if not matches:
        raise ValueError(f"{value} falls in no bracket of {[b.label for b in brackets]}")
    if len(matches) > 1:
        raise ValueError(
            f"{value} falls in overlapping brackets {[b.label for b in matches]}; "
            "the preset must state a resolution (CAL-10)"
        )
    return matches[0]


def overlaps(brackets: Iterable[Bracket], probes: Iterable[Number]) -> list[tuple[Number, list[str]]]:
    """Values among ``probes`` that fall in more than one bracket, with the labels."""
    brackets = list(brackets)
    result = []
    for value in probes:
        labels = [b.label for b in brackets if b.contains(value)]
        if len(labels) > 1:
            result.append((value, labels))
    return result
