"""Letter hints for jumping: short, distinct, typed from the home row first. No Qt."""

from __future__ import annotations

__all__ = ["HINT_KEYS", "hint_labels"]

#: the letters hints are made of, easiest to type first
HINT_KEYS = "asdfghjklqwertyuiopzxcvbnm"


def hint_labels(n: int, keys: str = HINT_KEYS) -> list[str]:
    """``n`` hints of equal length (one letter when ``n`` fits, else two, ...): none is a prefix
    of another, so typing a whole hint is never ambiguous."""
    if n <= 0:
        return []
    k = len(keys)
    length = 1
    while k ** length < n:
        length += 1
    out = []
    for i in range(n):
        s, v = [], i
        for _ in range(length):
            s.append(keys[v % k])
            v //= k
        out.append("".join(reversed(s)))
    return out
