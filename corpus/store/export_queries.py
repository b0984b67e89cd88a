"""The exporters's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.reports import (
    AnnotatedDocument,
    layer_document_ids,
    unannotated_document_ids,
    done_document_ids,
    layer_entity_labels,
    layer_relation_labels,
    layer_relation_signatures,
    iter_annotated,
)

__all__ = ["AnnotatedDocument", "layer_document_ids", "unannotated_document_ids", "done_document_ids", "layer_entity_labels", "layer_relation_labels", "layer_relation_signatures", "iter_annotated"]
