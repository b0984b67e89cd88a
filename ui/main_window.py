"""The main window: document list, document view, label palette, tables, suggestions.

Everything a person does is a ``QAction`` (menus, toolbar, keys); the shortcuts dialog lists
them. Edits go through :meth:`AppState.apply` (one undo step each, on disk at once); the
window refreshes from :attr:`AppState.changed`.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QHBoxLayout,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from annotator import suggest as suggest_mod
from annotator.edits import (
    AddRelation,
    AddSpan,
    Batch,
    DeleteRelation,
    DeleteSpan,
    Relabel,
    RelabelRelation,
    Resize,
    SetStatus,
)
from annotator.progress import Progress
from corpus.errors import AnnotationError, CorpusError
from corpus.model import DocumentStatus, LabelKind, LayerKind, Relation, Span, layer_kind
from corpus.store import Store
from corpus.store.ui_queries import (
    next_document_id,
    relation_rows,
    span_rows,
    span_rows_by_id,
    status_counts,
)
from ui.doc_list import DocListPanel
from ui.document_view import DocumentView, ViewRelation, ViewSpan, item_order
from ui.errors import show_error
from ui.palette import KEYS, LabelPalette
from ui.state import AppState, EditChange, edit_topics
from ui.style import STATUS_TEXT
from ui.tables import AnnotationTables
from ui.worker import JobHandle, active_jobs, run_job

__all__ = ["MainWindow", "open_state", "ask_annotator", "default_annotator_name", "SETTINGS_ANNOTATOR"]

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


GUI_BUSY_TIMEOUT_S = 0.5


def open_state(path: str, annotator: str, *, create: bool = False) -> AppState:
    """Open a project for the window (raises :class:`CorpusError` subclasses with clear text)."""
    # The window writes on its GUI thread: while another program holds the write lock (an import
    # runs), an edit waits at most this long, then says the file is locked, instead of freezing.
    store = Store(path, create=create, busy_timeout=GUI_BUSY_TIMEOUT_S)
    try:
        if not store.labels():
            from corpus.resources import default_labels

            store.set_labels(default_labels())
        return AppState(store, annotator)
    except Exception:
        store.close()
        raise


class MainWindow(QMainWindow):
    """The annotation window (works with or without an open project)."""

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Corpus Label Desk")
        self.state: AppState | None = None
        self.settings = QSettings()
        self._relation_mode = False
        self._relation_child: int | None = None
        self._relation_head: int | None = None
        self._suggestions: dict = {}
        self._doc = None
        self._windows: list[QWidget] = []
        self._dirty: set[str] = set()
        self._vs_doc: int | None = None  # the document the pieces below belong to
        self._mine_rows: dict[int, tuple] = {}
        self._mine: dict[int, ViewSpan] = {}
        self._mine_keys: dict[tuple[int, int, str], int] = {}
        self._rejected: set[tuple[int, int, str]] = set()
        self._rel_rows: dict[int, tuple] = {}
        self._candidates: list[Span] | None = None  # suggester spans of the current document
        self._doc_tokens = 0
        self._doc_suggested = False
        self._propagate_texts: set[str] | None = set()
        self._bg_jobs: dict[int, JobHandle] = {}
        self._propagate_job: JobHandle | None = None
        self._suggest_all_job: JobHandle | None = None
        self.auto_suggest = _bool(self.settings.value(SETTINGS_AUTO_SUGGEST), True)
        self.auto_propagate = _bool(self.settings.value(SETTINGS_AUTO_PROPAGATE), True)
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._propagate_timer = QTimer(self)
        self._propagate_timer.setSingleShot(True)
        self._propagate_timer.setInterval(1200)
        self._propagate_timer.timeout.connect(self._propagate_now)
        self.resize(1280, 800)
        self._restore_window()
        self.set_state(state)

    # ==========================================================================================
    # construction
    # ==========================================================================================
    def _build_widgets(self) -> None:
        self.view = DocumentView(self)
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
        lay.addWidget(self.doc_title)
        lay.addWidget(self.doc_info)
        lay.addWidget(self.mode_banner)
        lay.addWidget(self.view, 1)
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
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(centre)
        self.setCentralWidget(self.stack)

        self.doc_list = DocListPanel(None, self)
        self.doc_list.documentChosen.connect(lambda _d: self.view.setFocus())
        self.dock_docs = self._dock("Documents", self.doc_list, Qt.DockWidgetArea.LeftDockWidgetArea, "dockDocuments")
        self.palette_widget = LabelPalette(self)
        self.palette_widget.labelChosen.connect(self.apply_label_name)
        self.dock_palette = self._dock("Labels", self.palette_widget, Qt.DockWidgetArea.RightDockWidgetArea, "dockLabels")
        self.tables = AnnotationTables(self)
        self.tables.spanActivated.connect(self._table_span_clicked)
        self.tables.relationActivated.connect(self._table_relation_clicked)
        self.dock_tables = self._dock("Annotations", self.tables, Qt.DockWidgetArea.RightDockWidgetArea, "dockTables")
        self.dock_guidelines: QDockWidget | None = None
        self.resizeDocks([self.dock_docs], [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.dock_palette, self.dock_tables], [300, 340], Qt.Orientation.Vertical)
        self.resizeDocks([self.dock_palette], [370], Qt.Orientation.Horizontal)

        self.view.selectionChanged.connect(self._selection_changed)
        self.view.activated.connect(self.activate)
        self.view.itemClicked.connect(self._item_clicked)
        self.view.resizeRequested.connect(self.resize_span)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, d)
        return d

    def _act(self, text: str, slot: Callable, keys: str | list[str] | QKeySequence.StandardKey | None = None,
             tip: str = "", context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
             checkable: bool = False, widget: QWidget | None = None, needs_project: bool = True) -> QAction:
        a = QAction(text, self)
        if keys is not None:
            if isinstance(keys, list):
                a.setShortcuts([QKeySequence(k) for k in keys])
            elif isinstance(keys, QKeySequence.StandardKey):
                # the platform's list, minus dedicated keyboard keys ("Undo", "Find"...)
                seqs = [k for k in QKeySequence.keyBindings(keys)
                        if "Ctrl+" in k.toString() or (k.toString()[:1] == "F" and k.toString()[1:].isdigit())]
                a.setShortcuts(seqs)
            else:
                a.setShortcut(QKeySequence(keys))
        a.setShortcutContext(context)
        a.setCheckable(checkable)
        if tip:
            a.setStatusTip(tip)
            plain = text.replace("&", "").rstrip(".\u2026")
            a.setToolTip(f"{plain} ({a.shortcut().toString()})" if keys else tip)
        if checkable:
            a.toggled.connect(slot)
        else:
            a.triggered.connect(lambda _checked=False: slot())
        (widget or self).addAction(a)
        a.setProperty("needs_project", needs_project)
        self._all_actions.append(a)
        return a

    def _build_actions(self) -> None:
        self._all_actions: list[QAction] = []
        A = self._act
        # file
        self.act_new = A("&New project\u2026", self.new_project, QKeySequence.StandardKey.New, "Create an empty project file", needs_project=False)
        self.act_open = A("&Open project\u2026", self.open_project_dialog, QKeySequence.StandardKey.Open, "Open a project file", needs_project=False)
        self.act_demo = A("Open the &demo project", self.open_demo, None, "The seed articles with suggestions, to try things out", needs_project=False)
        self.act_import = A("&Import documents\u2026", self.import_documents, "Ctrl+I", "Import text, JSONL, Prodigy, doccano, brat or CoNLL files")
        self.act_export = A("&Export\u2026", lambda: self._open_other("ui.export_dialog", "ExportDialog"), "Ctrl+E", "Export training data")
        self.act_close = A("&Close project", self.close_project, None, "Close the project (everything is already saved)")
        self.act_quit = A("&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit (everything is already saved)", needs_project=False)
        # edit
        self.act_undo = A("&Undo", self.undo, QKeySequence.StandardKey.Undo, "Undo the last edit")
        self.act_redo = A("&Redo", self.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo")
        self.act_delete = A("&Delete span or relation", self.delete_selected, ["Del", "Backspace"], "Delete the selected span and its relations, or the selected relation (or reject a suggestion)")
        # resizing the selected span by a token (dragging its edge with the mouse does the same)
        self.act_end_right = A("Resize span: end one token right (or drag its edge)", lambda: self.resize_selected("end", 1), "Alt+Shift+Right",
                               "Make the selected span one token longer at its end", context=Qt.ShortcutContext.WidgetShortcut, widget=self.view)
        self.act_end_left = A("Resize span: end one token left", lambda: self.resize_selected("end", -1), "Alt+Shift+Left",
                              "Make the selected span one token shorter at its end", context=Qt.ShortcutContext.WidgetShortcut, widget=self.view)
        self.act_start_left = A("Resize span: start one token left (or drag its edge)", lambda: self.resize_selected("start", -1), "Ctrl+Alt+Shift+Left",
                                "Make the selected span one token longer at its start", context=Qt.ShortcutContext.WidgetShortcut, widget=self.view)
        self.act_start_right = A("Resize span: start one token right", lambda: self.resize_selected("start", 1), "Ctrl+Alt+Shift+Right",
                                 "Make the selected span one token shorter at its start", context=Qt.ShortcutContext.WidgetShortcut, widget=self.view)
        self.act_labels = A("&Labels\u2026", lambda: self._open_other("ui.labels_dialog", "LabelsDialog"), "Ctrl+L", "Add, rename, recolour labels")
        self.act_annotator = A("&Switch annotator\u2026", self.switch_annotator, None, "Change who is annotating")
        # any label, including those without a number key: a searchable list (type, Enter)
        self.act_pick_label = A("Label selection with any label\u2026", self.pick_label, "L",
                                "Choose the label from a list (type to search, Enter); for labels without a number key")
        # label keys
        self.label_actions: list[QAction] = []
        for k in KEYS:
            a = A(f"Label {k}", lambda k=k: self.label_key(k), k, f"Give the selection the label of key {k}")
            self.label_actions.append(a)
        # navigation inside the document (keys work when the text has focus)
        W = Qt.ShortcutContext.WidgetShortcut
        self.act_next_item = A("Next span or suggestion", lambda: self.view.next_item(True, spans_only=self._relation_mode), "Tab", "Select the next span", context=W, widget=self.view)
        self.act_prev_item = A("Previous span or suggestion", lambda: self.view.next_item(False, spans_only=self._relation_mode), "Shift+Tab", "Select the previous span", context=W, widget=self.view)
        self.act_tok_right = A("Select next token", lambda: self.view.move_token(1), "Right", "Move the token cursor right", context=W, widget=self.view)
        self.act_tok_left = A("Select previous token", lambda: self.view.move_token(-1), "Left", "Move the token cursor left", context=W, widget=self.view)
        self.act_ext_right = A("Extend selection right", lambda: self.view.move_token(1, extend=True), "Shift+Right", "Add the next token to the selection", context=W, widget=self.view)
        self.act_ext_left = A("Shrink / extend selection left", lambda: self.view.move_token(-1, extend=True), "Shift+Left", "Change the selection by a token", context=W, widget=self.view)
        self.act_line_down = A("Token cursor down", lambda: self.view.move_line(1), "Down", "Move the token cursor a line down", context=W, widget=self.view)
        self.act_line_up = A("Token cursor up", lambda: self.view.move_line(-1), "Up", "Move the token cursor a line up", context=W, widget=self.view)
        self.act_activate = A("Accept suggestion / pick child", self.activate, ["Return", "Enter"], "Accept the selected suggestion; in relation mode pick the child", context=W, widget=self.view)
        self.act_escape = A("Cancel", self.escape, "Esc", "Leave relation mode, clear the selection", context=W, widget=self.view)
        # suggestions
        self.act_accept = A("&Accept suggestion", self.accept_selected, "A", "Accept the selected suggestion (or the one at the cursor)")
        self.act_reject = A("&Reject suggestion", self.reject_selected, "X", "Reject the selected suggestion")
        self.act_accept_all = A("Accept a&ll in document", self.accept_all, "Shift+A", "Accept every suggestion in this document")
        self.act_reject_all = A("Reject all in document", self.reject_all, "Shift+X", "Reject every suggestion in this document")
        self.act_suggest_doc = A("Suggest &this document", lambda: self.suggest_current(force=True), "Ctrl+Shift+S", "Run the suggesters on this document")
        self.act_suggest_all = A("Suggest &all documents\u2026", self.suggest_all, None, "Run the suggesters over the whole corpus")
        self.act_show_sugg = A("&Show suggestions", self.set_show_suggestions, "S", "Show or hide suggestions", checkable=True)
        self.act_show_sugg.setChecked(True)
        self.act_auto_suggest = A("Suggest new documents automatically", self._set_auto_suggest, None,
                                  "Suggest a document in the background when it has no suggestions yet", checkable=True, needs_project=False)
        self.act_auto_suggest.setChecked(self.auto_suggest)
        # relations
        self.act_relation = A("Start &relation from span", self.start_relation, "R", "Relation mode: pick the child span, then the label key")
        self.rel_group = QActionGroup(self)
        self.act_rel_all = A("Show all relations", lambda on: on and self.view.set_relation_filter("all"), None, "Draw every relation", checkable=True)
        self.act_rel_sel = A("Show relations of the selected span", lambda on: on and self.view.set_relation_filter("selected"), "Shift+R", "Draw only the selected span's relations", checkable=True)
        self.act_rel_none = A("Hide relations", lambda on: on and self.view.set_relation_filter("none"), None, "Draw no relations", checkable=True)
        for a in (self.act_rel_all, self.act_rel_sel, self.act_rel_none):
            self.rel_group.addAction(a)
        self.act_rel_all.setChecked(True)
        # documents
        self.act_next_doc = A("&Next document", lambda: self.go_document(1), ["PgDown", "Ctrl+Right"], "Open the next document")
        self.act_prev_doc = A("&Previous document", lambda: self.go_document(-1), ["PgUp", "Ctrl+Left"], "Open the previous document")
        self.act_done = A("&Mark done and next", self.mark_done, "Ctrl+D", "Mark this document done and open the next one to do")
        self.act_skip = A("S&kip document", self.skip_document, "Ctrl+K", "Mark this document skipped and open the next one to do")
        self.act_find = A("&Find documents", self.focus_search, QKeySequence.StandardKey.Find, "Search the documents")
        # views, others' windows
        self.act_guidelines = A("&Guidelines", self.toggle_guidelines, "F2", "Show the annotation guidelines")
        self.act_agreement = A("&Agreement\u2026", lambda: self._open_other("ui.agreement_dashboard", "AgreementDashboard"), None, "How much do the annotators agree?")
        self.act_review = A("&Review\u2026", self.open_review, None, "Adjudicate a gold version")
        self.act_shortcuts = A("&Keyboard shortcuts", self.show_shortcuts, ["F1", "Ctrl+/"], "Every key", needs_project=False)
        self.act_about = A("&About", self.about, None, "About this program", needs_project=False)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.act_new, self.act_open):
            m.addAction(a)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addAction(self.act_demo)
        m.addSeparator()
        m.addAction(self.act_import)
        m.addAction(self.act_export)
        m.addSeparator()
        m.addAction(self.act_close)
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        for a in (self.act_undo, self.act_redo):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_delete)
        lm = m.addMenu("Label selection")
        lm.addAction(self.act_pick_label)
        lm.addSeparator()
        for a in self.label_actions:
            lm.addAction(a)
        self.label_menu = lm
        rm = m.addMenu("Resize span (or drag its edge)")
        for a in (self.act_end_right, self.act_end_left, self.act_start_left, self.act_start_right):
            rm.addAction(a)
        m.addSeparator()
        m.addAction(self.act_labels)
        m.addAction(self.act_annotator)
        m = mb.addMenu("&Navigate")
        for a in (self.act_next_doc, self.act_prev_doc, self.act_done, self.act_skip, self.act_find):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_next_item, self.act_prev_item, self.act_tok_right, self.act_tok_left, self.act_ext_right,
                  self.act_ext_left, self.act_line_down, self.act_line_up, self.act_escape):
            m.addAction(a)
        m = mb.addMenu("&Suggestions")
        for a in (self.act_accept, self.act_activate, self.act_reject, self.act_accept_all, self.act_reject_all):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_suggest_doc, self.act_suggest_all, self.act_show_sugg, self.act_auto_suggest):
            m.addAction(a)
        m = mb.addMenu("&Relations")
        m.addAction(self.act_relation)
        m.addSeparator()
        for a in (self.act_rel_all, self.act_rel_sel, self.act_rel_none):
            m.addAction(a)
        m = mb.addMenu("&View")
        for d in (self.dock_docs, self.dock_palette, self.dock_tables):
            m.addAction(d.toggleViewAction())
        m.addAction(self.act_guidelines)
        m = mb.addMenu("Re&view")
        m.addAction(self.act_agreement)
        m.addAction(self.act_review)
        m = mb.addMenu("&Help")
        m.addAction(self.act_shortcuts)
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("toolbarMain")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.setMovable(False)
        self.addToolBar(tb)
        short = {
            self.act_prev_doc: "\u25c0 Prev", self.act_next_doc: "Next \u25b6", self.act_done: "\u2713 Done",
            self.act_undo: "Undo", self.act_redo: "Redo", self.act_accept: "Accept", self.act_reject: "Reject",
            self.act_accept_all: "Accept all", self.act_reject_all: "Reject all",
            self.act_suggest_doc: "Suggest doc", self.act_suggest_all: "Suggest all",
            self.act_show_sugg: "Suggestions", self.act_relation: "Relation\u2026", self.act_rel_sel: "Only selected's relations",
        }
        groups = [
            [self.act_prev_doc, self.act_next_doc, self.act_done],
            [self.act_undo, self.act_redo],
            [self.act_accept, self.act_reject, self.act_accept_all, self.act_reject_all],
            [self.act_suggest_doc, self.act_suggest_all, self.act_show_sugg],
            [self.act_relation, self.act_rel_sel],
        ]
        for gi, group in enumerate(groups):
            if gi:
                tb.addSeparator()
            for a in group:
                if a in short:
                    a.setIconText(short[a])
                tb.addAction(a)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.sb_annotator = QLabel("", self)
        self.sb_progress = QLabel("", self)
        self.sb_saved = QLabel("", self)
        self.sb_job = QLabel("", self)
        sb.addPermanentWidget(self.sb_job)
        sb.addPermanentWidget(self.sb_progress)
        sb.addPermanentWidget(self.sb_annotator)
        sb.addPermanentWidget(self.sb_saved)

    # ==========================================================================================
    # project lifecycle
    # ==========================================================================================
    def set_state(self, state: AppState | None) -> None:
        """Show another project (or none)."""
        old = self.state
        if old is not None:
            for sig, slot in ((old.changed, self._on_changed), (old.documentSelected, self._load_document),
                              (old.errorOccurred, self._on_edit_error), (old.saved, self._on_saved),
                              (old.saved, self._flush)):
                try:
                    sig.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
            try:
                old.undo_stack.canUndoChanged.disconnect(self.act_undo.setEnabled)
                old.undo_stack.canRedoChanged.disconnect(self.act_redo.setEnabled)
            except (RuntimeError, TypeError):
                pass
        self.state = state
        self._relation_mode = False
        self.doc_list.set_state(state)
        has = state is not None
        for a in self._all_actions:
            if a.property("needs_project"):
                a.setEnabled(has)
        self.stack.setCurrentIndex(1 if has else 0)
        if state is None:
            self.setWindowTitle("Corpus Label Desk")
            self.view.set_document("")
            self.sb_annotator.setText("")
            self.sb_progress.setText("")
            self.sb_saved.setText("")
            return
        state.changed.connect(self._on_changed)
        state.documentSelected.connect(self._load_document)
        state.errorOccurred.connect(self._on_edit_error)
        state.saved.connect(self._on_saved)
        state.saved.connect(self._flush)
        state.undo_stack.canUndoChanged.connect(self.act_undo.setEnabled)
        state.undo_stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.setWindowTitle(f"{Path(state.path).name} \u2014 Corpus Label Desk")
        self._refresh_labels()
        self._update_status_bar()
        self.sb_saved.setText("All changes saved")
        self._remember_project(state.path)
        ids = self.doc_list.model.ids()
        if ids:
            first = next_document_id(state.store, state.annotator, None, undone_only=True) or ids[0]
            state.open_document(first)
        else:
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
        except CorpusError as exc:
            show_error(self, exc)
            return False
        except Exception as exc:  # noqa: BLE001 - e.g. a permission problem
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
        """Close the project; running jobs are cancelled and left to end on their own.

        Never blocks on a job: one may be inside a long step (loading a spaCy model) that
        cannot be interrupted. Its thread has its own connection to the file and stops at its
        next step; its callbacks are dropped so that nothing of this window is touched later.
        """
        self._propagate_timer.stop()
        jobs = {*self._bg_jobs.values(), *active_jobs()}
        jobs.update(h for h in (self._propagate_job, self._suggest_all_job) if h is not None)
        for h in jobs:
            if h.is_running():
                h.cancel()
                h.detach()
        self._bg_jobs.clear()
        self._propagate_job = None
        self._suggest_all_job = None
        self.sb_job.setText("")
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
            from corpus.errors import NotAProjectError

            show_error(self, NotAProjectError(f"{path}: an empty file, not a project file "
                                              "(File \u203a New project\u2026 creates one)"))
            return False
        return self.open_project(path)

    def open_demo(self) -> None:
        """Open (building it the first time) the demo project from the seed articles."""
        import importlib

        importlib.import_module("ui.app").open_demo(self)

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
    # showing a document
    # ==========================================================================================
    @property
    def doc_id(self) -> int | None:
        return self.state.current_doc_id if self.state is not None else None

    def _load_document(self, doc_id: int) -> None:
        st = self.state
        if st is None:
            return
        self._leave_relation_mode()
        try:
            doc = st.store.get_document(doc_id)
        except CorpusError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self._doc = doc
        self._candidates = None
        self._doc_tokens = sum(1 for s, e in doc.tokens if not doc.text[s:e].isspace())
        self._doc_suggested = bool(st.store.suggested_layers(doc_id))
        self.view.set_document(doc.text, doc.tokens)
        self._refresh_annotations()
        self._update_header()
        self.view.setFocus()
        if self.auto_suggest:
            QTimer.singleShot(0, lambda d=doc_id: self._maybe_suggest(d))

    def _suggestion_candidates(self) -> list[Span]:
        """Every suggester span of the current document for this person (cached per document).

        Same rule as :func:`annotator.suggest.pending_suggestions`: model and pattern layers and
        the person's own ``match:`` layer; one span per (start, end, label), patterns before
        match before model. Accepted and rejected ones are filtered out at each refresh.
        """
        st = self.state
        assert st is not None and st.current_doc_id is not None
        if self._candidates is None:
            match = suggest_mod.match_layer(st.annotator)
            layers = [lay for lay in st.store.layers()
                      if layer_kind(lay) in (LayerKind.MODEL, LayerKind.PATTERNS) or lay == match]
            prio = {LayerKind.PATTERNS: 0, LayerKind.MATCH: 1, LayerKind.MODEL: 2}
            best: dict[tuple[int, int, str], Span] = {}
            for sid, layer, s, e, label, source, score in span_rows(st.store, st.current_doc_id, layers):
                k = (s, e, label)
                cur = best.get(k)
                if cur is None or (prio.get(layer_kind(layer), 3), layer) < (prio.get(layer_kind(cur.layer), 3), cur.layer):
                    best[k] = Span(doc_id=st.current_doc_id, layer=layer, start=s, end=e, label=label, id=sid,
                                   source=source or "", score=score)
            self._candidates = sorted(best.values(), key=lambda x: (x.start, x.end, x.label, x.layer))
        return self._candidates

    # What is shown is kept piecewise, so that one edit refreshes only what it changed:
    # ``_mine_rows``/``_mine`` (the person's spans by id, as rows and as ViewSpans), ``_mine_keys``
    # (their (start, end, label), to hide accepted suggestions), ``_rejected``, ``_suggestions``
    # (pending, by view key) and ``_rel_rows`` (the person's relations by id).
    def _colors(self) -> tuple[dict[str, str], dict[str, str]]:
        st = self.state
        assert st is not None
        return ({lab.name: lab.color for lab in st.labels(LabelKind.ENTITY)},
                {lab.name: lab.color for lab in st.labels(LabelKind.RELATION)})

    @staticmethod
    def _span_vs(row: tuple, colors: dict[str, str]) -> ViewSpan:
        sid, layer, s, e, label, source, score = row
        return ViewSpan(key=("span", sid), id=sid, start=s, end=e, label=label,
                        color=colors.get(label, "#cccccc"), layer=layer, source=source or "", score=score)

    @staticmethod
    def _sugg_vs(key: tuple, sp: Span, colors: dict[str, str]) -> ViewSpan:
        return ViewSpan(key=key, id=sp.id, start=sp.start, end=sp.end, label=sp.label,
                        color=colors.get(sp.label, "#cccccc"), layer=sp.layer, source=sp.source,
                        score=sp.score, suggestion=True)

    @staticmethod
    def _rel_vr(row: tuple, rcolors: dict[str, str]) -> ViewRelation:
        rid, head, child, label = row
        return ViewRelation(id=rid, head=head, child=child, label=label, color=rcolors.get(label, "#777777"))

    def _pending(self) -> dict[tuple, Span]:
        """The suggestions still to decide: neither accepted (same offsets and label) nor rejected."""
        out: dict[tuple, Span] = {}
        mine, rejected = self._mine_keys, self._rejected
        for sp in self._suggestion_candidates():
            k = (sp.start, sp.end, sp.label)
            if k in mine or k in rejected:
                continue
            out[("sugg", sp.layer, sp.start, sp.end, sp.label)] = sp
        return out

    def _view_items(self) -> tuple[list[ViewSpan], list[ViewRelation]]:
        """Everything the view shows for the current document, read afresh."""
        st = self.state
        assert st is not None and st.current_doc_id is not None
        d = st.current_doc_id
        colors, rcolors = self._colors()
        # reuse the objects of spans that did not change (a 2,000-span document stays fast)
        same_doc = self._vs_doc == d
        old_rows, old_vs = (self._mine_rows, self._mine) if same_doc else ({}, {})
        rows: dict[int, tuple] = {}
        mine: dict[int, ViewSpan] = {}
        keys: dict[tuple[int, int, str], int] = {}
        for row in span_rows(st.store, d, [st.annotator]):
            sid = row[0]
            vs = old_vs.get(sid) if old_rows.get(sid) == row else None
            if vs is None:
                vs = self._span_vs(row, colors)
            rows[sid] = row
            mine[sid] = vs
            k = (row[2], row[3], row[4])
            keys[k] = keys.get(k, 0) + 1
        self._mine_rows, self._mine, self._mine_keys, self._vs_doc = rows, mine, keys, d
        self._rejected = {(s, e, label) for _, s, e, label in st.store.rejections(st.annotator, d)}
        self._suggestions = self._pending()
        items = list(mine.values())
        items.extend(self._sugg_vs(key, sp, colors) for key, sp in self._suggestions.items())
        rel_rows = relation_rows(st.store, d, st.annotator)
        self._rel_rows = {r[0]: r for r in rel_rows}
        return items, [self._rel_vr(r, rcolors) for r in rel_rows]

    def _refresh_annotations(self) -> None:
        """Read and show everything again (a new document, labels, suggestions, another person)."""
        if self.state is None or self.state.current_doc_id is None:
            return
        items, rels = self._view_items()
        self.view.set_annotations(items, rels)
        self.tables.set_content(self.view.text, self.view.items, self.view.relations)
        self._update_header()

    def _refresh_changed(self, change: EditChange) -> None:
        """Show what one edit changed: re-read only the spans it names, move only those.

        The person's relations are re-read (one small query) when the edit touched relations;
        pending suggestions are recomputed from the cached candidates when the person's spans
        or rejections changed.
        """
        st = self.state
        if st is None or st.current_doc_id is None or self._vs_doc != st.current_doc_id:
            self._refresh_annotations()
            return
        d = st.current_doc_id
        colors, rcolors = self._colors()
        remove: list[tuple] = []
        add: list[ViewSpan] = []
        keys_changed = False
        keys = self._mine_keys
        changed_ids: set[int] = set()
        if change.span_ids:
            rows = span_rows_by_id(st.store, d, st.annotator, sorted(change.span_ids))
            for sid in change.span_ids:
                old_row, row = self._mine_rows.get(sid), rows.get(sid)
                if old_row == row:
                    continue
                changed_ids.add(sid)
                if old_row is not None:
                    vs = self._mine.pop(sid)
                    del self._mine_rows[sid]
                    remove.append(vs.key)
                    k = (old_row[2], old_row[3], old_row[4])
                    keys[k] -= 1
                    if not keys[k]:
                        del keys[k]
                    keys_changed = True
                if row is not None:
                    vs = self._span_vs(row, colors)
                    self._mine[sid] = vs
                    self._mine_rows[sid] = row
                    add.append(vs)
                    k = (row[2], row[3], row[4])
                    keys[k] = keys.get(k, 0) + 1
                    keys_changed = True
        if change.rejections:
            self._rejected = {(s, e, label) for _, s, e, label in st.store.rejections(st.annotator, d)}
            keys_changed = True
        if keys_changed:
            old, new = self._suggestions, self._pending()
            remove.extend(k for k in old if k not in new)
            add.extend(self._sugg_vs(k, sp, colors) for k, sp in new.items() if k not in old)
            self._suggestions = new
        rel_remove: list[int] = []
        rel_add: list[ViewRelation] = []
        if change.relations:
            new_rels = {r[0]: r for r in relation_rows(st.store, d, st.annotator)}
            rel_remove = [rid for rid in self._rel_rows if rid not in new_rels]
            rel_add = [self._rel_vr(r, rcolors) for rid, r in new_rels.items() if self._rel_rows.get(rid) != r]
            self._rel_rows = new_rels
        if not (remove or add or rel_remove or rel_add):
            return
        self.view.update_annotations(remove, add, rel_remove, rel_add)
        rel_ends = {x for r in self._rel_rows.values() for x in (r[1], r[2])}
        rels_changed = bool(rel_remove or rel_add or (changed_ids & rel_ends))
        self.tables.update_content(self.view.text, remove, add, self.view.relations if rels_changed else None,
                                   suggestions_shown=self.view.show_suggestions())
        self._update_header()

    def _update_header(self) -> None:
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        d = st.current_doc_id
        status = st.store.status(d, st.annotator)
        row = self.doc_list.model.row_of(d)
        pos = f"{row + 1:,} of {self.doc_list.model.rowCount():,}" if row is not None else "not in the list"
        mine = len(self._mine)
        pending = len(self._suggestions)
        self.doc_title.setText(self._doc.name or f"Document {d}")
        n_tok = self._doc_tokens
        extra = "" if self._doc_suggested else " \u00b7 not suggested yet"
        sugg = _n(pending, 'suggestion') + (" hidden (S shows)" if pending and not self.view.show_suggestions() else "")
        self.doc_info.setText(
            f"{pos} \u00b7 {STATUS_TEXT[status]} \u00b7 {_n(n_tok, 'token')} \u00b7 {_n(mine, 'span')} \u00b7 "
            f"{sugg} \u00b7 {_n(len(self.view.relations), 'relation')}{extra}"
        )

    def _update_status_bar(self) -> None:
        st = self.state
        if st is None:
            return
        counts = status_counts(st.store, st.annotator)
        total = sum(counts.values())
        self.sb_progress.setText(f"Done {counts[DocumentStatus.DONE]:,} / {total:,}")
        self.sb_annotator.setText(f"Annotator: {st.annotator}")

    def _refresh_labels(self) -> None:
        st = self.state
        if st is None:
            return
        rel_selected = self.view.selected_relation() is not None
        kind = LabelKind.RELATION if (self._relation_mode or rel_selected) else LabelKind.ENTITY
        self.palette_widget.set_labels(st.labels(kind), kind)
        keys = self.palette_widget.keys
        for k, a in zip(KEYS, self.label_actions):
            name = keys.get(k)
            a.setText(f"{name}" if name else f"Label {k} (unused)")

    def _on_changed(self, topic: str) -> None:
        if self.state is not None and self.state.announcing:
            self._dirty.add(topic)  # one refresh when the edit is announced (saved)
            return
        self._handle_topics({topic})

    def _flush(self) -> None:
        topics, self._dirty = self._dirty, set()
        if topics:
            self._handle_topics(topics)

    def _handle_topics(self, topics: set[str]) -> None:
        change = self.state.last_change if self.state is not None else None
        if change is not None and not change.full and topics <= {"spans", "relations", "status"}:
            # one edit of annotator.edits: show just what it changed
            if topics & {"spans", "relations"}:
                self._refresh_changed(change)
            if "status" in topics:
                self._handle_topic("status")
            return
        if "suggestions" in topics or "annotator" in topics or "labels" in topics:
            self._candidates = None
            self._vs_doc = None  # colours or layers may have changed: build the view's objects afresh
            if self.state is not None and self.state.current_doc_id is not None:
                self._doc_suggested = bool(self.state.store.suggested_layers(self.state.current_doc_id))
        refreshed = False
        for topic in ("labels", "spans", "relations", "status", "annotator", "documents", "suggestions", "settings"):
            if topic not in topics:
                continue
            if topic in ("spans", "relations", "suggestions") and refreshed:
                continue
            refreshed = self._handle_topic(topic) or refreshed

    def _handle_topic(self, topic: str) -> bool:
        """Refresh what ``topic`` changed; True when the annotations were redrawn."""
        if topic in ("spans", "relations", "suggestions"):
            self._refresh_annotations()
            return True
        if topic == "labels":
            self._refresh_labels()
            self._refresh_annotations()
            return True
        if topic == "status":
            self._update_header()
            self._update_status_bar()
        elif topic == "annotator":
            self._update_status_bar()
            self._refresh_annotations()
            return True
        elif topic == "documents":
            self._update_status_bar()
            if self.doc_id is None:
                ids = self.doc_list.model.ids()
                if ids and self.state is not None:
                    self.state.open_document(ids[0])
        return False

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
    # selection helpers
    # ==========================================================================================
    def _selection_changed(self) -> None:
        item = self.view.selected_item()
        rel = self.view.selected_relation()
        want = LabelKind.RELATION if (self._relation_mode or rel is not None) else LabelKind.ENTITY
        if self.palette_widget.kind is not want:
            self._refresh_labels()
        if rel is not None:
            self.palette_widget.highlight(rel.label)
            self._message("Relation selected: a number key relabels it, Delete removes it, Esc deselects", 8000)
            return
        if item is not None:
            self.tables.select_key(item.key)
            self.palette_widget.highlight(item.label if not self._relation_mode else None)
            if item.suggestion:
                self._message(f"Suggestion {item.label} from {item.layer}: A/Enter accept \u00b7 X reject \u00b7 a number key relabels", 8000)
        else:
            self.tables.select_key(None)
            self.palette_widget.highlight(None)

    def _item_clicked(self, key) -> None:
        if self._relation_mode:
            item = self.view.item(key)
            if item is not None and not item.suggestion and item.id != self._relation_head:
                self._relation_child = item.id
                self._update_banner()

    def _table_relation_clicked(self, rel_id: int, _head: int) -> None:
        self.view.select_relation(rel_id)
        self.view.setFocus()

    def _table_span_clicked(self, key) -> None:
        self.view.select_item(key)
        self.view.setFocus()

    def _suggestion_at_cursor(self) -> ViewSpan | None:
        item = self.view.selected_item()
        if item is not None and item.suggestion:
            return item
        sel = self.view.text_selection()
        if sel is not None:
            for it in self.view.items:
                if it.suggestion and it.start < sel[1] and sel[0] < it.end:
                    return it
        return None

    # ==========================================================================================
    # edits
    # ==========================================================================================
    def _apply(self, edit, texts: list[str] | None = None) -> bool:
        """Apply an edit; ``texts`` are the surface texts it touched (for propagation)."""
        if self.state is None:
            return False
        ok = self.state.apply(edit)
        if ok and self.auto_propagate and "spans" in edit_topics(edit):
            if texts is None or self._propagate_texts is None:
                self._propagate_texts = None  # a full refresh
            else:
                self._propagate_texts.update(t for t in texts if t.strip())
            self._propagate_timer.start()
        return ok

    def _overlap_error(self, start: int, end: int, label: str, ignore_id: int | None = None) -> str | None:
        """The refusal message when ``start..end`` overlaps one of the person's spans in the
        project file (one indexed query), unless the project allows overlapping spans."""
        st = self.state
        if st is None or st.current_doc_id is None or st.store.get_setting("allow_overlap", False):
            return None
        other = st.store.first_overlapping_span(st.current_doc_id, st.annotator, start, end, ignore_id)
        if other is None:
            return None
        return (f"{label} {start}-{end} overlaps {other.label} {other.start}-{other.end} "
                f"\u201c{self.view.text[other.start:other.end][:40]}\u201d (overlapping spans are off in this project)")

    def pick_label(self) -> None:
        """Give the selection any label of the schema, chosen from a list with the keyboard."""
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        kind = "relation" if self._relation_mode else "entity"
        names = st.store.label_names(kind)
        if not names:
            self._message(f"The project has no {kind} labels (Project > Labels adds them)")
            return
        title = "Relation label" if self._relation_mode else "Label"
        name, ok = QInputDialog.getItem(self, title, "Label (type to search, Enter to apply):", names, 0, False)
        if ok and name:
            self.apply_label_name(name)

    def label_key(self, key: str) -> None:
        name = self.palette_widget.label_for_key(key)
        if name is None:
            self._message(f"No label on key {key}")
            return
        self.apply_label_name(name)

    def apply_label_name(self, name: str) -> None:
        """Give the selection this label (new span, relabel, or accept a suggestion as it)."""
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        if self._relation_mode:
            self._finish_relation(name)
            return
        rel = self.view.selected_relation()
        if rel is not None:
            if rel.label != name:
                self._apply(RelabelRelation(rel.id, name, description=f"Relabel relation as {name}"))
                self.view.select_relation(rel.id)
            return
        d = st.current_doc_id
        sel = self.view.text_selection()
        item = self.view.selected_item()
        if sel is not None:
            s, e = sel
            err = self._overlap_error(s, e, name)
            if err is not None:
                self._on_edit_error(err)
                return
            span = Span(doc_id=d, layer=st.annotator, start=s, end=e, label=name, source="manual")
            # the overlap rule was checked above against the project file (one indexed query)
            if self._apply(AddSpan(span, check=False, description=f"Label {name}"), texts=[self.view.text[s:e]]):
                self._select_span(s, e, name)
            return
        if item is None:
            self._message("Select some text (drag, or arrow keys) or a span first")
            return
        if item.suggestion:
            sugg = self._suggestions.get(item.key)
            if sugg is None:
                return
            if name == item.label:
                self.accept_selected()
                return
            span = Span(doc_id=d, layer=st.annotator, start=item.start, end=item.end, label=name,
                        source=f"corrected:{item.layer}")
            err = self._overlap_error(item.start, item.end, name)
            if err is not None:
                self._on_edit_error(err)
                return
            edit = Batch((suggest_mod.reject_edit(st.store, sugg, st.annotator), AddSpan(span, check=False)),
                         description=f"Relabel suggestion as {name}")
            if self._apply(edit, texts=[self.view.text[item.start:item.end]]):
                self._select_span(item.start, item.end, name)
            return
        if item.label != name and item.id is not None:
            self._apply(Relabel(item.id, name, description=f"Relabel as {name}"), texts=[self.view.text[item.start:item.end]])
            self.view.select_item(("span", item.id), ensure_visible=False)

    def resize_selected(self, edge: str, step: int) -> None:
        """Move the selected span's ``edge`` ("start" or "end") by ``step`` tokens (one undo step)."""
        item = self.view.selected_item()
        if item is None or item.suggestion or item.id is None:
            self._message("Select one of your spans to resize it (accept a suggestion first)")
            return
        bounds = self.view.resized_bounds(item, edge, step)
        if bounds is None:
            self._message("The span cannot move further that way")
            return
        self.resize_span(item.id, *bounds)

    def resize_span(self, span_id: int, start: int, end: int) -> bool:
        """Give one of the person's spans new offsets (the overlap rule is checked in the file)."""
        st = self.state
        item = self.view.item(("span", span_id))
        if st is None or item is None or item.suggestion or end <= start:
            return False
        err = self._overlap_error(start, end, item.label, ignore_id=span_id)
        if err is not None:
            self._on_edit_error(err)
            return False
        old_text = self.view.text[item.start:item.end]
        ok = self._apply(Resize(span_id, start, end, description=f"Resize {item.label}"),
                         texts=[old_text, self.view.text[start:end]])
        if ok:
            self.view.select_item(("span", span_id), ensure_visible=False)
            self._message(f"{item.label} is now \u201c{self.view.text[start:end][:60]}\u201d (Ctrl+Z undoes)")
        return ok

    def _select_span(self, start: int, end: int, label: str) -> None:
        it = self.view.find_item(start, end, label)
        if it is not None:
            self.view.select_item(it.key, ensure_visible=False)

    def delete_selected(self) -> None:
        rel = self.view.selected_relation()
        if rel is not None:
            self._apply(DeleteRelation(rel.id, description=f"Delete relation {rel.label}"))
            return
        item = self.view.selected_item()
        if item is None:
            self._message("Select a span to delete (Tab moves between spans)")
            return
        if item.suggestion:
            self.reject_selected()
            return
        nxt = self._neighbour_key(item)
        if item.id is not None and self._apply(DeleteSpan(item.id, description=f"Delete {item.label}"),
                                               texts=[self.view.text[item.start:item.end]]):
            if nxt is not None:
                self.view.select_item(nxt, ensure_visible=False)

    def _neighbour_key(self, item: ViewSpan):
        items = self.view.items
        i = bisect.bisect_left(items, item_order(item), key=item_order)
        while i < len(items) and items[i] is not item:
            i += 1
        if i >= len(items):
            return None
        if i + 1 < len(items):
            return items[i + 1].key
        return items[i - 1].key if i > 0 else None

    def activate(self) -> None:
        """Enter: pick the child in relation mode, else accept the suggestion."""
        if self._relation_mode:
            item = self.view.selected_item()
            if item is None or item.suggestion or item.id == self._relation_head:
                self._message("Pick another span of yours as the child (Tab, then Enter), or Esc")
                return
            self._relation_child = item.id
            self._update_banner()
            return
        self.accept_selected()

    def _selected_suggestion(self) -> tuple[ViewSpan, Span] | None:
        """The suggestion under the cursor (view item and store span), or ``None`` with a hint."""
        item = self._suggestion_at_cursor()
        if self.state is None or item is None:
            self._message("No suggestion selected (Tab moves to the next one)")
            return None
        sugg = self._suggestions.get(item.key)
        return None if sugg is None else (item, sugg)

    def accept_selected(self) -> None:
        picked = self._selected_suggestion()
        if picked is None:
            return
        item, sugg = picked
        st = self.state
        try:
            edit = suggest_mod.accept_edit(st.store, sugg, st.annotator)
        except AnnotationError as exc:
            self._on_edit_error(str(exc))
            return
        if self._apply(edit, texts=[self.view.text[item.start:item.end]]):
            # keep going: select the next suggestion, like Prodigy's flow
            self._select_next_suggestion(item.start)

    def _select_next_suggestion(self, after: int) -> None:
        for it in self.view.items:
            if it.suggestion and it.start >= after:
                self.view.select_item(it.key)
                return
        self._select_span_at(after)

    def _select_span_at(self, pos: int) -> None:
        for it in self.view.items:
            if it.start <= pos < it.end and not it.suggestion:
                self.view.select_item(it.key, ensure_visible=False)
                return

    def reject_selected(self) -> None:
        picked = self._selected_suggestion()
        if picked is None:
            return
        item, sugg = picked
        st = self.state
        if self._apply(suggest_mod.reject_edit(st.store, sugg, st.annotator), texts=[self.view.text[item.start:item.end]]):
            self._select_next_suggestion(item.start)

    def accept_all(self) -> None:
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        edit = suggest_mod.accept_all_edit(st.store, st.current_doc_id, st.annotator)
        if not getattr(edit, "edits", (1,)):
            self._message("No suggestions to accept")
            return
        n = len(getattr(edit, "edits", ()))
        if self._apply(edit):
            self._message(f"Accepted {n} suggestions (Ctrl+Z takes them back)")

    def reject_all(self) -> None:
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        pend = list(self._suggestions.values())
        if not pend:
            self._message("No suggestions to reject")
            return
        edit = Batch(tuple(suggest_mod.reject_edit(st.store, s, st.annotator) for s in pend),
                     description=f"Reject {len(pend)} suggestions")
        if self._apply(edit):
            self._message(f"Rejected {len(pend)} suggestions (Ctrl+Z takes them back)")

    # relations ---------------------------------------------------------------------------------
    def start_relation(self) -> None:
        item = self.view.selected_item()
        if item is None or item.suggestion or item.id is None:
            self._message("Select one of your spans first (accept a suggestion with A), then press R")
            return
        if not self.state or not self.state.labels(LabelKind.RELATION):
            self._message("The project has no relation labels (Edit \u203a Labels\u2026)")
            return
        self._relation_mode = True
        self._relation_head = item.id
        self._relation_child = None
        self.view.set_relation_head(item.id)
        self._refresh_labels()
        self._update_banner()
        self.view.next_item(True, spans_only=True)  # propose the next span as the child

    def _update_banner(self) -> None:
        if not self._relation_mode:
            self.mode_banner.hide()
            return
        head = self.view.item(("span", self._relation_head))
        txt = self.view.text
        h = f"\u201c{txt[head.start:head.end]}\u201d" if head else "?"
        if self._relation_child is not None:
            c = self.view.item(("span", self._relation_child))
            ctext = f"\u201c{txt[c.start:c.end]}\u201d" if c else "?"
            msg = f"Relation {h} \u2192 {ctext}: press the relation label's key (Esc cancels)"
        else:
            msg = f"Relation from {h}: pick the child (click, or Tab and Enter) then press a label key \u2014 Esc cancels"
        self.mode_banner.setText(msg)
        self.mode_banner.show()

    def _finish_relation(self, label: str) -> None:
        st = self.state
        if st is None or st.current_doc_id is None or self._relation_head is None:
            return
        child = self._relation_child
        if child is None:
            item = self.view.selected_item()
            if item is not None and not item.suggestion and item.id != self._relation_head:
                child = item.id
        if child is None:
            self._message("Pick the child span first (click it, or Tab to it)")
            return
        head = self._relation_head
        rel = Relation(doc_id=st.current_doc_id, layer=st.annotator, head=head, child=child, label=label, source="manual")
        self._leave_relation_mode()
        if self._apply(AddRelation(rel, description=f"Relation {label}")):
            self.view.select_item(("span", head), ensure_visible=False)

    def _leave_relation_mode(self) -> None:
        if not self._relation_mode:
            return
        self._relation_mode = False
        self._relation_head = None
        self._relation_child = None
        self.view.set_relation_head(None)
        self._refresh_labels()
        self._update_banner()

    def escape(self) -> None:
        if self._relation_mode:
            self._leave_relation_mode()
            self._message("Relation cancelled")
        else:
            self.view.clear_selection()

    # documents ---------------------------------------------------------------------------------
    def go_document(self, step: int) -> None:
        st = self.state
        if st is None:
            return
        model = self.doc_list.model
        row = model.row_of(st.current_doc_id) if st.current_doc_id is not None else None
        target = 0 if row is None else row + step
        d = model.doc_id(target)
        if d is None:
            self._message("No more documents this way")
            return
        st.open_document(d)

    def _set_status_and_next(self, status: DocumentStatus, verb: str) -> None:
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        d = st.current_doc_id
        if not self._apply(SetStatus(d, st.annotator, status, description=f"{verb} document")):
            return
        nxt = next_document_id(st.store, st.annotator, d, undone_only=True)
        if nxt is None or nxt == d:
            self._message(f"{verb}. Every document is done \u2014 well done!", 10_000)
            self.doc_list.model.refresh_doc(d)
            return
        self.doc_list.model.refresh_doc(d)
        st.open_document(nxt)
        self._message(f"{verb}; opened the next document to do (Ctrl+Z undoes)")

    def mark_done(self) -> None:
        self._set_status_and_next(DocumentStatus.DONE, "Marked done")

    def skip_document(self) -> None:
        self._set_status_and_next(DocumentStatus.SKIPPED, "Skipped")

    def undo(self) -> None:
        if self.state is not None:
            self._leave_relation_mode()
            text = self.state.undo_stack.undoText()
            self.state.undo_stack.undo()
            if text:
                self._message(f"Undone: {text}")

    def redo(self) -> None:
        if self.state is not None:
            text = self.state.undo_stack.redoText()
            self.state.undo_stack.redo()
            if text:
                self._message(f"Redone: {text}")

    def focus_search(self) -> None:
        self.dock_docs.show()
        self.doc_list.search.setFocus()
        self.doc_list.search.selectAll()

    def set_show_suggestions(self, on: bool) -> None:
        self.view.set_show_suggestions(on)
        self.tables.set_content(self.view.text, self.view.items, self.view.relations)
        self._update_header()

    def _set_auto_suggest(self, on: bool) -> None:
        self.auto_suggest = bool(on)
        self.settings.setValue(SETTINGS_AUTO_SUGGEST, self.auto_suggest)

    def switch_annotator(self) -> None:
        st = self.state
        name = ask_annotator(self, st.annotator if st else "")
        if name is None:
            return
        self.settings.setValue(SETTINGS_ANNOTATOR, name)
        if st is not None:
            try:
                st.set_annotator(name)
            except CorpusError as exc:
                show_error(self, exc)
                return
            if st.current_doc_id is not None:
                self._load_document(st.current_doc_id)
        self._message(f"Annotating as {name}")

    # ==========================================================================================
    # suggestions in the background
    # ==========================================================================================
    def _maybe_suggest(self, doc_id: int) -> None:
        st = self.state
        if st is None or st.current_doc_id != doc_id or doc_id in self._bg_jobs:
            return
        if self._suggest_all_job is not None and self._suggest_all_job.is_running():
            return
        if st.store.suggested_layers(doc_id):
            return
        self.suggest_current(force=False)

    def suggest_current(self, force: bool = False) -> None:
        """Suggest the current document in the background (the window keeps working)."""
        st = self.state
        if st is None or st.current_doc_id is None:
            return
        d = st.current_doc_id
        if d in self._bg_jobs:
            return
        self.sb_job.setText("Suggesting this document\u2026")

        def factory(store: Store, d=d, force=force):
            return suggest_mod.suggest_job(store, doc_ids=[d], force=force)

        def done(_report, d=d) -> None:
            self._bg_jobs.pop(d, None)
            self.sb_job.setText("")
            if self.state is st and st.current_doc_id == d:
                self._candidates = None
                self._doc_suggested = bool(st.store.suggested_layers(d))
                self._refresh_annotations()
                n = sum(1 for s in self.view.items if s.suggestion)
                self._message(f"{n} suggestions for this document")

        def failed(exc: BaseException, d=d) -> None:
            self._bg_jobs.pop(d, None)
            self.sb_job.setText("")
            show_error(self, exc, title="Suggesting failed")

        def cancelled(d=d) -> None:
            self._bg_jobs.pop(d, None)
            self.sb_job.setText("")

        self._bg_jobs[d] = run_job(self, "Suggesting this document", factory, st.path, on_done=done,
                                   on_error=failed, modal=False, on_cancel=cancelled)

    def suggest_all(self) -> None:
        """Run the suggesters over the whole corpus with a progress dialog (Cancel keeps what finished)."""
        st = self.state
        if st is None:
            return
        if self._suggest_all_job is not None and self._suggest_all_job.is_running():
            return

        def done(report) -> None:
            self._suggest_all_job = None
            if self.state is st:
                st.notify("suggestions")
                st.notify("documents")
                n = 0
                try:
                    n = sum(lr.spans for lr in report.layers) if hasattr(report, "layers") else 0
                except Exception:  # noqa: BLE001 - a summary only
                    n = 0
                self._message(f"Suggestions ready ({n:,} new)" if n else "Suggestions ready", 10_000)

        def cancelled() -> None:
            self._suggest_all_job = None
            if self.state is st:
                st.notify("suggestions")
                self._message("Suggesting cancelled; the documents finished so far keep their suggestions")

        self._suggest_all_job = run_job(self, "Suggesting all documents", lambda store: suggest_mod.suggest_job(store),
                                        st.path, on_done=done, on_cancel=cancelled)

    def _propagate_now(self) -> None:
        """Refresh the ``match:<annotator>`` suggestions after accepts (in the background)."""
        st = self.state
        if st is None or not self.auto_propagate:
            return
        if self._propagate_job is not None and self._propagate_job.is_running():
            self._propagate_timer.start()
            return
        who = st.annotator
        texts = None if self._propagate_texts is None else sorted(self._propagate_texts)
        self._propagate_texts = set()
        if texts is not None and not texts:
            return

        def factory(store: Store, who=who, texts=texts):
            def gen():
                yield Progress(0, 1, "propagating")
                n = suggest_mod.propagate(store, who, texts=texts)
                yield Progress(1, 1, "propagated")
                return n
            return gen()

        def done(_n) -> None:
            self._propagate_job = None
            if self.state is st:
                self._candidates = None
                self._refresh_annotations()

        def failed(exc: BaseException) -> None:
            self._propagate_job = None
            log.warning("propagation failed: %s", exc)
            self._message(f"Could not refresh matching suggestions: {exc}")

        self._propagate_job = run_job(self, "Matching", factory, st.path, on_done=done, on_error=failed, modal=False,
                                      on_cancel=lambda: setattr(self, "_propagate_job", None))

    # ==========================================================================================
    # other windows (written by the other window engineer; imported lazily)
    # ==========================================================================================
    def _open_other(self, module: str, cls: str, **kw) -> QWidget | None:
        if self.state is None:
            return None
        try:
            mod = __import__(module, fromlist=[cls])
            klass = getattr(mod, cls)
        except (ImportError, AttributeError) as exc:
            QMessageBox.information(self, "Not available", f"This part of the program is not installed ({exc}).")
            return None
        try:
            w = klass(self.state, self, **kw)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return None
        if isinstance(w, QDialog):
            w.exec()
            if self.state is not None:
                self.state.notify("labels")
            return w
        if not w.isWindow():
            w.setWindowFlags(w.windowFlags() | Qt.WindowType.Window)
        if hasattr(w, "reviewRequested"):  # the agreement dashboard opens its own review window
            w.reviewRequested.connect(lambda _d, _s, w=w: self._wire_review(getattr(w, "review_window", None)),
                                      Qt.ConnectionType.QueuedConnection)
        w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._windows.append(w)
        w.destroyed.connect(lambda _o=None, w=w: self._windows.remove(w) if w in self._windows else None)
        w.show()
        return w

    def open_review(self) -> None:
        if self.state is None:
            return
        try:
            from ui.review_window import ReviewWindow
        except ImportError as exc:
            QMessageBox.information(self, "Not available", f"Review is not installed ({exc}).")
            return
        try:
            w = ReviewWindow(self.state, self, doc_id=self.doc_id)
            if not w.isWindow():
                w.setWindowFlags(w.windowFlags() | Qt.WindowType.Window)
            self._wire_review(w)
            self._windows.append(w)
            w.show()
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def _wire_review(self, w: QWidget | None) -> None:
        """Let a review window's "Edit in main view" (E) show its stretch of text here."""
        if w is None or w.property("editWired"):
            return
        w.editRequested.connect(self.show_range)
        w.setProperty("editWired", True)

    def show_range(self, doc_id: int, start: int, end: int) -> None:
        """Open a document here with ``start..end`` selected: the person's span with exactly those
        offsets when there is one, else that stretch of text (a number key then labels it)."""
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

    def toggle_guidelines(self) -> None:
        if self.state is None:
            return
        if self.dock_guidelines is None:
            try:
                from ui.guidelines import GuidelinesPanel
            except ImportError as exc:
                QMessageBox.information(self, "Not available", f"Guidelines are not installed ({exc}).")
                return
            try:
                panel = GuidelinesPanel(self.state, self)
            except Exception as exc:  # noqa: BLE001
                show_error(self, exc)
                return
            self.dock_guidelines = self._dock("Guidelines", panel, Qt.DockWidgetArea.RightDockWidgetArea, "dockGuidelines")
            self.tabifyDockWidget(self.dock_tables, self.dock_guidelines)
            self.dock_guidelines.show()
            self.dock_guidelines.raise_()
            return
        self.dock_guidelines.setVisible(not self.dock_guidelines.isVisible())

    def import_documents(self) -> None:
        st = self.state
        if st is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import documents", str(Path.home()),
            "Texts and corpora (*.txt *.jsonl *.json *.ann *.conll *.conllu *.iob *.tsv);;All files (*)")
        if not paths:
            return
        self.run_import(paths)

    def run_import(self, paths: list[str]) -> JobHandle | None:
        st = self.state
        if st is None:
            return None
        try:
            from annotator import importing
        except ImportError as exc:
            QMessageBox.information(self, "Not available", f"Importing is not installed ({exc}).")
            return None
        who = st.annotator

        def factory(store: Store):
            return importing.import_job(store, paths, annotator=who)

        def done(report) -> None:
            if self.state is st:
                st.notify("documents")
                st.notify("labels")
                summary = report.summary() if hasattr(report, "summary") else ""
                self._message(f"Imported: {summary}" if summary else "Imported", 15_000)
                for warning in list(getattr(report, "warnings", []) or [])[:1]:
                    self._message(f"Imported with warnings: {warning}", 15_000)

        return run_job(self, "Importing", factory, st.path, on_done=done)

    def show_shortcuts(self) -> None:
        from ui.shortcuts_dialog import ShortcutsDialog

        dlg = ShortcutsDialog(self.shortcut_table(), self)
        dlg.exec()

    def shortcut_table(self) -> list[tuple[str, str, str]]:
        """(group, keys, what) for every action with a key, built from the QActions."""
        groups: list[tuple[str, list[QAction]]] = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            acts: list[QAction] = []
            for a in menu.actions():
                if a.menu() is not None:
                    acts.extend(a.menu().actions())
                elif not a.isSeparator():
                    acts.append(a)
            groups.append((menu_action.text().replace("&", ""), acts))
        out = []
        seen = set()
        for g, acts in groups:
            for a in acts:
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
                if not keys or id(a) in seen:
                    continue
                seen.add(id(a))
                what = a.text().replace("&", "")
                if a in self.label_actions:
                    what = f"Label the selection {what}" if "unused" not in what else what
                out.append((g, keys, what))
        return out

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
        self._propagate_timer.stop()
        self.close_project()
        event.accept()
