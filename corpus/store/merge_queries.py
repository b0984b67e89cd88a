"""Queries for merging project files (:mod:`annotator.merge`).

How the other file is read: it is opened as a second, ordinary :class:`~corpus.store.core.Store`
(:func:`open_other_project`), never ATTACHed. That way a foreign, corrupt, older or newer file
gets exactly the Store's clear errors, the other file is only read (it is opened with
``migrate=False`` so an older file is refused rather than migrated behind its owner's back), and
the project's own connection keeps one plain transaction around the whole merge (SQLite refuses
ATTACH inside a transaction). The merge reads the other file through the Store's public methods
and the readers below, and writes the project through the Store inside
:meth:`Store.transaction`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import NotAProjectError, ProjectError

if TYPE_CHECKING:  # pragma: no cover
    from corpus.store.core import Store

__all__ = [
    "RejectionRow",
    "open_other_project",
    "document_rejections",
    "set_document_meta",
    "layer_descriptions",
    "dump_project",
]

#: (annotator, start, end, label) of one rejected suggestion on a document.
RejectionRow = tuple[str, int, int, str]


def open_other_project(path: str | Path) -> Store:
    """Open another project file for reading (to merge it), with the Store's clear errors.

    Missing or empty files and folders are refused (an empty file would otherwise be turned
    into a new project); an older schema is refused rather than migrated.
    """
    from corpus.store.core import Store

    p = Path(path)
    if not p.exists():
        raise ProjectError(f"{path}: no such project file")
    if p.is_file() and p.stat().st_size == 0:
        raise NotAProjectError(f"{path}: empty file, not a project file")
    return Store(p, create=False, migrate=False)


def document_rejections(store: Store, doc_id: int) -> set[RejectionRow]:
    """Every rejection recorded on one document, for any annotator."""
    return {
        (r[0], int(r[1]), int(r[2]), r[3])
        for r in store.db.execute(
            'SELECT annotator, start, "end", label FROM rejections WHERE doc_id = ?', [doc_id]
        ).fetchall()
    }


def set_document_meta(store: Store, doc_id: int, meta: Mapping[str, Any]) -> None:
    """Replace a document's meta JSON."""
    store.db.execute(
        "UPDATE documents SET meta = ? WHERE id = ?", [json.dumps(dict(meta), ensure_ascii=False), doc_id]
    )


def layer_descriptions(store: Store) -> dict[str, str]:
    """Every layer of the project with its description."""
    return {r[0]: r[1] for r in store.db.execute("SELECT name, description FROM layers").fetchall()}


def dump_project(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (full-text index included) plus the schema version, sorted.

    For comparing two states of a project exactly (the merge's idempotence and all-or-nothing
    tests, diagnostics); timestamps are included, so even a rewritten ``updated_at`` shows.
    """
    out: dict[str, list[tuple[Any, ...]]] = {
        "PRAGMA user_version": [(store.schema_version,)],
    }
    names = [
        r[0]
        for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        rows = [tuple(r) for r in store.db.execute(f"SELECT * FROM {quoted}").fetchall()]
        out[name] = sorted(rows, key=repr)
    return out
