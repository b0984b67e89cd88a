"""Read-only queries the window needs (the document list, progress counts).

Typed functions taking a :class:`~corpus.store.Store`; like the rest of this package they are
the only place SQL is written. Everything here is read-only and cheap enough to run on the GUI
thread for 100,000 documents (indexed lookups, pages of rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from corpus.model import DocumentStatus, Span
from corpus.store.core import Store

__all__ = [
    "DocRow",
    "document_rows",
    "filtered_document_ids",
    "status_counts",
    "next_document_id",
    "span_rows",
    "span_rows_by_id",
    "relation_rows",
]


@dataclass(frozen=True)
class DocRow:
    """One row of the document list, for one annotator."""

    id: int
    name: str
    status: DocumentStatus
    n_spans: int
    n_tokens: int


def document_rows(store: Store, ids: Sequence[int], annotator: str) -> dict[int, DocRow]:
    """Name, the annotator's status and span count of each document in ``ids`` (a page)."""
    out: dict[int, DocRow] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = (
            "SELECT d.id, d.name, coalesce(st.status, 'todo'), d.n_tokens,"
            " (SELECT count(*) FROM spans s WHERE s.doc_id = d.id AND s.layer = ?)"
            " FROM documents d LEFT JOIN statuses st ON st.doc_id = d.id AND st.annotator = ?"
            f" WHERE d.id IN ({marks})"
        )
        for r in store.db.execute(sql, [annotator, annotator, *chunk]).fetchall():
            out[r[0]] = DocRow(id=r[0], name=r[1], status=DocumentStatus(r[2]), n_spans=r[4], n_tokens=r[3])
    return out


def filtered_document_ids(store: Store, annotator: str, status: DocumentStatus | str | None = None,
                          query: str = "") -> list[int]:
    """Document ids for the list: all, or those with ``status`` for ``annotator``, matching ``query``.

    Without a query the ids are in import order; with one, best match first (full-text search).
    """
    if query.strip():
        ids = store.search_documents(query)
    else:
        ids = [r[0] for r in store.db.execute("SELECT id FROM documents ORDER BY id").fetchall()]
    if status is None:
        return ids
    status = DocumentStatus(status)
    if status is DocumentStatus.TODO:
        others = {
            r[0]
            for r in store.db.execute(
                "SELECT doc_id FROM statuses WHERE annotator = ? AND status != 'todo'", [annotator]
            ).fetchall()
        }
        return [i for i in ids if i not in others]
    keep = {
        r[0]
        for r in store.db.execute(
            "SELECT doc_id FROM statuses WHERE annotator = ? AND status = ?", [annotator, status.value]
        ).fetchall()
    }
    return [i for i in ids if i in keep]


def status_counts(store: Store, annotator: str) -> dict[DocumentStatus, int]:
    """How many documents ``annotator`` has in each status (todo includes never touched)."""
    total = store.count_documents()
    out = {s: 0 for s in DocumentStatus}
    for st, n in store.db.execute(
        "SELECT status, count(*) FROM statuses WHERE annotator = ? GROUP BY status", [annotator]
    ).fetchall():
        out[DocumentStatus(st)] = n
    out[DocumentStatus.TODO] = total - sum(n for s, n in out.items() if s is not DocumentStatus.TODO)
    return out


def next_document_id(store: Store, annotator: str, after: int | None, undone_only: bool = False) -> int | None:
    """The next document after ``after`` in import order (wrapping around when ``undone_only``).

    With ``undone_only`` documents the annotator marked done or skipped are passed over.
    """
    after = -1 if after is None else after
    cond = ""
    if undone_only:
        cond = (" AND NOT EXISTS (SELECT 1 FROM statuses st WHERE st.doc_id = d.id AND st.annotator = ?"
                " AND st.status IN ('done', 'skipped'))")
    params: list[object] = [after] + ([annotator] if undone_only else [])
    row = store.db.execute(f"SELECT d.id FROM documents d WHERE d.id > ?{cond} ORDER BY d.id LIMIT 1", params).fetchone()
    if row is None and undone_only:
        row = store.db.execute(f"SELECT d.id FROM documents d WHERE d.id > ?{cond} ORDER BY d.id LIMIT 1",
                               [-1, annotator]).fetchone()
    return None if row is None else int(row[0])


def span_rows(store: Store, doc_id: int, layers: Sequence[str]) -> list[tuple[int, str, int, int, str, str, float | None]]:
    """Spans of a document in some layers as plain tuples (fast: no objects per row).

    ``(id, layer, start, end, label, source, score)``, ordered by position.
    """
    if not layers:
        return []
    marks = ",".join("?" * len(layers))
    return store.db.execute(
        f'SELECT id, layer, start, "end", label, source, score FROM spans WHERE doc_id = ? AND layer IN ({marks})'
        ' ORDER BY start, "end"',
        [doc_id, *layers],
    ).fetchall()


def span_rows_by_id(store: Store, doc_id: int, layer: str,
                    ids: Sequence[int]) -> dict[int, tuple[int, str, int, int, str, str, float | None]]:
    """The spans among ``ids`` that are in this document and layer, as :func:`span_rows` tuples by id.

    An id that is gone (deleted) or belongs elsewhere is simply absent.
    """
    out: dict[int, tuple[int, str, int, int, str, str, float | None]] = {}
    ids = [int(i) for i in ids]
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.db.execute(
            f'SELECT id, layer, start, "end", label, source, score FROM spans WHERE id IN ({marks})'
            " AND doc_id = ? AND layer = ?",
            [*chunk, doc_id, layer],
        ).fetchall():
            out[row[0]] = row
    return out


def relation_rows(store: Store, doc_id: int, layer: str) -> list[tuple[int, int, int, str]]:
    """Relations of a document in one layer as ``(id, head, child, label)`` tuples, by id."""
    return store.db.execute(
        "SELECT id, head_id, child_id, label FROM relations WHERE doc_id = ? AND layer = ? ORDER BY id",
        [doc_id, layer],
    ).fetchall()


