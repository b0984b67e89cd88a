"""Token labelling: each token gets the label of the span covering it, or ``O``.

The token-level coefficients (Cohen's, Fleiss' kappa, Krippendorff's alpha) compare these.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from annotator.agreement.base import OUTSIDE, span_key

__all__ = ["token_label_codes", "token_labels"]

def token_label_codes(
    token_starts: np.ndarray,
    token_ends: np.ndarray,
    span_starts: np.ndarray,
    span_ends: np.ndarray,
    span_codes: np.ndarray,
    outside: int = 0,
) -> np.ndarray:
    """Vectorised token labelling: the code of the span covering each token, else ``outside``.

    Tokens must be sorted and not overlap (offsets may be global across documents). A token is
    covered by a span it shares a character with; where spans overlap the one listed later wins.
    """
    ts = np.asarray(token_starts, dtype=np.int64)
    te = np.asarray(token_ends, dtype=np.int64)
    out = np.full(len(ts), outside, dtype=np.int64)
    if len(span_starts) == 0 or len(ts) == 0:
        return out
    ss = np.asarray(span_starts, dtype=np.int64)
    se = np.asarray(span_ends, dtype=np.int64)
    first = np.searchsorted(te, ss, side="right")  # first token ending after the span start
    stop = np.searchsorted(ts, se, side="left")  # tokens starting before the span end
    n = np.maximum(stop - first, 0)
    total = int(n.sum())
    if total == 0:
        return out
    offsets = np.repeat(first - np.cumsum(n) + n, n) + np.arange(total)
    out[offsets] = np.repeat(np.asarray(span_codes, dtype=np.int64), n)
    return out


def token_labels(
    tokens: Sequence[tuple[int, int]],
    spans: Iterable[Any],
    outside: str = OUTSIDE,
) -> list[str]:
    """The label of the span covering each token (sorted ``(start, end)``), else ``outside``."""
    keys = [span_key(s) for s in spans]
    labels = sorted({k[3] for k in keys})
    code = {lab: i + 1 for i, lab in enumerate(labels)}
    names = [outside, *labels]
    codes = token_label_codes(
        np.array([t[0] for t in tokens], dtype=np.int64),
        np.array([t[1] for t in tokens], dtype=np.int64),
        np.array([k[1] for k in keys], dtype=np.int64),
        np.array([k[2] for k in keys], dtype=np.int64),
        np.array([code[k[3]] for k in keys], dtype=np.int64),
    )
    return [names[c] for c in codes]
