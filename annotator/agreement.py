"""Inter-annotator agreement: pure, typed functions over plain data.

Nothing here touches Qt, SQL or the store. Every function takes plain data (label sequences,
contingency tables, reliability matrices, spans as :class:`corpus.model.Span` or
``(start, end, label)`` / ``(doc_id, start, end, label)`` tuples) and returns a frozen
dataclass, so the agreement report, the suggester-quality figures and the window all share one
implementation.

Coefficients (GUIDE section 7; the published figures they reproduce are in
``shared/reference/agreement.md`` and in ``tests/annotator/test_agreement.py``):

* :func:`cohen_kappa` / :func:`cohen_kappa_from_table` -- Cohen's kappa, with observed agreement
  and Scott's pi from the same table (Artstein & Poesio 2008).
* :func:`fleiss_kappa` / :func:`fleiss_kappa_from_counts` -- Fleiss' kappa (Fleiss 1971).
* :func:`krippendorff_alpha` (+ :func:`krippendorff_alpha_codes`,
  :func:`krippendorff_alpha_from_counts`) -- Krippendorff's alpha for nominal, ordinal, interval
  and ratio data with missing values, computed from a coincidence matrix with numpy.
* :func:`unitizing_alpha` -- Krippendorff's (1995) unitizing alpha on character spans, as
  DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement`` computes it (what INCEpTION uses).
* :func:`span_f1` / :func:`relation_f1` -- pairwise F1 between two annotators, exact or
  overlapping ("lenient"), per label, micro and macro.
* :func:`token_labels` / :func:`token_label_codes` -- each token's label (the covering span's,
  or ``O``) for the token-level coefficients.

For corpora of thousands of documents the same coefficients have array forms that give the same
numbers without Python loops over tokens or spans (tests check them against the plain forms):
:func:`krippendorff_alpha_codes` and :func:`fleiss_kappa_from_codes` (identical units are
counted once, see :func:`unit_patterns`), :func:`span_f1_arrays`, :func:`relation_f1_arrays`
and :func:`unitizing_by_group` (every document and category at once).

Undefined values (a kappa when both coders used a single category, an F1 with no spans at all)
are ``float('nan')``; callers that serialise to JSON turn them into ``null``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Literal, Mapping, Sequence

import numpy as np

__all__ = [
    "OUTSIDE",
    "Level",
    "MatchMode",
    "KappaResult",
    "FleissResult",
    "AlphaResult",
    "UnitizingCategory",
    "UnitizingResult",
    "PRF",
    "F1Result",
    "RelationKey",
    "SpanKey",
    "contingency_table",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "scott_pi",
    "observed_agreement",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "category_counts",
    "fleiss_kappa_from_codes",
    "unit_patterns",
    "krippendorff_alpha",
    "krippendorff_alpha_codes",
    "krippendorff_alpha_from_counts",
    "coincidence_matrix",
    "value_counts_from_codes",
    "unitizing_alpha",
    "unitizing_category_disagreement",
    "combine_unitizing",
    "span_f1",
    "relation_f1",
    "span_f1_arrays",
    "relation_f1_arrays",
    "exact_row_matches",
    "unitizing_by_group",
    "relation_keys",
    "token_labels",
    "token_label_codes",
    "nan_to_none",
]

#: Label of a token no span covers.
OUTSIDE = "O"

Level = Literal["nominal", "ordinal", "interval", "ratio"]
MatchMode = Literal["exact", "overlap"]

#: (doc_id, start, end, label); doc_id is ``None`` for spans given without a document.
SpanKey = tuple[Any, int, int, str]


def _nan() -> float:
    return float("nan")


def nan_to_none(value: float | None) -> float | None:
    """``None`` for a missing or NaN value, else the value as a plain float (for JSON)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# --------------------------------------------------------------------------------------------
# Cohen's kappa, Scott's pi, observed agreement
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KappaResult:
    """Two coders over the same items.

    ``observed`` is the proportion of items both coders labelled the same; ``expected`` the
    agreement Cohen expects by chance (product of each coder's own label distribution);
    ``scott_expected`` the chance agreement of Scott's pi (squared pooled distribution).
    """

    kappa: float
    observed: float
    expected: float
    scott_pi: float
    scott_expected: float
    n: int
    labels: tuple[Hashable, ...]


