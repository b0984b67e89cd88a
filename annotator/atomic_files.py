"""File-system moves that are all or nothing, and the clean-up of what killed jobs leave.

* :func:`exchange_folders` swaps two folders in one step (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``): exports land this way.
* :func:`place_new` puts a finished file at a path that must not exist yet, never replacing one
  that appeared meanwhile (a hard link, else ``RENAME_NOREPLACE``): a creating import lands
  this way.
* Private working names carry the process id (``<prefix><pid>-<random>``);
  :func:`remove_stale` removes those whose process is gone.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["exchange_folders", "place_new", "private_name", "remove_stale"]

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP)


def _load_renameat2() -> Callable[..., int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


_RENAMEAT2 = _load_renameat2()


def _renameat2(a: Path, b: Path, flags: int) -> bool | None:
    """``True`` done, ``None`` not supported here; raises ``OSError`` for other failures."""
    if _RENAMEAT2 is None:
        return None
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return None
    raise OSError(err, os.strerror(err), str(b))


def can_exchange() -> bool:
    """Whether this system has ``renameat2`` (file systems may still refuse an exchange)."""
    return _RENAMEAT2 is not None


def exchange_folders(a: Path, b: Path) -> bool:
    """Atomically swap the folders ``a`` and ``b`` (both exist); ``False`` when the system or
    the file system cannot."""
    return bool(_renameat2(a, b, _RENAME_EXCHANGE))


def place_new(src: Path, dest: Path) -> bool:
    """Move the file ``src`` to ``dest`` unless ``dest`` exists (then ``False``, ``src`` kept).

    Never replaces a file that appears at ``dest`` meanwhile: a hard link (atomic, fails when
    ``dest`` exists) then removing ``src``; where links are impossible, ``RENAME_NOREPLACE``;
    only where neither exists, a check then a rename.
    """
    try:
        os.link(src, dest)
    except FileExistsError:
        return False
    except OSError:
        try:
            done = _renameat2(src, dest, _RENAME_NOREPLACE)
        except FileExistsError:
            return False
        if done:
            return True
        if dest.exists():
            return False
        os.rename(src, dest)
        return True
    os.unlink(src)
    return True


def private_name(folder: Path, prefix: str, suffix: str = "") -> Path:
    """A path in ``folder`` no one else uses: ``<prefix><pid>-<random><suffix>``."""
    return folder / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(name: str, prefix: str) -> bool:
    """Whether ``name`` (``<prefix><pid>-...``) belongs to a process that is gone; a name
    without a process id (an older version of this program) counts as stale."""
    rest = name[len(prefix):]
    pid_text = rest.split("-", 1)[0]
    if pid_text.isdigit() and "-" in rest:
        return not _pid_alive(int(pid_text))
    return True


def remove_stale(folder: Path, prefix: str, *, folders: bool) -> list[str]:
    """Remove the entries ``<prefix>...`` of ``folder`` left by processes that are gone
    (folders, or files when ``folders`` is false); returns their names."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or entry.is_dir(follow_symlinks=False) != folders:
            continue
        if not is_stale(entry.name, prefix):
            continue
        if folders:
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                continue
        removed.append(entry.name)
    return removed
