"""Krippendorff's alpha for coding data (nominal, ordinal, interval, ratio; missing values).

Computed from a coincidence matrix with numpy (Krippendorff 2011). :func:`unit_patterns`
counts identical units once, which makes token-level alpha over a whole corpus cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from annotator.agreement.base import Level, ordered

__all__ = [
    "AlphaResult",
    "value_counts_from_codes",
    "unit_patterns",
    "coincidence_matrix",
    "krippendorff_alpha_from_counts",
    "krippendorff_alpha_codes",
    "krippendorff_alpha",
]

@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha = 1 - observed / expected disagreement.

    ``observed`` (Do) = sum(o_ck * delta_ck) / n and ``expected`` (De) =
    sum(n_c * n_k * delta_ck) / (n (n - 1)), from the coincidence matrix ``o`` of the pairable
    values (``pairable`` = n, units with at least two values). ``values`` is the value domain in
    the order used by the distance function.
    """

    alpha: float
    observed: float
    expected: float
    pairable: int
    units: int
    level: str
    values: tuple[Any, ...]


def value_counts_from_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Units x values counts from a raters x units matrix of integer codes (negative = missing)."""
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"reliability data must be raters x units, got shape {codes.shape}")
    n_units = codes.shape[1]
    mask = codes >= 0
    unit = np.broadcast_to(np.arange(n_units, dtype=np.int64), codes.shape)[mask]
    flat = unit * n_values + codes[mask].astype(np.int64)
    return np.bincount(flat, minlength=n_units * n_values).reshape(n_units, n_values)


def unit_patterns(codes: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct units of a raters x units code matrix (negative = missing) and their frequency.

    Returns ``(value_counts, frequency)``: one row of value counts per distinct combination of
    codes, and how many units show it. With few raters and values (the token-label case: 3
    annotators, a handful of labels) there are at most (V+1)^R combinations, so everything
    after one pass over the units works on a tiny matrix. Falls back to one row per unit
    (frequency 1) when the combinations could be too many.
    """
    codes = np.asarray(codes)
    n_raters, n_units = codes.shape
    base = n_values + 1
    if n_raters == 0 or base**n_raters > 1 << 22:
        return value_counts_from_codes(codes, n_values), np.ones(n_units, dtype=np.int64)
    combo = np.zeros(n_units, dtype=np.int64)
    for r in range(n_raters):
        row = codes[r].astype(np.int64)
        combo *= base
        combo += np.where(row < 0, 0, row + 1)
    freq = np.bincount(combo, minlength=1)
    present = np.flatnonzero(freq)
    digits = np.empty((n_raters, len(present)), dtype=np.int64)
    x = present.copy()
    for r in range(n_raters - 1, -1, -1):
        digits[r] = x % base - 1
        x //= base
    return value_counts_from_codes(digits, n_values), freq[present]


