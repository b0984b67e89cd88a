"""What every agreement family shares: labels, match modes, span keys, NaN for JSON."""

from __future__ import annotations

import math
from typing import Any, Hashable, Iterable, Literal

__all__ = ["OUTSIDE", "Level", "MatchMode", "SpanKey", "nan_to_none", "span_key", "ordered"]

#: Label of a token no span covers.
OUTSIDE = "O"

Level = Literal["nominal", "ordinal", "interval", "ratio"]
MatchMode = Literal["exact", "overlap"]

#: (doc_id, start, end, label); doc_id is ``None`` for spans given without a document.
SpanKey = tuple[Any, int, int, str]


def nan_to_none(value: float | None) -> float | None:
    """``None`` for a missing or NaN value, else the value as a plain float (for JSON)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def span_key(s: Any) -> SpanKey:
    """(doc_id, start, end, label) of a Span, an object with those attributes, or a tuple."""
    if isinstance(s, tuple):
        if len(s) == 3:
            return (None, int(s[0]), int(s[1]), s[2])
        if len(s) == 4:
            return (s[0], int(s[1]), int(s[2]), s[3])
        raise ValueError(f"a span tuple is (start, end, label) or (doc_id, start, end, label), got {s!r}")
    return (getattr(s, "doc_id", None), int(s.start), int(s.end), s.label)


def ordered(items: Iterable[Hashable]) -> tuple[Hashable, ...]:
    """The items sorted, or sorted by their repr when they do not compare (mixed types)."""
    items = list(items)
    try:
        return tuple(sorted(items))  # type: ignore[type-var]
    except TypeError:
        return tuple(sorted(items, key=repr))
