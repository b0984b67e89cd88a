"""Krippendorff's (1995) unitizing alpha on character spans, as DKPro Statistics computes it.

:func:`unitizing_alpha` for one continuum (a document), :func:`combine_unitizing` to pool
documents, and :func:`unitizing_by_group` for every document and category of a corpus at once.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from annotator.agreement.base import span_key

__all__ = [
    "UnitizingCategory",
    "UnitizingResult",
    "unitizing_alpha",
    "unitizing_category_disagreement",
    "combine_unitizing",
    "unitizing_by_group",
]

@dataclass(frozen=True)
class UnitizingCategory:
    """Observed and expected disagreement of one category and the resulting alpha_U."""

    observed: float
    expected: float
    units: int

    @property
    def alpha(self) -> float:
        """1 - Do/De (NaN when De is 0)."""
        return 1.0 - self.observed / self.expected if self.expected > 0 else math.nan


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
        _, start, end, label = span_key(s)
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
        return UnitizingResult(math.nan, math.nan, math.nan, per)
    do = sum(c.observed for c in per.values()) / len(per)
    de = sum(c.expected for c in per.values()) / len(per)
    alpha = 1.0 - do / de if de > 0 else math.nan
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


@dataclass(frozen=True)
class _SortedUnits:
    """The units of :func:`unitizing_by_group`, sorted by rater, group and start.

    ``group`` is document * categories + category; ``same[i]`` says unit i+1 has unit i's rater
    and group; ``ok`` marks units of groups where no rater's units overlap; ``gpos_s`` and
    ``gpos_e`` place each unit on one line of groups ``span`` characters apart.
    """

    group: np.ndarray
    rater: np.ndarray
    start: np.ndarray
    end: np.ndarray
    doc: np.ndarray
    same: np.ndarray
    ok: np.ndarray
    length: np.ndarray
    gpos_s: np.ndarray
    gpos_e: np.ndarray
    span: int


def _sorted_units(
    group: np.ndarray, rater: np.ndarray, start: np.ndarray, end: np.ndarray, doc: np.ndarray,
    lengths: np.ndarray, n_groups: int,
) -> tuple[_SortedUnits, np.ndarray]:
    """The sorted units and the groups (one rater's units overlap there) to compute one by one."""
    span = int(lengths.max()) + 2
    order = np.lexsort((start, group, rater))
    group, rater, start, end, doc = group[order], rater[order], start[order], end[order], doc[order]
    same = (group[1:] == group[:-1]) & (rater[1:] == rater[:-1])
    bad = np.zeros(n_groups, dtype=bool)
    bad[group[1:][same & (start[1:] < end[:-1])]] = True
    ok = ~bad[group]
    units = _SortedUnits(
        group, rater, start, end, doc, same, ok, (end - start).astype(np.float64),
        group * span + start, group * span + end, span,
    )
    return units, bad


def _observed_sums(u: _SortedUnits, presence: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the sum over rater pairs of delta^2 (overlapping pairs, lonely units)."""
    obs = np.zeros(n_groups)
    n_raters = presence.shape[0]
    for r1 in range(n_raters):
        for r2 in range(r1 + 1, n_raters):
            sa = (u.rater == r1) & u.ok & presence[r2, u.doc]
            sb = (u.rater == r2) & u.ok & presence[r1, u.doc]
            a_s, a_e, a_g, a_l = u.gpos_s[sa], u.gpos_e[sa], u.group[sa], u.length[sa]
            b_s, b_e, b_g, b_l = u.gpos_s[sb], u.gpos_e[sb], u.group[sb], u.length[sb]
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
    return obs


def _expected_sums(
    u: _SortedUnits, lengths: np.ndarray, units: np.ndarray, raters_in_group: np.ndarray, n_categories: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the numerator of De (over every taking-part rater's gaps) and sum l (l - 1)."""
    n_groups = len(units)
    first = np.ones(len(u.group), dtype=bool)
    first[1:] = ~u.same
    last = np.ones(len(u.group), dtype=bool)
    last[:-1] = ~u.same
    prev_end = np.empty_like(u.end)
    prev_end[0] = 0
    prev_end[1:] = u.end[:-1]
    lead = np.where(first, u.start, u.start - prev_end)
    trail = np.where(last, lengths[u.doc] - u.end, 0)
    gap_len = np.concatenate([lead, trail])
    gap_grp = np.concatenate([u.group, u.group])
    gap_ok = np.concatenate([u.ok, u.ok]) & (gap_len > 0)
    gap_len, gap_grp = gap_len[gap_ok], gap_grp[gap_ok]
    raters_with_units = np.bincount(u.group[first], minlength=n_groups)
    full_gaps = np.where(units > 0, raters_in_group - raters_with_units, 0)  # raters with no unit: one gap L
    key = gap_grp * u.span + gap_len
    srt = np.argsort(key, kind="stable")
    key = key[srt]
    csum = np.concatenate([[0], np.cumsum(gap_len[srt])]).astype(np.float64)
    u_g, u_l = u.group[u.ok], u.length[u.ok]
    k0 = np.searchsorted(key, u_g * u.span + u_l.astype(np.int64), side="left")
    k1 = np.searchsorted(key, (u_g + 1) * u.span, side="left")
    s_sum = csum[k1] - csum[k0]
    k = (k1 - k0).astype(np.float64)
    term2 = u_l**2 * (s_sum - k * (u_l - 1))
    l_full = lengths[u_g // n_categories].astype(np.float64)
    term2 += u_l**2 * np.where(l_full >= u_l, full_gaps[u_g] * (l_full - u_l + 1), 0.0)
    n_c = units[u_g].astype(np.float64)
    term1 = (n_c - 1) * (2 * u_l**3 - 3 * u_l**2 + u_l) / 3.0
    num = np.bincount(u_g, weights=term1 + term2, minlength=n_groups)
    sq = np.bincount(u_g, weights=u_l * (u_l - 1), minlength=n_groups)
    return num, sq


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
    shape = (n_docs, n_categories)
    keep = presence[rater, doc] if len(doc) else np.zeros(0, dtype=bool)
    doc, rater, cat, start, end = doc[keep], rater[keep], cat[keep], start[keep], end[keep]
    group = doc * n_categories + cat
    units = np.bincount(group, minlength=n_groups)
    if len(doc) == 0:
        return np.zeros(shape), np.zeros(shape), units.reshape(shape)
    u, bad = _sorted_units(group, rater, start, end, doc, lengths, n_groups)
    g_doc = np.arange(n_groups) // n_categories
    big_l = lengths[g_doc].astype(np.float64)
    raters_in_group = presence.sum(axis=0).astype(np.int64)[g_doc]
    big_r = raters_in_group.astype(np.float64)
    valid = (units > 0) & (big_r >= 2) & (big_l > 0)
    obs = _observed_sums(u, presence, n_groups)
    num, sq = _expected_sums(u, lengths, units, raters_in_group, n_categories)
    denom = big_r * big_l * (big_r * big_l - 1) - sq
    with np.errstate(divide="ignore", invalid="ignore"):
        do = np.where(valid, 2.0 * obs / (big_r * (big_r - 1) * big_l * big_l), 0.0)
        de = np.where(valid & (denom > 0), (2.0 / big_l) * num / denom, 0.0)
    # the groups with overlapping units of one rater, one at a time
    for g in np.flatnonzero(bad & valid):
        d = int(g) // n_categories
        in_g = u.group == g
        per_rater = [
            list(zip(u.start[in_g & (u.rater == r)].tolist(), u.end[in_g & (u.rater == r)].tolist()))
            for r in range(n_raters)
            if presence[r, d]
        ]
        uc = unitizing_category_disagreement(per_rater, 0, int(lengths[d]))
        do[g], de[g] = uc.observed, uc.expected
    return do.reshape(shape), de.reshape(shape), units.reshape(shape)
