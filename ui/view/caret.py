"""Token arithmetic for the keyboard caret: snapping, moving, extending, resizing. No Qt."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from corpus.model import snap_to_tokens

__all__ = ["word_tokens", "snap", "step_selection", "resized_bounds"]

Span2 = tuple[int, int]


def word_tokens(text: str, tokens: Sequence[Span2]) -> list[Span2]:
    """The tokens that are not whitespace."""
    return [t for t in tokens if not text[t[0]:t[1]].isspace()]


def snap(text: str, tokens: Sequence[Span2], start: int, end: int) -> Span2:
    """``start..end`` without its outer spaces, widened to whole tokens."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return (start, start)
    return snap_to_tokens(tokens, start, end) if tokens else (start, end)


def step_selection(toks: list[Span2], s: int, e: int, step: int, extend: bool) -> Span2:
    """The selection after moving the caret ``s..e`` by ``step`` tokens (or extending it)."""
    starts = [t[0] for t in toks]
    if extend:
        if step > 0:
            j = bisect.bisect_left(starts, e)
            if j < len(toks):
                e = toks[j][1]
        else:
            j = bisect.bisect_left(starts, s) - 1
            inner = [t for t in toks if s <= t[0] and t[1] <= e]
            if len(inner) > 1:  # shrink from the right when the selection holds more than one token
                e = inner[-2][1]
            elif j >= 0:
                s = toks[j][0]
        return (s, e)
    if step > 0:
        j = min(bisect.bisect_left(starts, e if e > s else s + 1), len(toks) - 1)
    else:
        j = max(bisect.bisect_left(starts, s) - 1, 0)
    return toks[j]


def resized_bounds(toks: list[Span2], s: int, e: int, edge: str, step: int) -> Span2 | None:
    """``s..e`` with its ``edge`` ("start" or "end") moved by ``step`` tokens.

    ``None`` when it cannot move that way (the start of the text, or a span of one token that
    would become empty).
    """
    if not toks:
        return None
    starts = [t[0] for t in toks]
    if edge == "end":
        if step > 0:
            j = bisect.bisect_left(starts, e)
            if j >= len(toks):
                return None
            e = toks[j][1]
        else:
            j = bisect.bisect_left(starts, e) - 1  # the last token inside
            if j < 1 or toks[j - 1][1] <= s:
                return None
            e = toks[j - 1][1]
    elif step < 0:
        j = bisect.bisect_right(starts, s - 1) - 1
        if j < 0 or toks[j][0] >= s:
            return None
        s = toks[j][0]
    else:
        j = bisect.bisect_right(starts, s)
        if j >= len(toks) or toks[j][0] >= e:
            return None
        s = toks[j][0]
    return (s, e)
