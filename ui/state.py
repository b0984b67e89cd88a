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
from dataclasses import dataclass

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

__all__ = ["AppState", "TOPICS", "EditChange", "edit_change", "edit_topics", "edit_doc_ids", "edit_layers"]

log = logging.getLogger(__name__)

TOPICS = ("spans", "relations", "labels", "status", "documents", "settings", "annotator", "suggestions")


def _flatten(edit: Edit) -> Iterable[Edit]:
    if isinstance(edit, Batch):
        for e in edit.edits:
            yield from _flatten(e)
    else:
        yield edit


def edit_topics(edit: Edit) -> list[str]:
    """What an edit changes, as change-signal topics (ordered, unique).

    An edit that says what it changes (a ``topics`` attribute, like the labels dialog's rename)
    is taken at its word; the edits of :mod:`annotator.edits` are known; anything else refreshes
    spans, relations and status.
    """
    out: list[str] = []
    for e in _flatten(edit):
        own = getattr(e, "topics", None)
        if own is not None:
            topics = tuple(str(t) for t in own)
        elif isinstance(e, (AddSpan, DeleteSpan, RestoreSpan, Relabel, Resize)):
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


@dataclass(frozen=True)
class EditChange:
    """What one applied edit changed, so a view can refresh just that.

    ``span_ids``: spans added, removed, relabelled or moved (any layer; a view keeps those of
    its own document and layer); ``relations``: relations may have changed (added, removed,
    relabelled, or taken along by a deleted span); ``rejections``: rejected suggestions
    changed; ``full``: the edit is not one of :mod:`annotator.edits` (a label rename...), so
    refresh everything.
    """

    span_ids: frozenset[int] = frozenset()
    relations: bool = False
    rejections: bool = False
    full: bool = False


def edit_change(edit: Edit, inverse: Edit | None = None) -> EditChange:
    """What ``edit`` (applied, with its ``inverse``) changed; see :class:`EditChange`.

    Both are read because each knows half: an added span's id is in the inverse (the delete).
    """
    ids: set[int] = set()
    relations = rejections = full = False
    for whole in (edit, inverse):
        if whole is None:
            continue
        for e in _flatten(whole):
            if getattr(e, "topics", None) is not None:
                full = True
            elif isinstance(e, (AddSpan, RestoreSpan)):
                if e.span.id is not None:
                    ids.add(e.span.id)
                relations = relations or isinstance(e, RestoreSpan)
            elif isinstance(e, DeleteSpan):
                ids.add(e.span_id)
                relations = True  # its relations go with it
            elif isinstance(e, (Relabel, Resize)):
                ids.add(e.span_id)
            elif isinstance(e, (AddRelation, DeleteRelation, RelabelRelation)):
                relations = True
            elif isinstance(e, (Reject, Unreject)):
                rejections = True
            elif not isinstance(e, SetStatus):
                full = True
    return EditChange(frozenset(ids), relations, rejections, full)


def edit_layers(edit: Edit, store: Store) -> set[tuple[int | None, str]]:
    """The (document, layer) pairs an edit writes to, looked up *before* it is applied.

    Edits naming a span or relation by id are resolved through the store; rejections and
    statuses belong to their annotator's layer; an edit naming no layer (a label rename)
    touches none.
    """
    out: set[tuple[int | None, str]] = set()
    for e in _flatten(edit):
        found = False
        for attr in ("span", "relation"):
            obj = getattr(e, attr, None)
            layer = getattr(obj, "layer", None)
            if isinstance(layer, str):
                out.add((getattr(obj, "doc_id", None), layer))
                found = True
        if found:
            continue
        sid = getattr(e, "span_id", None)
        if isinstance(sid, int):
            sp = store.get_span(sid)
            if sp is not None:
                out.add((sp.doc_id, sp.layer))
            continue
        rid = getattr(e, "relation_id", None)
        if isinstance(rid, int):
            rel = store.get_relation(rid)
            if rel is not None:
                out.add((rel.doc_id, rel.layer))
            continue
        doc = getattr(e, "doc_id", None)
        for attr in ("annotator", "layer"):
            who = getattr(e, attr, None)
            if isinstance(who, str) and isinstance(doc, int):
                out.add((doc, who))
                break
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
        #: while an edit (or its undo/redo) is announced: what it changed; ``None`` otherwise
        #: (then a view refreshes everything the topic names)
        self.last_change: EditChange | None = None
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
        """Add "in progress" to the person's first edit of a document still to do.

        Only an edit that writes to the person's own layer counts: renaming a label, or a
        reviewer's edit of ``gold``, is not that person working on the document.
        """
        topics = edit_topics(edit)
        if topics == ["status"]:
            return edit
        me = self.annotator
        docs: set[int] = set()
        for doc, layer in edit_layers(edit, self.store):
            if layer == me:
                if doc is None:
                    doc = self.current_doc_id
                if doc is not None:
                    docs.add(doc)
        # a status the edit sets itself is not overridden
        docs -= {e.doc_id for e in _flatten(edit) if isinstance(e, SetStatus) and e.annotator == me}
        extra: list[Edit] = []
        for d in sorted(docs):
            if self.store.status(d, me) is DocumentStatus.TODO:
                extra.append(SetStatus(d, me, DocumentStatus.IN_PROGRESS))
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
        self._announce(edit, inverse)
        return True

    def _applied(self, edit: Edit, undo: bool, cmd: EditCommand | None = None) -> None:
        if cmd is not None and cmd.doc_id is not None and cmd.doc_id != self.current_doc_id:
            self.open_document(cmd.doc_id)  # show what is being undone or redone
        inverse = None if cmd is None else (cmd.edit if undo else cmd.inverse)
        self._announce(edit, inverse)

    def _failed(self, exc: BaseException) -> None:
        self.errorOccurred.emit(str(exc) if isinstance(exc, CorpusError) else f"could not undo/redo: {exc}")
        for t in ("spans", "relations", "status"):
            self.changed.emit(t)

    def _announce(self, edit: Edit, inverse: Edit | None = None) -> None:
        self.last_change = edit_change(edit, inverse) if inverse is not None else None
        try:
            self.announcing = True
            try:
                for t in edit_topics(edit):
                    self.changed.emit(t)
            finally:
                self.announcing = False
            self.saved.emit()
        finally:
            self.last_change = None

    def close(self) -> None:
        """Close the project file (everything is already on disk)."""
        self.undo_stack.clear()
        self.store.close()
