"""The window's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.annotations import span_rows, span_rows_by_id, relation_rows
from corpus.store.documents import (
    DocRow,
    document_rows,
    filtered_document_ids,
    next_document_id,
)
from corpus.store.layers import status_counts

__all__ = ["span_rows", "span_rows_by_id", "relation_rows", "DocRow", "document_rows", "filtered_document_ids", "next_document_id", "status_counts"]
