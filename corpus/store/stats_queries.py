"""Read-only queries behind ``annotator stats`` (the project overview).

Typed functions over a :class:`~corpus.store.core.Store`; the only SQL of the stats feature.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from corpus.model import is_token_aligned
from corpus.store.core import Store

__all__ = ["iter_span_offsets_with_tokens", "off_token_span_counts", "status_counts"]


def iter_span_offsets_with_tokens(
    store: Store,
) -> Iterator[tuple[int, tuple[tuple[int, int], ...], list[tuple[str, int, int]]]]:
    """Stream ``(doc_id, tokens, [(layer, start, end), ...])`` for every document with spans.

    Spans are read with one cursor ordered by document; each document's tokens are fetched once
    when its spans begin, so memory holds one document at a time.
    """
    cur = store.db.execute('SELECT doc_id, layer, start, "end" FROM spans ORDER BY doc_id')
    current: int | None = None
    bucket: list[tuple[str, int, int]] = []

    def tokens_of(doc_id: int) -> tuple[tuple[int, int], ...]:
        row = store.db.execute("SELECT tokens FROM documents WHERE id = ?", [doc_id]).fetchone()
        return tuple(tuple(t) for t in json.loads(row[0])) if row else ()  # type: ignore[misc]

    for doc_id, layer, start, end in cur:
        if doc_id != current:
            if current is not None:
                yield current, tokens_of(current), bucket
            current, bucket = doc_id, []
        bucket.append((layer, start, end))
    if current is not None:
        yield current, tokens_of(current), bucket


def off_token_span_counts(store: Store) -> dict[str, int]:
    """Per layer, how many spans do not start and end on the document's token boundaries."""
    out: dict[str, int] = {}
    for _doc_id, tokens, spans in iter_span_offsets_with_tokens(store):
        for layer, start, end in spans:
            if not is_token_aligned(tokens, start, end):
                out[layer] = out.get(layer, 0) + 1
    return out


def status_counts(store: Store) -> dict[str, dict[str, int]]:
    """Per annotator, how many documents are in each status they recorded."""
    out: dict[str, dict[str, int]] = {}
    for annotator, status, n in store.db.execute(
        "SELECT annotator, status, count(*) FROM statuses GROUP BY annotator, status ORDER BY annotator, status"
    ):
        out.setdefault(annotator, {})[status] = int(n)
    return out
