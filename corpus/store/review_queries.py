"""The review's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.layers import (
    document_statuses,
    span_layers_by_document,
    done_annotators_by_document,
)

__all__ = ["document_statuses", "span_layers_by_document", "done_annotators_by_document"]
