"""The project file's schema: tables, the full-text index, the version and the app marker.

:func:`create_schema` writes a complete new project (tables, full-text index and its triggers,
app marker, version) inside the caller's transaction, so a process killed half-way leaves either
nothing or a whole project. :func:`create_fts` also repairs a project whose index is missing
(a file written by an earlier version killed between the two steps).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

__all__ = [
    "SCHEMA_VERSION",
    "APP_ID",
    "MIGRATIONS",
    "FTS_TABLE",
    "create_schema",
    "create_fts",
    "has_fts",
    "table_names",
]

#: Version of the schema this code writes. Bump it and add a migration to :data:`MIGRATIONS`.
SCHEMA_VERSION = 4

#: Marker stored in ``settings`` under ``app`` so a foreign SQLite file is recognised.
APP_ID = "annotator-corpus"

#: The table of schema 2: relation suggestions a person rejected, by their ends' offsets and
#: labels (a suggester layer's spans get new ids each run; the offsets stay).
RELATION_REJECTIONS_SQL = """
CREATE TABLE IF NOT EXISTS relation_rejections (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    annotator TEXT NOT NULL,
    head_start INTEGER NOT NULL,
    head_end INTEGER NOT NULL,
    head_label TEXT NOT NULL,
    child_start INTEGER NOT NULL,
    child_end INTEGER NOT NULL,
    child_label TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT,
    PRIMARY KEY (doc_id, annotator, head_start, head_end, head_label, child_start, child_end, child_label, label)
)"""


def _add_relation_rejections(db: sqlite_utils.Database) -> None:
    """Schema 1 -> 2: the ``relation_rejections`` table (empty)."""
    db.execute(RELATION_REJECTIONS_SQL)


#: The span columns of schema 3: a knowledge-base id and the attributes (a JSON object).
SPAN_INFO_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kb_id", "TEXT NOT NULL DEFAULT ''"),
    ("attributes", "TEXT NOT NULL DEFAULT '{}'"),
)


def add_span_info(db: sqlite_utils.Database) -> None:
    """Schema 2 -> 3: spans gain ``kb_id`` (empty) and ``attributes`` (``{}``); every span is kept.

    Idempotent (a column already there is left alone), so the step can run in any order among
    other migrations.
    """
    present = {row[1] for row in db.execute("PRAGMA table_info(spans)").fetchall()}
    for name, decl in SPAN_INFO_COLUMNS:
        if name not in present:
            db.execute(f"ALTER TABLE spans ADD COLUMN {name} {decl}")


def add_relation_score(db: sqlite_utils.Database) -> None:
    """Schema 3 -> 4: relations gain ``score`` (a suggester's confidence, empty for every
    relation already there); every relation is kept. Idempotent, like :func:`add_span_info`."""
    present = {row[1] for row in db.execute("PRAGMA table_info(relations)").fetchall()}
    if "score" not in present:
        db.execute("ALTER TABLE relations ADD COLUMN score REAL")


#: ``MIGRATIONS[v]`` upgrades a file from version ``v`` to ``v + 1`` (inside one transaction).
MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _add_relation_rejections, 2: add_span_info, 3: add_relation_score,
}

#: The full-text index over documents' name and text (an external-content FTS5 table).
FTS_TABLE = "documents_fts"

SCHEMA_SQL = """
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
    kb_id TEXT NOT NULL DEFAULT '',
    attributes TEXT NOT NULL DEFAULT '{}',
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
    score REAL,
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

#: What an annotator answered for a whole document (:mod:`corpus.store.answers`).
#: Additive: part of every new file, and created in an older file by the first answer written
#: (:meth:`corpus.store.layers.LayerMethods.set_answers`); the schema version does not change
#: and a program that does not know the table ignores it.
ANSWERS_SQL = """
CREATE TABLE IF NOT EXISTS answers (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    layer TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('accept', 'reject', 'ignore')),
    partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1)),
    PRIMARY KEY (doc_id, layer)
)
"""
SCHEMA_SQL += RELATION_REJECTIONS_SQL + ";\n" + ANSWERS_SQL + ";\n"

#: The statements sqlite-utils' ``enable_fts(["name", "text"], create_triggers=True)`` writes
# (so ``detect_fts`` finds the index), run here statement by statement: sqlite-utils runs them
# with ``executescript``, which commits, and they must land in the schema's own transaction.
FTS_STATEMENTS: tuple[str, ...] = (
    'CREATE VIRTUAL TABLE "documents_fts" USING FTS5 (\n    "name", "text",\n'
    "    tokenize='unicode61 remove_diacritics 2',\n    content=\"documents\"\n)",
    'CREATE TRIGGER "documents_ai" AFTER INSERT ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" (rowid, "name", "text") VALUES (new.rowid, new."name", new."text");\nEND',
    'CREATE TRIGGER "documents_ad" AFTER DELETE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "name", "text")'
    " VALUES('delete', old.rowid, old.\"name\", old.\"text\");\nEND",
    'CREATE TRIGGER "documents_au" AFTER UPDATE ON "documents" BEGIN\n'
    '  INSERT INTO "documents_fts" ("documents_fts", rowid, "name", "text")'
    " VALUES('delete', old.rowid, old.\"name\", old.\"text\");\n"
    '  INSERT INTO "documents_fts" (rowid, "name", "text") VALUES (new.rowid, new."name", new."text");\nEND',
)

_FTS_OBJECTS = ("documents_fts", "documents_ai", "documents_ad", "documents_au")


def table_names(db: sqlite_utils.Database) -> set[str]:
    """Names of every table, view and trigger in the file (reads ``sqlite_master`` only)."""
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master").fetchall()}


def has_fts(db: sqlite_utils.Database) -> bool:
    """True when the full-text index and its three triggers are all there."""
    return set(_FTS_OBJECTS) <= table_names(db)


def create_fts(db: sqlite_utils.Database) -> None:
    """(Re)create the full-text index and its triggers and fill it from ``documents``.

    Run it inside a transaction: pieces left by an earlier, interrupted creation are dropped
    first, so the result is whole or (on rollback) as it was.
    """
    present = table_names(db)
    for trigger in _FTS_OBJECTS[1:]:
        if trigger in present:
            db.execute(f'DROP TRIGGER "{trigger}"')
    if FTS_TABLE in present:
        db.execute(f'DROP TABLE "{FTS_TABLE}"')
    for stmt in FTS_STATEMENTS:
        db.execute(stmt)
    db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def create_schema(db: sqlite_utils.Database) -> None:
    """Write a complete, empty project into an empty file: run it inside a transaction."""
    for stmt in SCHEMA_SQL.split(";"):
        if stmt.strip():
            db.execute(stmt)
    create_fts(db)
    db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('app', ?)", [json.dumps(APP_ID)])
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
