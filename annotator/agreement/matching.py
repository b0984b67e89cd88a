"""Precision, recall and F1 of two annotators' items, and the one-to-one matching behind them.

Shared by span F1 (:mod:`annotator.agreement.spans`) and relation F1
(:mod:`annotator.agreement.relations`): :class:`PRF` and :class:`F1Result`, the maximum
matching of overlapping items, and the array helpers of the vectorised forms.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from annotator.agreement.base import nan_to_none

__all__ = [
    "PRF",
    "F1Result",
    "exact_row_matches",
    "f1_of_keys",
    "f1_from_per_label",
    "prf_from_masks",
    "unique_rows",
]

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
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else math.nan

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


def f1_of_keys(
    a_keys: Sequence[Any],
    b_keys: Sequence[Any],
    group: Any,
    intervals: Any,
    label_of: Any,
    mode: str,
    labels: Sequence[str] | None,
) -> F1Result:
    """F1 of two annotators' item keys (spans or relations).

    ``group(k)`` says which items may match at all (document and label), ``intervals(k)`` gives
    an item's (start, end) pieces for overlap matching, ``label_of(k)`` its label for the
    per-label counts; ``labels`` restricts the comparison.
    """
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
    macro = sum(p.f1 for p in per.values()) / len(per) if per else math.nan
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



def unique_rows(x: np.ndarray) -> np.ndarray:
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


def prf_from_masks(
    a_labels: np.ndarray, a_matched: np.ndarray, b_labels: np.ndarray, b_matched: np.ndarray, labels: Sequence[str]
) -> dict[str, PRF]:
    """Per-label counts from label codes and which items matched (one array pair per side)."""
    k = len(labels)
    tp = np.bincount(a_labels[a_matched], minlength=k)
    fp = np.bincount(a_labels[~a_matched], minlength=k)
    fn = np.bincount(b_labels[~b_matched], minlength=k)
    return {labels[i]: PRF(int(tp[i]), int(fp[i]), int(fn[i])) for i in range(k) if tp[i] + fp[i] + fn[i]}


def f1_from_per_label(mode: str, per: dict[str, PRF]) -> F1Result:
    """An :class:`F1Result` (labels sorted, micro and macro) from per-label counts."""
    per = dict(sorted(per.items()))
    micro = sum(per.values(), PRF())
    macro = sum(p.f1 for p in per.values()) / len(per) if per else math.nan
    return F1Result(mode, per, micro, macro)
