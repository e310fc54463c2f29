"""Pure pricing of a penalty by the tenant's catalog (STF-02), its points scheme (STF-03) and the
approval range (STF-02/23). No database.

- :func:`price` — what an offence costs: a catalog entry (by outcome tier, else by role, else its own
  price) → fixed amount, range (proposal = minimum) or HR flag; else an amount set by the calling rule
  (CUS-73, CUS-82...); else the points scheme's ``item`` / ``absence`` points; else, when the caller
  allows it, an open proposal of 0 for the approver to set. Unknown offences and outcomes raise
  :class:`PricingError`.
- :func:`amount_problem` — whether an amount an approver sets is allowed (within the range, STF-02).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from core.staff.ledger_rules import money

DEFAULT_APPROVER = "dept_manager"
DEFAULT_ABSENCE_OFFENCES = ("absence_from_post",)


class PricingError(ValueError):
    """An offence that cannot be priced; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Price:
    """The price of one occurrence before repeats (STF-10): ``base`` per unit × ``quantity``.

    ``low``/``high``: the range per unit when the catalog gives one (the proposal is ``low``);
    ``flag``: an HR flag label instead of an amount; ``source``: catalog | caller | points | open.
    """

    offence: str
    unit: str
    base: Decimal
    quantity: int = 1
    low: Decimal | None = None
    high: Decimal | None = None
    flag: str | None = None
    per: str = "occurrence"
    approver: str = DEFAULT_APPROVER
    family: str | None = None
    cash_same_day: bool = False
    when_unidentified: str = "unit"
    source: str = "catalog"
    basis: str = "amount"  # amount | range | tier:<outcome> | role:<role> | points:item | points:absence

    @property
    def amount(self) -> Decimal:
        return money(self.base * self.quantity)

    def range_for(self, multiplier: int = 1) -> tuple[Decimal, Decimal] | None:
        """The amounts an approver may set for this occurrence (per unit × quantity × multiplier)."""
        if self.low is None or self.high is None:
            return None
        return money(self.low * self.quantity * multiplier), money(self.high * self.quantity * multiplier)


def _from(part: dict, **common) -> Price:
    if "flag" in part:
        return Price(base=Decimal("0.00"), flag=part["flag"], **common)
    if "min" in part:
        return Price(base=money(part["min"]), low=money(part["min"]), high=money(part["max"]), **common)
    return Price(base=money(part["amount"]), **common)


def price(catalog: dict, points: dict, offence: str, *, role: str | None = None, outcome: str | None = None,
          quantity: int = 1, amount=None, open_amount: bool = False) -> Price:
    """STF-02/03: the price of ``quantity`` units of ``offence`` (see module doc)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise PricingError("quantity", "a whole number of units, at least 1")
    entry = catalog.get(offence)
    if entry is not None:
        common = {"offence": offence, "unit": entry.get("unit", "yuan"), "quantity": quantity,
                  "per": entry.get("per", "occurrence"), "approver": entry.get("approver", DEFAULT_APPROVER),
                  "family": entry.get("family"), "cash_same_day": bool(entry.get("cash_same_day")),
                  "when_unidentified": entry.get("when_unidentified", "unit")}
        tiers = entry.get("tiers") or {}
        if amount is not None:
            return Price(base=money(amount), source="caller", basis="amount", **common)
        if tiers:
            if outcome is None:
                raise PricingError("outcome", f"{offence} is priced by outcome: one of {', '.join(sorted(tiers))}")
            if outcome not in tiers:
                raise PricingError("outcome", f"not an outcome of {offence}: one of {', '.join(sorted(tiers))}")
            return _with_basis(_from(tiers[outcome], **common), f"tier:{outcome}")
        roles = entry.get("roles") or {}
        if role in roles:
            return _with_basis(_from(roles[role], **common), f"role:{role}")
        if not any(key in entry for key in ("amount", "min", "flag")):
            raise PricingError("role", f"{offence} has prices for the roles {', '.join(sorted(roles))} only")
        return _with_basis(_from(entry, **common), "range" if "min" in entry else "amount")
    if amount is not None:
        return Price(offence=offence, unit="yuan", base=money(amount), quantity=quantity, source="caller")
    if points.get("item"):
        absences = points.get("absence_offences") or DEFAULT_ABSENCE_OFFENCES
        if offence in absences and points.get("absence"):
            return Price(offence=offence, unit="points", base=money(points["absence"]), quantity=quantity,
                         source="points", basis="points:absence")
        return Price(offence=offence, unit="points", base=money(points["item"]), quantity=quantity,
                     source="points", basis="points:item")
    if open_amount:
        return Price(offence=offence, unit="yuan", base=Decimal("0.00"), quantity=quantity, source="open",
                     basis="open")
    raise PricingError("offence", f"{offence!r} is not in the penalty catalog (stf.catalog)")


def _with_basis(found: Price, basis: str) -> Price:
    return replace(found, basis=basis)


def amount_problem(amount: Decimal, *, allowed: tuple[Decimal, Decimal] | None, open_amount: bool) -> str | None:
    """STF-02: why an approver may not set ``amount`` (None when allowed). Within ``allowed`` (the
    range, inclusive) for a ranged entry; any amount ≥ 0 for an open proposal; never for a fixed one."""
    if amount < 0:
        return "must not be negative"
    if allowed is not None:
        low, high = allowed
        if not low <= amount <= high:
            return f"out of range: {low}–{high}"
        return None
    if open_amount:
        return None
    return "the amount is fixed (by the catalog or by the rule that fined); it cannot be set"
