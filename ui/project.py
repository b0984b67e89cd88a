"""Opening a project for the window, and asking who is annotating."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from corpus.store import Store
from ui.state import AppState

__all__ = ["open_state", "ask_annotator", "default_annotator_name", "GUI_BUSY_TIMEOUT_S"]

#: The window writes on its GUI thread: while another program holds the write lock (an import
#: runs), an edit waits at most this long, then says the file is locked, instead of freezing.
GUI_BUSY_TIMEOUT_S = 0.5


def ask_annotator(parent: QWidget | None, current: str = "") -> str | None:
    """Ask who is annotating (the name of their layer). ``None`` when cancelled."""
    while True:
        name, ok = QInputDialog.getText(
            parent, "Who is annotating?",
            "Your name (your annotations are kept in a layer of this name):", text=current,
        )
        if not ok:
            return None
        name = name.strip()
        if name and name not in ("gold",) and ":" not in name:
            return name
        QMessageBox.warning(parent, "Who is annotating?", "Please enter a name (not \u201cgold\u201d, no colon).")


def default_annotator_name() -> str:
    """The login name, offered when the program first asks who is annotating ("" if unknown)."""
    import getpass

    try:
        name = getpass.getuser().strip()
    except Exception:  # noqa: BLE001 - no login name in this environment
        return ""
    return "" if (not name or name == "gold" or ":" in name) else name


def open_state(path: str, annotator: str, *, create: bool = False) -> AppState:
    """Open a project for the window (raises :class:`CorpusError` subclasses with clear text)."""
    store = Store(path, create=create, busy_timeout=GUI_BUSY_TIMEOUT_S)
    try:
        if not store.labels():
            from corpus.resources import default_labels

            store.set_labels(default_labels())
        return AppState(store, annotator)
    except Exception:
        store.close()
        raise
