"""Layers, annotators, statuses and rejections: the :class:`LayerMethods` of a Store, and
the reads about who worked on what.

The module-level functions only read; every write is a Store method running in a transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from corpus.errors import AnnotationError
from corpus.model import DocumentStatus, is_person_layer, layer_kind
from corpus.store.base import StoreBase, writes
from corpus.store.rows import now
from corpus.store.schema import ANSWERS_SQL

__all__ = [
    "LayerMethods",
    "RejectionRow",
    "RelationKey",
    "status_counts",
    "annotator_status_counts",
    "done_counts",
    "person_layers",
    "layer_descriptions",
    "document_statuses",
    "document_rejections",
    "span_layers_by_document",
    "done_annotators_by_document",
]

#: (annotator, start, end, label) of one rejected suggestion on a document.
RejectionRow = tuple[str, int, int, str]

#: A relation suggestion's identity: (head start, head end, head label, child start, child
#: end, child label, relation label).
RelationKey = tuple[int, int, str, int, int, str, str]


class LayerMethods(StoreBase):
    """People and their layers, where each person stands with each document, and the
    suggestions they turned down."""

    # -- annotators and layers ---------------------------------------------------------------
    @writes
    def add_annotator(self, name: str) -> None:
        """Register a person (and their layer)."""
        if not name or name != name.strip():
            raise AnnotationError(f"invalid annotator name {name!r}")
        self.db.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", [name, now()])
        self.ensure_layer(name)

    def annotators(self) -> list[str]:
        """Registered people, alphabetically."""
        return [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name").fetchall()]

    @writes
    def ensure_layer(self, name: str, description: str = "") -> None:
        """Make sure a layer row exists (kind derived from the name)."""
        self.db.execute(
            "INSERT OR IGNORE INTO layers(name, kind, description, created_at) VALUES (?, ?, ?, ?)",
            [name, layer_kind(name).value, description, now()],
        )

    def layers(self) -> list[str]:
        """Every layer name known to the project."""
        return [r[0] for r in self.db.execute("SELECT name FROM layers ORDER BY name").fetchall()]

    # -- statuses ----------------------------------------------------------------------------
    @writes
    def set_status(self, doc_id: int, annotator: str, status: DocumentStatus | str) -> DocumentStatus:
        """Record where ``annotator`` stands with a document; returns the previous status."""
        prev = self.status(doc_id, annotator)
        if DocumentStatus(status) is DocumentStatus.TODO:
            # "todo" is the absence of a row: undoing a first status leaves no trace.
            self.db.execute("DELETE FROM statuses WHERE doc_id = ? AND annotator = ?", [doc_id, annotator])
            return prev
        self.db.execute(
            "INSERT INTO statuses(doc_id, annotator, status, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(doc_id, annotator) DO UPDATE SET status = excluded.status,"
            " updated_at = excluded.updated_at",
            [doc_id, annotator, DocumentStatus(status).value, now()],
        )
        return prev

    def status(self, doc_id: int, annotator: str) -> DocumentStatus:
        """The annotator's status for a document (``todo`` when never touched)."""
        row = self.db.execute(
            "SELECT status FROM statuses WHERE doc_id = ? AND annotator = ?", [doc_id, annotator]
        ).fetchone()
        return DocumentStatus.TODO if row is None else DocumentStatus(row[0])

    def statuses(self, annotator: str | None = None) -> dict[tuple[int, str], DocumentStatus]:
        """Every recorded status, keyed by (doc_id, annotator)."""
        sql = "SELECT doc_id, annotator, status FROM statuses"
        params: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            params.append(annotator)
        return {(r[0], r[1]): DocumentStatus(r[2]) for r in self.db.execute(sql, params).fetchall()}

    def done_documents(self, annotator: str) -> list[int]:
        """Ids of the documents ``annotator`` marked done."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT doc_id FROM statuses WHERE annotator = ? AND status = 'done' ORDER BY doc_id",
                [annotator],
            ).fetchall()
        ]

    def count_done(self, annotator: str) -> int:
        """How many documents ``annotator`` marked done."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM statuses WHERE annotator = ? AND status = 'done'", [annotator]
            ).fetchone()[0]
        )

    # -- answers (what a layer's owner said of a whole document) -------------------------------
    @writes
    def set_answers(self, rows: Iterable[tuple[int, str, str, bool]]) -> None:
        """Record ``(doc_id, layer, answer, partial)`` rows: ``answer`` is ``accept``, ``reject``
        or ``ignore`` (Prodigy's vocabulary), ``partial`` an accept that covers only its spans
        (binary). The last answer for a document and layer wins. See
        :mod:`corpus.store.answers`."""
        rows = list(rows)
        for _, _, answer, _ in rows:
            if answer not in ("accept", "reject", "ignore"):
                raise AnnotationError(f"unknown answer {answer!r} (expected accept, reject or ignore)")
        if not rows:
            return
        self.db.execute(ANSWERS_SQL)
        self.db.conn.executemany(
            "INSERT INTO answers(doc_id, layer, answer, partial) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(doc_id, layer) DO UPDATE SET answer = excluded.answer, partial = excluded.partial",
            [(d, lay, a, int(bool(p))) for d, lay, a, p in rows],
        )

    # -- rejections (suggestions a person turned down) ---------------------------------------
    @writes
    def add_rejection(self, doc_id: int, annotator: str, start: int, end: int, label: str) -> bool:
        """Remember that ``annotator`` rejected this suggestion: it is never proposed again.

        Returns ``True`` when the rejection is new, ``False`` when it was already recorded.
        """
        cur = self.db.execute(
            'INSERT OR IGNORE INTO rejections(doc_id, annotator, start, "end", label, created_at)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [doc_id, annotator, start, end, label, now()],
        )
        return bool(cur.rowcount)

    @writes
    def remove_rejection(self, doc_id: int, annotator: str, start: int, end: int, label: str) -> None:
        """Forget a rejection (undo)."""
        self.db.execute(
            'DELETE FROM rejections WHERE doc_id = ? AND annotator = ? AND start = ? AND "end" = ? AND label = ?',
            [doc_id, annotator, start, end, label],
        )

    def rejections(self, annotator: str, doc_id: int | None = None) -> set[tuple[int, int, int, str]]:
        """(doc_id, start, end, label) of every suggestion ``annotator`` rejected."""
        sql = 'SELECT doc_id, start, "end", label FROM rejections WHERE annotator = ?'
        params: list[Any] = [annotator]
        if doc_id is not None:
            sql += " AND doc_id = ?"
            params.append(doc_id)
        return {(r[0], r[1], r[2], r[3]) for r in self.db.execute(sql, params).fetchall()}

    # -- relation rejections (relation suggestions a person turned down) -----------------------
    @writes
    def add_relation_rejection(self, doc_id: int, annotator: str, key: RelationKey) -> bool:
        """Remember that ``annotator`` rejected the suggested relation ``key`` (head start, end,
        label, child start, end, label, relation label); ``True`` when the rejection is new."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO relation_rejections(doc_id, annotator, head_start, head_end, head_label,"
            " child_start, child_end, child_label, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [doc_id, annotator, *key, now()],
        )
        return bool(cur.rowcount)

    @writes
    def remove_relation_rejection(self, doc_id: int, annotator: str, key: RelationKey) -> None:
        """Forget a relation rejection (undo)."""
        self.db.execute(
            "DELETE FROM relation_rejections WHERE doc_id = ? AND annotator = ? AND head_start = ? AND head_end = ?"
            " AND head_label = ? AND child_start = ? AND child_end = ? AND child_label = ? AND label = ?",
            [doc_id, annotator, *key],
        )

    def relation_rejections(self, annotator: str, doc_id: int) -> set[RelationKey]:
        """The keys of every relation suggestion ``annotator`` rejected in one document."""
        rows = self.db.execute(
            "SELECT head_start, head_end, head_label, child_start, child_end, child_label, label"
            " FROM relation_rejections WHERE annotator = ? AND doc_id = ?", [annotator, doc_id],
        ).fetchall()
        return {(int(a), int(b), c, int(d), int(e), f, g) for a, b, c, d, e, f, g in rows}


# -- reads: progress -------------------------------------------------------------------------
def status_counts(store: StoreBase, annotator: str) -> dict[DocumentStatus, int]:
    """How many documents ``annotator`` has in each status (todo includes never touched)."""
    total = int(store.db.execute("SELECT count(*) FROM documents").fetchone()[0])
    out = {s: 0 for s in DocumentStatus}
    for st, n in store.db.execute(
        "SELECT status, count(*) FROM statuses WHERE annotator = ? GROUP BY status", [annotator]
    ).fetchall():
        out[DocumentStatus(st)] = n
    out[DocumentStatus.TODO] = total - sum(n for s, n in out.items() if s is not DocumentStatus.TODO)
    return out


def annotator_status_counts(store: StoreBase) -> dict[str, dict[str, int]]:
    """Per annotator, how many documents are in each status they recorded."""
    out: dict[str, dict[str, int]] = {}
    for annotator, status, n in store.db.execute(
        "SELECT annotator, status, count(*) FROM statuses GROUP BY annotator, status ORDER BY annotator, status"
    ):
        out.setdefault(annotator, {})[status] = int(n)
    return out


def done_counts(store: StoreBase) -> dict[str, int]:
    """Documents each annotator (or layer owner, e.g. ``gold``) marked done."""
    return {
        name: int(n)
        for name, n in store.db.execute(
            "SELECT annotator, count(*) FROM statuses WHERE status = 'done' GROUP BY annotator"
        ).fetchall()
    }


def person_layers(store: LayerMethods) -> list[str]:
    """People who annotate in this project: registered annotators plus person layers with spans."""
    names = set(store.annotators())
    for (layer,) in store.db.execute("SELECT DISTINCT layer FROM spans").fetchall():
        if is_person_layer(layer):
            names.add(layer)
    return sorted(names)


def layer_descriptions(store: StoreBase) -> dict[str, str]:
    """Every layer of the project with its description."""
    return {r[0]: r[1] for r in store.db.execute("SELECT name, description FROM layers").fetchall()}


# -- reads: per document (review, merge) -----------------------------------------------------
def document_statuses(store: StoreBase, doc_id: int) -> dict[str, DocumentStatus]:
    """Every recorded status on one document, keyed by annotator (``todo`` rows are absent)."""
    return {
        r[0]: DocumentStatus(r[1])
        for r in store.db.execute(
            "SELECT annotator, status FROM statuses WHERE doc_id = ? ORDER BY annotator", [doc_id]
        ).fetchall()
    }


def document_rejections(store: StoreBase, doc_id: int) -> set[RejectionRow]:
    """Every rejection recorded on one document, for any annotator."""
    return {
        (r[0], int(r[1]), int(r[2]), r[3])
        for r in store.db.execute(
            'SELECT annotator, start, "end", label FROM rejections WHERE doc_id = ?', [doc_id]
        ).fetchall()
    }


def span_layers_by_document(store: StoreBase) -> dict[int, set[str]]:
    """For every document with spans: the layers those spans belong to."""
    out: dict[int, set[str]] = defaultdict(set)
    for doc_id, layer in store.db.execute("SELECT DISTINCT doc_id, layer FROM spans").fetchall():
        out[int(doc_id)].add(layer)
    return dict(out)


def done_annotators_by_document(store: StoreBase) -> dict[int, set[str]]:
    """For every document someone marked done: who did (annotator names, ``gold`` included)."""
    out: dict[int, set[str]] = defaultdict(set)
    for doc_id, annotator in store.db.execute(
        "SELECT doc_id, annotator FROM statuses WHERE status = 'done'"
    ).fetchall():
        out[int(doc_id)].add(annotator)
    return dict(out)
