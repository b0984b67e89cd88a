"""The application state: the open project, who is annotating, the undo stack.

One change signal (:attr:`AppState.changed`) carries a :class:`~annotator.changes.Changes`
report: every view refreshes from it, never from the kind of edit, and views never call each
other. Every edit goes through :meth:`AppState.apply`: it is committed to the project file at
once (with the person's "in progress" status when it is their first edit of a document, see
:func:`annotator.session.apply_as`), pushed as one undoable command, and announced with the
edit's own report. :meth:`AppState.undo` and :meth:`AppState.redo` work on the project file
before the stack moves: a refused undo (the file is locked) keeps its step and says so.

Long jobs announce what they changed with :meth:`AppState.announce`.
"""

from __future__ import annotations

import logging
import sqlite3

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotator.changes import Changes
from annotator.edits import Edit
from annotator.session import apply_as
from corpus.errors import AnnotationError, CorpusError, ProjectLockedError
from corpus.model import Label, LabelKind
from corpus.store import Store
from ui.commands import EditCommand, leaves

__all__ = ["AppState"]

log = logging.getLogger(__name__)

def _error_text(exc: BaseException, what: str) -> str:
    """One line for the status bar."""
    if isinstance(exc, CorpusError):
        return str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return str(ProjectLockedError(f"the project file is locked by another program ({exc})"))
    return f"could not {what}: {exc}"


class AppState(QObject):
    """The open project as the window sees it.

    Attributes: ``store`` (the GUI thread's :class:`Store`), ``path``, ``annotator``,
    ``undo_stack``, ``current_doc_id``.
    """

    #: Something changed: the report says what (see :class:`annotator.changes.Changes`).
    changed = Signal(object)
    #: The document shown in the window changed.
    documentSelected = Signal(int)
    #: An edit was refused or failed; the text is one line for the status bar.
    errorOccurred = Signal(str)
    #: An edit reached the project file (the status bar shows "Saved").
    saved = Signal()

    def __init__(self, store: Store, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.path = store.path
        self.annotator = annotator
        self.undo_stack = QUndoStack(self)
        self.current_doc_id: int | None = None
        self._labels: dict[str, list[Label]] | None = None
        #: what the last successful :meth:`apply` changed
        self.last_changes = Changes()
        if annotator:
            store.add_annotator(annotator)

    # -- labels (cached; dropped when a report says the labels changed) -----------------------
    def labels(self, kind: LabelKind | str = LabelKind.ENTITY) -> list[Label]:
        """The project's labels of one kind, in palette order (cached)."""
        if self._labels is None:
            self._labels = {"entity": [], "relation": []}
            for lab in self.store.labels():
                self._labels[LabelKind(lab.kind).value].append(lab)
        return list(self._labels[LabelKind(kind).value])

    def label_color(self, name: str, kind: LabelKind | str = LabelKind.ENTITY) -> str:
        """The colour of a label (a neutral grey for a label not in the schema)."""
        for lab in self.labels(kind):
            if lab.name == name:
                return lab.color
        return "#cccccc"

    def label_colors(self, kind: LabelKind | str = LabelKind.ENTITY) -> dict[str, str]:
        """Label name -> colour, for one kind."""
        return {lab.name: lab.color for lab in self.labels(kind)}

    # -- people --------------------------------------------------------------------------------
    def set_annotator(self, name: str) -> None:
        """Switch who is annotating (their layer becomes the one edited)."""
        name = name.strip()
        if not name:
            raise AnnotationError("an annotator needs a name")
        if name == self.annotator:
            return
        self.store.add_annotator(name)
        self.annotator = name
        self.undo_stack.clear()  # the history belongs to the previous person
        self.announce(Changes(annotator=True))

    # -- documents -----------------------------------------------------------------------------
    def open_document(self, doc_id: int | None) -> None:
        """Show another document (emits :attr:`documentSelected`)."""
        if doc_id is None:
            return
        self.current_doc_id = int(doc_id)
        self.documentSelected.emit(int(doc_id))

    # -- announcing ----------------------------------------------------------------------------
    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (an edit, an import, a suggestion run...)."""
        if not changes:
            return
        if changes.labels:
            self._labels = None
        self.changed.emit(changes)

    # -- edits ---------------------------------------------------------------------------------
    def apply(self, edit: Edit) -> bool:
        """Apply an edit: on disk at once, one undo step, announced. Returns ``True`` when done.

        An edit the project refuses (:class:`AnnotationError`, a locked file, any other
        :class:`CorpusError`) is reported through :attr:`errorOccurred`; the undo stack is
        untouched.
        """
        try:
            forward, inverse, changes = apply_as(self.store, edit, self.annotator)
        except (CorpusError, sqlite3.OperationalError) as exc:
            self.errorOccurred.emit(_error_text(exc, "save the edit"))
            return False
        cmd = EditCommand(lambda: self.store, forward, inverse, self._applied, self._failed,
                          doc_id=self.current_doc_id)
        cmd.stack = self.undo_stack
        self.undo_stack.push(cmd)
        self.last_changes = changes
        self.announce(changes)
        self.saved.emit()
        return True

    def undo(self) -> bool:
        """Undo the last step on the project file, then move the stack. ``False`` (with the
        reason on :attr:`errorOccurred`, the step kept) when the file refused."""
        return self._move(undo=True)

    def redo(self) -> bool:
        """Redo the next step (see :meth:`undo`)."""
        return self._move(undo=False)

    def _move(self, undo: bool) -> bool:
        stack = self.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return False
        cmd = stack.command(stack.index() - 1 if undo else stack.index())
        parts = leaves(cmd)
        if undo:
            parts.reverse()
        results = []
        try:
            with self.store.transaction():  # a macro's steps land together or not at all
                for part in parts:
                    results.append(part.apply_undo() if undo else part.apply_redo())
        except (CorpusError, sqlite3.OperationalError) as exc:
            self.errorOccurred.emit(_error_text(exc, "undo" if undo else "redo"))
            return False
        for part, (result, _changes) in zip(parts, results):
            part.settle(undo, result)
        (stack.undo if undo else stack.redo)()
        self._applied(Changes.union(c for _r, c in results), parts[0] if parts else None)
        return True

    def _applied(self, changes: Changes, cmd: EditCommand | None = None) -> None:
        if cmd is not None and cmd.doc_id is not None and cmd.doc_id != self.current_doc_id:
            self.open_document(cmd.doc_id)  # show what is being undone or redone
        self.announce(changes)
        self.saved.emit()

    def _failed(self, exc: BaseException) -> None:
        self.errorOccurred.emit(_error_text(exc, "undo/redo"))

    def close(self) -> None:
        """Close the project file (everything is already on disk)."""
        self.undo_stack.clear()
        self.store.close()
