"""One normalisation for the names people type (项目名称, 实施单位, 主管部门) wherever two of them are
compared: collect's and publish's duplicate keys, pairing a 自评表 with its 目标表 (--targets) or 监控表
(--monitor). Typing varies in width (（） vs ()), spaces (trailing, ideographic, no-break) and
invisible characters; the content of brackets is kept: 项目（一期） is not 项目（二期）."""
from __future__ import annotations

import functools
import unicodedata
from typing import Any

_INVISIBLE = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"}
_BRACKETS = {ord(k): v for k, v in {"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")",
                                    "〈": "(", "〉": ")", "《": "(", "》": ")"}.items()}


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    # NFKC: full-width → half-width (（）→ ()), no-break and ideographic spaces → plain spaces
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_BRACKETS)
    return "".join(folded.split())


def name_key(value: Any) -> str:
    """What two names share exactly when a clerk would call them the same ("" for an empty one)."""
    if value is None:
        return ""
    return _key(value if isinstance(value, str) else str(value))


__all__ = ["name_key"]
