"""Where an export writes while it runs, and how it lands: all or nothing up to the last rename.

A folder export (spaCy's three files, brat's two files per document) is written into a hidden
staging folder BESIDE the output folder (``OUT/../.export-<pid>-<random>``, the same file
system), and lands by one atomic exchange of the two folders (Linux ``renameat2`` with
``RENAME_EXCHANGE``): a kill at any moment leaves ``OUT`` either as it was or holding the whole
new export, never a mix. Before the exchange, what ``OUT`` holds that the export does not write
(the user's ``visual.conf``, a README, the project file...) is hard-linked into the staging
folder (copied where links are impossible), so it is still in ``OUT`` afterwards, and a folder
in the way of an output file is refused before anything moves. The old folder, now under the
staging name, is then removed.

Where the exchange is impossible or unwise (``OUT`` is the working folder or a mount point, its
parent folder is not writable, the system has no ``renameat2``, or ``OUT`` holds an SQLite
database, such as the project file itself, whose journal a running program expects to find
there), the files are renamed into place one by one, as single-file exports always are (one
rename is atomic).

A staging folder left by a killed export (``.export-<pid>-...`` whose process is gone, or an
``.export-*`` folder of an earlier version of this program) is removed by the next export to or
beside the same folder.
"""

from __future__ import annotations

import os
import shutil
import stat
import secrets
from pathlib import Path

from corpus.errors import ExportError

from annotator.atomic_files import can_exchange, exchange_folders, remove_stale

__all__ = ["PREFIX", "Staging", "clean_stale", "exchange_folders"]

#: Name prefix of staging folders (hidden).
PREFIX = ".export-"


def clean_stale(folder: Path) -> list[str]:
    """Remove the staging folders killed exports left in ``folder``; returns their names."""
    return remove_stale(folder, PREFIX, folders=True)


def _new_staging_dir(parent: Path) -> Path:
    """A new hidden folder in ``parent``, with the mode a new folder gets here (the umask's):
    it becomes the output folder when the export lands in a folder that did not exist."""
    while True:
        path = parent / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return path


def _can_swap(target: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        cwd = None
    if cwd is not None and (cwd == target or target in cwd.parents):
        return False  # the shell would be left in a removed folder
    if target.exists() and os.path.ismount(target):
        return False
    return can_exchange() and os.access(target.parent, os.W_OK | os.X_OK)


def _carry(src: Path, dest: Path) -> None:
    """Put ``src`` (a file, link or folder of the old OUT) at ``dest`` without copying data
    where a hard link can do it."""
    st = os.lstat(src)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), dest)
    elif stat.S_ISDIR(st.st_mode):
        os.mkdir(dest)
        for child in os.scandir(src):
            _carry(Path(child.path), dest / child.name)
        shutil.copystat(src, dest)
    elif stat.S_ISREG(st.st_mode):
        try:
            os.link(src, dest)
        except OSError:
            shutil.copy2(src, dest)
    else:
        raise ExportError(f"{src}: not a file or folder (a pipe or socket); cannot keep it in the new export")


_SQLITE_HEADER = b"SQLite format 3\x00"


def _is_database(path: Path) -> bool:
    """An SQLite database or one of its journals (a project file kept in the output folder)."""
    if path.name.endswith(("-wal", "-shm", "-journal")):
        return True
    try:
        if not path.is_file() or path.is_symlink():
            return False
        with open(path, "rb") as fh:
            return fh.read(16) == _SQLITE_HEADER
    except OSError:
        return False


class Staging:
    """The staged files of one export (see the module docstring).

    ``swap=True``: a folder export landing by exchanging folders; ``swap=False``: files renamed
    one by one into ``out_dir`` (single-file exports). :meth:`path` gives the staged path of a
    final file; :meth:`commit` lands them and returns their final paths; :meth:`abort` removes
    everything staged (safe to call after :meth:`commit`).
    """

    def __init__(self, out_dir: Path, *, swap: bool) -> None:
        self.out_dir = out_dir
        if out_dir.exists() and not out_dir.is_dir():
            raise ExportError(f"{out_dir}: is a file, not a folder")
        self.target = out_dir.resolve() if out_dir.exists() else out_dir.absolute()
        self.names: list[str] = []
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.swap = swap and _can_swap(self.target)
            if not self.swap:
                self.target.mkdir(exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
        if not self.swap and not self.target.is_dir():
            raise ExportError(f"{out_dir}: not a folder")
        clean_stale(self.target.parent)
        if self.target.is_dir():
            clean_stale(self.target)
        try:
            self.dir = _new_staging_dir(self.target.parent if self.swap else self.target)
        except OSError as exc:
            raise ExportError(f"{out_dir}: cannot write there ({exc.strerror or exc})") from None

    def path(self, name: str) -> Path:
        """Staged path for the final file ``out_dir/name`` (``name`` is a plain file name)."""
        if not name or "/" in name or "\\" in name or name in (".", "..") or os.sep in name:
            raise ExportError(f"{name!r}: not a plain file name")
        if name not in self.names:
            self.names.append(name)
        return self.dir / name

    def written(self) -> list[str]:
        """Names of the files staged so far."""
        return [name for name in self.names if (self.dir / name).exists()]

    def _check_in_the_way(self, names: list[str]) -> None:
        # Before moving anything: a folder in the way of the last file must not leave the first
        # ones replaced (half an export).
        for name in names:
            if (self.target / name).is_dir() and not (self.target / name).is_symlink():
                raise ExportError(f"{self.out_dir / name}: a folder is in the way of the output file")

    def commit(self) -> list[str]:
        """Land the staged files in the output folder; returns their final paths."""
        names = self.written()
        self._check_in_the_way(names)
        if self.swap:
            self._commit_swap(names)
        else:
            for name in names:
                os.replace(self.dir / name, self.target / name)
        shutil.rmtree(self.dir, ignore_errors=True)
        return [str(self.out_dir / name) for name in names]

    def _commit_swap(self, names: list[str]) -> None:
        if self.target.is_dir():
            keep = set(names)
            foreign = [Path(e.path) for e in os.scandir(self.target) if e.name not in keep and not e.name.startswith(PREFIX)]
            if any(_is_database(p) for p in foreign):
                # A program may be writing that database: its journal must stay where it looks
                # for it, so this export lands file by file instead of by exchanging folders.
                for name in names:
                    os.replace(self.dir / name, self.target / name)
                return
            for path in foreign:
                _carry(path, self.dir / path.name)
            os.chmod(self.dir, stat.S_IMODE(os.stat(self.target).st_mode))
            if not exchange_folders(self.dir, self.target):
                # no atomic exchange here after all: land the files one by one in place
                for name in names:
                    os.replace(self.dir / name, self.target / name)
            # self.dir now holds the old folder (or what is left of the staging): removed below
        else:
            os.rename(self.dir, self.target)

    def abort(self) -> None:
        """Remove everything staged."""
        shutil.rmtree(self.dir, ignore_errors=True)

