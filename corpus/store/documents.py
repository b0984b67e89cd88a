"""Documents and search: the :class:`DocumentMethods` of a Store, and lean document reads.

The module-level functions only read (the document list's rows and filters, raw text and token
rows for agreement and propagation, phrase search); every write is a Store method.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.errors import ProjectError
from corpus.model import Document, DocumentStatus
from corpus.store.base import StoreBase, unstorable_text, writes
from corpus.store.rows import (
    DOC_COLS, chunks, decode_json, document_from_row, encode_json, marks, now, offsets_json,
)
from corpus.store.schema import FTS_TABLE, has_fts

__all__ = [
    "DocumentMethods",
    "DocRow",
    "DocumentRow",
    "document_rows",
    "filtered_document_ids",
    "next_document_id",
    "iter_document_rows",
    "texts_and_token_starts_ends",
    "documents_with_phrase",
]


class DocumentMethods(StoreBase):
    """Adding, reading, searching and removing documents."""

    @writes
    def add_documents(self, docs: Iterable[Document]) -> list[tuple[int, bool]]:
        """Insert documents; a text already in the project (same content hash) is not copied.

        Returns ``(doc_id, created)`` for each input, in order. Runs in one transaction.
        """
        out: list[tuple[int, bool]] = []
        stamp = now()
        for doc in docs:
            try:
                cur = self._insert_document(doc, stamp)
            except UnicodeEncodeError as exc:
                raise unstorable_text(exc, f"document {doc.name!r}") from None
            if cur.rowcount:
                out.append((int(cur.lastrowid), True))
            else:  # the text is already in the project (one text, one document)
                out.append((self.document_id_by_hash(doc.hash), False))  # type: ignore[arg-type]
        return out

    def _insert_document(self, doc: Document, stamp: str) -> Any:
        """Insert one document row unless its text is already stored (the cursor tells which)."""
        return self.db.execute(
            "INSERT INTO documents(name, text, meta, hash, tokens, sents, n_tokens, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
            [
                doc.name,
                doc.text,
                encode_json(dict(doc.meta), f"document {doc.name!r}: meta"),
                doc.hash,
                offsets_json(doc.tokens),
                offsets_json(doc.sents),
                sum(1 for s, e in doc.tokens if not doc.text[s:e].isspace()),
                stamp,
            ],
        )

    def add_document(self, doc: Document) -> int:
        """Insert one document (or find it by hash) and return its id."""
        return self.add_documents([doc])[0][0]

    @writes
    def set_document_meta(self, doc_id: int, meta: Mapping[str, Any]) -> None:
        """Replace a document's meta (a JSON object)."""
        self.db.execute(
            "UPDATE documents SET meta = ? WHERE id = ?", [encode_json(dict(meta), f"document {doc_id}: meta"), doc_id]
        )

    def document_id_by_hash(self, hash_: str) -> int | None:
        """The id of the document with this content hash, if any."""
        row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [hash_]).fetchone()
        return None if row is None else int(row[0])

    def get_document(self, doc_id: int) -> Document:
        """The document with this id (raises :class:`ProjectError` when missing)."""
        row = self.db.execute(f"SELECT {DOC_COLS} FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: no document with id {doc_id}")
        return document_from_row(row, self.path)

    def iter_documents(self, ids: Iterable[int] | None = None, batch_size: int = 500) -> Iterator[Document]:
        """Stream documents in id order (or the given ids), a batch at a time: memory stays flat."""
        if ids is not None:
            for chunk in chunks(list(ids), batch_size):
                rows = {
                    r[0]: r
                    for r in self.db.execute(
                        f"SELECT {DOC_COLS} FROM documents WHERE id IN ({marks(len(chunk))})", chunk
                    ).fetchall()
                }
                for d in chunk:
                    if d in rows:
                        yield document_from_row(rows[d], self.path)
            return
        last = -1
        while True:
            rows = self.db.execute(
                f"SELECT {DOC_COLS} FROM documents WHERE id > ? ORDER BY id LIMIT ?", [last, batch_size]
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield document_from_row(r, self.path)
            last = rows[-1][0]

    def document_ids(self) -> list[int]:
        """Every document id, in import order."""
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id").fetchall()]

    def document_names(self, ids: Sequence[int]) -> dict[int, str]:
        """Names of the given documents."""
        out: dict[int, str] = {}
        for chunk in chunks(ids):
            for r in self.db.execute(f"SELECT id, name FROM documents WHERE id IN ({marks(len(chunk))})", chunk):
                out[r[0]] = r[1]
        return out

    def count_documents(self) -> int:
        """How many documents the project holds."""
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def count_tokens(self) -> int:
        """Non-whitespace tokens over all documents."""
        return int(self.db.execute("SELECT coalesce(sum(n_tokens), 0) FROM documents").fetchone()[0])

    def search_documents(self, query: str, limit: int | None = None) -> list[int]:
        """Ids of documents whose name or text match ``query`` (full-text search, best first).

        The query is treated as plain words (quoted for FTS), never as FTS syntax. A project
        opened read-only whose index is missing is scanned instead (every word, any case).
        """
        words = [w for w in query.split() if w]
        if not words:
            return self.document_ids()
        params: list[Any]
        if has_fts(self.db):
            fts = " ".join('"' + w.replace('"', '""') + '"' for w in words)
            sql = (
                f"SELECT documents.id FROM documents JOIN {FTS_TABLE} ON documents.rowid = {FTS_TABLE}.rowid"
                f" WHERE {FTS_TABLE} MATCH ? ORDER BY rank"
            )
            params = [fts]
        else:
            cond = " AND ".join("(instr(lower(name), ?) OR instr(lower(text), ?))" for _ in words)
            sql = f"SELECT id FROM documents WHERE {cond} ORDER BY id"
            params = [w.lower() for w in words for _ in (0, 1)]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    @writes
    def delete_document(self, doc_id: int) -> None:
        """Remove a document with everything annotated on it."""
        self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])


