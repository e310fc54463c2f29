"""CUS-51 · Key-account thresholds, as pure rules.

A customer qualifies as key account (大客户) when any holds: net purchases over the trailing
``cus.ka.period`` strictly greater than ``cus.ka.min_purchase``; profit share (the customer's gross
profit ÷ the company's gross profit over the same period, in percent with 2 decimals, half-up)
strictly greater than ``cus.ka.min_profit_share``; a manual "potential" flag with a reason.
``cus.ka.inclusive = true`` makes both comparisons ≥ (CAL-10).

- :func:`trailing_window` — the local days of a trailing period ending with ``on`` (Civil Code).
- :func:`profit_share` — the share in percent, 2 places.
- :func:`qualify` — the outcome for the decision (``qualifies``, ``basis``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.calendar.durations import Duration, parse_duration
from core.calendar.model import add_months_to_date
from core.customers.grades.outcome import Decided, money, yuan

HUNDRED = Decimal(100)
PERCENT = Decimal("0.01")


def trailing_window(on: dt.date, period: Duration | str) -> tuple[dt.date, dt.date]:
    """The first and last local day of the trailing ``period`` that ends with day ``on`` (inclusive):
    12 months as of 2026-12-31 → 2026-01-01..2026-12-31 (CAL-05: the period counts back from the end
    of ``on``; its start day is the day after the corresponding day)."""
    period = parse_duration(period) if isinstance(period, str) else period
    n = int(period.amount)
    if period.unit == "days":
        back = on - dt.timedelta(days=n)
    elif period.unit == "weeks":
        back = on - dt.timedelta(weeks=n)
    elif period.unit == "months":
        back = add_months_to_date(on, -n)
    elif period.unit == "years":
        back = add_months_to_date(on, -12 * n)
    else:
        raise ValueError(f"a trailing period is counted in days, weeks, months or years, not {period.unit}")
    return back + dt.timedelta(days=1), on


def profit_share(customer_profit: Decimal, company_profit: Decimal) -> Decimal | None:
    """Customer ÷ company gross profit in percent, 2 places half-up; ``None`` when the company made no
    gross profit over the period (no share can be computed)."""
    if company_profit is None or Decimal(company_profit) <= 0:
        return None
    return (Decimal(customer_profit) * HUNDRED / Decimal(company_profit)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class KaFigures:
    """The facts of one customer over the trailing window (sums of ``customer_transactions``)."""

    purchases: Decimal  # purchases minus refunds
    customer_profit: Decimal
    company_profit: Decimal
    first_day: dt.date
    last_day: dt.date
    potential_reason: str | None = None  # a manual "potential" flag


@dataclass(frozen=True, kw_only=True)
class KaQualification(Decided):
    qualifies: bool
    basis: tuple[str, ...]  # purchases | profit_share | potential
    share: Decimal | None

    def outcome(self) -> dict[str, Any]:
        return {"key_account": self.qualifies, "basis": list(self.basis), "profit_share": self.share}


def qualify(ka: Mapping[str, Any], customer_id: int, figures: KaFigures) -> KaQualification:
    """CUS-51 for one customer under the ``cus.ka`` section ``ka``."""
    inclusive = bool(ka["inclusive"])
    min_purchase = money(ka["min_purchase"])
    min_share = Decimal(ka["min_profit_share"]).quantize(PERCENT, rounding=ROUND_HALF_UP)
    purchases = money(figures.purchases)
    share = profit_share(figures.customer_profit, figures.company_profit)

    def over(value: Decimal, threshold: Decimal) -> bool:
        return value >= threshold if inclusive else value > threshold

    basis = []
    if over(purchases, min_purchase):
        basis.append("purchases")
    if share is not None and over(share, min_share):
        basis.append("profit_share")
    if figures.potential_reason:
        basis.append("potential")
    op = "≥" if inclusive else ">"
    span = f"{figures.first_day.isoformat()}..{figures.last_day.isoformat()}"
    share_text = f"{share}%" if share is not None else "—"
    facts = {"window": {"first_day": figures.first_day, "last_day": figures.last_day, "period": ka["period"]},
             "purchases": purchases, "customer_gross_profit": money(figures.customer_profit),
             "company_gross_profit": money(figures.company_profit), "profit_share": share,
             "min_purchase": min_purchase, "min_profit_share": min_share, "inclusive": inclusive,
             "potential_reason": figures.potential_reason}
    parts_zh, parts_en = [], []
    parts_zh.append(f"{span}购买净额{yuan(purchases)}（标准{op}{yuan(min_purchase)}）")
    parts_en.append(f"net purchases {span} {yuan(purchases)} (threshold {op} {yuan(min_purchase)})")
    parts_zh.append(f"利润贡献占比{share_text}（标准{op}{min_share}%）")
    parts_en.append(f"profit share {share_text} (threshold {op} {min_share}%)")
    if figures.potential_reason:
        parts_zh.append(f"人工标记为潜力大客户：{figures.potential_reason}")
        parts_en.append(f"flagged manually as potential: {figures.potential_reason}")
    verdict_zh = "认定为大客户" if basis else "不属于大客户"
    verdict_en = "qualifies as key account" if basis else "does not qualify as key account"
    zh = f"客户#{customer_id}：{'；'.join(parts_zh)}，{verdict_zh}。依据CUS-51。"
    en = f"Customer #{customer_id}: {'; '.join(parts_en)}; {verdict_en}. Under CUS-51."
    return KaQualification(rule_id="CUS-51", subject_id=customer_id, facts=facts, reason_zh=zh, reason_en=en,
                           qualifies=bool(basis), basis=tuple(basis), share=share)
