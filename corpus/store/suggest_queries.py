"""The suggesters's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from collections.abc import Sequence

from corpus.store.annotations import layer_spans_in_documents
from corpus.store.documents import texts_and_token_starts_ends, documents_with_phrase
from corpus.store.core import Store

__all__ = ["layer_spans_in_documents", "texts_and_token_starts_ends", "documents_with_phrase", "delete_spans"]


def delete_spans(store: Store, span_ids: Sequence[int]) -> int:
    """Delete spans in one transaction: now :meth:`corpus.store.Store.delete_spans`."""
    return store.delete_spans(span_ids)
