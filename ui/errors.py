"""The one place that shows errors to the person at the screen.

:func:`show_error` turns any exception into a dialog: a :class:`corpus.errors.CorpusError`
is shown as its one line (it names the file, line or document at fault); anything else gets a
short message with the traceback under "Show Details...". :func:`install_excepthook` routes
uncaught exceptions of the application (e.g. raised in a slot) to the same dialog, so a bug
never ends as a silent traceback on a terminal nobody looks at.
"""

from __future__ import annotations


import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from corpus.errors import (
    CorpusError,
    NewerProjectError,
    NotAProjectError,
    OlderProjectError,
    ProjectError,
    ProjectLockedError,
)

__all__ = ["show_error", "error_text", "install_excepthook", "uninstall_excepthook"]

log = logging.getLogger(__name__)

#: Every error shown (title, text), most recent last; tests read it, nothing else does.
shown: list[tuple[str, str]] = []


def _title_for(exc: BaseException) -> str:
    if isinstance(exc, NewerProjectError):
        return "Project made by a newer version"
    if isinstance(exc, OlderProjectError):
        return "Project made by an older version"
    if isinstance(exc, ProjectLockedError):
        return "Project file is locked"
    if isinstance(exc, NotAProjectError):
        return "Not a project file"
    if isinstance(exc, ProjectError):
        return "Cannot open the project"
    if isinstance(exc, CorpusError):
        return "Cannot do that"
    return "Unexpected error"


def error_text(exc: BaseException) -> str:
    """The line a person reads for ``exc`` (no traceback)."""
    if isinstance(exc, CorpusError):
        return str(exc)
    msg = str(exc) or exc.__class__.__name__
    return f"Something went wrong ({exc.__class__.__name__}: {msg}). Your saved work is safe."


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None,
               details: str | None = None) -> None:
    """Show ``exc`` in a dialog over ``parent``.

    ``details`` (a formatted traceback) is used for unexpected errors; when omitted it is
    taken from the exception itself.
    """
    title = title or _title_for(exc)
    text = error_text(exc)
    shown.append((title, text))
    if not isinstance(exc, CorpusError):
        log.error("unexpected error: %s", text, exc_info=(type(exc), exc, exc.__traceback__))
    if QApplication.instance() is None:  # pragma: no cover - no GUI to show it in
        print(f"{title}: {text}", file=sys.stderr)
        return
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if isinstance(exc, CorpusError) else QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setText(text)
    if not isinstance(exc, CorpusError):
        if details is None:
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


_previous_hook = None
_in_hook = False


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    global _in_hook
    if issubclass(exc_type, KeyboardInterrupt):
        if _previous_hook is not None:
            _previous_hook(exc_type, exc, tb)
        return
    if _in_hook:  # an error while showing an error: do not loop
        sys.__excepthook__(exc_type, exc, tb)
        return
    _in_hook = True
    try:
        app = QApplication.instance()
        parent = app.activeWindow() if app is not None else None  # type: ignore[union-attr]
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        show_error(parent, exc, details=details)
    except Exception:  # pragma: no cover - last resort
        sys.__excepthook__(exc_type, exc, tb)
    finally:
        _in_hook = False


def install_excepthook() -> None:
    """Show uncaught exceptions in a dialog instead of losing them on stderr."""
    global _previous_hook
    if sys.excepthook is not _hook:
        _previous_hook = sys.excepthook
        sys.excepthook = _hook


def uninstall_excepthook() -> None:
    """Restore the hook that was there before :func:`install_excepthook`."""
    global _previous_hook
    if sys.excepthook is _hook:
        sys.excepthook = _previous_hook or sys.__excepthook__
        _previous_hook = None
