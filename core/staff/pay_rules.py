"""Pure rules of scored pay (STF-41, STF-42). No database.

- :func:`band_of` — the pay band of a score: half-open ``[low, high)``, the top band closed at its
  high end (``[95, 100]``), so 89.5 falls in ``[60, 90)`` and 94.5 in ``[90, 95)``.
- :func:`band_pay` — base × the band's factor (a number, or ``score``: the score as a percentage),
  half-up to the fen.
- :func:`department_result` — challenge / met / missed from the department's month against its
  targets (inclusive thresholds, CAL-10).
- :func:`scored_pay` — the band, then the department modifier on the banded pay (STF-42).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
SCORE = "score"
RESULTS = ("challenge", "met", "missed")
#: STF-41 default: [95, 100] → 105%, [90, 95) → 100%, [60, 90) → score%, [0, 60) → 0
DEFAULT_BANDS = ((95, 100, Decimal("1.05")), (90, 95, Decimal("1.00")), (60, 90, SCORE), (0, 60, Decimal("0")))
#: STF-42 default modifiers, in percent of the banded pay
DEFAULT_MODIFIERS = {"challenge": Decimal("5"), "met": Decimal("0"), "missed": Decimal("-5")}


@dataclass(frozen=True)
class PayBand:
    low: Decimal
    high: Decimal
    factor: object  # Decimal, or SCORE

    def label(self, top: bool = False) -> str:
        return f"[{plain(self.low)}, {plain(self.high)}{']' if top else ')'}"

    def as_list(self) -> list:
        return [_number(self.low), _number(self.high), self.factor if self.factor == SCORE else _number(self.factor)]


def _number(value: Decimal):
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value) -> str:
    """A number as people write it: 95, 89.5, 1.05 (no exponent, no trailing zeros)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


def band(low, high, factor) -> PayBand:
    return PayBand(Decimal(str(low)), Decimal(str(high)), factor if factor == SCORE else Decimal(str(factor)))


def coverage_errors(bands) -> list[str]:
    """The bands must cover 0..100 without gaps or overlaps."""
    ordered = sorted(bands, key=lambda b: b.low)
    errors, edge = [], Decimal("0")
    for b in ordered:
        if b.low != edge:
            errors.append(f"bands leave a gap or overlap at {plain(edge)}")
            break
        edge = b.high
    if not errors and edge != 100:
        errors.append(f"the bands end at {plain(edge)}, not 100")
    return errors


def band_of(score, bands) -> tuple[PayBand, bool]:
    """The band of ``score`` (0..100) and whether it is the top band (closed at 100)."""
    score = Decimal(str(score))
    top = max(b.high for b in bands)
    for b in bands:
        if b.low <= score < b.high or (score == b.high == top):
            return b, b.high == top
    raise ValueError(f"no pay band holds the score {score}")


def factor_of(score, b: PayBand) -> Decimal:
    return Decimal(str(score)) / 100 if b.factor == SCORE else b.factor


def band_pay(base, score, bands) -> Decimal:
    """STF-41: base × factor. 1500 at 80 → 1200.00; 3000 at 95 → 3150.00; 3000 at 59 → 0.00."""
    b, _ = band_of(score, bands)
    return money(Decimal(str(base)) * factor_of(score, b))


def department_result(performance, target=None, challenge_target=None) -> str | None:
    """STF-42: ``challenge`` when the challenge target is reached, ``met`` when the target is, else
    ``missed``; None without a target."""
    if target is None:
        return None
    performance = Decimal(str(performance))
    if challenge_target is not None and performance >= Decimal(str(challenge_target)):
        return "challenge"
    return "met" if performance >= Decimal(str(target)) else "missed"


def modifier_amount(banded, result: str | None, modifiers=None) -> tuple[Decimal, Decimal]:
    """STF-42: (percent, amount) the department's result adds to the banded pay."""
    if result is None:
        return Decimal("0"), Decimal("0.00")
    percent = Decimal(str((modifiers or DEFAULT_MODIFIERS)[result]))
    return percent, money(Decimal(str(banded)) * percent / 100)


@dataclass(frozen=True)
class ScoredPay:
    band: PayBand
    top: bool
    factor: Decimal
    banded: Decimal
    result: str | None
    modifier_percent: Decimal
    modifier: Decimal
    pay: Decimal


def scored_pay(base, score, bands=DEFAULT_BANDS, result: str | None = None, modifiers=None) -> ScoredPay:
    """STF-41 then STF-42: 3000 at 88 with the challenge met → 2640 + 132 = 2772.00."""
    bands = [x if isinstance(x, PayBand) else band(*x) for x in bands]
    b, top = band_of(score, bands)
    banded = band_pay(base, score, bands)
    percent, extra = modifier_amount(banded, result, modifiers)
    return ScoredPay(b, top, factor_of(score, b), banded, result, percent, extra, banded + extra)
