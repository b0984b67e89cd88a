"""The merge's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corpus.store.core import Store, open_other_project
from corpus.store.layers import RejectionRow, document_rejections, layer_descriptions
from corpus.store.reports import dump_project

__all__ = ["open_other_project", "RejectionRow", "document_rejections", "layer_descriptions", "dump_project", "set_document_meta"]


def set_document_meta(store: Store, doc_id: int, meta: Mapping[str, Any]) -> None:
    """Replace a document's meta: now :meth:`corpus.store.Store.set_document_meta`."""
    store.set_document_meta(doc_id, meta)
