"""The project file: one SQLite database, written through sqlite-utils.

This package is the only place that writes SQL. A :class:`Store` wraps one connection and is
used from one thread; a background worker opens its own ``Store`` on the same path.

Guarantees:

* ``PRAGMA foreign_keys=ON`` (relations die with their spans, everything with its document),
  WAL journal, a busy timeout; the connection is in autocommit mode so a single edit is on disk
  when its method returns.
* :meth:`Store.transaction` groups many writes into one all-or-nothing transaction (nested
  calls become savepoints). Imports and suggestion batches use it.
* The schema carries a version (``PRAGMA user_version``); an older file is migrated after a
  backup copy, a newer or foreign file is refused with a clear :class:`ProjectError`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from corpus.errors import (
    AnnotationError,
    NewerProjectError,
    NotAProjectError,
    OlderProjectError,
    ProjectError,
    ProjectLockedError,
)
from corpus.model import (
    Document,
    DocumentStatus,
    Label,
    LabelKind,
    Relation,
    Span,
    layer_kind,
)

__all__ = ["Store", "SCHEMA_VERSION", "APP_ID", "MIGRATIONS", "open_store"]

#: Version of the schema this code writes. Bump it and add a migration to :data:`MIGRATIONS`.
SCHEMA_VERSION = 1

#: Marker stored in ``settings`` under ``app`` so a foreign SQLite file is recognised.
APP_ID = "annotator-corpus"

#: ``MIGRATIONS[v]`` upgrades a file from version ``v`` to ``v + 1`` (inside one transaction).
MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {}

BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    hash TEXT NOT NULL UNIQUE,
    tokens TEXT NOT NULL DEFAULT '[]',
    sents TEXT NOT NULL DEFAULT '[]',
    n_tokens INTEGER NOT NULL DEFAULT 0,
    created_at TEXT
);
CREATE INDEX IF NOT EXISTS documents_name ON documents(name);
CREATE TABLE IF NOT EXISTS labels (
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('entity', 'relation')),
    color TEXT NOT NULL DEFAULT '#9ecae1',
    hotkey TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, kind)
);
CREATE TABLE IF NOT EXISTS annotators (
    name TEXT PRIMARY KEY,
    created_at TEXT
);
CREATE TABLE IF NOT EXISTS layers (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT
);
CREATE TABLE IF NOT EXISTS spans (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    layer TEXT NOT NULL REFERENCES layers(name) ON UPDATE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    score REAL,
    created_at TEXT,
    CHECK (start >= 0 AND "end" > start),
    UNIQUE (doc_id, layer, start, "end", label)
);
CREATE INDEX IF NOT EXISTS spans_doc_layer ON spans(doc_id, layer);
CREATE INDEX IF NOT EXISTS spans_layer_label ON spans(layer, label);
CREATE TABLE IF NOT EXISTS relations (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    layer TEXT NOT NULL REFERENCES layers(name) ON UPDATE CASCADE,
    head_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
    child_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_at TEXT,
    UNIQUE (head_id, child_id, label)
);
CREATE INDEX IF NOT EXISTS relations_doc_layer ON relations(doc_id, layer);
CREATE INDEX IF NOT EXISTS relations_head ON relations(head_id);
CREATE INDEX IF NOT EXISTS relations_child ON relations(child_id);
CREATE TABLE IF NOT EXISTS statuses (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    annotator TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
    updated_at TEXT,
    PRIMARY KEY (doc_id, annotator)
);
CREATE INDEX IF NOT EXISTS statuses_annotator ON statuses(annotator, status);
CREATE TABLE IF NOT EXISTS rejections (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    annotator TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (doc_id, annotator, start, "end", label)
);
CREATE TABLE IF NOT EXISTS suggested (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    layer TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (doc_id, layer)
);
CREATE TABLE IF NOT EXISTS patterns (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    pattern TEXT NOT NULL,
    pattern_id TEXT NOT NULL DEFAULT ''
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _span_from_row(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0], doc_id=row[1], layer=row[2], start=row[3], end=row[4], label=row[5],
        source=row[6] or "", score=row[7],
    )


def _relation_from_row(row: Sequence[Any]) -> Relation:
    return Relation(
        id=row[0], doc_id=row[1], layer=row[2], head=row[3], child=row[4], label=row[5],
        source=row[6] or "",
    )


_SPAN_COLS = 'id, doc_id, layer, start, "end", label, source, score'
_REL_COLS = "id, doc_id, layer, head_id, child_id, label, source"


def _where(
    doc_id: int | None, layers: str | Sequence[str] | None, label: str | None = None
) -> tuple[str, list[Any]]:
    """`` WHERE ...`` (or ``""``) and its parameters for the span and relation listings."""
    where: list[str] = []
    params: list[Any] = []
    if doc_id is not None:
        where.append("doc_id = ?")
        params.append(doc_id)
    if layers is not None:
        layer_list = [layers] if isinstance(layers, str) else list(layers)
        where.append(f"layer IN ({','.join('?' * len(layer_list))})")
        params.extend(layer_list)
    if label is not None:
        where.append("label = ?")
        params.append(label)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _json_or_none(value: Any) -> Any:
    """``value`` decoded as JSON, or ``None`` when it is not JSON text (a foreign file)."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


