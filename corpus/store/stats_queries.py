"""The stats's queries under their old module name, for callers not yet moved.

The store's queries live by concept now (see :mod:`corpus.store.core`); this module only
re-exports them. Import from the concept modules in new code.
"""

from __future__ import annotations

from corpus.store.layers import annotator_status_counts as status_counts
from corpus.store.reports import iter_span_offsets_with_tokens, off_token_span_counts

__all__ = ["status_counts", "iter_span_offsets_with_tokens", "off_token_span_counts"]
