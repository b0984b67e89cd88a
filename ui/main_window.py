"""The main window: it composes, it does not decide (napari's viewer).

The parts, each in its own module:

* :mod:`ui.actions`: every action in one table; menus, toolbar and the F1 dialog read it;
* :mod:`ui.controller`: what a key press in the document means (labelling, relation mode);
* :mod:`ui.annotations`: the annotation model the view and the tables listen to, kept current
  by the :class:`~annotator.changes.Changes` each edit reports;
* :mod:`ui.jobs`: background work (suggesting, matching, importing);
* :mod:`ui.panels`: the dock panels, as registry entries;
* :mod:`ui.state`: the open project, its undo stack and its one ``changed`` signal.

Edits go through :meth:`AppState.apply` (one undo step each, on disk at once); the window
refreshes from :attr:`AppState.changed`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import Changes
from annotator.edits import Batch, Edit, SetStatus
from corpus.formats.registry import file_dialog_filter
from corpus.errors import CorpusError, NotAProjectError
from corpus.model import Document, DocumentStatus, LabelKind
from corpus.store.documents import next_document_id
from corpus.store.layers import status_counts
from ui import actions as actions_mod
from ui.annotations import AnnotationPresenter
from ui.controller import LabelController
from ui.demo import open_demo as _open_demo
from ui.document_view import DocumentView
from ui import done as done_mod
from ui.errors import show_error
from ui.find_bar import FindBar
from ui.span_info import SpanInfoEditor
from ui.jobs import WindowJobs
from ui.keys import Jumper, remember_zoom
from ui.learning import LearningLoop
from ui.palette import KEYS
from ui.panels import PanelSpec, registered_panels
from ui.project import GUI_BUSY_TIMEOUT_S, ask_annotator, default_annotator_name, open_state
from ui.state import AppState
from ui.style import STATUS_TEXT
from ui.windows import OtherWindows
from ui.worker import JobHandle

__all__ = ["MainWindow", "open_state", "ask_annotator", "default_annotator_name", "SETTINGS_ANNOTATOR", "GUI_BUSY_TIMEOUT_S"]

log = logging.getLogger(__name__)

SETTINGS_ANNOTATOR = "annotator"
SETTINGS_LAST = "last_project"
SETTINGS_RECENT = "recent_projects"
SETTINGS_AUTO_SUGGEST = "auto_suggest"
SETTINGS_AUTO_PROPAGATE = "auto_propagate"
FILE_FILTER = "Annotation projects (*.db *.sqlite *.annot);;All files (*)"


def _n(count: int, noun: str) -> str:
    """"1 span", "2 spans", "1,204 tokens"."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _bool(v: object, default: bool) -> bool:
    if v is None:
        return default
    if isinstance(v, str):
        return v.lower() in ("1", "true", "yes")
    return bool(v)