def _translate_operational(path: str, exc: sqlite3.Error) -> ProjectError:
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return ProjectLockedError(f"{path}: the project file is locked by another program ({msg})")
    if "not a database" in msg or "malformed" in msg or "encrypted" in msg:
        return NotAProjectError(f"{path}: not a project file ({msg})")
    return ProjectError(f"{path}: {msg}")


class Store:
    """A project file opened on this thread.

    ``Store(path)`` opens (and by default creates) a project; ``Store(":memory:")`` gives a
    throw-away in-memory project for tests. Use as a context manager or call :meth:`close`.
    ``busy_timeout`` is how long a write waits for another program's write lock before
    :class:`ProjectLockedError` (the window uses a short one: its thread must not freeze).
    """

    def __init__(self, path: str | Path, *, create: bool = True, migrate: bool = True,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = str(path)
        self._thread = threading.get_ident()
        p = Path(self.path)
        memory = self.path == ":memory:"
        if not memory and not p.exists() and not create:
            raise ProjectError(f"{self.path}: no such project file")
        if not memory and p.exists() and p.is_dir():
            raise NotAProjectError(f"{self.path}: is a folder, not a project file")
        is_new = memory or not p.exists() or p.stat().st_size == 0
        if is_new and not memory and p.exists() and not create:
            raise NotAProjectError(f"{self.path}: an empty file, not a project file")
        #: The backup copy written before a migration (``None`` when the file was not migrated).
        self.backup_path: Path | None = None
        try:
            self.busy_timeout = busy_timeout
            conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise _translate_operational(self.path, exc) from exc
        try:
            self.db = sqlite_utils.Database(conn)
            if is_new:
                self._configure(memory)
                self._create_schema()
            else:
                # Identify the file before changing anything in it (WAL mode is a change).
                self._check_version(migrate, configure=lambda: self._configure(memory))
        except BaseException as exc:
            # A refused file (foreign, newer, older, corrupt) must not keep a connection open.
            with contextlib.suppress(Exception):
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise _translate_operational(self.path, exc) from exc
            raise

    # -- lifecycle ---------------------------------------------------------------------------
    def _configure(self, memory: bool) -> None:
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if not memory:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")

    def _create_schema(self) -> None:
        with self.db.atomic():
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    self.db.execute(stmt)
            self.db.execute(
                "INSERT OR REPLACE INTO settings(key, value) VALUES ('app', ?)", [json.dumps(APP_ID)]
            )
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._enable_fts()

    def _enable_fts(self) -> None:
        if not self.db["documents"].detect_fts():
            self.db["documents"].enable_fts(
                ["name", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
            )

    def _check_version(self, migrate: bool, configure: Callable[[], None]) -> None:
        tables = set(self.db.table_names())
        if "settings" not in tables or "documents" not in tables:
            raise NotAProjectError(f"{self.path}: not a project file of this program")
        row = self.db.execute("SELECT value FROM settings WHERE key = 'app'").fetchone()
        if row is None or _json_or_none(row[0]) != APP_ID:
            raise NotAProjectError(f"{self.path}: not a project file of this program")
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise NewerProjectError(
                f"{self.path}: written by a newer version of this program (schema {version}, "
                f"this program reads up to {SCHEMA_VERSION}); please upgrade"
            )
        configure()
        if version < SCHEMA_VERSION:
            if not migrate:
                raise OlderProjectError(
                    f"{self.path}: written by an older version (schema {version}); open it with this "
                    f"program first to upgrade it to schema {SCHEMA_VERSION}"
                )
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        backup = Path(f"{self.path}.v{version}.bak")
        # A consistent copy even in WAL mode: SQLite's online backup.
        dest = sqlite3.connect(str(backup))
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        with self.db.atomic():
            while version < SCHEMA_VERSION:
                step = MIGRATIONS.get(version)
                if step is None:
                    raise ProjectError(f"{self.path}: no migration from schema {version}")
                step(self.db)
                version += 1
                self.db.execute(f"PRAGMA user_version = {version}")
        self.backup_path = backup

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (everything is already on disk)."""
        with contextlib.suppress(Exception):
            self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside the block land together or not at all (nested blocks: savepoints).

        The outermost block starts with ``BEGIN IMMEDIATE``: it takes the write lock at once,
        waiting up to the busy timeout while another program writes. A deferred ``BEGIN`` that
        reads first and writes later would instead fail at once in WAL mode when another writer
        got in between (SQLite cannot upgrade its snapshot).
        """
        try:
            if self.db.conn.in_transaction:
                with self.db.atomic():  # a savepoint inside the open transaction
                    yield self
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.db.rollback()
                raise
            self.db.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.db.conn.in_transaction:
                self.db.rollback()
            raise _translate_operational(self.path, exc) from exc

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        return self.db.conn.in_transaction

    # -- settings ----------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A project setting (JSON value), or ``default``."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Store a project setting as JSON."""
        self.db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, json.dumps(value, ensure_ascii=False)],
        )

    # -- documents ---------------------------------------------------------------------------
    def add_documents(self, docs: Iterable[Document]) -> list[tuple[int, bool]]:
        """Insert documents; a text already in the project (same content hash) is not copied.

        Returns ``(doc_id, created)`` for each input, in order. Runs in one transaction.
        """
        out: list[tuple[int, bool]] = []
        now = _now()
        with self.transaction():
            for doc in docs:
                cur = self.db.execute(
                    "INSERT INTO documents(name, text, meta, hash, tokens, sents, n_tokens, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                    [
                        doc.name,
                        doc.text,
                        json.dumps(dict(doc.meta), ensure_ascii=False),
                        doc.hash,
                        json.dumps(doc.tokens, separators=(",", ":")),
                        json.dumps(doc.sents, separators=(",", ":")),
                        sum(1 for s, e in doc.tokens if not doc.text[s:e].isspace()),
                        now,
                    ],
                )
                if cur.rowcount:
                    out.append((int(cur.lastrowid), True))
                else:  # the text is already in the project (one text, one document)
                    out.append((self.document_id_by_hash(doc.hash), False))  # type: ignore[arg-type]
        return out

    def add_document(self, doc: Document) -> int:
        """Insert one document (or find it by hash) and return its id."""
        return self.add_documents([doc])[0][0]

    def document_id_by_hash(self, hash_: str) -> int | None:
        """The id of the document with this content hash, if any."""
        row = self.db.execute("SELECT id FROM documents WHERE hash = ?", [hash_]).fetchone()
        return None if row is None else int(row[0])

    def _doc_from_row(self, row: Sequence[Any]) -> Document:
        return Document(
            id=row[0], name=row[1], text=row[2], meta=json.loads(row[3]), hash=row[4],
            tokens=tuple(map(tuple, json.loads(row[5]))),  # type: ignore[arg-type]
            sents=tuple(map(tuple, json.loads(row[6]))),  # type: ignore[arg-type]
        )

    _DOC_COLS = "id, name, text, meta, hash, tokens, sents"

    def get_document(self, doc_id: int) -> Document:
        """The document with this id (raises :class:`ProjectError` when missing)."""
        row = self.db.execute(
            f"SELECT {self._DOC_COLS} FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: no document with id {doc_id}")
        return self._doc_from_row(row)

    def iter_documents(self, ids: Iterable[int] | None = None, batch_size: int = 500) -> Iterator[Document]:
        """Stream documents in id order (or the given ids), a batch at a time: memory stays flat."""
        if ids is not None:
            idl = list(ids)
            for i in range(0, len(idl), batch_size):
                chunk = idl[i : i + batch_size]
                marks = ",".join("?" * len(chunk))
                rows = {
                    r[0]: r
                    for r in self.db.execute(
                        f"SELECT {self._DOC_COLS} FROM documents WHERE id IN ({marks})", chunk
                    ).fetchall()
                }
                for d in chunk:
                    if d in rows:
                        yield self._doc_from_row(rows[d])
            return
        last = -1
        while True:
            rows = self.db.execute(
                f"SELECT {self._DOC_COLS} FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                [last, batch_size],
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield self._doc_from_row(r)
            last = rows[-1][0]

    def document_ids(self) -> list[int]:
        """Every document id, in import order."""
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id").fetchall()]

    def document_names(self, ids: Sequence[int]) -> dict[int, str]:
        """Names of the given documents."""
        out: dict[int, str] = {}
        for i in range(0, len(ids), 900):
            chunk = list(ids[i : i + 900])
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT id, name FROM documents WHERE id IN ({marks})", chunk):
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

        The query is treated as plain words (quoted for FTS), never as FTS syntax.
        """
        words = [w for w in query.split() if w]
        if not words:
            return self.document_ids()
        fts = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        sql = (
            "SELECT documents.id FROM documents JOIN documents_fts ON documents.rowid = documents_fts.rowid"
            " WHERE documents_fts MATCH ? ORDER BY rank"
        )
        params: list[Any] = [fts]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    def delete_document(self, doc_id: int) -> None:
        """Remove a document with everything annotated on it."""
        self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])

    # -- labels ------------------------------------------------------------------------------
    def labels(self, kind: LabelKind | str | None = None) -> list[Label]:
        """The label schema in palette order (optionally only one kind)."""
        sql = "SELECT name, kind, color, hotkey, description FROM labels"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(LabelKind(kind).value)
        sql += " ORDER BY kind, position, name"
        return [
            Label(name=r[0], kind=LabelKind(r[1]), color=r[2], hotkey=r[3], description=r[4])
            for r in self.db.execute(sql, params).fetchall()
        ]

    def label_names(self, kind: LabelKind | str) -> list[str]:
        """Names of the labels of one kind."""
        return [lab.name for lab in self.labels(kind)]

    def set_labels(self, labels: Iterable[Label]) -> None:
        """Add or update labels (keyed by name and kind), keeping the given order."""
        with self.transaction():
            base = int(self.db.execute("SELECT coalesce(max(position), -1) + 1 FROM labels").fetchone()[0])
            for i, lab in enumerate(labels):
                self.db.execute(
                    "INSERT INTO labels(name, kind, color, hotkey, description, position)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name, kind) DO UPDATE SET"
                    " color = excluded.color, hotkey = excluded.hotkey,"
                    " description = excluded.description",
                    [lab.name, LabelKind(lab.kind).value, lab.color, lab.hotkey, lab.description, base + i],
                )

    def rename_label(self, kind: LabelKind | str, old: str, new: str) -> None:
        """Rename a label and every annotation carrying it, in one transaction."""
        kind = LabelKind(kind)
        if old == new:
            return
        if new in self.label_names(kind):
            raise AnnotationError(f"a {kind.value} label named {new!r} already exists")
        table = "spans" if kind is LabelKind.ENTITY else "relations"
        with self.transaction():
            self.db.execute("UPDATE labels SET name = ? WHERE name = ? AND kind = ?", [new, old, kind.value])
            self.db.execute(f"UPDATE {table} SET label = ? WHERE label = ?", [new, old])
            if kind is LabelKind.ENTITY:
                self.db.execute("UPDATE rejections SET label = ? WHERE label = ?", [new, old])
                self.db.execute("UPDATE patterns SET label = ? WHERE label = ?", [new, old])

    def delete_label(self, kind: LabelKind | str, name: str) -> int:
        """Remove a label from the schema; refuses while annotations use it. Returns 0."""
        kind = LabelKind(kind)
        table = "spans" if kind is LabelKind.ENTITY else "relations"
        used = self.db.execute(f"SELECT count(*) FROM {table} WHERE label = ?", [name]).fetchone()[0]
        if used:
            raise AnnotationError(f"label {name!r} is used by {used} annotations; rename it instead")
        self.db.execute("DELETE FROM labels WHERE name = ? AND kind = ?", [name, kind.value])
        return 0

    def reorder_labels(self, kind: LabelKind | str, names: Sequence[str]) -> None:
        """Set the palette order of one kind's labels."""
        with self.transaction():
            for i, n in enumerate(names):
                self.db.execute(
                    "UPDATE labels SET position = ? WHERE name = ? AND kind = ?", [i, n, LabelKind(kind).value]
                )

    # -- annotators and layers ---------------------------------------------------------------
    def add_annotator(self, name: str) -> None:
        """Register a person (and their layer)."""
        if not name or name != name.strip():
            raise AnnotationError(f"invalid annotator name {name!r}")
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", [name, _now()]
            )
            self.ensure_layer(name)

    def annotators(self) -> list[str]:
        """Registered people, alphabetically."""
        return [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name").fetchall()]

    def ensure_layer(self, name: str, description: str = "") -> None:
        """Make sure a layer row exists (kind derived from the name)."""
        self.db.execute(
            "INSERT OR IGNORE INTO layers(name, kind, description, created_at) VALUES (?, ?, ?, ?)",
            [name, layer_kind(name).value, description, _now()],
        )

    def layers(self) -> list[str]:
        """Every layer name known to the project."""
        return [r[0] for r in self.db.execute("SELECT name FROM layers ORDER BY name").fetchall()]

    def delete_layer_annotations(self, layer: str, doc_ids: Sequence[int] | None = None) -> int:
        """Remove a layer's spans (and so its relations), optionally only on some documents."""
        n = 0
        with self.transaction():
            if doc_ids is None:
                n = self.db.execute("DELETE FROM spans WHERE layer = ?", [layer]).rowcount
                self.db.execute("DELETE FROM suggested WHERE layer = ?", [layer])
                return n
            for d in doc_ids:
                n += self.db.execute("DELETE FROM spans WHERE layer = ? AND doc_id = ?", [layer, d]).rowcount
                self.db.execute("DELETE FROM suggested WHERE layer = ? AND doc_id = ?", [layer, d])
        return n

    # -- spans -------------------------------------------------------------------------------
    def add_spans(self, spans: Iterable[Span]) -> list[Span]:
        """Insert spans in one transaction; returns them with ids.

        A span identical to one already in its layer (same document, offsets, label) is not
        duplicated: the existing one is returned. A span carrying an ``id`` is inserted with that
        id (undo uses this to restore exactly what was deleted).
        """
        return [sp for sp, _created in self.insert_spans(spans)]

    def insert_spans(self, spans: Iterable[Span]) -> list[tuple[Span, bool]]:
        """Like :meth:`add_spans`, also telling for each span whether it was new (``True``)
        or already in its layer (``False``, the existing span is returned)."""
        out: list[tuple[Span, bool]] = []
        now = _now()
        seen_layers: set[str] = set()
        with self.transaction():
            for sp in spans:
                if sp.layer not in seen_layers:
                    self.ensure_layer(sp.layer)
                    seen_layers.add(sp.layer)
                out.append(self._insert_unique(
                    sp,
                    'INSERT INTO spans(id, doc_id, layer, start, "end", label, source, score, created_at)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ' ON CONFLICT(doc_id, layer, start, "end", label) DO NOTHING',
                    [sp.id, sp.doc_id, sp.layer, sp.start, sp.end, sp.label, sp.source, sp.score, now],
                    f'SELECT {_SPAN_COLS} FROM spans WHERE doc_id = ? AND layer = ? AND start = ?'
                    ' AND "end" = ? AND label = ?',
                    [sp.doc_id, sp.layer, sp.start, sp.end, sp.label],
                    _span_from_row,
                ))
        return out

    def _insert_unique(
        self, item: Any, insert_sql: str, params: Sequence[Any], select_sql: str, key: Sequence[Any],
        from_row: Callable[[Sequence[Any]], Any],
    ) -> tuple[Any, bool]:
        """Insert a row that may already exist (``ON CONFLICT DO NOTHING``): ``(item with its new
        id, True)``, or ``(the existing row as an item, False)``."""
        cur = self.db.execute(insert_sql, params)
        if cur.rowcount:
            return replace(item, id=int(cur.lastrowid)), True
        return from_row(self.db.execute(select_sql, key).fetchone()), False

    def add_span(self, span: Span) -> Span:
        """Insert one span (its own transaction) and return it with its id."""
        return self.add_spans([span])[0]

    def get_span(self, span_id: int) -> Span | None:
        """The span with this id, or ``None``."""
        row = self.db.execute(f"SELECT {_SPAN_COLS} FROM spans WHERE id = ?", [span_id]).fetchone()
        return None if row is None else _span_from_row(row)

    def spans(
        self, doc_id: int | None = None, layers: str | Sequence[str] | None = None,
        label: str | None = None,
    ) -> list[Span]:
        """Spans of a document and/or layers, ordered by position."""
        where, params = _where(doc_id, layers, label)
        sql = f'SELECT {_SPAN_COLS} FROM spans{where} ORDER BY doc_id, start, "end", layer, label'
        return [_span_from_row(r) for r in self.db.execute(sql, params).fetchall()]

    def iter_layer_spans(self, layer: str, doc_ids: Sequence[int] | None = None) -> Iterator[tuple[int, list[Span]]]:
        """(doc_id, spans) for every document that has spans in ``layer``, streamed by document."""
        if doc_ids is None:
            cur = self.db.execute(
                f"SELECT {_SPAN_COLS} FROM spans WHERE layer = ? ORDER BY doc_id, start", [layer]
            )
            current: int | None = None
            bucket: list[Span] = []
            for row in cur:
                sp = _span_from_row(row)
                if sp.doc_id != current:
                    if current is not None:
                        yield current, bucket
                    current, bucket = sp.doc_id, []
                bucket.append(sp)
            if current is not None:
                yield current, bucket
            return
        for d in doc_ids:
            yield d, self.spans(d, layer)

    def first_overlapping_span(self, doc_id: int, layer: str, start: int, end: int,
                               ignore_id: int | None = None) -> Span | None:
        """A span of ``layer`` in the document overlapping ``start..end`` (end exclusive), or ``None``.

        One indexed lookup stopping at the first hit (the unique (doc_id, layer, start, ...)
        index bounds ``start``): about 0.05 ms among 2,000 spans, so the overlap rule can be
        checked on every keystroke. ``ignore_id`` leaves out the span being resized.
        """
        sql = f'SELECT {_SPAN_COLS} FROM spans WHERE doc_id = ? AND layer = ? AND start < ? AND "end" > ?'
        params: list[Any] = [doc_id, layer, end, start]
        if ignore_id is not None:
            sql += " AND id != ?"
            params.append(ignore_id)
        row = self.db.execute(sql + " LIMIT 1", params).fetchone()
        return None if row is None else _span_from_row(row)

    def delete_span(self, span_id: int) -> tuple[Span, list[Relation]] | None:
        """Delete a span and (by cascade) its relations; returns what was removed, for undo."""
        sp = self.get_span(span_id)
        if sp is None:
            return None
        with self.transaction():
            rels = [
                _relation_from_row(r)
                for r in self.db.execute(
                    f"SELECT {_REL_COLS} FROM relations WHERE head_id = ? OR child_id = ? ORDER BY id",
                    [span_id, span_id],
                ).fetchall()
            ]
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
        return sp, rels

    def update_span(self, span_id: int, *, label: str | None = None, start: int | None = None,
                    end: int | None = None) -> Span:
        """Change a span's label and/or offsets in place (its relations stay attached)."""
        sp = self.get_span(span_id)
        if sp is None:
            raise AnnotationError(f"no span with id {span_id}")
        try:
            new = replace(
                sp,
                label=sp.label if label is None else label,
                start=sp.start if start is None else start,
                end=sp.end if end is None else end,
            )
        except ValueError as exc:  # offsets out of order
            raise AnnotationError(f"document {sp.doc_id}: span {span_id}: {exc}") from None
        try:
            self.db.execute(
                'UPDATE spans SET label = ?, start = ?, "end" = ? WHERE id = ?',
                [new.label, new.start, new.end, span_id],
            )
        except sqlite3.IntegrityError as exc:
            raise AnnotationError(f"the layer already holds that span ({exc})") from exc
        return new

    def count_spans(self, layer: str | None = None) -> int:
        """Spans in the project (or one layer)."""
        if layer is None:
            return int(self.db.execute("SELECT count(*) FROM spans").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM spans WHERE layer = ?", [layer]).fetchone()[0])

    # -- relations ---------------------------------------------------------------------------
    def add_relations(self, relations: Iterable[Relation]) -> list[Relation]:
        """Insert relations (one transaction); both spans must exist in the relation's layer.

        A relation already in the project (same head, child and label) is not duplicated: the
        existing one is returned.
        """
        return [rel for rel, _created in self.insert_relations(relations)]

    def insert_relations(self, relations: Iterable[Relation]) -> list[tuple[Relation, bool]]:
        """Like :meth:`add_relations`, also telling for each relation whether it was new."""
        rels = list(relations)
        out: list[tuple[Relation, bool]] = []
        now = _now()
        with self.transaction():
            ends = self._span_owners({sid for rel in rels for sid in (rel.head, rel.child)})
            seen_layers: set[str] = set()
            for rel in rels:
                for sid in (rel.head, rel.child):
                    owner = ends.get(sid)
                    if owner is None or owner[0] != rel.doc_id:
                        raise AnnotationError(
                            f"document {rel.doc_id}: relation {rel.label!r} points to span {sid}, which does not exist"
                        )
                    if owner[1] != rel.layer:
                        raise AnnotationError(
                            f"document {rel.doc_id}: relation {rel.label!r} in layer {rel.layer!r} "
                            f"points to a span of layer {owner[1]!r}"
                        )
                if rel.layer not in seen_layers:
                    self.ensure_layer(rel.layer)
                    seen_layers.add(rel.layer)
                out.append(self._insert_unique(
                    rel,
                    "INSERT INTO relations(id, doc_id, layer, head_id, child_id, label, source, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(head_id, child_id, label) DO NOTHING",
                    [rel.id, rel.doc_id, rel.layer, rel.head, rel.child, rel.label, rel.source, now],
                    f"SELECT {_REL_COLS} FROM relations WHERE head_id = ? AND child_id = ? AND label = ?",
                    [rel.head, rel.child, rel.label],
                    _relation_from_row,
                ))
        return out

    def _span_owners(self, span_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """``span id -> (doc_id, layer)`` for those of the given spans that exist (batched)."""
        ids = list(span_ids)
        out: dict[int, tuple[int, str]] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for sid, doc_id, layer in self.db.execute(
                f"SELECT id, doc_id, layer FROM spans WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ):
                out[sid] = (doc_id, layer)
        return out

    def add_relation(self, relation: Relation) -> Relation:
        """Insert one relation and return it with its id."""
        return self.add_relations([relation])[0]

    def get_relation(self, rel_id: int) -> Relation | None:
        """The relation with this id, or ``None``."""
        row = self.db.execute(f"SELECT {_REL_COLS} FROM relations WHERE id = ?", [rel_id]).fetchone()
        return None if row is None else _relation_from_row(row)

    def relations(self, doc_id: int | None = None, layers: str | Sequence[str] | None = None) -> list[Relation]:
        """Relations of a document and/or layers."""
        where, params = _where(doc_id, layers)
        sql = f"SELECT {_REL_COLS} FROM relations{where} ORDER BY doc_id, id"
        return [_relation_from_row(r) for r in self.db.execute(sql, params).fetchall()]

    def delete_relation(self, rel_id: int) -> Relation | None:
        """Delete a relation; returns it (for undo) or ``None`` when it did not exist."""
        rel = self.get_relation(rel_id)
        if rel is not None:
            self.db.execute("DELETE FROM relations WHERE id = ?", [rel_id])
        return rel

    def update_relation(self, rel_id: int, label: str) -> Relation:
        """Relabel a relation."""
        rel = self.get_relation(rel_id)
        if rel is None:
            raise AnnotationError(f"no relation with id {rel_id}")
        try:
            self.db.execute("UPDATE relations SET label = ? WHERE id = ?", [label, rel_id])
        except sqlite3.IntegrityError as exc:
            raise AnnotationError(f"the layer already holds that relation ({exc})") from exc
        return replace(rel, label=label)

    def count_relations(self, layer: str | None = None) -> int:
        """Relations in the project (or one layer)."""
        if layer is None:
            return int(self.db.execute("SELECT count(*) FROM relations").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM relations WHERE layer = ?", [layer]).fetchone()[0])

    # -- statuses ----------------------------------------------------------------------------
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
            [doc_id, annotator, DocumentStatus(status).value, _now()],
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

    # -- rejections (suggestions a person turned down) ---------------------------------------
    def add_rejection(self, doc_id: int, annotator: str, start: int, end: int, label: str) -> bool:
        """Remember that ``annotator`` rejected this suggestion: it is never proposed again.

        Returns ``True`` when the rejection is new, ``False`` when it was already recorded.
        """
        cur = self.db.execute(
            'INSERT OR IGNORE INTO rejections(doc_id, annotator, start, "end", label, created_at)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [doc_id, annotator, start, end, label, _now()],
        )
        return bool(cur.rowcount)

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

    # -- suggestion bookkeeping --------------------------------------------------------------
    def mark_suggested(self, doc_ids: Iterable[int], layer: str) -> None:
        """Record that ``layer``'s suggester has processed these documents (for resuming)."""
        now = _now()
        self.ensure_layer(layer)
        with self.transaction():
            for d in doc_ids:
                self.db.execute(
                    "INSERT OR REPLACE INTO suggested(doc_id, layer, created_at) VALUES (?, ?, ?)", [d, layer, now]
                )

    def suggested_documents(self, layer: str) -> set[int]:
        """Documents already processed by ``layer``'s suggester."""
        return {r[0] for r in self.db.execute("SELECT doc_id FROM suggested WHERE layer = ?", [layer]).fetchall()}

    def suggested_layers(self, doc_id: int) -> list[str]:
        """Suggester layers that have processed this document."""
        return [r[0] for r in self.db.execute(
            "SELECT layer FROM suggested WHERE doc_id = ? ORDER BY layer", [doc_id]
        ).fetchall()]

    # -- patterns ----------------------------------------------------------------------------
    def patterns(self) -> list[dict[str, Any]]:
        """Stored EntityRuler patterns (``{"label", "pattern", "id"?}``)."""
        out = []
        for label, pattern, pid in self.db.execute(
            "SELECT label, pattern, pattern_id FROM patterns ORDER BY id"
        ).fetchall():
            d: dict[str, Any] = {"label": label, "pattern": json.loads(pattern)}
            if pid:
                d["id"] = pid
            out.append(d)
        return out

    def set_patterns(self, patterns: Iterable[dict[str, Any]], replace_all: bool = True) -> int:
        """Store EntityRuler patterns (replacing the current ones by default); returns the count."""
        n = 0
        with self.transaction():
            if replace_all:
                self.db.execute("DELETE FROM patterns")
            for p in patterns:
                self.db.execute(
                    "INSERT INTO patterns(label, pattern, pattern_id) VALUES (?, ?, ?)",
                    [p["label"], json.dumps(p["pattern"], ensure_ascii=False), str(p.get("id", ""))],
                )
                n += 1
        return n

    # -- summaries ---------------------------------------------------------------------------
    def layer_summary(self) -> dict[str, dict[str, Any]]:
        """Per layer: span and relation counts, spans per label, documents done (people)."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.layers():
            out[name] = {"spans": 0, "relations": 0, "labels": {}, "done": 0}
        for layer, label, n in self.db.execute(
            "SELECT layer, label, count(*) FROM spans GROUP BY layer, label ORDER BY layer, label"
        ):
            entry = out.setdefault(layer, {"spans": 0, "relations": 0, "labels": {}, "done": 0})
            entry["labels"][label] = n
            entry["spans"] += n
        for layer, n in self.db.execute("SELECT layer, count(*) FROM relations GROUP BY layer"):
            out.setdefault(layer, {"spans": 0, "relations": 0, "labels": {}, "done": 0})["relations"] = n
        for annotator, n in self.db.execute(
            "SELECT annotator, count(*) FROM statuses WHERE status = 'done' GROUP BY annotator"
        ):
            out.setdefault(annotator, {"spans": 0, "relations": 0, "labels": {}, "done": 0})["done"] = n
        return out


def open_store(path: str | Path, *, create: bool = False) -> Store:
    """Open an existing project (or create it when ``create``), raising clear errors otherwise."""
    return Store(path, create=create)
