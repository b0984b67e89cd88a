"""One error hierarchy for the whole program.

Every error a user can cause (bad input, a foreign or newer project file, a locked file) is a
:class:`CorpusError` whose message is one line naming the file, line or document at fault. The
command line prints that line and exits non-zero; the window shows it in one dialog.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CorpusError",
    "InputError",
    "ProjectError",
    "ProjectLockedError",
    "NotAProjectError",
    "NewerProjectError",
    "OlderProjectError",
    "AnnotationError",
    "ExportError",
    "MergeConflictError",
]


class CorpusError(Exception):
    """Base of every error meant for the user (one clear line, no traceback)."""


class InputError(CorpusError):
    """A file given to an importer is unusable.

    The message names the file and, when known, the line (1-based)."""

    def __init__(self, path: str | Path | None, message: str, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")


class ProjectError(CorpusError):
    """The project file cannot be opened or used."""


class NotAProjectError(ProjectError):
    """The file exists but is not a project file of this program."""


class NewerProjectError(ProjectError):
    """The project file was written by a newer version of this program."""


class OlderProjectError(ProjectError):
    """The project file has an older schema and may not be migrated here (e.g. a merge source)."""


class ProjectLockedError(ProjectError):
    """Another program holds a write lock on the project file for too long."""


class AnnotationError(CorpusError):
    """An edit would break a rule of the project (overlap, unknown label, missing span...)."""


class ExportError(CorpusError):
    """An export cannot be written as asked."""


class MergeConflictError(CorpusError):
    """Two project files hold different edits by the same annotator on the same document."""
