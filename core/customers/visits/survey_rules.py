"""CUS-64 satisfaction surveys and corrective action: pure rules (no database, no clock).

:func:`evaluate_round` scores a survey round: each item's mean and the round's mean over every
score given (0–100, ``Decimal`` 2 places half-up). When the round's mean is strictly below
``cus.survey.threshold`` (default 80) a corrective action (CAPA) is due for the weak items: those
whose mean is below the threshold, lowest first (a mean below the threshold always has one).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
METHODS = ("online", "phone", "call_recording")


def _mean(values: Sequence[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemScore:
    code: str
    label: str
    mean: Decimal
    answers: int


@dataclass(frozen=True)
class RoundOutcome:
    mean: Decimal | None
    responses: int
    items: tuple[ItemScore, ...]  # in the round's order
    threshold: Decimal
    needs_capa: bool
    weak_items: tuple[ItemScore, ...]  # below the threshold, lowest first
    reason_zh: str
    reason_en: str

    def to_outcome(self) -> dict:
        return {"mean": str(self.mean) if self.mean is not None else None, "responses": self.responses,
                "threshold": str(self.threshold), "needs_capa": self.needs_capa,
                "weak_items": [{"code": i.code, "label": i.label, "mean": str(i.mean)} for i in self.weak_items]}


def evaluate_round(items: Sequence[Mapping], responses: Iterable[Mapping[str, int]], threshold) -> RoundOutcome:
    """``items``: ``[{code, label}]``; ``responses``: ``{item code: score}`` each (unanswered items
    left out)."""
    threshold = Decimal(threshold).quantize(CENT, rounding=ROUND_HALF_UP)
    scores: dict[str, list[Decimal]] = {i["code"]: [] for i in items}
    count = 0
    for response in responses:
        count += 1
        for code, score in response.items():
            if code in scores and score is not None:
                scores[code].append(Decimal(score))
    every = [s for values in scores.values() for s in values]
    item_scores = tuple(ItemScore(i["code"], i["label"], _mean(scores[i["code"]]), len(scores[i["code"]]))
                        for i in items if scores[i["code"]])
    if not every:
        return RoundOutcome(None, count, item_scores, threshold, False, (),
                            "依据CUS-64，本轮调查无评分，不评价。",
                            "CUS-64: the round has no scores; nothing to evaluate.")
    mean = _mean(every)
    needs = mean < threshold
    weak = tuple(sorted((i for i in item_scores if i.mean < threshold), key=lambda i: (i.mean, i.code)))
    if needs:
        listed_zh = "、".join(f"{i.label}（{i.mean}）" for i in weak)
        listed_en = ", ".join(f"{i.label} ({i.mean})" for i in weak)
        zh = f"依据CUS-64，本轮满意度均分{mean}，低于{threshold}，须对薄弱项制定纠正措施：{listed_zh}。"
        en = (f"CUS-64: the round's mean satisfaction {mean} is below {threshold}; a corrective action is "
              f"opened for the weak items: {listed_en}.")
    else:
        zh = f"依据CUS-64，本轮满意度均分{mean}，不低于{threshold}，无需纠正措施。"
        en = f"CUS-64: the round's mean satisfaction {mean} is not below {threshold}; no corrective action."
    return RoundOutcome(mean, count, item_scores, threshold, needs, weak if needs else (), zh, en)
