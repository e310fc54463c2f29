"""Chinese display strings in the reader's script: records carry Simplified Chinese (``title_zh``,
``reason_zh``); zh_Hant readers get them converted to Traditional."""
from __future__ import annotations

from functools import lru_cache

from opencc import OpenCC

_to_traditional = OpenCC("s2t")


@lru_cache(maxsize=4096)
def _traditional(text: str) -> str:
    return _to_traditional.convert(text)


def localise(text: str | None, locale: str) -> str:
    if not text:
        return text or ""
    return _traditional(text) if locale == "zh_Hant" else text
