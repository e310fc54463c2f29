"""The seeded shuffle of CUS-32 (ties) and CUS-33 (random draw): ``random.Random(seed).shuffle`` on
the sorted list, and the same algorithm written out (:func:`fisher_yates_reference`); see the
package docstring."""
from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from core.errors import InvalidInput


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput("invalid seed", fields={"seed": ["The seed must be an integer ≥ 0."]})
    return seed


def seeded_shuffle(items: Iterable[Any], seed: int) -> list[Any]:
    """The items sorted ascending, then ``random.Random(seed).shuffle``d (see the module doc)."""
    result = sorted(items)
    random.Random(_check_seed(seed)).shuffle(result)
    return result


def fisher_yates_reference(items: Iterable[Any], seed: int) -> list[Any]:
    """The documented algorithm of :func:`seeded_shuffle` written out on ``getrandbits`` (MT19937)."""
    rng = random.Random(_check_seed(seed))
    result = sorted(items)

    def randbelow(n: int) -> int:
        k = n.bit_length()
        r = rng.getrandbits(k)
        while r >= n:
            r = rng.getrandbits(k)
        return r

    for i in range(len(result) - 1, 0, -1):
        j = randbelow(i + 1)
        result[i], result[j] = result[j], result[i]
    return result