class MainWindow(QMainWindow):
    """The annotation window (works with or without an open project)."""

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Corpus Label Desk")
        self.state: AppState | None = None
        self.settings = QSettings()
        self.windows = OtherWindows(self, lambda: self.state)
        self.auto_suggest = _bool(self.settings.value(SETTINGS_AUTO_SUGGEST), True)
        self.view = DocumentView(self)
        self._build_centre()
        self._docks: dict[str, QDockWidget] = {}
        self._panel_specs: dict[str, PanelSpec] = {}
        self.learning = LearningLoop(self, lambda: self.state, self._message)  # before the panels using it
        self._build_panels()
        self.presenter = AnnotationPresenter(self.view, self.tables)
        self.controller = LabelController(self.view, self.presenter, lambda: self.state, self.apply,
                                          self._message, self._on_edit_error, self)
        self.controller.modeChanged.connect(lambda _on: self._refresh_labels())
        self.controller.bannerChanged.connect(self._show_banner)
        self.jumper = Jumper(self.view, self._message, self.controller.hint_landed, self,
                             lambda: self.controller.relation_mode)
        self.span_info = SpanInfoEditor(self, self.view, lambda: self.state, self.apply, self._message)
        remember_zoom(self.view, self.settings)
        self.sb_job = QLabel("", self)
        self.jobs = WindowJobs(self, lambda: self.state, self.sb_job, self._message)
        self.jobs.auto_propagate = _bool(self.settings.value(SETTINGS_AUTO_PROPAGATE), True)
        self.actions_by_name = actions_mod.build_actions(self, self.view)
        self.label_actions: list[QAction] = [self.actions_by_name[f"{actions_mod.LABEL_ACTION_PREFIX}{k}"] for k in KEYS]
        self.act_auto_suggest.setChecked(self.auto_suggest)
        actions_mod.build_menus(self, self.actions_by_name,
                                {"@recent": self._recent_place, "@labels": self._labels_place, "@panels": self._panels_place})
        self.toolbar = actions_mod.build_toolbar(self, self.actions_by_name)
        self._build_status_bar()
        self.view.selectionChanged.connect(self._selection_changed)
        self.view.activated.connect(self.controller.activate)
        self.view.itemClicked.connect(self.controller.pick_child)
        self.view.resizeRequested.connect(self.controller.resize_span)
        self.resize(1280, 800)
        self._restore_window()
        self.set_state(state)

    # ==========================================================================================
    # construction
    # ==========================================================================================
    def _build_centre(self) -> None:
        self.doc_title = QLabel("", self)
        self.doc_title.setObjectName("docTitle")
        self.doc_info = QLabel("", self)
        self.doc_info.setObjectName("docInfo")
        self.mode_banner = QLabel("", self)
        self.mode_banner.setObjectName("modeBanner")
        self.mode_banner.hide()
        for lab in (self.doc_title, self.doc_info, self.mode_banner):
            lab.setTextFormat(Qt.TextFormat.PlainText)  # names and article text are data, never markup
            # a long name or banner must not widen the centre (squeezing the docks, re-wrapping the text)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, lab.sizePolicy().verticalPolicy())
        self.mode_banner.setWordWrap(True)
        centre = QWidget(self)
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for w in (self.doc_title, self.doc_info, self.mode_banner):
            lay.addWidget(w)
        self.find_bar = FindBar(self.view, centre)
        lay.addWidget(self.find_bar)
        lay.addWidget(self.view, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_welcome())
        self.stack.addWidget(centre)
        self.setCentralWidget(self.stack)

    def _build_welcome(self) -> QWidget:
        self.welcome = QWidget(self)
        wl = QVBoxLayout(self.welcome)
        wl.addStretch(1)
        title = QLabel("No project open", self.welcome)
        title.setObjectName("docTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("A project is one file holding the articles and everyone's annotations.\n"
                      "Every edit is saved to it at once.", self.welcome)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        wl.addWidget(title)
        wl.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.welcome_buttons = []
        for text, slot in (("New project\u2026", self.new_project), ("Open project\u2026", self.open_project_dialog),
                           ("Try the demo project", self.open_demo)):
            b = QPushButton(text, self.welcome)
            b.setMinimumWidth(170)
            b.clicked.connect(lambda _c=False, slot=slot: slot())
            row.addWidget(b)
            self.welcome_buttons.append(b)
        row.addStretch(1)
        wl.addLayout(row)
        wl.addStretch(2)
        return self.welcome

    def _build_panels(self) -> None:
        for spec in registered_panels():
            self._panel_specs[spec.name] = spec
            if not spec.lazy:
                self._add_dock(spec)
        docs, legend, tables = (self._docks.get(n) for n in ("documents", "labels", "tables"))
        if docs is not None:
            self.resizeDocks([docs], [270], Qt.Orientation.Horizontal)
        if legend is not None and tables is not None:
            self.resizeDocks([legend, tables], [300, 340], Qt.Orientation.Vertical)
            self.resizeDocks([legend], [370], Qt.Orientation.Horizontal)

    def _add_dock(self, spec: PanelSpec) -> QDockWidget:
        d = QDockWidget(spec.title, self)
        d.setObjectName(spec.object_name)
        d.setWidget(spec.factory(self))
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(spec.area, d)
        other = self._docks.get(spec.tabify_with or "")
        if other is not None:
            self.tabifyDockWidget(other, d)
        self._docks[spec.name] = d
        return d

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.sb_annotator = QLabel("", self)
        self.sb_progress = QLabel("", self)
        self.sb_saved = QLabel("", self)
        for w in (self.sb_job, self.sb_progress, self.sb_annotator, self.sb_saved):
            sb.addPermanentWidget(w)

    def _recent_place(self, menu) -> None:
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)

    def _labels_place(self, menu) -> None:
        for a in self.label_actions:
            menu.addAction(a)
        self.label_menu = menu

    def _panels_place(self, menu) -> None:
        for name, spec in self._panel_specs.items():
            if name in self._docks:
                menu.addAction(self._docks[name].toggleViewAction())
            elif name not in self.actions_by_name:  # a lazy panel without its own action
                a = menu.addAction(spec.title)
                a.triggered.connect(lambda _c=False, n=name: self.toggle_panel(n))

    # -- parts, for tests and other windows --------------------------------------------------
    def panel(self, name: str) -> QWidget | None:
        """The widget of a registered panel (``None`` while a lazy one was never shown)."""
        d = self._docks.get(name)
        return None if d is None else d.widget()

    def dock(self, name: str) -> QDockWidget | None:
        """The dock holding a panel."""
        return self._docks.get(name)

    @property
    def doc_list(self):
        return self.panel("documents")

    @property
    def palette_widget(self):
        return self.panel("labels")

    @property
    def tables(self):
        return self.panel("tables")

    @property
    def dock_guidelines(self) -> QDockWidget | None:
        return self._docks.get("guidelines")

    @property
    def document(self) -> Document | None:
        """The document on screen."""
        s = self.presenter.session
        return None if s is None else s.document

    @property
    def doc_id(self) -> int | None:
        return self.state.current_doc_id if self.state is not None else None

    # ==========================================================================================
    # project lifecycle
    # ==========================================================================================
    def _connect(self, state: AppState, on: bool) -> None:
        pairs = ((state.changed, self._on_changed), (state.documentSelected, self._load_document),
                 (state.errorOccurred, self._on_edit_error), (state.saved, self._on_saved),
                 (state.undo_stack.canUndoChanged, self.act_undo.setEnabled),
                 (state.undo_stack.canRedoChanged, self.act_redo.setEnabled))
        for sig, slot in pairs:
            if on:
                sig.connect(slot)
                continue
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    def set_state(self, state: AppState | None) -> None:
        """Show another project (or none)."""
        if self.state is not None:
            self._connect(self.state, False)
        self.state = state
        self.learning.set_state(state)
        self.controller.leave_relation_mode()
        self.presenter.close()
        for name, d in list(self._docks.items()):
            if self._panel_specs[name].lazy:  # made again, for the new project, when next shown
                self.removeDockWidget(d)
                d.deleteLater()
                del self._docks[name]
            else:
                d.widget().set_state(state)
        for a in self.actions_by_name.values():
            if a.property("needs_project"):
                a.setEnabled(state is not None)
        self.stack.setCurrentIndex(1 if state is not None else 0)
        if state is None:
            self.setWindowTitle("Corpus Label Desk")
            self.view.set_document("")
            for lab in (self.sb_annotator, self.sb_progress, self.sb_saved):
                lab.setText("")
            return
        self._connect(state, True)
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.setWindowTitle(f"{Path(state.path).name} \u2014 Corpus Label Desk")
        self._refresh_labels()
        self._update_status_bar()
        self.sb_saved.setText("All changes saved")
        self._remember_project(state.path)
        ids = self.doc_list.model.ids()
        if ids:
            state.open_document(next_document_id(state.store, state.annotator, None, undone_only=True) or ids[0])
        else:
            self._show_no_documents()

    def _show_no_documents(self) -> None:
        self.view.set_document("")
        self.view.set_placeholder("This project has no documents yet: File \u203a Import documents\u2026")
        self.doc_title.setText("No documents")
        self.doc_info.setText("")

    def open_project(self, path: str, *, create: bool = False) -> bool:
        """Open a project file; a bad file gives a dialog (never a traceback)."""
        annotator = self.annotator_name()
        if annotator is None:
            return False
        try:
            state = open_state(path, annotator, create=create)
        except Exception as exc:  # noqa: BLE001 - a CorpusError, or e.g. a permission problem
            show_error(self, exc)
            return False
        self.close_project()
        self.set_state(state)
        return True

    def annotator_name(self) -> str | None:
        name = str(self.settings.value(SETTINGS_ANNOTATOR) or "").strip()
        if not name:
            got = ask_annotator(self, default_annotator_name())
            if got is None:
                return None
            self.settings.setValue(SETTINGS_ANNOTATOR, got)
            name = got
        return name

    def close_project(self) -> None:
        """Close the project; running jobs are cancelled and left to end on their own (see
        :meth:`WindowJobs.close`)."""
        self.jobs.close()
        if self.state is not None:
            st = self.state
            self.set_state(None)
            st.close()

    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", str(Path.home() / "corpus.db"), FILE_FILTER)
        if path:
            if Path(path).exists():
                Path(path).unlink()
            self.open_project(path, create=True)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(Path.home()), FILE_FILTER)
        if path:
            self.open_existing_project(path)

    def open_existing_project(self, path: str) -> bool:
        """File › Open: like :meth:`open_project`, but an empty file is refused (the store would
        turn any empty file, say ``notes.txt``, into a new project)."""
        p = Path(path)
        try:
            empty = p.is_file() and p.stat().st_size == 0
        except OSError:
            empty = False
        if empty:
            show_error(self, NotAProjectError(f"{path}: an empty file, not a project file "
                                              "(File \u203a New project\u2026 creates one)"))
            return False
        return self.open_project(path)

    def open_demo(self) -> None:
        """Open (building it the first time) the demo project from the seed articles."""
        _open_demo(self)

    def _remember_project(self, path: str) -> None:
        if path == ":memory:":
            return
        self.settings.setValue(SETTINGS_LAST, path)
        stored = self.settings.value(SETTINGS_RECENT) or []
        if isinstance(stored, str):  # a one-item list comes back as a string from some backends
            stored = [stored]
        recent = [p for p in stored if p != path]
        self.settings.setValue(SETTINGS_RECENT, [path, *recent][:8])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.value(SETTINGS_RECENT) or []
        if isinstance(recent, str):
            recent = [recent]
        for p in recent:
            self.recent_menu.addAction(p, lambda p=p: self.open_existing_project(p))
        if not recent:
            a = self.recent_menu.addAction("(none)")
            a.setEnabled(False)

    # ==========================================================================================
    # showing a document, refreshing from changes
    # ==========================================================================================
    def _load_document(self, doc_id: int) -> None:
        st = self.state
        if st is None:
            return
        self.controller.leave_relation_mode()
        try:
            self.presenter.open(st, doc_id)
        except CorpusError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self._update_header()
        self.view.setFocus()
        if self.auto_suggest:
            QTimer.singleShot(0, lambda d=doc_id: self.jobs.maybe_suggest(d))

    def reload_annotations(self) -> None:
        """Read the open document's annotations afresh and show them."""
        if self.state is not None:
            self.presenter.reload(self.state)
            self._update_header()

    def _on_changed(self, changes: Changes) -> None:
        st = self.state
        if st is None:
            return
        if changes.labels:
            self._refresh_labels()
        if changes.annotator and st.current_doc_id is not None:
            self._load_document(st.current_doc_id)
        elif changes.touches_document(st.current_doc_id):
            delta = self.presenter.update(st, changes)
            if delta.reload or delta.annotations or delta.status:
                self._update_header()
        if changes.status or changes.documents or changes.annotator:
            self._update_status_bar()
        if changes.documents and st.current_doc_id is None:
            ids = self.doc_list.model.ids()
            if ids:
                st.open_document(ids[0])

    def _update_header(self) -> None:
        st, s = self.state, self.presenter.session
        if st is None or s is None:
            return
        row = self.doc_list.model.row_of(s.doc_id)
        pos = f"{row + 1:,} of {self.doc_list.model.rowCount():,}" if row is not None else "not in the list"
        pending = len(s.pending)
        self.doc_title.setText(s.document.name or f"Document {s.doc_id}")
        extra = "" if s.suggested else " \u00b7 not suggested yet"
        sugg = _n(pending, 'suggestion') + (" hidden (S shows)" if pending and not self.view.show_suggestions() else "")
        self.doc_info.setText(
            f"{pos} \u00b7 {STATUS_TEXT[s.status]} \u00b7 {_n(s.token_count, 'token')} \u00b7 {_n(len(s.rows), 'span')} \u00b7 "
            f"{sugg} \u00b7 {_n(sum(not r.suggestion for r in self.view.relations), 'relation')}{extra}"
        )

    def _update_status_bar(self) -> None:
        st = self.state
        if st is None:
            return
        counts = status_counts(st.store, st.annotator)
        self.sb_progress.setText(f"Done {counts[DocumentStatus.DONE]:,} / {sum(counts.values()):,}")
        self.sb_annotator.setText(f"Annotator: {st.annotator}")

    def _refresh_labels(self) -> None:
        st = self.state
        if st is None:
            return
        kind = self.controller.label_kind
        self.palette_widget.set_labels(st.labels(kind), kind)
        self.view.set_label_colours(st.label_colors(LabelKind.ENTITY))
        keys = self.palette_widget.keys
        for k, a in zip([*KEYS, *(f"Shift+{k}" for k in KEYS)], actions_mod.label_actions(self.actions_by_name)):
            a.setText(keys.get(k) or f"Label {k} (unused)")

    def _show_banner(self, text: str) -> None:
        self.mode_banner.setText(text)
        self.mode_banner.setVisible(bool(text))

    def _set_saved_style(self, css: str) -> None:
        if self.sb_saved.styleSheet() != css:  # re-polishing on every keystroke costs time
            self.sb_saved.setStyleSheet(css)

    def _on_saved(self) -> None:
        self.sb_saved.setText(f"Saved \u2713 {datetime.now():%H:%M:%S}")
        self._set_saved_style("color: #2e7d32;")

    def _on_edit_error(self, message: str) -> None:
        self.sb_saved.setText("Not changed")
        self._set_saved_style("color: #b00020;")
        self.statusBar().showMessage(message, 10_000)

    def _message(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    # ==========================================================================================
    # selection
    # ==========================================================================================
    def _selection_changed(self) -> None:
        item = self.view.selected_item()
        rel = self.view.selected_relation()
        if self.palette_widget.kind is not self.controller.label_kind:
            self._refresh_labels()
        if rel is not None:
            self.palette_widget.highlight(rel.label)
            self._message(self.controller.relation_suggestions.selection_message(), 8000)
            return
        if item is not None:
            self.tables.select_key(item.key)
            self.palette_widget.highlight(item.label if not self.controller.relation_mode else None)
            if item.suggestion:
                self._message(f"Suggestion {item.label} from {item.layer}: A/Enter accept \u00b7 X reject \u00b7 a number key relabels", 8000)
        else:
            self.tables.select_key(None)
            self.palette_widget.highlight(None)

    def select_item(self, key) -> None:
        """Select a span or suggestion in the document (a table row was clicked)."""
        self.view.select_item(key)
        self.view.setFocus()

    def select_relation(self, rel_id: int) -> None:
        """Select a relation in the document."""
        self.view.select_relation(rel_id)
        self.view.setFocus()

    # ==========================================================================================
    # edits
    # ==========================================================================================
    def apply(self, edit: Edit, texts: list[str] | None = None) -> bool:
        """Apply an edit (one undo step); ``texts``: the surface texts it touched, matched again
        in the background (``None``: all of the person's)."""
        if self.state is None:
            return False
        ok = self.state.apply(edit)
        if ok and self.state.last_changes.spans:
            self.jobs.schedule_propagation(texts)
        return ok

    def label_key(self, key: str) -> None:
        name = self.palette_widget.label_for_key(key)
        if name is None:
            self._message(f"No label on key {key}")
            return
        self.controller.apply_label(name)

    def apply_label_name(self, name: str) -> None:
        """Give the selection this label (see :meth:`LabelController.apply_label`)."""
        self.controller.apply_label(name)

    # the controller's keys, under the names the menus and tests know
    def delete_selected(self) -> None:
        self.controller.delete_selected()

    def resize_selected(self, edge: str, step: int) -> None:
        self.controller.resize_selected(edge, step)

    def resize_span(self, span_id: int, start: int, end: int) -> bool:
        return self.controller.resize_span(span_id, start, end)

    def accept_selected(self) -> None:
        self.controller.accept_selected()

    def reject_selected(self) -> None:
        self.controller.reject_selected()

    def accept_all(self) -> None:
        self.controller.accept_all()

    def reject_all(self) -> None:
        self.controller.reject_all()

    def start_relation(self) -> None:
        self.controller.start_relation()

    def activate(self) -> None:
        self.controller.activate()

    def escape(self) -> None:
        self.controller.escape()

    def undo(self) -> None:
        """Undo the last edit; under a lock the step stays and the status bar says why."""
        if self.state is not None:
            self.controller.leave_relation_mode()
            text = self.state.undo_stack.undoText()
            if self.state.undo() and text:
                self._message(f"Undone: {text}")

    def redo(self) -> None:
        if self.state is not None:
            text = self.state.undo_stack.redoText()
            if self.state.redo() and text:
                self._message(f"Redone: {text}")

    # documents ---------------------------------------------------------------------------------
    def go_document(self, step: int) -> None:
        st = self.state
        if st is None:
            return
        model = self.doc_list.model
        row = model.row_of(st.current_doc_id) if st.current_doc_id is not None else None
        d = model.doc_id(0 if row is None else row + step)
        if d is None:
            self._message("No more documents this way")
            return
        st.open_document(d)

    def _set_status_and_next(self, status: DocumentStatus, verb: str, before: tuple[Edit, ...] = ()) -> None:
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        d = st.current_doc_id
        edit: Edit = SetStatus(d, st.annotator, status, description=f"{verb} document")
        if not self.apply(Batch((*before, edit), description=f"{verb} document") if before else edit):
            return
        nxt = next_document_id(st.store, st.annotator, d, undone_only=True)
        nxt = self.learning.next_after(d, nxt)  # "most useful next" when that order is chosen
        if nxt is None or nxt == d:
            self._message(f"{verb}. Every document is done \u2014 well done!", 10_000)
            return
        st.open_document(nxt)
        self._message(f"{verb}; opened the next document to do (Ctrl+Z undoes)")

    def mark_done(self) -> None:
        """Ctrl+D: mark done and open the next document (asks first about suggestions still
        undecided, see :func:`ui.done.mark_done`)."""
        done_mod.mark_done(self)

    def skip_document(self) -> None:
        self._set_status_and_next(DocumentStatus.SKIPPED, "Skipped")

    def focus_search(self) -> None:
        self.dock("documents").show()
        self.doc_list.search.setFocus()
        self.doc_list.search.selectAll()

    # view options ------------------------------------------------------------------------------
    def set_show_suggestions(self, on: bool) -> None:
        self.view.set_show_suggestions(on)
        self.tables.set_content(self.view.text, self.view.items, self.view.relations)
        self._update_header()

    def set_auto_suggest(self, on: bool) -> None:
        self.auto_suggest = bool(on)
        self.settings.setValue(SETTINGS_AUTO_SUGGEST, self.auto_suggest)

    def show_relations(self, mode: str, on: bool = True) -> None:
        """Draw ``mode`` ("all", "selected", "none") relations."""
        if on:
            self.view.set_relation_filter(mode)

    def switch_annotator(self) -> None:
        st = self.state
        name = ask_annotator(self, st.annotator if st else "")
        if name is None:
            return
        self.settings.setValue(SETTINGS_ANNOTATOR, name)
        if st is not None:
            try:
                st.set_annotator(name)  # announced: the document is shown again for them
            except CorpusError as exc:
                show_error(self, exc)
                return
        self._message(f"Annotating as {name}")

    # ==========================================================================================
    # panels and other windows
    # ==========================================================================================
    def toggle_panel(self, name: str) -> None:
        """Show or hide a panel (a lazy one is made the first time)."""
        if self.state is None:
            return
        d = self._docks.get(name)
        if d is None:
            try:
                d = self._add_dock(self._panel_specs[name])
            except Exception as exc:  # noqa: BLE001 - a panel that cannot be made is reported
                show_error(self, exc)
                return
            d.show()
            d.raise_()
            return
        d.setVisible(not d.isVisible())

    def toggle_guidelines(self) -> None:
        self.toggle_panel("guidelines")

    def open_windows(self) -> list[QWidget]:
        """The other windows opened from this one (review, agreement) still open."""
        return self.windows.open()

    def open_export(self) -> None:
        self.windows.export()

    def open_labels(self) -> None:
        self.windows.labels()

    def open_agreement(self) -> QWidget | None:
        return self.windows.agreement()

    def open_review(self) -> None:
        self.windows.review()

    def show_range(self, doc_id: int, start: int, end: int) -> None:
        """Open a document here with ``start..end`` selected (a review window's "Edit in main
        view"): the person's span with exactly those offsets when there is one, else that
        stretch of text (a number key then labels it)."""
        st = self.state
        if st is None:
            return
        if st.current_doc_id != doc_id:
            st.open_document(doc_id)
        if st.current_doc_id != doc_id:
            return
        n = len(self.view.text)
        start, end = max(0, min(start, n)), max(0, min(end, n))
        span = self.view.find_item(start, end)
        if span is not None:
            self.view.select_item(span.key)
        elif end > start:
            self.view.set_text_selection(start, end, snap=False)
        else:
            self.view.clear_selection()
            self.view.ensure_visible(start)
        self.show()
        self.raise_()
        self.activateWindow()
        self.view.setFocus()
        what = self.view.text[start:end]
        self._message(f"From review: \u201c{' '.join(what.split())[:60]}\u201d" if what.strip() else "From review")

    def import_documents(self) -> None:
        if self.state is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Import documents", str(Path.home()), file_dialog_filter())
        if paths:
            self.run_import(paths)

    def run_import(self, paths: list[str]) -> JobHandle | None:
        return self.jobs.run_import(paths)

    def show_shortcuts(self) -> None:
        from ui.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog(self.shortcut_table(), self).exec()

    def shortcut_table(self) -> list[tuple[str, str, str]]:
        """(menu, keys, what) for every action with a key, from the action table."""
        return actions_mod.shortcut_table(self.actions_by_name)

    def about(self) -> None:
        QMessageBox.about(self, "About Corpus Label Desk",
                          "Corpus Label Desk\nBuild NER and relation training corpora.\n"
                          "Every edit is saved to the project file at once.")

    # ==========================================================================================
    # window state
    # ==========================================================================================
    def _restore_window(self) -> None:
        g = self.settings.value("window/geometry")
        s = self.settings.value("window/state")
        if isinstance(g, QByteArray):
            self.restoreGeometry(g)
        if isinstance(s, QByteArray):
            self.restoreState(s)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.close_project()
        event.accept()