def contingency_table(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> tuple[tuple[Hashable, ...], np.ndarray]:
    """Contingency table of two coders' labels: rows coder ``a``, columns coder ``b``.

    ``labels`` fixes the order (and may name labels neither coder used); by default the labels
    seen, sorted when they are sortable. Items labelled outside ``labels`` are ignored.
    """
    if len(a) != len(b):
        raise ValueError(f"the two coders labelled different numbers of items ({len(a)} vs {len(b)})")
    if labels is None:
        labels = _ordered(set(a) | set(b))
    labels = tuple(labels)
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    ia = np.fromiter((index.get(x, -1) for x in a), dtype=np.int64, count=len(a))
    ib = np.fromiter((index.get(x, -1) for x in b), dtype=np.int64, count=len(b))
    keep = (ia >= 0) & (ib >= 0)
    table = np.bincount(ia[keep] * k + ib[keep], minlength=k * k).reshape(k, k)
    return labels, table


def cohen_kappa_from_table(
    table: Sequence[Sequence[float]] | np.ndarray, labels: Sequence[Hashable] | None = None
) -> KappaResult:
    """Cohen's kappa, observed agreement and Scott's pi from a square contingency table.

    Rows are coder A's categories, columns coder B's, in the same order. Kappa is NaN when it
    is undefined (chance agreement 1, e.g. both coders used one and the same category).
    """
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError(f"a contingency table must be square, got shape {t.shape}")
    n = float(t.sum())
    if labels is None:
        labels = tuple(range(t.shape[0]))
    if n == 0:
        return KappaResult(_nan(), _nan(), _nan(), _nan(), _nan(), 0, tuple(labels))
    p = t / n
    ao = float(np.trace(p))
    pa, pb = p.sum(axis=1), p.sum(axis=0)
    ae = float(pa @ pb)
    pooled = (pa + pb) / 2
    ae_pi = float(pooled @ pooled)
    kappa = (ao - ae) / (1 - ae) if ae < 1 else _nan()
    pi = (ao - ae_pi) / (1 - ae_pi) if ae_pi < 1 else _nan()
    return KappaResult(kappa, ao, ae, pi, ae_pi, int(round(n)), tuple(labels))


def cohen_kappa(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> KappaResult:
    """Cohen's kappa of two coders' labels for the same items (same length, same order)."""
    labs, table = contingency_table(a, b, labels)
    return cohen_kappa_from_table(table, labs)


def scott_pi(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Scott's pi of two coders' labels (chance from the pooled label distribution)."""
    return cohen_kappa(a, b).scott_pi


def observed_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Proportion of items two coders labelled the same (NaN with no items)."""
    return cohen_kappa(a, b).observed


# --------------------------------------------------------------------------------------------
# Fleiss' kappa
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleissResult:
    """Fleiss' kappa over subjects rated by the same number of raters.

    ``p_bar`` is the mean observed agreement per subject, ``p_e`` the chance agreement.
    """

    kappa: float
    p_bar: float
    p_e: float
    subjects: int
    raters: int
    categories: tuple[Hashable, ...]


def fleiss_kappa_from_counts(
    counts: Sequence[Sequence[int]] | np.ndarray, categories: Sequence[Hashable] | None = None
) -> FleissResult:
    """Fleiss' kappa from a subjects x categories matrix of how many raters chose each category.

    Every subject must have the same number of ratings (at least two).
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"counts must be subjects x categories, got shape {c.shape}")
    if categories is None:
        categories = tuple(range(c.shape[1]))
    if c.shape[0] == 0:
        return FleissResult(_nan(), _nan(), _nan(), 0, 0, tuple(categories))
    per_subject = c.sum(axis=1)
    m = per_subject[0]
    if not np.all(per_subject == m):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every subject")
    if m < 2:
        raise ValueError("Fleiss' kappa needs at least two ratings per subject")
    n_subj = c.shape[0]
    p_i = ((c * c).sum(axis=1) - m) / (m * (m - 1))
    p_bar = float(p_i.mean())
    p_j = c.sum(axis=0) / (n_subj * m)
    p_e = float(p_j @ p_j)
    kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else _nan()
    return FleissResult(kappa, p_bar, p_e, n_subj, int(m), tuple(categories))


def fleiss_kappa_from_codes(
    codes: np.ndarray, n_categories: int, categories: Sequence[Hashable] | None = None
) -> FleissResult:
    """Fleiss' kappa from a raters x subjects matrix of integer category codes (no missing).

    The fast path for large data (token labels): identical subjects are counted once.
    """
    codes = np.asarray(codes)
    if categories is None:
        categories = tuple(range(n_categories))
    if codes.size and codes.min() < 0:
        raise ValueError("Fleiss' kappa needs every rater to rate every subject")
    if codes.ndim != 2 or codes.shape[1] == 0:
        return FleissResult(_nan(), _nan(), _nan(), 0, 0, tuple(categories))
    m = codes.shape[0]
    if m < 2:
        raise ValueError("Fleiss' kappa needs at least two ratings per subject")
    vc, freq = unit_patterns(codes, n_categories)
    c = vc.astype(np.float64)
    f = freq.astype(np.float64)
    n_subj = float(f.sum())
    p_i = ((c * c).sum(axis=1) - m) / (m * (m - 1))
    p_bar = float(p_i @ f) / n_subj
    p_j = (c * f[:, None]).sum(axis=0) / (n_subj * m)
    p_e = float(p_j @ p_j)
    kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else _nan()
    return FleissResult(kappa, p_bar, p_e, int(n_subj), int(m), tuple(categories))


def category_counts(
    ratings_by_rater: Sequence[Sequence[Hashable]], categories: Sequence[Hashable] | None = None
) -> tuple[tuple[Hashable, ...], np.ndarray]:
    """Subjects x categories counts from per-rater label lists (raters x subjects)."""
    raters = [list(r) for r in ratings_by_rater]
    if not raters:
        return (), np.zeros((0, 0), dtype=np.int64)
    n = len(raters[0])
    if any(len(r) != n for r in raters):
        raise ValueError("every rater must label the same subjects")
    if categories is None:
        categories = _ordered({x for r in raters for x in r})
    categories = tuple(categories)
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    counts = np.zeros(n * k, dtype=np.int64)
    for r in raters:
        codes = np.fromiter((index[x] for x in r), dtype=np.int64, count=n)
        counts += np.bincount(np.arange(n) * k + codes, minlength=n * k)
    return categories, counts.reshape(n, k)


def fleiss_kappa(
    ratings_by_rater: Sequence[Sequence[Hashable]], categories: Sequence[Hashable] | None = None
) -> FleissResult:
    """Fleiss' kappa from per-rater label lists: ``ratings_by_rater[r][i]`` is rater r's label
    of subject i. Every rater labels every subject."""
    cats, counts = category_counts(ratings_by_rater, categories)
    return fleiss_kappa_from_counts(counts, cats)


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha (coding)
# --------------------------------------------------------------------------------------------


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
        return AlphaResult(_nan(), _nan(), _nan(), int(round(n)), pairable_units, level, vals)
    delta = _distance_matrix(level, np.asarray(values) if level in ("interval", "ratio") else None, n_c)
    o_sum = float((o * delta).sum())
    # expected coincidences e_ck = n_c (n_k - [c == k]) / (n - 1); the diagonal of delta is 0
    e_sum = float((np.outer(n_c, n_c) / (n - 1) * delta).sum())
    do = o_sum / n
    de = e_sum / n
    alpha = 1.0 - o_sum / e_sum if e_sum > 0 else _nan()
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
        domain = list(_ordered(seen))
    index = {v: i for i, v in enumerate(domain)}
    codes = np.array(
        [[-1 if _is_missing(x) else index[x] for x in r] for r in rows], dtype=np.int64
    ).reshape(len(rows), n_units)
    numeric = level in ("interval", "ratio")
    return krippendorff_alpha_codes(codes, np.asarray(domain, dtype=np.float64) if numeric else domain, level, len(domain))


# --------------------------------------------------------------------------------------------
# Krippendorff's unitizing alpha
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitizingCategory:
    """Observed and expected disagreement of one category and the resulting alpha_U."""

    observed: float
    expected: float
    units: int

    @property
    def alpha(self) -> float:
        """1 - Do/De (NaN when De is 0)."""
        return 1.0 - self.observed / self.expected if self.expected > 0 else _nan()


@dataclass(frozen=True)
class UnitizingResult:
    """Krippendorff's unitizing alpha over categories.

    Overall ``alpha`` = 1 - mean_c(Do) / mean_c(De) over the categories that occur (DKPro).
    """

    alpha: float
    observed: float
    expected: float
    per_category: Mapping[str, UnitizingCategory]


def _as_intervals(spans: Iterable[Any], category: str | None = None) -> list[tuple[int, int, str]]:
    out = []
    for s in spans:
        _, start, end, label = _span_key(s)
        if category is None or label == category:
            out.append((start, end, label))
    out.sort()
    return out


def _gaps(intervals: Sequence[tuple[int, int]], begin: int, end: int) -> list[int]:
    """Lengths of the stretches of [begin, end) no interval covers."""
    gaps = []
    pos = begin
    for s, e in intervals:
        if s > pos:
            gaps.append(s - pos)
        pos = max(pos, e)
    if end > pos:
        gaps.append(end - pos)
    return gaps


def _pair_observed(u1: Sequence[tuple[int, int]], u2: Sequence[tuple[int, int]]) -> float:
    """Sum of delta^2 between two raters' units of one category (sorted by start).

    Overlapping units: (b1 - b2)^2 + (e1 - e2)^2; a unit that overlaps none of the other
    rater's units lies in a gap and counts its squared length.
    """
    total = 0.0
    hit1 = [False] * len(u1)
    hit2 = [False] * len(u2)
    starts2 = [s for s, _ in u2]
    maxlen2 = max((e - s for s, e in u2), default=0)
    for i, (b1, e1) in enumerate(u1):
        j = bisect_right(starts2, b1 - maxlen2)
        stop = bisect_left(starts2, e1)
        while j < stop:
            b2, e2 = u2[j]
            if e2 > b1:
                total += (b1 - b2) ** 2 + (e1 - e2) ** 2
                hit1[i] = True
                hit2[j] = True
            j += 1
    for (b, e), hit in zip(u1, hit1):
        if not hit:
            total += (e - b) ** 2
    for (b, e), hit in zip(u2, hit2):
        if not hit:
            total += (e - b) ** 2
    return total


def unitizing_category_disagreement(
    raters: Sequence[Sequence[tuple[int, int]]], begin: int, length: int
) -> UnitizingCategory:
    """Do and De of one category: ``raters[r]`` holds rater r's (start, end) units of it.

    The formula of Krippendorff (1995) as DKPro Statistics implements it::

        Do = 2 * sum_{r1<r2} sum delta^2 / (R (R-1) L^2)
        De = (2/L) * sum_u [(N_c - 1)(2l^3 - 3l^2 + l)/3 + l^2 * sum_{gaps g >= l}(g - l + 1)]
             / (R L (R L - 1) - sum_u l (l - 1))

    with gaps taken over every rater's uncovered stretches of the continuum [begin, begin+L).
    """
    r = len(raters)
    L = length
    units = [sorted((int(s), int(e)) for s, e in rs) for rs in raters]
    n_c = sum(len(u) for u in units)
    if r < 2 or L <= 0 or n_c == 0:
        return UnitizingCategory(0.0, 0.0, n_c)
    obs = 0.0
    for i in range(r):
        for j in range(i + 1, r):
            obs += _pair_observed(units[i], units[j])
    do = 2.0 * obs / (r * (r - 1) * float(L) * L)
    gaps = sorted(g for u in units for g in _gaps(u, begin, begin + L))
    # suffix sums over the ascending gaps: sum_{g >= l} (g - l + 1) = S - k (l - 1)
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    num = 0.0
    sq = 0
    for u in units:
        for s, e in u:
            ln = e - s
            sq += ln * (ln - 1)
            k0 = bisect_left(gaps, ln)
            k = len(gaps) - k0
            num += (n_c - 1) * (2 * ln**3 - 3 * ln**2 + ln) / 3.0
            num += ln * ln * (suffix[k0] - k * (ln - 1))
    denom = r * L * (r * L - 1) - sq
    de = (2.0 / L) * num / denom if denom > 0 else 0.0
    return UnitizingCategory(do, de, n_c)


def combine_unitizing(
    parts: Iterable[tuple[Mapping[str, UnitizingCategory], float]],
) -> UnitizingResult:
    """Pool per-continuum results (e.g. one per document) into one unitizing alpha.

    ``parts`` yields ``(per_category, weight)``; each category's Do and De are weighted means
    over the parts where the category occurs (the report weights by document length), then
    ``alpha_c = 1 - Do_c / De_c`` and overall ``alpha = 1 - mean_c Do_c / mean_c De_c``. With
    one part this is exactly :func:`unitizing_alpha`.
    """
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])  # w*Do, w*De, w, units
    for per_cat, weight in parts:
        for cat, uc in per_cat.items():
            a = acc[cat]
            a[0] += weight * uc.observed
            a[1] += weight * uc.expected
            a[2] += weight
            a[3] += uc.units
    per: dict[str, UnitizingCategory] = {}
    for cat in sorted(acc):
        wdo, wde, w, n = acc[cat]
        per[cat] = UnitizingCategory(wdo / w if w else 0.0, wde / w if w else 0.0, int(n))
    if not per:
        return UnitizingResult(_nan(), _nan(), _nan(), per)
    do = sum(c.observed for c in per.values()) / len(per)
    de = sum(c.expected for c in per.values()) / len(per)
    alpha = 1.0 - do / de if de > 0 else _nan()
    return UnitizingResult(alpha, do, de, per)


def unitizing_alpha(
    annotations: Sequence[Iterable[Any]],
    length: int,
    begin: int = 0,
    categories: Sequence[str] | None = None,
) -> UnitizingResult:
    """Krippendorff's unitizing alpha of several raters' spans over one continuum.

    ``annotations[r]`` is rater r's spans (``Span`` objects or ``(start, end, label)``
    tuples, end exclusive) on the continuum ``[begin, begin + length)`` -- a document's
    characters. Categories default to the labels that occur. Spans of one label by one rater
    should not overlap (DKPro's assumption). Identical annotations give 1.0.
    """
    by_rater = [_as_intervals(a) for a in annotations]
    if categories is None:
        categories = sorted({lab for r in by_rater for _, _, lab in r})
    per = {}
    for cat in categories:
        raters = [[(s, e) for s, e, lab in r if lab == cat] for r in by_rater]
        per[cat] = unitizing_category_disagreement(raters, begin, length)
    per = {c: v for c, v in per.items() if v.units}
    return combine_unitizing([(per, 1.0)])


# --------------------------------------------------------------------------------------------
# Span and relation F1
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PRF:
    """True positives, false positives and false negatives, with precision, recall and F1.

    F1 = 2TP / (2TP + FP + FN), symmetric in the two annotators; NaN with nothing to compare.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else _nan()

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else _nan()

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else _nan()

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, Any]:
        """Counts and scores as a JSON-ready dict (NaN as ``None``)."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": nan_to_none(self.precision),
            "recall": nan_to_none(self.recall),
            "f1": nan_to_none(self.f1),
        }


@dataclass(frozen=True)
class F1Result:
    """Agreement of annotator A (rows, "predicted") with annotator B ("reference").

    ``micro`` sums the counts over labels; ``macro_f1`` is the mean of the per-label F1 over
    the labels either annotator used. ``matched`` pairs A's item with B's; ``only_a`` and
    ``only_b`` are the items the other annotator has no match for (the disagreements).
    """

    mode: str
    per_label: Mapping[str, PRF]
    micro: PRF
    macro_f1: float
    matched: tuple[tuple[Any, Any], ...] = field(default=(), repr=False)
    only_a: tuple[Any, ...] = field(default=(), repr=False)
    only_b: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def f1(self) -> float:
        """Micro-averaged F1."""
        return self.micro.f1


def _span_key(s: Any) -> SpanKey:
    """(doc_id, start, end, label) of a Span, an object with those attributes, or a tuple."""
    if isinstance(s, tuple):
        if len(s) == 3:
            return (None, int(s[0]), int(s[1]), s[2])
        if len(s) == 4:
            return (s[0], int(s[1]), int(s[2]), s[3])
        raise ValueError(f"a span tuple is (start, end, label) or (doc_id, start, end, label), got {s!r}")
    return (getattr(s, "doc_id", None), int(s.start), int(s.end), s.label)


def _max_matching(adj: Sequence[Sequence[int]], n_b: int) -> list[int]:
    """Maximum bipartite matching (Kuhn's augmenting paths, iterative).

    ``adj[a]`` lists the b's a may match, preferred first. Returns match_of_a (-1 = none).
    """
    match_a = [-1] * len(adj)
    match_b = [-1] * n_b
    for a, nbrs in enumerate(adj):  # greedy pass in preference order
        for b in nbrs:
            if match_b[b] < 0:
                match_a[a], match_b[b] = b, a
                break
    for a0 in range(len(adj)):
        if match_a[a0] >= 0 or not adj[a0]:
            continue
        visited: set[int] = set()
        parent: dict[int, int] = {}
        stack = [(a0, iter(adj[a0]))]
        found = -1
        while stack and found < 0:
            u, it = stack[-1]
            for b in it:
                if b in visited:
                    continue
                visited.add(b)
                parent[b] = u
                if match_b[b] < 0:
                    found = b
                else:
                    stack.append((match_b[b], iter(adj[match_b[b]])))
                break
            else:
                stack.pop()
        b = found
        while b >= 0:
            u = parent[b]
            prev = match_a[u]
            match_a[u], match_b[b] = b, u
            b = prev if u != a0 else -1
    return match_a


def _overlap_match(
    a_items: Sequence[Any], b_items: Sequence[Any], a_iv: Sequence[tuple[int, int]], b_iv: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Maximum one-to-one matching of overlapping intervals, preferring exact then larger overlaps."""
    order = sorted(range(len(b_iv)), key=lambda j: b_iv[j])
    starts = [b_iv[j][0] for j in order]
    maxlen = max((e - s for s, e in b_iv), default=0)
    adj: list[list[tuple[bool, int, int]]] = []
    for s, e in a_iv:
        cands = []
        lo = bisect_right(starts, s - maxlen)
        hi = bisect_left(starts, e)
        for p in range(lo, hi):
            j = order[p]
            bs, be = b_iv[j]
            if be > s:
                exact = (bs, be) == (s, e)
                cands.append((not exact, -(min(e, be) - max(s, bs)), j))
        adj.append(cands)
    return _preferred_matching(adj, len(b_iv))


def _preferred_matching(cands: Sequence[list[tuple[bool, int, int]]], n_b: int) -> list[tuple[int, int]]:
    """Maximum one-to-one matching; each a-item's ``(not exact, -overlap, j)`` candidates are
    tried best first (exact, then larger overlaps). Returns the matched ``(i, j)`` pairs."""
    adj = [[j for _, _, j in sorted(c)] for c in cands]
    ma = _max_matching(adj, n_b)
    return [(i, j) for i, j in enumerate(ma) if j >= 0]


def _f1(
    a_keys: Sequence[Any],
    b_keys: Sequence[Any],
    group: Any,
    intervals: Any,
    label_of: Any,
    mode: str,
    labels: Sequence[str] | None,
) -> F1Result:
    if mode not in ("exact", "overlap"):
        raise ValueError(f"unknown match mode {mode!r} (exact, overlap)")
    if labels is not None:
        allowed = set(labels)
        a_keys = [k for k in a_keys if label_of(k) in allowed]
        b_keys = [k for k in b_keys if label_of(k) in allowed]
    a_keys = list(dict.fromkeys(a_keys))
    b_keys = list(dict.fromkeys(b_keys))
    matched: list[tuple[Any, Any]] = []
    if mode == "exact":
        bset = set(b_keys)
        matched = [(k, k) for k in a_keys if k in bset]
    else:
        ga: dict[Any, list[Any]] = defaultdict(list)
        gb: dict[Any, list[Any]] = defaultdict(list)
        for k in a_keys:
            ga[group(k)].append(k)
        for k in b_keys:
            gb[group(k)].append(k)
        for g, aks in ga.items():
            bks = gb.get(g)
            if not bks:
                continue
            pairs = _match_group(aks, bks, intervals)
            matched.extend((aks[i], bks[j]) for i, j in pairs)
    ma = {x for x, _ in matched}
    mb = {y for _, y in matched}
    only_a = tuple(k for k in a_keys if k not in ma)
    only_b = tuple(k for k in b_keys if k not in mb)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for x, _ in matched:
        tp[label_of(x)] += 1
    for x in only_a:
        fp[label_of(x)] += 1
    for y in only_b:
        fn[label_of(y)] += 1
    names = sorted(set(tp) | set(fp) | set(fn))
    per = {n: PRF(tp[n], fp[n], fn[n]) for n in names}
    micro = sum(per.values(), PRF())
    macro = sum(p.f1 for p in per.values()) / len(per) if per else _nan()
    return F1Result(mode, per, micro, macro, tuple(matched), only_a, only_b)


def _match_group(aks: Sequence[Any], bks: Sequence[Any], intervals: Any) -> list[tuple[int, int]]:
    """Match items of one group; ``intervals(k)`` gives one or more (start, end) per item which
    must all overlap pairwise (one for spans; head and child for relations)."""
    a_iv = [intervals(k) for k in aks]
    b_iv = [intervals(k) for k in bks]
    if len(a_iv[0]) == 1:
        return _overlap_match(aks, bks, [x[0] for x in a_iv], [x[0] for x in b_iv])
    adj: list[list[tuple[bool, int, int]]] = []
    for ia in a_iv:
        cands = []
        for j, ib in enumerate(b_iv):
            if all(s1 < e2 and s2 < e1 for (s1, e1), (s2, e2) in zip(ia, ib)):
                exact = ia == ib
                ov = sum(min(e1, e2) - max(s1, s2) for (s1, e1), (s2, e2) in zip(ia, ib))
                cands.append((not exact, -ov, j))
        adj.append(cands)
    return _preferred_matching(adj, len(b_iv))


def span_f1(
    a: Iterable[Any],
    b: Iterable[Any],
    mode: MatchMode = "exact",
    labels: Sequence[str] | None = None,
) -> F1Result:
    """Span F1 between two annotators.

    ``a`` and ``b`` are spans (:class:`corpus.model.Span`, ``(start, end, label)`` or
    ``(doc_id, start, end, label)``); spans of different documents never match. ``exact``: a
    span matches when start, end and label are identical. ``overlap`` (GATE's lenient): spans
    with the same label that share a character match, one to one (a maximum matching, exact
    pairs preferred), so F1 stays symmetric. ``labels`` restricts the comparison.
    """
    ak = [_span_key(s) for s in a]
    bk = [_span_key(s) for s in b]
    return _f1(ak, bk, lambda k: (k[0], k[3]), lambda k: ((k[1], k[2]),), lambda k: k[3], mode, labels)


@dataclass(frozen=True, order=True)
class RelationKey:
    """What makes two annotators' relations the same: document, both endpoints
    as (start, end, label), and the relation label."""

    doc_id: Any
    head: tuple[int, int, str]
    child: tuple[int, int, str]
    label: str


def relation_keys(relations: Iterable[Any], spans: Iterable[Any]) -> list[RelationKey]:
    """Resolve :class:`corpus.model.Relation` objects (head/child are span ids) to keys, given
    the spans they point to. Relations to unknown spans are skipped."""
    by_id = {s.id: s for s in spans if getattr(s, "id", None) is not None}
    out = []
    for r in relations:
        h, c = by_id.get(r.head), by_id.get(r.child)
        if h is None or c is None:
            continue
        out.append(RelationKey(r.doc_id, (h.start, h.end, h.label), (c.start, c.end, c.label), r.label))
    return out


def _relation_key(r: Any) -> RelationKey:
    if isinstance(r, RelationKey):
        return r
    if isinstance(r, tuple):
        if len(r) == 3:
            return RelationKey(None, tuple(r[0]), tuple(r[1]), r[2])  # type: ignore[arg-type]
        if len(r) == 4:
            return RelationKey(r[0], tuple(r[1]), tuple(r[2]), r[3])  # type: ignore[arg-type]
    raise ValueError(
        f"a relation is a RelationKey, (head, child, label) or (doc_id, head, child, label), got {r!r}"
    )


def relation_f1(
    a: Iterable[Any],
    b: Iterable[Any],
    mode: MatchMode = "exact",
    labels: Sequence[str] | None = None,
) -> F1Result:
    """Relation F1 between two annotators.

    Relations are :class:`RelationKey` or tuples ``(head, child, label)`` /
    ``(doc_id, head, child, label)`` with head and child as ``(start, end, label)`` (see
    :func:`relation_keys` for store relations). ``exact``: same label and both endpoint spans
    identical in start, end and label. ``overlap``: same label, endpoints with the same labels
    that overlap, one to one. ``labels`` restricts the relation labels compared.
    """
    ak = [_relation_key(r) for r in a]
    bk = [_relation_key(r) for r in b]
    return _f1(
        ak,
        bk,
        lambda k: (k.doc_id, k.label, k.head[2], k.child[2]),
        lambda k: ((k.head[0], k.head[1]), (k.child[0], k.child[1])),
        lambda k: k.label,
        mode,
        labels,
    )


# --------------------------------------------------------------------------------------------
# Vectorised forms for large corpora (the agreement report)
# --------------------------------------------------------------------------------------------


def _unique_rows(x: np.ndarray) -> np.ndarray:
    """The distinct rows of an integer matrix (order not kept)."""
    if len(x) < 2:
        return x
    keys = _row_keys(x, x[:0])
    if keys is None:
        return np.unique(x, axis=0)
    k = keys[0]
    order = np.argsort(k, kind="stable")
    ks = k[order]
    first = np.ones(len(ks), dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    if first.all():
        return x
    return x[np.sort(order[first])]


def _row_keys(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """One int64 key per row (mixed radix over the columns' ranges), or None if too wide."""
    both = np.concatenate([a, b])
    lo = both.min(axis=0)
    width = both.max(axis=0) - lo + 1
    if float(np.prod(width.astype(np.float64))) >= 2.0**62:
        return None
    key_a = np.zeros(len(a), dtype=np.int64)
    key_b = np.zeros(len(b), dtype=np.int64)
    for c in range(a.shape[1]):
        key_a = key_a * int(width[c]) + (a[:, c] - lo[c])
        key_b = key_b * int(width[c]) + (b[:, c] - lo[c])
    return key_a, key_b


def exact_row_matches(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of ``a`` occur in ``b`` and vice versa (integer matrices, rows unique per side).

    Returns two boolean masks, one per side.
    """
    na, nb = len(a), len(b)
    ma = np.zeros(na, dtype=bool)
    mb = np.zeros(nb, dtype=bool)
    if na == 0 or nb == 0:
        return ma, mb
    keys = _row_keys(a, b)
    if keys is not None:
        return np.isin(keys[0], keys[1]), np.isin(keys[1], keys[0])
    both = np.concatenate([a, b])
    order = np.lexsort(both.T[::-1])
    srt = both[order]
    same = (srt[1:] == srt[:-1]).all(axis=1)
    i = order[:-1][same]
    j = order[1:][same]
    for x, y in ((i, j), (j, i)):
        from_a = x < na
        ma[x[from_a]] = True
        mb[y[from_a] - na] = True
    return ma, mb


def _prf_from_masks(
    a_labels: np.ndarray, a_matched: np.ndarray, b_labels: np.ndarray, b_matched: np.ndarray, labels: Sequence[str]
) -> dict[str, PRF]:
    k = len(labels)
    tp = np.bincount(a_labels[a_matched], minlength=k)
    fp = np.bincount(a_labels[~a_matched], minlength=k)
    fn = np.bincount(b_labels[~b_matched], minlength=k)
    return {labels[i]: PRF(int(tp[i]), int(fp[i]), int(fn[i])) for i in range(k) if tp[i] + fp[i] + fn[i]}


def _f1_from_per_label(mode: str, per: dict[str, PRF]) -> F1Result:
    per = dict(sorted(per.items()))
    micro = sum(per.values(), PRF())
    macro = sum(p.f1 for p in per.values()) / len(per) if per else _nan()
    return F1Result(mode, per, micro, macro)


def _within_overlap_groups(x: np.ndarray) -> np.ndarray:
    """Rows (doc, start, end, label) of groups (doc, label) in which two spans overlap."""
    if len(x) < 2:
        return np.zeros(len(x), dtype=bool)
    order = np.lexsort((x[:, 1], x[:, 3], x[:, 0]))
    srt = x[order]
    same_group = (srt[1:, 0] == srt[:-1, 0]) & (srt[1:, 3] == srt[:-1, 3])
    clash = same_group & (srt[1:, 1] < srt[:-1, 2])
    bad_groups = srt[1:][clash][:, [0, 3]]
    if len(bad_groups) == 0:
        return np.zeros(len(x), dtype=bool)
    bad = {(int(d), int(lab)) for d, lab in bad_groups}
    return np.array([(int(d), int(lab)) in bad for d, lab in x[:, [0, 3]]], dtype=bool)


def span_f1_arrays(
    a: np.ndarray, b: np.ndarray, labels: Sequence[str], mode: MatchMode = "exact"
) -> F1Result:
    """:func:`span_f1` for large inputs given as integer arrays.

    ``a`` and ``b`` are (n, 4) arrays of (doc, start, end, label index into ``labels``). The
    counts are exactly those of :func:`span_f1`; ``matched``/``only_a``/``only_b`` are left
    empty. Exact matches are found by sorting; in overlap mode an exact pair in a group
    (document, label) where neither side has overlapping spans is an isolated match, so only
    the remaining spans go through the one-to-one matching.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"unknown match mode {mode!r} (exact, overlap)")
    a = _unique_rows(np.asarray(a, dtype=np.int64).reshape(-1, 4))
    b = _unique_rows(np.asarray(b, dtype=np.int64).reshape(-1, 4))
    ma, mb = exact_row_matches(a, b)
    if mode == "exact":
        return _f1_from_per_label(mode, _prf_from_masks(a[:, 3], ma, b[:, 3], mb, labels))
    complex_a = _within_overlap_groups(a)
    complex_b = _within_overlap_groups(b)
    if complex_a.any() or complex_b.any():
        groups = {(int(d), int(lab)) for d, lab in np.concatenate([a[complex_a], b[complex_b]])[:, [0, 3]]}
        complex_a = np.array([(int(d), int(lab)) in groups for d, lab in a[:, [0, 3]]], dtype=bool)
        complex_b = np.array([(int(d), int(lab)) in groups for d, lab in b[:, [0, 3]]], dtype=bool)
    fixed_a = ma & ~complex_a
    fixed_b = mb & ~complex_b
    # leftover spans whose (document, label) has no leftover span on the other side are
    # plainly unmatched; only groups with leftovers on both sides need the matching
    n_lab = max(len(labels), 1)
    grp_a = a[:, 0] * n_lab + a[:, 3]
    grp_b = b[:, 0] * n_lab + b[:, 3]
    left_a, left_b = ~fixed_a, ~fixed_b
    contested_a = left_a & np.isin(grp_a, grp_b[left_b])
    contested_b = left_b & np.isin(grp_b, grp_a[left_a])
    k = len(labels)
    tp = np.bincount(a[fixed_a, 3], minlength=k)
    fp = np.bincount(a[left_a & ~contested_a, 3], minlength=k)
    fn = np.bincount(b[left_b & ~contested_b, 3], minlength=k)
    # the common contested case, one leftover span on each side of a group, needs no search
    ia, ib = np.flatnonzero(contested_a), np.flatnonzero(contested_b)
    if len(ia) and len(ib):
        _, inv = np.unique(np.concatenate([grp_a[ia], grp_b[ib]]), return_inverse=True)
        inv_a, inv_b = inv[: len(ia)], inv[len(ia) :]
        n_grp = int(inv.max()) + 1
        one_one = (np.bincount(inv_a, minlength=n_grp) == 1) & (np.bincount(inv_b, minlength=n_grp) == 1)
        sa, sb = one_one[inv_a], one_one[inv_b]
        row_a = np.empty(n_grp, dtype=np.int64)
        row_b = np.empty(n_grp, dtype=np.int64)
        row_a[inv_a[sa]] = ia[sa]
        row_b[inv_b[sb]] = ib[sb]
        g = np.flatnonzero(one_one)
        ra, rb = a[row_a[g]], b[row_b[g]]
        hit = (ra[:, 1] < rb[:, 2]) & (rb[:, 1] < ra[:, 2])
        tp += np.bincount(ra[hit, 3], minlength=k)
        fp += np.bincount(ra[~hit, 3], minlength=k)
        fn += np.bincount(rb[~hit, 3], minlength=k)
        contested_a[ia[sa]] = False
        contested_b[ib[sb]] = False
    per = {labels[i]: PRF(int(tp[i]), int(fp[i]), int(fn[i])) for i in range(k) if tp[i] + fp[i] + fn[i]}
    rest = span_f1(
        [(d, s, e, labels[lab]) for d, s, e, lab in a[contested_a].tolist()],
        [(d, s, e, labels[lab]) for d, s, e, lab in b[contested_b].tolist()],
        "overlap",
    )
    for name, prf in rest.per_label.items():
        per[name] = per.get(name, PRF()) + prf
    return _f1_from_per_label(mode, per)


def relation_f1_arrays(a: np.ndarray, b: np.ndarray, labels: Sequence[str]) -> F1Result:
    """Exact :func:`relation_f1` for large inputs: (n, 8) integer arrays of (doc, head start,
    head end, head label, child start, child end, child label, relation label index into
    ``labels``)."""
    a = _unique_rows(np.asarray(a, dtype=np.int64).reshape(-1, 8))
    b = _unique_rows(np.asarray(b, dtype=np.int64).reshape(-1, 8))
    ma, mb = exact_row_matches(a, b)
    return _f1_from_per_label("exact", _prf_from_masks(a[:, 7], ma, b[:, 7], mb, labels))


def unitizing_by_group(
    doc: np.ndarray,
    rater: np.ndarray,
    cat: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    lengths: np.ndarray,
    presence: np.ndarray,
    n_categories: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unitizing Do and De for every (document, category) at once.

    Units are given as parallel arrays (document index, rater index, category index, start,
    end); ``lengths[d]`` is document d's continuum length and ``presence[r, d]`` says rater r
    takes part in document d (its units there count; a taking-part rater without units of a
    category has one gap spanning the document). Returns ``(do, de, units)`` as
    (documents x categories) arrays; the values equal :func:`unitizing_category_disagreement`
    for each document and category with units and at least two raters (elsewhere 0).
    """
    doc = np.asarray(doc, dtype=np.int64)
    rater = np.asarray(rater, dtype=np.int64)
    cat = np.asarray(cat, dtype=np.int64)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    presence = np.asarray(presence, dtype=bool)
    n_raters, n_docs = presence.shape
    n_groups = n_docs * n_categories
    do = np.zeros(n_groups)
    de = np.zeros(n_groups)
    keep = presence[rater, doc] if len(doc) else np.zeros(0, dtype=bool)
    doc, rater, cat, start, end = doc[keep], rater[keep], cat[keep], start[keep], end[keep]
    group = doc * n_categories + cat
    units = np.bincount(group, minlength=n_groups)
    r_doc = presence.sum(axis=0).astype(np.int64)
    if len(doc) == 0:
        return do.reshape(n_docs, n_categories), de.reshape(n_docs, n_categories), units.reshape(n_docs, n_categories)
    span = int(lengths.max()) + 2
    order = np.lexsort((start, group, rater))
    group, rater, start, end, doc = group[order], rater[order], start[order], end[order], doc[order]
    same = (group[1:] == group[:-1]) & (rater[1:] == rater[:-1])
    # groups where one rater's units overlap: computed one by one below
    bad = np.zeros(n_groups, dtype=bool)
    bad[group[1:][same & (start[1:] < end[:-1])]] = True
    ok = ~bad[group]
    gpos_s = group * span + start
    gpos_e = group * span + end
    ln = (end - start).astype(np.float64)

    # observed: rater pairs
    obs = np.zeros(n_groups)
    for r1 in range(n_raters):
        for r2 in range(r1 + 1, n_raters):
            sa = (rater == r1) & ok & presence[r2, doc]
            sb = (rater == r2) & ok & presence[r1, doc]
            a_s, a_e, a_g, a_l = gpos_s[sa], gpos_e[sa], group[sa], ln[sa]
            b_s, b_e, b_g, b_l = gpos_s[sb], gpos_e[sb], group[sb], ln[sb]
            lo = np.searchsorted(b_e, a_s, side="right")
            hi = np.searchsorted(b_s, a_e, side="left")
            cnt = np.maximum(hi - lo, 0)
            total = int(cnt.sum())
            ia = np.repeat(np.arange(len(a_s)), cnt)
            ib = np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(total)
            d2 = (a_s[ia] - b_s[ib]).astype(np.float64) ** 2 + (a_e[ia] - b_e[ib]).astype(np.float64) ** 2
            obs += np.bincount(a_g[ia], weights=d2, minlength=n_groups)
            lonely_a = cnt == 0
            obs += np.bincount(a_g[lonely_a], weights=a_l[lonely_a] ** 2, minlength=n_groups)
            lonely_b = np.bincount(ib, minlength=len(b_s)) == 0
            obs += np.bincount(b_g[lonely_b], weights=b_l[lonely_b] ** 2, minlength=n_groups)
    g_doc = np.arange(n_groups) // n_categories
    big_l = lengths[g_doc].astype(np.float64)
    big_r = r_doc[g_doc].astype(np.float64)
    valid = (units > 0) & (big_r >= 2) & (big_l > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        do = np.where(valid, 2.0 * obs / (big_r * (big_r - 1) * big_l * big_l), 0.0)

    # expected: gaps of every taking-part rater
    first = np.ones(len(group), dtype=bool)
    first[1:] = ~same
    last = np.ones(len(group), dtype=bool)
    last[:-1] = ~same
    prev_end = np.empty_like(end)
    prev_end[0] = 0
    prev_end[1:] = end[:-1]
    lead = np.where(first, start, start - prev_end)
    trail = np.where(last, lengths[doc] - end, 0)
    gap_len = np.concatenate([lead, trail])
    gap_grp = np.concatenate([group, group])
    gap_ok = np.concatenate([ok, ok]) & (gap_len > 0)
    gap_len, gap_grp = gap_len[gap_ok], gap_grp[gap_ok]
    raters_with_units = np.bincount(group[first], minlength=n_groups)
    full_gaps = np.where(units > 0, r_doc[g_doc] - raters_with_units, 0)  # raters with no unit: one gap L
    key = gap_grp * span + gap_len
    srt = np.argsort(key, kind="stable")
    key = key[srt]
    csum = np.concatenate([[0], np.cumsum(gap_len[srt])]).astype(np.float64)
    u_ok = ok
    u_g, u_l = group[u_ok], ln[u_ok]
    k0 = np.searchsorted(key, u_g * span + u_l.astype(np.int64), side="left")
    k1 = np.searchsorted(key, (u_g + 1) * span, side="left")
    s_sum = csum[k1] - csum[k0]
    k = (k1 - k0).astype(np.float64)
    term2 = u_l**2 * (s_sum - k * (u_l - 1))
    l_full = lengths[u_g // n_categories].astype(np.float64)
    term2 += u_l**2 * np.where(l_full >= u_l, full_gaps[u_g] * (l_full - u_l + 1), 0.0)
    n_c = units[u_g].astype(np.float64)
    term1 = (n_c - 1) * (2 * u_l**3 - 3 * u_l**2 + u_l) / 3.0
    num = np.bincount(u_g, weights=term1 + term2, minlength=n_groups)
    sq = np.bincount(u_g, weights=u_l * (u_l - 1), minlength=n_groups)
    denom = big_r * big_l * (big_r * big_l - 1) - sq
    with np.errstate(divide="ignore", invalid="ignore"):
        de = np.where(valid & (denom > 0), (2.0 / big_l) * num / denom, 0.0)

    # the groups with overlapping units of one rater, one at a time
    for g in np.flatnonzero(bad):
        d, c = divmod(int(g), n_categories)
        if not valid[g]:
            continue
        in_g = group == g
        per_rater = [
            list(zip(start[in_g & (rater == r)].tolist(), end[in_g & (rater == r)].tolist()))
            for r in range(n_raters)
            if presence[r, d]
        ]
        uc = unitizing_category_disagreement(per_rater, 0, int(lengths[d]))
        do[g], de[g] = uc.observed, uc.expected
    shape = (n_docs, n_categories)
    return do.reshape(shape), de.reshape(shape), units.reshape(shape)


# --------------------------------------------------------------------------------------------
# Token labels
# --------------------------------------------------------------------------------------------


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
    keys = [_span_key(s) for s in spans]
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


def _ordered(items: Iterable[Hashable]) -> tuple[Hashable, ...]:
    items = list(items)
    try:
        return tuple(sorted(items))  # type: ignore[type-var]
    except TypeError:
        return tuple(sorted(items, key=repr))