def coincidence_matrix(value_counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's coincidence matrix (values x values) from units x values counts.

    o_ck = sum over units u with m_u >= 2 values of n_uc * (n_uk - [c == k]) / (m_u - 1).
    Computed as one matrix product, so it is linear in the number of units. ``weights`` (one
    per row) lets a row stand for that many identical units.
    """
    vc = np.asarray(value_counts, dtype=np.float64)
    m = vc.sum(axis=1)
    keep = m >= 2
    vc = vc[keep]
    w = 1.0 / (m[keep] - 1)
    if weights is not None:
        w = w * np.asarray(weights, dtype=np.float64)[keep]
    weighted = vc * w[:, None]
    o = weighted.T @ vc
    o[np.diag_indices_from(o)] -= weighted.sum(axis=0)
    return o


def _distance_matrix(level: str, values: np.ndarray | None, n_c: np.ndarray) -> np.ndarray:
    v = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(v)
    if level == "ordinal":
        # Ranks are the positions in the (ordered) domain; delta uses the marginals n_g.
        cs = np.cumsum(n_c)
        i = np.arange(v)
        lo, hi = np.minimum.outer(i, i), np.maximum.outer(i, i)
        between = cs[hi] - cs[lo] + n_c[lo]
        return (between - (n_c[lo] + n_c[hi]) / 2.0) ** 2
    if values is None:
        raise ValueError(f"{level} alpha needs numeric values")
    x = np.asarray(values, dtype=np.float64)
    if level == "interval":
        return np.subtract.outer(x, x) ** 2
    if level == "ratio":
        s = np.add.outer(x, x)
        d = np.subtract.outer(x, x)
        out = np.zeros_like(s)
        np.divide(d, s, out=out, where=s != 0)
        return out**2
    raise ValueError(f"unknown level of measurement {level!r} (nominal, ordinal, interval, ratio)")


def krippendorff_alpha_from_counts(
    value_counts: Sequence[Sequence[int]] | np.ndarray,
    values: Sequence[Any] | np.ndarray | None = None,
    level: Level = "nominal",
    weights: np.ndarray | None = None,
) -> AlphaResult:
    """Krippendorff's alpha from a units x values count matrix.

    ``values`` names the columns (numeric for interval and ratio; in ascending order for
    ordinal, interval and ratio); by default ``0..V-1``. ``weights`` optionally says how many
    identical units each row stands for. NaN when no unit is pairable or the data show a
    single value (no expected disagreement).
    """
    vc = np.asarray(value_counts)
    if vc.ndim != 2:
        raise ValueError(f"value counts must be units x values, got shape {vc.shape}")
    if values is None:
        values = np.arange(vc.shape[1])
    if len(values) != vc.shape[1]:
        raise ValueError("values must name every column of the value counts")
    o = coincidence_matrix(vc, weights)
    n_c = o.sum(axis=0)
    n = float(n_c.sum())
    pairable = vc.sum(axis=1) >= 2
    pairable_units = int(pairable.sum() if weights is None else np.asarray(weights)[pairable].sum())
    vals = tuple(values.tolist() if isinstance(values, np.ndarray) else values)
    if n <= 1:
        return AlphaResult(math.nan, math.nan, math.nan, int(round(n)), pairable_units, level, vals)
    delta = _distance_matrix(level, np.asarray(values) if level in ("interval", "ratio") else None, n_c)
    o_sum = float((o * delta).sum())
    # expected coincidences e_ck = n_c (n_k - [c == k]) / (n - 1); the diagonal of delta is 0
    e_sum = float((np.outer(n_c, n_c) / (n - 1) * delta).sum())
    do = o_sum / n
    de = e_sum / n
    alpha = 1.0 - o_sum / e_sum if e_sum > 0 else math.nan
    return AlphaResult(alpha, do, de, int(round(n)), pairable_units, level, vals)


def krippendorff_alpha_codes(
    codes: np.ndarray,
    values: Sequence[Any] | np.ndarray | None = None,
    level: Level = "nominal",
    n_values: int | None = None,
) -> AlphaResult:
    """Krippendorff's alpha from a raters x units matrix of integer codes.

    The fast path for large data: code ``i`` stands for ``values[i]`` (default ``0..V-1``) and
    a negative code means the rater did not code the unit.
    """
    codes = np.asarray(codes)
    if n_values is None:
        n_values = len(values) if values is not None else (int(codes.max()) + 1 if codes.size else 0)
    vc, freq = unit_patterns(codes, n_values)
    return krippendorff_alpha_from_counts(vc, values, level, freq)


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def krippendorff_alpha(
    reliability_data: Sequence[Sequence[Any]] | np.ndarray,
    level: Level = "nominal",
    value_domain: Sequence[Any] | None = None,
) -> AlphaResult:
    """Krippendorff's alpha from reliability data: ``reliability_data[rater][unit]``.

    A missing value is ``None`` or NaN. Values are any hashables for nominal data; ordinal,
    interval and ratio data need numbers, or (ordinal) a ``value_domain`` in ascending order.
    Units coded by fewer than two raters are not pairable and do not count.
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level of measurement {level!r} (nominal, ordinal, interval, ratio)")
    arr = reliability_data if isinstance(reliability_data, np.ndarray) else None
    if arr is not None and arr.dtype.kind in "iuf" and arr.ndim == 2 and value_domain is None:
        # Numeric numpy data: map to codes without a Python loop.
        data = arr.astype(np.float64, copy=False)
        present = ~np.isnan(data)
        vals = data[present]
        codes = np.full(data.shape, -1, dtype=np.int64)
        ints = vals.astype(np.int64) if vals.size else vals.astype(np.int64)
        lo = int(ints.min()) if vals.size else 0
        if vals.size and int(ints.max()) - lo < 1 << 20 and np.array_equal(ints, vals):
            # small integer codes (the usual case): a lookup table instead of a sort
            shifted = ints - lo
            uniq_shifted = np.flatnonzero(np.bincount(shifted))
            lut = np.full(int(shifted.max()) + 1, -1, dtype=np.int64)
            lut[uniq_shifted] = np.arange(len(uniq_shifted))
            codes[present] = lut[shifted]
            uniq = (uniq_shifted + lo).astype(np.float64)
        else:
            uniq, inverse = np.unique(vals, return_inverse=True)
            codes[present] = inverse
        return krippendorff_alpha_codes(codes, uniq, level, len(uniq))
    rows = [list(r) for r in reliability_data]
    if not rows:
        raise ValueError("reliability data need at least one rater")
    n_units = len(rows[0])
    if any(len(r) != n_units for r in rows):
        raise ValueError("every rater's row must cover the same units (use None for missing)")
    seen = {x for r in rows for x in r if not _is_missing(x)}
    if value_domain is not None:
        domain = list(value_domain)
        unknown = seen - set(domain)
        if unknown:
            raise ValueError(f"values outside the value domain: {sorted(map(repr, unknown))[:5]}")
    else:
        if level != "nominal" and not all(isinstance(x, (int, float, np.number)) for x in seen):
            raise ValueError(f"{level} alpha needs numeric values or an ordered value_domain")
        domain = list(ordered(seen))
    index = {v: i for i, v in enumerate(domain)}
    codes = np.array(
        [[-1 if _is_missing(x) else index[x] for x in r] for r in rows], dtype=np.int64
    ).reshape(len(rows), n_units)
    numeric = level in ("interval", "ratio")
    return krippendorff_alpha_codes(codes, np.asarray(domain, dtype=np.float64) if numeric else domain, level, len(domain))
