"""Span F1 between two annotators: exact or overlapping ("lenient"), per label, micro and macro.

:func:`span_f1` over spans; :func:`span_f1_arrays` gives the same counts for integer arrays
(the agreement report over a corpus).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from annotator.agreement.base import MatchMode, span_key
from annotator.agreement.matching import (
    PRF,
    F1Result,
    exact_row_matches,
    f1_from_per_label,
    f1_of_keys,
    prf_from_masks,
    unique_rows,
)

__all__ = ["span_f1", "span_f1_arrays"]

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
    ak = [span_key(s) for s in a]
    bk = [span_key(s) for s in b]
    return f1_of_keys(ak, bk, lambda k: (k[0], k[3]), lambda k: ((k[1], k[2]),), lambda k: k[3], mode, labels)


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
    a = unique_rows(np.asarray(a, dtype=np.int64).reshape(-1, 4))
    b = unique_rows(np.asarray(b, dtype=np.int64).reshape(-1, 4))
    ma, mb = exact_row_matches(a, b)
    if mode == "exact":
        return f1_from_per_label(mode, prf_from_masks(a[:, 3], ma, b[:, 3], mb, labels))
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
    return f1_from_per_label(mode, per)
