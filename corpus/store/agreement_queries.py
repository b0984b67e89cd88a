"""The agreement report's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.documents import DocumentRow, iter_document_rows
from corpus.store.reports import (
    SpanRow,
    RelationRow,
    layer_span_rows,
    layer_relation_rows,
    layer_documents_done,
    layer_span_documents,
)
from corpus.store.suggestions import suggested_documents_by_layer

__all__ = ["DocumentRow", "iter_document_rows", "SpanRow", "RelationRow", "layer_span_rows", "layer_relation_rows", "layer_documents_done", "layer_span_documents", "suggested_documents_by_layer"]
