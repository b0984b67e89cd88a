"""Read queries the suggesters need that :class:`corpus.store.core.Store` does not offer.

Kept beside the store because only ``corpus/store`` writes SQL. Both are lean reads for
propagation, which runs after every accept in the window: they skip building full
:class:`~corpus.model.Document` objects (meta, hash, sentence offsets) for documents that are
only searched for a string.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence

from corpus.model import Span
from corpus.store.core import Store

__all__ = ["texts_and_token_starts_ends", "layer_spans_in_documents", "documents_with_phrase", "delete_spans"]


_CHUNK = 500
_SPAN_COLS = 'id, doc_id, layer, start, "end", label, source, score'


def _index_words(text: str) -> list[str]:
    """``text`` cut into words as the full-text index (``unicode61``) cuts it: runs of letters,
    digits, combining marks and private-use characters; everything else separates words."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LNM" or cat == "Co":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def documents_with_phrase(store: Store, words: Sequence[str]) -> list[int] | None:
    """Ids of documents whose indexed text holds ``words`` in sequence (an FTS5 phrase query:
    case- and diacritic-insensitive, punctuation ignored), in id order; ``None`` when the
    project has no full-text index or no word is given (the caller then scans every document).

    Each given string is cut into words as the index cuts text (so ``["São Paulo"]`` and
    ``["São", "Paulo"]`` ask the same); only word characters are used, so nothing a document
    or a user typed is read as FTS syntax.
    """
    clean = [w for word in words for w in _index_words(word)]
    fts = store.db["documents"].detect_fts()
    if not clean or not fts:
        return None
    phrase = '"' + " ".join(clean) + '"'
    sql = (
        f"SELECT documents.id FROM documents JOIN [{fts}] ON documents.rowid = [{fts}].rowid"
        f" WHERE [{fts}] MATCH ? ORDER BY documents.id"
    )
    return [r[0] for r in store.db.execute(sql, [phrase]).fetchall()]


def texts_and_token_starts_ends(
    store: Store, doc_ids: Sequence[int]
) -> Iterator[tuple[int, str, list[list[int]]]]:
    """``(doc_id, text, tokens)`` for the given documents, ``tokens`` as stored (``[[start,
    end], ...]``), streamed a chunk of ids at a time in the order given (missing ids skipped)."""
    ids = [int(d) for d in doc_ids]
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = {
            r[0]: r
            for r in store.db.execute(
                f"SELECT id, text, tokens FROM documents WHERE id IN ({marks})", chunk
            ).fetchall()
        }
        for d in chunk:
            row = rows.get(d)
            if row is not None:
                yield row[0], row[1], json.loads(row[2])


def layer_spans_in_documents(
    store: Store, layer: str, doc_ids: Sequence[int], texts: Sequence[str] | None = None
) -> list[Span]:
    """The spans of ``layer`` on the given documents (one indexed query per 500 documents).

    With ``texts``, only the spans covering exactly one of those texts (compared in SQL:
    SQLite's ``substr`` counts characters, as Python offsets do).
    """
    ids = sorted({int(d) for d in doc_ids})
    text_list = None if texts is None else sorted(set(texts))
    if text_list is not None and not text_list:
        return []
    out: list[Span] = []
    cols = ", ".join(f"s.{c.strip()}" for c in _SPAN_COLS.split(","))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {cols} FROM spans s"
        params: list[object] = []
        if text_list is not None:
            sql += " JOIN documents d ON d.id = s.doc_id"
        sql += f" WHERE s.layer = ? AND s.doc_id IN ({marks})"
        params += [layer, *chunk]
        if text_list is not None:
            sql += f' AND substr(d.text, s.start + 1, s."end" - s.start) IN ({",".join("?" * len(text_list))})'
            params += text_list
        sql += ' ORDER BY s.doc_id, s.start, s."end", s.label'
        for r in store.db.execute(sql, params).fetchall():
            out.append(
                Span(id=r[0], doc_id=r[1], layer=r[2], start=r[3], end=r[4], label=r[5], source=r[6] or "", score=r[7])
            )
    return out


def delete_spans(store: Store, span_ids: Sequence[int]) -> int:
    """Delete these spans (and, by cascade, their relations) in one transaction, a chunk of
    ids per statement; returns how many were deleted. For bulk refreshes of a suggestion layer,
    where :meth:`Store.delete_span` (which reads back what it deletes, for undo) costs three
    queries a span."""
    ids = [int(i) for i in span_ids]
    n = 0
    with store.transaction():
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            n += store.db.execute(f"DELETE FROM spans WHERE id IN ({','.join('?' * len(chunk))})", chunk).rowcount
    return n
