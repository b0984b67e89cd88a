"""Letter hints for jumping: short, distinct, typed from the home row first. No Qt."""

from __future__ import annotations

__all__ = ["HINT_KEYS", "hint_labels"]

#: the letters hints are made of, easiest to type first
HINT_KEYS = "asdfghjklqwertyuiopzxcvbnm"


def hint_labels(n: int, keys: str = HINT_KEYS) -> list[str]:
    """``n`` hints, none a prefix of another (so typing a whole hint is never ambiguous), as short
    as that allows: one letter each up to ``len(keys)``; then as many one-letter hints as leave
    enough two-letter ones (the other letters start those: 29 targets get 25 single letters and
    4 pairs), like Vimium; past ``len(keys) ** 2``, all of equal length."""
    if n <= 0:
        return []
    k = len(keys)
    if n <= k:
        return list(keys[:n])
    if n <= k * k:
        singles = min(k - 1, (k * k - n) // (k - 1))
        pairs = [a + b for a in keys[singles:] for b in keys]
        return list(keys[:singles]) + pairs[:n - singles]
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
