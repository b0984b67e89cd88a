"""Cohen's kappa (with Scott's pi and observed agreement) and Fleiss' kappa.

Cohen's kappa and Scott's pi follow Artstein & Poesio (2008); Fleiss' kappa Fleiss (1971). The
published figures they reproduce are in ``tests/annotator/test_agreement.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np

from annotator.agreement.alpha import unit_patterns
from annotator.agreement.base import ordered

__all__ = [
    "KappaResult",
    "FleissResult",
    "contingency_table",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "scott_pi",
    "observed_agreement",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "fleiss_kappa_from_codes",
    "category_counts",
]

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
        labels = ordered(set(a) | set(b))
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
        return KappaResult(math.nan, math.nan, math.nan, math.nan, math.nan, 0, tuple(labels))
    p = t / n
    ao = float(np.trace(p))
    pa, pb = p.sum(axis=1), p.sum(axis=0)
    ae = float(pa @ pb)
    pooled = (pa + pb) / 2
    ae_pi = float(pooled @ pooled)
    kappa = (ao - ae) / (1 - ae) if ae < 1 else math.nan
    pi = (ao - ae_pi) / (1 - ae_pi) if ae_pi < 1 else math.nan
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
        return FleissResult(math.nan, math.nan, math.nan, 0, 0, tuple(categories))
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
    kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else math.nan
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
        return FleissResult(math.nan, math.nan, math.nan, 0, 0, tuple(categories))
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
    kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else math.nan
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
        categories = ordered({x for r in raters for x in r})
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
