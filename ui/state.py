"""The application state: the open project, who is annotating, the undo stack.

One change signal (:attr:`AppState.changed`, with a topic) tells every view what to refresh;
views never call each other. Every edit goes through :meth:`AppState.apply`: it is committed
to the project file at once, pushed as one undoable command, and announced.

Topics: ``"spans"``, ``"relations"``, ``"labels"``, ``"status"``, ``"documents"``,
``"settings"``, ``"annotator"``, ``"suggestions"``.
"""

from __future__ import annotations


import logging
from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotator.edits import (
    AddRelation,
    AddSpan,
    Batch,
    DeleteRelation,
    DeleteSpan,
    Edit,
    Relabel,
    RelabelRelation,
    Reject,
    Resize,
    RestoreSpan,
    SetStatus,
    Unreject,
)
from corpus.errors import AnnotationError, CorpusError
from corpus.model import DocumentStatus, Label, LabelKind
from corpus.store import Store
from ui.commands import EditCommand

__all__ = ["AppState", "TOPICS", "edit_topics", "edit_doc_ids"]

log = logging.getLogger(__name__)

TOPICS = ("spans", "relations", "labels", "status", "documents", "settings", "annotator", "suggestions")


def _flatten(edit: Edit) -> Iterable[Edit]:
    if isinstance(edit, Batch):
        for e in edit.edits:
            yield from _flatten(e)
    else:
        yield edit


def edit_topics(edit: Edit) -> list[str]:
    """What an edit changes, as change-signal topics (ordered, unique)."""
    out: list[str] = []
    for e in _flatten(edit):
        if isinstance(e, (AddSpan, DeleteSpan, RestoreSpan, Relabel, Resize)):
            topics = ("spans", "relations")
        elif isinstance(e, (AddRelation, DeleteRelation, RelabelRelation)):
            topics = ("relations",)
        elif isinstance(e, (Reject, Unreject)):
            topics = ("spans",)
        elif isinstance(e, SetStatus):
            topics = ("status",)
        else:
            topics = ("spans", "relations", "status")
        for t in topics:
            if t not in out:
                out.append(t)
    return out


def edit_doc_ids(edit: Edit) -> set[int]:
    """Documents an edit names directly (spans/relations/status/rejections)."""
    out: set[int] = set()
    for e in _flatten(edit):
        for attr in ("span", "relation"):
            obj = getattr(e, attr, None)
            if obj is not None and getattr(obj, "doc_id", None) is not None:
                out.add(obj.doc_id)
        d = getattr(e, "doc_id", None)
        if isinstance(d, int):
            out.add(d)
    return out


class AppState(QObject):
    """The open project as the window sees it.

    Attributes: ``store`` (the GUI thread's :class:`Store`), ``path``, ``annotator``,
    ``undo_stack``, ``current_doc_id``.
    """

    #: Something changed; the topic says what (see module docstring).
    changed = Signal(str)
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
        #: True while the topics of one edit are being announced (views may wait for :attr:`saved`)
        self.announcing = False
        if annotator:
            store.add_annotator(annotator)
        self.changed.connect(self._on_changed)

    # -- labels (cached; refreshed on the "labels" topic) -------------------------------------
    def _on_changed(self, topic: str) -> None:
        if topic == "labels":
            self._labels = None

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
        self.changed.emit("annotator")

    # -- documents -----------------------------------------------------------------------------
    def open_document(self, doc_id: int | None) -> None:
        """Show another document (emits :attr:`documentSelected`)."""
        if doc_id is None:
            return
        self.current_doc_id = int(doc_id)
        self.documentSelected.emit(int(doc_id))

    def notify(self, topic: str) -> None:
        """Announce a change made outside :meth:`apply` (an import, a suggestion run...)."""
        if topic == "labels":
            self._labels = None
        self.changed.emit(topic)

    # -- edits ---------------------------------------------------------------------------------
    def _with_status(self, edit: Edit) -> Edit:
        """Add "in progress" to the first edit of a document still to do."""
        topics = edit_topics(edit)
        if topics == ["status"]:
            return edit
        docs = edit_doc_ids(edit)
        if not docs and self.current_doc_id is not None:
            docs = {self.current_doc_id}
        extra: list[Edit] = []
        for d in sorted(docs):
            if self.store.status(d, self.annotator) is DocumentStatus.TODO:
                extra.append(SetStatus(d, self.annotator, DocumentStatus.IN_PROGRESS))
        if not extra:
            return edit
        return Batch((edit, *extra), description=getattr(edit, "description", "Edit"))

    def apply(self, edit: Edit) -> bool:
        """Apply an edit: on disk at once, one undo step, announced. Returns ``True`` when done.

        An edit the project refuses (:class:`AnnotationError`, or any other
        :class:`CorpusError`) is reported through :attr:`errorOccurred`; the undo stack is
        untouched.
        """
        edit = self._with_status(edit)
        try:
            inverse = edit.apply(self.store)
        except CorpusError as exc:
            self.errorOccurred.emit(str(exc))
            return False
        cmd = EditCommand(lambda: self.store, edit, inverse, self._applied, self._failed, doc_id=self.current_doc_id)
        self.undo_stack.push(cmd)
        self._announce(edit)
        return True

    def _applied(self, edit: Edit, _undo: bool, cmd: EditCommand | None = None) -> None:
        if cmd is not None and cmd.doc_id is not None and cmd.doc_id != self.current_doc_id:
            self.open_document(cmd.doc_id)  # show what is being undone or redone
        self._announce(edit)

    def _failed(self, exc: BaseException) -> None:
        self.errorOccurred.emit(str(exc) if isinstance(exc, CorpusError) else f"could not undo/redo: {exc}")
        for t in ("spans", "relations", "status"):
            self.changed.emit(t)

    def _announce(self, edit: Edit) -> None:
        self.announcing = True
        try:
            for t in edit_topics(edit):
                self.changed.emit(t)
        finally:
            self.announcing = False
        self.saved.emit()

    def close(self) -> None:
        """Close the project file (everything is already on disk)."""
        self.undo_stack.clear()
        self.store.close()
