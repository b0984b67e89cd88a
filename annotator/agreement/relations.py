"""Relation F1 between two annotators: a relation is its label and both endpoint spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from annotator.agreement.base import MatchMode
from annotator.agreement.matching import (
    F1Result,
    exact_row_matches,
    f1_from_per_label,
    f1_of_keys,
    prf_from_masks,
    unique_rows,
)

__all__ = ["RelationKey", "relation_keys", "relation_f1", "relation_f1_arrays"]

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
    return f1_of_keys(
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


def relation_f1_arrays(a: np.ndarray, b: np.ndarray, labels: Sequence[str]) -> F1Result:
    """Exact :func:`relation_f1` for large inputs: (n, 8) integer arrays of (doc, head start,
    head end, head label, child start, child end, child label, relation label index into
    ``labels``)."""
    a = unique_rows(np.asarray(a, dtype=np.int64).reshape(-1, 8))
    b = unique_rows(np.asarray(b, dtype=np.int64).reshape(-1, 8))
    ma, mb = exact_row_matches(a, b)
    return f1_from_per_label("exact", prf_from_masks(a[:, 7], ma, b[:, 7], mb, labels))