# -- the document list -----------------------------------------------------------------------
@dataclass(frozen=True)
class DocRow:
    """One row of the document list, for one annotator."""

    id: int
    name: str
    status: DocumentStatus
    n_spans: int
    n_tokens: int


def document_rows(store: StoreBase, ids: Sequence[int], annotator: str) -> dict[int, DocRow]:
    """Name, the annotator's status and span count of each document in ``ids`` (a page)."""
    out: dict[int, DocRow] = {}
    for chunk in chunks(list(ids), 500):
        sql = (
            "SELECT d.id, d.name, coalesce(st.status, 'todo'), d.n_tokens,"
            " (SELECT count(*) FROM spans s WHERE s.doc_id = d.id AND s.layer = ?)"
            " FROM documents d LEFT JOIN statuses st ON st.doc_id = d.id AND st.annotator = ?"
            f" WHERE d.id IN ({marks(len(chunk))})"
        )
        for r in store.db.execute(sql, [annotator, annotator, *chunk]).fetchall():
            out[r[0]] = DocRow(id=r[0], name=r[1], status=DocumentStatus(r[2]), n_spans=r[4], n_tokens=r[3])
    return out


def filtered_document_ids(store: DocumentMethods, annotator: str, status: DocumentStatus | str | None = None,
                          query: str = "") -> list[int]:
    """Document ids for the list: all, or those with ``status`` for ``annotator``, matching ``query``.

    Without a query the ids are in import order; with one, best match first (full-text search).
    """
    ids = store.search_documents(query) if query.strip() else store.document_ids()
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


def next_document_id(store: StoreBase, annotator: str, after: int | None, undone_only: bool = False) -> int | None:
    """The next document after ``after`` in import order (wrapping around when ``undone_only``).

    With ``undone_only`` documents the annotator marked done or skipped are passed over.
    """
    after = -1 if after is None else after
    cond = ""
    if undone_only:
        cond = (" AND NOT EXISTS (SELECT 1 FROM statuses st WHERE st.doc_id = d.id AND st.annotator = ?"
                " AND st.status IN ('done', 'skipped'))")
    sql = f"SELECT d.id FROM documents d WHERE d.id > ?{cond} ORDER BY d.id LIMIT 1"
    row = store.db.execute(sql, [after] + ([annotator] if undone_only else [])).fetchone()
    if row is None and undone_only:
        row = store.db.execute(sql, [-1, annotator]).fetchone()
    return None if row is None else int(row[0])


# -- raw rows for agreement and propagation --------------------------------------------------
#: (doc_id, name, text, tokens_json) -- tokens as stored: JSON ``[[start, end], ...]``
DocumentRow = tuple[int, str, str, str]


def iter_document_rows(store: StoreBase, doc_ids: Sequence[int], batch_size: int = 500) -> Iterator[DocumentRow]:
    """Id, name, text and raw token JSON of the given documents, in the order given."""
    for chunk in chunks(doc_ids, batch_size):
        rows = {
            r[0]: (r[0], r[1], r[2], r[3])
            for r in store.db.execute(
                f"SELECT id, name, text, tokens FROM documents WHERE id IN ({marks(len(chunk))})", chunk
            ).fetchall()
        }
        for d in chunk:
            if d in rows:
                yield rows[d]


def texts_and_token_starts_ends(
    store: StoreBase, doc_ids: Sequence[int]
) -> Iterator[tuple[int, str, list[list[int]]]]:
    """``(doc_id, text, tokens)`` for the given documents, ``tokens`` as stored (``[[start,
    end], ...]``), streamed a chunk of ids at a time in the order given (missing ids skipped)."""
    for chunk in chunks([int(d) for d in doc_ids], 500):
        rows = {
            r[0]: r
            for r in store.db.execute(
                f"SELECT id, text, tokens FROM documents WHERE id IN ({marks(len(chunk))})", chunk
            ).fetchall()
        }
        for d in chunk:
            row = rows.get(d)
            if row is not None:
                yield row[0], row[1], decode_json(row[2], f"{store.path}: documents table, document {d}, tokens")


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


def documents_with_phrase(store: StoreBase, words: Sequence[str]) -> list[int] | None:
    """Ids of documents whose indexed text holds ``words`` in sequence (an FTS5 phrase query:
    case- and diacritic-insensitive, punctuation ignored), in id order; ``None`` when the
    project has no full-text index or no word is given (the caller then scans every document).

    Each given string is cut into words as the index cuts text (so ``["São Paulo"]`` and
    ``["São", "Paulo"]`` ask the same); only word characters are used, so nothing a document
    or a user typed is read as FTS syntax.
    """
    clean = [w for word in words for w in _index_words(word)]
    if not clean or not has_fts(store.db):
        return None
    phrase = '"' + " ".join(clean) + '"'
    sql = (
        f"SELECT documents.id FROM documents JOIN {FTS_TABLE} ON documents.rowid = {FTS_TABLE}.rowid"
        f" WHERE {FTS_TABLE} MATCH ? ORDER BY documents.id"
    )
    return [r[0] for r in store.db.execute(sql, [phrase]).fetchall()]

