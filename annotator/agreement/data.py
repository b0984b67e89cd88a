"""What every agreement measure reads: the compared annotations of a project as arrays.

The agreement report (:mod:`annotator.agreement_report`) builds one :class:`AgreementData` from
the store and hands it to each registered measure. Annotators, documents and labels are
indices: annotator ``i`` is ``names[i]``, documents are positions ``0..documents-1`` (in the
report's order), span label ``k`` is ``labels[k]``, token code ``c`` is ``token_values[c]``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

__all__ = ["AgreementData"]

T = TypeVar("T")


@dataclass
class AgreementData:
    """The annotations compared by one agreement report.

    * ``presence[i, d]``: annotator ``i`` finished document ``d`` (their annotations there count);
    * ``lengths[d]``: document ``d``'s length in characters;
    * spans as parallel arrays ``span_doc``, ``span_ann``, ``span_start``, ``span_end``,
      ``span_label`` (only spans of annotators on documents they finished);
    * ``relations``: an (n, 8) array of (document, head start, head end, head label, child
      start, child end, child label, relation label index into ``relation_labels``), with the
      annotator of each row in ``relation_ann``;
    * ``token_codes[i, t]``: the code (index into ``token_values``, ``O`` first) of the label
      annotator ``i`` gave token ``t`` (the label of the span covering it, whitespace tokens
      left out), ``-1`` where ``i`` did not finish the token's document.
    """

    names: list[str]
    labels: list[str]
    presence: np.ndarray
    lengths: np.ndarray
    span_doc: np.ndarray
    span_ann: np.ndarray
    span_start: np.ndarray
    span_end: np.ndarray
    span_label: np.ndarray
    relation_labels: list[str]
    relations: np.ndarray
    relation_ann: np.ndarray
    token_values: list[str]
    token_codes: np.ndarray
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def documents(self) -> int:
        """How many documents are compared."""
        return int(self.presence.shape[1])

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """Every pair of annotators ``(a, b)`` with ``a < b``, in the report's order."""
        return list(itertools.combinations(range(len(self.names)), 2))

    def pair_documents(self, a: int, b: int) -> np.ndarray:
        """Which documents both annotators finished (a boolean per document)."""
        return self.presence[a] & self.presence[b]

    def pair_spans(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Each annotator's spans on the documents both finished, as (n, 4) integer arrays of
        (document, start, end, label index)."""

        def rows(ann: int) -> np.ndarray:
            if len(self.span_doc) == 0:
                return np.zeros((0, 4), dtype=np.int64)
            mine = (self.span_ann == ann) & self.pair_documents(a, b)[self.span_doc]
            columns = [self.span_doc[mine], self.span_start[mine], self.span_end[mine], self.span_label[mine]]
            return np.stack(columns, axis=1)

        return self.cached(("pair_spans", a, b), lambda: (rows(a), rows(b)))

    def pair_relations(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Each annotator's relation rows (see the class) on the documents both finished."""
        if len(self.relations) == 0:
            return self.relations, self.relations
        both = self.pair_documents(a, b)[self.relations[:, 0]]
        return self.relations[(self.relation_ann == a) & both], self.relations[(self.relation_ann == b) & both]

    def pair_tokens(self, a: int, b: int) -> np.ndarray:
        """Which tokens both annotators labelled (a boolean per token)."""
        return (self.token_codes[a] >= 0) & (self.token_codes[b] >= 0)

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, once per key for this data: measures that share work (the exact span F1
        of a pair gives the F1, the macro F1 and the counts) compute it once."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]
