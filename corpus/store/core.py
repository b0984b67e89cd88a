"""The project file: one SQLite database, written through sqlite-utils.

This package is the only place that writes SQL. A :class:`Store` wraps one connection and is
used from one thread; a background worker opens its own ``Store`` on the same path.

The Store is composed by concept: opening, transactions and discarding in
:mod:`corpus.store.base`; documents and search in :mod:`corpus.store.documents`; spans and
relations in :mod:`corpus.store.annotations`; layers, annotators, statuses and rejections in
:mod:`corpus.store.layers`; suggestion bookkeeping and patterns in
:mod:`corpus.store.suggestions`; settings and labels in :mod:`corpus.store.labels`; what an
annotator answered for a whole document (Prodigy's accept / reject / ignore) in
:mod:`corpus.store.answers`. Each of those
modules also holds the lean read functions about its concept; :mod:`corpus.store.reports` holds
the reads behind agreement, export, stats and merge. Module-level functions only read; every
write is a Store method running in :meth:`Store.transaction`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.errors import NotAProjectError, ProjectError
from corpus.store import reports
from corpus.store.annotations import AnnotationMethods
from corpus.store.base import BUSY_TIMEOUT_S
from corpus.store.documents import DocumentMethods
from corpus.store.labels import LabelMethods
from corpus.store.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION
from corpus.store.suggestions import SuggestionMethods

__all__ = ["Store", "SCHEMA_VERSION", "APP_ID", "MIGRATIONS", "BUSY_TIMEOUT_S", "open_store", "open_other_project"]


class Store(DocumentMethods, AnnotationMethods, SuggestionMethods, LabelMethods):
    """A project file opened on this thread.

    ``Store(path)`` opens (and by default creates) a project; ``Store(":memory:")`` gives a
    throw-away in-memory project for tests. Use as a context manager or call :meth:`close`.
    ``busy_timeout`` is how long a write waits for another program's write lock before
    :class:`~corpus.errors.ProjectLockedError` (the window uses a short one: its thread must
    not freeze). ``read_only=True`` never writes to the file (see :mod:`corpus.store.base`).
    """

    def layer_summary(self) -> dict[str, dict[str, Any]]:
        """Per layer: span and relation counts, spans per label, documents done (people)."""
        return reports.layer_summary(self)


def open_store(path: str | Path, *, create: bool = False, read_only: bool = False) -> Store:
    """Open an existing project (or create it when ``create``), raising clear errors otherwise.

    ``read_only`` is for commands that only read (stats, export, agreement, merge sources): the
    file is never switched to WAL or otherwise changed, and a folder the user cannot write is
    fine.
    """
    return Store(path, create=create and not read_only, read_only=read_only)


def open_other_project(path: str | Path) -> Store:
    """Open another project file read-only (to merge it), with the Store's clear errors.

    Missing or empty files and folders are refused; an older schema is refused rather than
    migrated behind its owner's back.
    """
    p = Path(path)
    if not p.exists():
        raise ProjectError(f"{path}: no such project file")
    if p.is_file() and p.stat().st_size == 0:
        raise NotAProjectError(f"{path}: empty file, not a project file")
    return Store(p, read_only=True)
