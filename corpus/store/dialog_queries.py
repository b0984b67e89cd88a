"""The window's dialogs's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.annotations import layer_span_counts
from corpus.store.labels import LabelUsage, label_usage, usage_of_label
from corpus.store.layers import person_layers, done_counts

__all__ = ["layer_span_counts", "LabelUsage", "label_usage", "usage_of_label", "person_layers", "done_counts"]
