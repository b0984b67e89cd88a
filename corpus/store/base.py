"""Opening a project file, its transactions, and discarding a new file nobody used.

:class:`StoreBase` is the connection half of :class:`corpus.store.Store`: it opens (or creates)
the file, identifies it before changing anything, migrates an older schema after a backup copy,
repairs a missing full-text index, and offers :meth:`StoreBase.transaction`. The concept
modules (documents, annotations, layers, suggestions, labels) add the methods a caller uses.

Guarantees:

* ``PRAGMA foreign_keys=ON``, WAL journal, a busy timeout; the connection is in autocommit mode
  so a single edit is on disk when its method returns.
* Every write method runs inside :meth:`StoreBase.transaction` (the :func:`writes` decorator):
  a lock held by another program becomes :class:`ProjectLockedError`, never a raw
  ``sqlite3.OperationalError``, and nothing is half-written.
* A new project's schema and full-text index are written in one transaction; a file with no
  tables at all (a creation killed before it committed) counts as empty.
* ``read_only=True`` opens with ``mode=ro`` (and ``immutable=1`` when the folder cannot be
  written, so no ``-shm``/``-wal`` file is needed) and never switches the file to WAL.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlite_utils

from corpus.errors import (
    AnnotationError,
    NewerProjectError,
    NotAProjectError,
    OlderProjectError,
    ProjectError,
    ProjectLockedError,
)
from corpus.store.schema import (
    APP_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    create_fts,
    create_schema,
    has_fts,
    table_names,
)

__all__ = ["StoreBase", "BUSY_TIMEOUT_S", "writes", "translate_error", "unstorable_text"]

BUSY_TIMEOUT_S = 5.0

#: SQLite's extended code for a write to a file that was deleted or moved while open.
_SQLITE_READONLY_DBMOVED = 1032

_P = ParamSpec("_P")
_R = TypeVar("_R")
_S = TypeVar("_S", bound="StoreBase")


def translate_error(path: str, exc: sqlite3.Error) -> ProjectError:
    """The one-line :class:`ProjectError` a user sees for an SQLite error on ``path``."""
    msg = str(exc)
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_READONLY_DBMOVED:
        return ProjectError(f"{path}: the project file was deleted or moved while open; nothing was written")
    if "locked" in msg or "busy" in msg:
        return ProjectLockedError(
            f"{path}: the project file is locked by another program ({msg}); try again when it is done"
        )
    if "readonly" in msg:
        return ProjectError(f"{path}: the project file is read-only here ({msg})")
    if "not a database" in msg or "malformed" in msg or "encrypted" in msg:
        return NotAProjectError(f"{path}: not a project file ({msg})")
    return ProjectError(f"{path}: {msg}")


def unstorable_text(exc: UnicodeEncodeError, where: str) -> AnnotationError:
    """The one-line error for text holding a lone surrogate (not valid Unicode, cannot be stored)."""
    text = exc.object if isinstance(exc.object, str) else ""
    snippet = text[max(0, exc.start - 20) : exc.end + 20]
    return AnnotationError(
        f"{where}: text with a lone surrogate at character {exc.start} ({snippet!r}) is not valid "
        "Unicode and cannot be stored"
    )


def writes(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Run a store method inside :meth:`StoreBase.transaction` (unless one is already open).

    Every method that writes carries it: the write takes the lock with ``BEGIN IMMEDIATE``
    (waiting up to the busy timeout) and a lock still held then is the clear, retryable
    :class:`ProjectLockedError`.
    """

    @functools.wraps(method)
    def wrapper(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if self.db.conn.in_transaction:
            return method(self, *args, **kwargs)
        with self.transaction():
            return method(self, *args, **kwargs)

    return wrapper


def _json_or_none(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


def _connect(path: str, timeout: float, read_only: bool) -> sqlite3.Connection:
    if not read_only or path == ":memory:":
        return sqlite3.connect(path, timeout=timeout, isolation_level=None)
    p = Path(path).resolve()
    uri = p.as_uri() + "?mode=ro"
    wal = Path(f"{p}-wal")
    if not os.access(p.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size):
        # No -shm file can be made here, and no WAL holds data not yet in the main file.
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


class StoreBase:
    """A project file opened on this thread: the connection, its opening and its transactions.

    ``create`` makes a missing (or empty) file a new project; ``migrate`` upgrades an older
    schema (after a backup); ``read_only`` opens without ever writing (implies neither).
    ``busy_timeout`` is how long a write waits for another program's write lock before
    :class:`ProjectLockedError` (the window uses a short one: its thread must not freeze).
    """

    def __init__(self, path: str | Path, *, create: bool = True, migrate: bool = True,
                 busy_timeout: float = BUSY_TIMEOUT_S, read_only: bool = False) -> None:
        self.path = str(path)
        self._thread = threading.get_ident()
        #: True when opened with ``read_only``: every write raises a ProjectError.
        self.read_only = read_only
        #: The backup copy written before a migration (``None`` when the file was not migrated).
        self.backup_path: Path | None = None
        self.busy_timeout = busy_timeout
        memory = self.path == ":memory:"
        if read_only:
            create = migrate = False
        p = Path(self.path)
        if not memory and p.is_dir():
            raise NotAProjectError(f"{self.path}: is a folder, not a project file")
        if not memory and not p.exists() and not create:
            raise ProjectError(f"{self.path}: no such project file")
        if not memory and not create and p.stat().st_size == 0:
            raise NotAProjectError(f"{self.path}: an empty file, not a project file")
        try:
            conn = _connect(self.path, busy_timeout, read_only)
        except sqlite3.Error as exc:
            raise translate_error(self.path, exc) from exc
        try:
            self.db = sqlite_utils.Database(conn)
            self._open(memory, create, migrate)
        except BaseException as exc:
            # A refused file (foreign, newer, older, corrupt) must not keep a connection open.
            with contextlib.suppress(Exception):
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise translate_error(self.path, exc) from exc
            raise

    # -- opening -----------------------------------------------------------------------------
    def _is_blank(self) -> bool:
        """True when the file holds no table at all (new, or a creation that never committed)."""
        return int(self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) == 0

    def _open(self, memory: bool, create: bool, migrate: bool) -> None:
        if memory or self._is_blank():
            if not create:
                raise NotAProjectError(
                    f"{self.path}: an empty file with no project in it yet (no tables); "
                    "import documents into it to start the project"
                )
            self._configure(memory)
            with self.transaction():
                if self._is_blank():  # another process may have created it meanwhile
                    create_schema(self.db)
            if memory:
                return
            self._check_version(migrate=False)
            return
        # Identify the file before changing anything in it (WAL mode is a change).
        version = self._check_version(migrate)
        self._configure(memory)
        if version < SCHEMA_VERSION:
            self._migrate(version)
        if not self.read_only and not has_fts(self.db):
            # A project written by an earlier version killed between its schema and its index.
            with self.transaction():
                if not has_fts(self.db):
                    create_fts(self.db)

    def _configure(self, memory: bool) -> None:
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        if self.read_only:
            self.db.execute("PRAGMA query_only = ON")
        elif not memory:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")

    def _check_version(self, migrate: bool) -> int:
        """The file's schema version once it is known to be ours and readable here."""
        tables = table_names(self.db)
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
        if version < SCHEMA_VERSION and not migrate:
            raise OlderProjectError(
                f"{self.path}: written by an older version (schema {version}); open it with this "
                f"program first to upgrade it to schema {SCHEMA_VERSION}"
            )
        return version

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

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection (everything is already on disk)."""
        with contextlib.suppress(Exception):
            self.db.conn.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self: _S) -> Iterator[_S]:
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
            raise translate_error(self.path, exc) from exc
        except UnicodeEncodeError as exc:  # rolled back above; SQLite stores valid UTF-8 only
            raise unstorable_text(exc, self.path) from None

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        return self.db.conn.in_transaction

    def is_untouched(self) -> bool:
        """True when the project holds nothing but the empty schema a creation writes."""
        tables = ("documents", "labels", "annotators", "layers", "spans", "relations", "statuses",
                  "rejections", "suggested", "patterns")
        total = " + ".join(f"(SELECT count(*) FROM {t})" for t in tables)
        n = int(self.db.execute(f"SELECT {total}").fetchone()[0])
        others = self.db.execute("SELECT count(*) FROM settings WHERE key != 'app'").fetchone()[0]
        return n == 0 and int(others) == 0

    def discard_if_untouched(self) -> bool:
        """Close the store, and delete its file when nobody could have used it: a creating
        command that failed calls this instead of deleting the file itself.

        The file goes only when it holds nothing but the empty schema AND no other connection
        has it open (leaving WAL mode needs that; the check and the deletion happen under an
        exclusive lock). Returns True when the file was deleted. A process that opened the file
        in the instant before gets SQLite's "deleted or moved" error on its first write, never
        a silent loss.
        """
        if self.path == ":memory:" or self.read_only:
            self.close()
            return False
        conn = self.db.conn
        deleted = False
        try:
            if conn.in_transaction:
                conn.rollback()
            conn.execute("PRAGMA busy_timeout = 0")
            if conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] != "delete":
                return False
            conn.execute("BEGIN EXCLUSIVE")
            try:
                if self.is_untouched():
                    for suffix in ("", "-journal", "-wal", "-shm"):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(f"{self.path}{suffix}")
                    deleted = True
            finally:
                conn.rollback()
            if not deleted:
                conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error:  # another connection has the file open: it is not ours alone
            return False
        finally:
            self.close()
        return deleted
