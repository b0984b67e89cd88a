"""The review window: adjudicate a document's annotations into the gold layer.

For one document: the text in the main window's document view (plain text, so markup in an
article is shown as characters; every version of a span as a box with its label tag and votes,
solid when gold holds it, faded and dashed when not; relations as labelled arcs), every
compared annotator's spans and relations as voted items (e.g. "2/3 alice, bob"), what gold
holds, and the conflicts grouped. Everything is done from the keyboard and goes through ``state.apply`` (one undo step,
on disk at once):

====================  ==========================================================
A                     accept everything the annotators agree on (all, or a majority)
N / P                 next / previous conflict
1 … 9                 take annotator 1 … 9's version of the current conflict (or item)
Return / Space        accept the selected version into gold
Delete / Backspace    remove the selected version (or the whole conflict) from gold
E                     open the document in the main view to edit it by hand
Ctrl+D                mark the document reviewed and go to the next one to review
Alt+Right / Alt+Left  next / previous document to review
====================  ==========================================================

The review logic (votes, conflicts, the edits) is :mod:`annotator.review`; this module only
shows it and turns keys into edits.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import Changes
from annotator.review import (
    DocumentReview,
    ReviewItem,
    accept_agreed_edit,
    conflict_groups,
    documents_to_review,
    is_settled,
    mark_reviewed_edit,
    pick_edit,
    review_document,
    review_progress,
)
from corpus.errors import CorpusError
from corpus.model import LabelKind
from ui.document_view import DocumentView, ViewRelation, ViewSpan
from ui.review_tree import COL_GOLD, COL_ITEM, COL_LABEL, COL_VOTES, ReviewTree, flat

__all__ = ["ReviewWindow", "KEYS_HELP", "COL_ITEM", "COL_LABEL", "COL_VOTES", "COL_GOLD"]


KEYS_HELP = (
    "A accept agreed · N/P next/previous conflict · 1–9 take an annotator's version · "
    "Return accept · Del remove from gold · E edit in main view · Ctrl+D reviewed, next · Alt+→/← documents"
)

_flat = flat


class ReviewWindow(ReviewTree, QWidget):
    """Review one document at a time; the result is the gold layer."""

    #: The reviewer asked to edit by hand (E): (doc_id, start, end) of the selected item.
    editRequested = Signal(int, int, int)

    def __init__(self, state, parent: QWidget | None = None, doc_id: int | None = None) -> None:
        super().__init__(parent)
        if parent is not None:  # its own window, owned by the main window (a dock reparents it)
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.state = state
        self.setObjectName("ReviewWindow")
        self.setWindowTitle("Review")
        self.resize(1200, 720)
        self.annotators: list[str] | None = None  # None: the people who annotated the document
        self.review: DocumentReview | None = None
        self.doc_id: int | None = None
        self.groups: list[list[ReviewItem]] = []
        self._refreshing = False
        self._highlighting = False  # the text's selection follows the tree (not the other way)

        top = self._build_top()
        actions = self._build_actions()
        split = self._build_middle()
        self._build_bottom()

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(actions)
        lay.addWidget(split, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.keys_label)

        for w in (self.tree, self.view):
            w.installEventFilter(self)
        state.changed.connect(self._state_changed)
        err = getattr(state, "errorOccurred", None)
        if err is not None:
            err.connect(self._edit_refused)

        if doc_id is None:
            doc_id = getattr(state, "current_doc_id", None)
        if doc_id is None:
            todo = documents_to_review(state.store)
            doc_id = todo[0] if todo else None
        self.load_document(doc_id)

    def _build_top(self) -> QHBoxLayout:
        """Previous/next, the document's name, its gold badge and the progress."""
        self.prev_button = QPushButton("◀ Previous", self)
        self.prev_button.setToolTip("Previous document to review (Alt+Left)")
        self.next_button = QPushButton("Next ▶", self)
        self.next_button.setToolTip("Next document to review (Alt+Right)")
        self.doc_label = QLabel(self)
        self.doc_label.setObjectName("review_doc")
        self.doc_label.setTextFormat(Qt.TextFormat.PlainText)
        f = self.doc_label.font()
        f.setBold(True)
        self.doc_label.setFont(f)
        self.gold_badge = QLabel(self)
        self.gold_badge.setObjectName("review_badge")
        self.gold_badge.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("review_progress")
        self.progress.setMinimumWidth(200)
        self.progress.setMaximumWidth(260)
        self.progress.setFormat("Reviewed %v of %m")
        self.progress.setTextVisible(True)
        self.prev_button.clicked.connect(lambda: self.go_document(-1))
        self.next_button.clicked.connect(lambda: self.go_document(+1))

        top = QHBoxLayout()
        top.addWidget(self.prev_button)
        top.addWidget(self.next_button)
        top.addSpacing(8)
        top.addWidget(self.doc_label, 1)
        top.addWidget(self.gold_badge)
        top.addSpacing(8)
        top.addWidget(self.progress)
        return top

    def _build_actions(self) -> QHBoxLayout:
        """Accept agreed (with what counts as agreed), edit, export, mark reviewed."""
        self.accept_button = QPushButton("&Accept all agreed (A)", self)
        self.accept_button.setToolTip("Copy into gold every span and relation the annotators agree on")
        self.min_votes_combo = QComboBox(self)
        self.min_votes_combo.setToolTip("What counts as agreed")
        self.reviewed_button = QPushButton("Mark reviewed && next (Ctrl+D)", self)
        self.edit_button = QPushButton("Edit in main view (E)", self)
        self.export_button = QPushButton("Export gold…", self)
        self.export_button.setToolTip("File > Export with the gold layer")
        self.accept_button.clicked.connect(self.accept_agreed)
        self.reviewed_button.clicked.connect(self.mark_reviewed)
        self.edit_button.clicked.connect(self.edit_in_main_view)
        self.export_button.clicked.connect(self.export_gold)
        for b in (self.accept_button, self.reviewed_button, self.edit_button, self.export_button,
                  self.prev_button, self.next_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the list and the text
        actions = QHBoxLayout()
        actions.addWidget(self.accept_button)
        actions.addWidget(self.min_votes_combo)
        actions.addStretch(1)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.reviewed_button)
        return actions

    def _build_middle(self) -> QSplitter:
        """The text (the document view) beside the item tree."""
        self.view = DocumentView(self)
        self.view.setObjectName("review_text")
        self.view.set_placeholder("Nothing to review")
        self.view.itemClicked.connect(self._item_clicked)
        self.view.selectionChanged.connect(self._text_clicked)
        self._rel_ids: dict[tuple, int] = {}  # relation item key -> its id in the view

        # -- items -----------------------------------------------------------------------------
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("review_items")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Span / relation", "Label", "Votes", "Gold"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setExpandsOnDoubleClick(False)
        hdr = self.tree.header()
        hdr.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        for c in (COL_LABEL, COL_VOTES, COL_GOLD):
            hdr.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setStretchLastSection(False)
        self.tree.currentItemChanged.connect(lambda *_: self._highlight())
        self.tree.itemDoubleClicked.connect(lambda it, _c: self.accept_selected())

        self.summary = QLabel(self)
        self.summary.setObjectName("review_summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.summary)
        rl.addWidget(self.tree, 1)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.view)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        right.setMinimumWidth(420)
        return split

    def _build_bottom(self) -> None:
        """The message line and the keys."""
        self.keys_label = QLabel(self)
        self.keys_label.setObjectName("review_keys")
        self.keys_label.setTextFormat(Qt.TextFormat.PlainText)
        self.keys_label.setWordWrap(True)
        self.keys_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # dim in light and dark themes
        self.message = QLabel(self)
        self.message.setObjectName("review_message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

    # -- loading ---------------------------------------------------------------------------
    @property
    def store(self):
        return self.state.store

    def load_document(self, doc_id: int | None) -> None:
        """Show another document (``None``: nothing to review)."""
        self.doc_id = doc_id
        self.message.clear()
        if doc_id is None:
            self.review = None
            self.view.set_document("")
            self.tree.clear()
            self.doc_label.setText("Nothing to review: no document was finished by two annotators yet.")
            self.gold_badge.clear()
            self.summary.clear()
            self._update_progress()
            self._update_enabled()
            return
        self.refresh(keep_selection=False)
        # Start on the first unsettled conflict, else the first item.
        unsettled = [g for g in self.groups if not is_settled(g)]
        if unsettled:
            self.select_group(unsettled[0])
        elif self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.tree.setFocus()

    def refresh(self, keep_selection: bool = True) -> None:
        """Rebuild the review from the store (after any edit), keeping the selected item."""
        if self.doc_id is None:
            return
        keep = self.current_key() if keep_selection else None
        try:
            review = review_document(self.store, self.doc_id, self.annotators)
        except CorpusError as exc:
            self.message.setText(str(exc))
            return
        first = self.review is None or self.review.doc_id != review.doc_id
        self.review = review
        self.groups = conflict_groups(review)
        if first or self.view.text != review.text:  # plain text: markup shows as characters
            doc = self.store.get_document(review.doc_id)
            self.view.set_document(review.text, doc.tokens if doc is not None and doc.text == review.text else ())
        self._show_annotations()
        self.setWindowTitle(f"Review — {review.name or f'document {review.doc_id}'}")
        self._fill_tree()
        self._update_header()
        self._update_progress()
        self._update_enabled()
        if keep is not None:
            self.select_key(keep)
        self._highlight()

    def _state_changed(self, changes: Changes) -> None:
        if (changes.spans or changes.relations or changes.rejections or changes.status
                or changes.labels) and not self._refreshing:
            self.refresh()
        elif changes.documents:
            self._update_progress()

    def _edit_refused(self, text: str) -> None:
        self.message.setText("⚠ " + text)

    # -- header, progress ------------------------------------------------------------------
    def _review_list(self) -> list[int]:
        return documents_to_review(self.store)

    def _update_header(self) -> None:
        r = self.review
        if r is None:
            return
        todo = self._review_list()
        where = f" ({todo.index(r.doc_id) + 1} of {len(todo)} to review)" if r.doc_id in todo else ""
        self.doc_label.setText(f"{r.name or f'Document {r.doc_id}'}{where}")
        if r.reviewed:
            self.gold_badge.setText("✓ Reviewed")
            self.gold_badge.setStyleSheet("QLabel { background: #d8f0d8; color: #1d4d1d; padding: 3px 8px; border-radius: 3px; }")
        else:
            self.gold_badge.setText("Not reviewed")
            self.gold_badge.setStyleSheet("QLabel { background: #eeeeee; color: #444; padding: 3px 8px; border-radius: 3px; }")
        n_ann = len(r.annotators)
        unsettled = sum(1 for g in self.groups if not is_settled(g))
        in_gold = sum(1 for it in r.spans if it.in_gold)
        agreed = sum(1 for it in r.items if it.agreed and not it.in_gold)
        self.summary.setText(
            f"{len(r.spans)} span{'s' if len(r.spans) != 1 else ''}, {len(r.relations)} relation{'s' if len(r.relations) != 1 else ''} from {n_ann} annotator{'s' if n_ann != 1 else ''}"
            f" · {len(self.groups)} conflict{'s' if len(self.groups) != 1 else ''} ({unsettled} unsettled)"
            f" · {in_gold} span{'s' if in_gold != 1 else ''} in gold · {agreed} agreed not yet accepted"
        )
        keys = "   ".join(f"{i + 1} {a}" for i, a in enumerate(r.annotators[:9]))
        legend = "Text: solid = in gold · faded, dashed = not in gold yet · tags show the votes"
        self.keys_label.setText((f"Versions: {keys}      {legend}\n" if keys else legend + "\n") + KEYS_HELP)
        current = self.min_votes_combo.currentData()
        self.min_votes_combo.blockSignals(True)
        self.min_votes_combo.clear()
        if n_ann:
            self.min_votes_combo.addItem(f"all {n_ann} agree", None)
            majority = n_ann // 2 + 1
            if majority < n_ann:
                self.min_votes_combo.addItem(f"majority ({majority} of {n_ann})", majority)
            i = self.min_votes_combo.findData(current)
            self.min_votes_combo.setCurrentIndex(max(0, i))
        self.min_votes_combo.blockSignals(False)

    def _update_progress(self) -> None:
        reviewed, total = review_progress(self.store)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(reviewed)
        self.progress.setFormat(f"Reviewed {reviewed} of {total}")

    def _update_enabled(self) -> None:
        has = self.review is not None
        for b in (self.accept_button, self.reviewed_button, self.edit_button, self.min_votes_combo):
            b.setEnabled(has)
        todo = self._review_list()
        if has and self.doc_id in todo:
            i = todo.index(self.doc_id)
            self.prev_button.setEnabled(i > 0)
            self.next_button.setEnabled(i < len(todo) - 1)
        else:
            self.prev_button.setEnabled(bool(todo))
            self.next_button.setEnabled(bool(todo))

    # -- the text ------------------------------------------------------------------------
    @staticmethod
    def _view_key(key: tuple) -> tuple:
        return ("review", *key)

    def _show_annotations(self) -> None:
        """Every version of every span (tag: label and votes) and relation (arcs) in the view."""
        r = self.review
        if r is None:
            self.view.set_annotations([], [])
            return
        spans = [ViewSpan(key=self._view_key(it.key), start=it.start, end=it.end,
                          label=f"{it.label} {it.vote_text}" + (" \u2713" if it.in_gold else ""),
                          color=self._label_color(it.label, LabelKind.ENTITY), layer=self._votes_text(it),
                          source="in gold" if it.in_gold else "", suggestion=not it.in_gold)
                 for it in r.spans]
        self._rel_ids = {}
        rels = []
        for i, it in enumerate(r.relations, start=1):
            self._rel_ids[it.key] = i
            rels.append(ViewRelation(id=i, head=-1, child=-1, label=it.label,
                                     color=self._label_color(it.label, LabelKind.RELATION), suggestion=not it.in_gold,
                                     head_key=self._view_key(it.head), child_key=self._view_key(it.child)))
        self.view.set_label_colours({lab.name: lab.color for lab in self.store.labels(LabelKind.ENTITY)})
        self.view.set_annotations(spans, rels)

    def _highlight(self) -> None:
        """Select the current item (or the first of the current conflict) in the text."""
        r = self.review
        if r is None:
            return
        current = self.current_item()
        gi = self.current_group_index()
        focus: list[ReviewItem] = []
        if current is not None:
            focus = [current]
        elif gi is not None and gi < len(self.groups):
            focus = list(self.groups[gi])
        self._highlighting = True
        try:
            if not focus:
                self.view.clear_selection()
            elif focus[0].kind == "span":
                self.view.select_item(self._view_key(focus[0].key))
            else:
                self.view.select_relation(self._rel_ids.get(focus[0].key))
        finally:
            self._highlighting = False

    def _item_clicked(self, key: tuple) -> None:
        self.select_at(key[1], key[1:])

    def _text_clicked(self) -> None:
        """A click in the text: a word selects what covers it, a relation's label that relation."""
        if self._highlighting:
            return
        sel, rel = self.view.text_selection(), self.view.selected_relation()
        if sel is not None:
            self.select_at(sel[0])
        elif rel is not None:
            key = next((k for k, i in self._rel_ids.items() if i == rel.id), None)
            if key is not None and not self.select_key(("item", "relation", key)):
                self.select_key(("group", "relation", key))

    # -- keys ------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        et = event.type()
        if et == QEvent.Type.KeyPress and obj in (self.tree, self.view):
            if self.handle_key(event):
                return True
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """The review keys (see the module docstring); ``True`` when the key was used."""
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        plain = not ctrl and not alt
        if ctrl and key == Qt.Key.Key_D:
            self.mark_reviewed()
        elif alt and key == Qt.Key.Key_Right:
            self.go_document(+1)
        elif alt and key == Qt.Key.Key_Left:
            self.go_document(-1)
        elif plain and key == Qt.Key.Key_A:
            self.accept_agreed()
        elif plain and key == Qt.Key.Key_N:
            self.next_conflict(+1)
        elif plain and key == Qt.Key.Key_P:
            self.next_conflict(-1)
        elif plain and Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            self.pick_annotator(key - Qt.Key.Key_1)
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.accept_selected()
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.reject_selected()
        elif plain and key == Qt.Key.Key_E:
            self.edit_in_main_view()
        else:
            return False
        return True

    # -- actions ---------------------------------------------------------------------------
    def _apply(self, edits: list, description: str) -> bool:
        """Apply edits through the state: one undo step (a macro when several)."""
        edits = [e for e in edits if not (hasattr(e, "edits") and not e.edits)]
        if not edits:
            return False
        stack = self.state.undo_stack
        ok = True
        self._refreshing = True
        try:
            if len(edits) > 1:
                stack.beginMacro(description)
            for e in edits:
                if self.state.apply(e) is False:
                    ok = False
                    break
        finally:
            if len(edits) > 1:
                stack.endMacro()
            self._refreshing = False
        self.refresh()
        return ok

    def accept_agreed(self) -> None:
        if self.doc_id is None:
            return
        min_votes = self.min_votes_combo.currentData()
        try:
            edit = accept_agreed_edit(self.store, self.doc_id, self.annotators, min_votes)
        except CorpusError as exc:
            self.message.setText("⚠ " + str(exc))
            return
        if not getattr(edit, "edits", ()):
            self.message.setText("Nothing agreed is missing from gold.")
            return
        if self._apply([edit], edit.description):
            self.message.setText(f"{edit.description}. Undo: Ctrl+Z.")
            self._advance_to_unsettled()

    def next_conflict(self, step: int) -> None:
        if not self.groups:
            self.message.setText("No conflicts in this document. Ctrl+D marks it reviewed.")
            return
        gi = self.current_group_index()
        if gi is None:
            # the first conflict after (or before) the selected item
            it = self.current_item()
            pos = it.position[0] if it is not None else (-1 if step > 0 else 1 << 30)
            order = range(len(self.groups)) if step > 0 else range(len(self.groups) - 1, -1, -1)
            target = next((i for i in order if (self.groups[i][0].position[0] > pos if step > 0
                                                 else self.groups[i][0].position[0] < pos)), None)
        else:
            target = gi + step
        if target is None or not 0 <= target < len(self.groups):
            self.message.setText("Last conflict." if step > 0 else "First conflict.")
            return
        self.select_group(self.groups[target])
        self.message.clear()

    def _advance_to_unsettled(self) -> None:
        gi = self.current_group_index()
        start = 0 if gi is None else gi
        order = list(range(start, len(self.groups))) + list(range(0, start))
        for i in order:
            if not is_settled(self.groups[i]):
                self.select_group(self.groups[i])
                return

    def _current_unit(self) -> list[ReviewItem]:
        gi = self.current_group_index()
        if gi is not None and gi < len(self.groups):
            return list(self.groups[gi])
        it = self.current_item()
        return [it] if it is not None else []

    def pick_annotator(self, index: int) -> None:
        """Take annotator ``index``'s version of the current conflict (or item) into gold."""
        r = self.review
        if r is None:
            return
        if index >= len(r.annotators):
            self.message.setText(f"There is no annotator {index + 1} (this document compares {len(r.annotators)}).")
            return
        who = r.annotators[index]
        unit = self._current_unit()
        if not unit:
            self.message.setText("Select a conflict first (N).")
            return
        theirs = [it for it in unit if it.votes.get(who)]
        targets = theirs if theirs else [it for it in unit if it.in_gold]
        if not targets:
            self.message.setText(f"{who} has nothing here and neither has gold: already {who}'s version.")
            return
        if not self._apply_sequential(targets, bool(theirs), f"Take {who}'s version"):
            return
        what = ", ".join(f"{it.label} “{_flat(self._span_text(it), 30)}”" for it in theirs) or "nothing (removed from gold)"
        self.message.setText(f"Took {who}'s version: {what}.")
        self._advance_to_unsettled()

    def _span_text(self, it: ReviewItem) -> str:
        if it.kind == "span":
            return it.text
        r = self.review
        return f"{r.text[it.head[0]:it.head[1]]} → {r.text[it.child[0]:it.child[1]]}" if r else ""

    def _apply_sequential(self, items: list[ReviewItem], accept: bool, description: str) -> bool:
        """Accept (or remove from gold) several items as one undo step.

        Each pick is planned on the store as the previous one left it (spans before relations,
        so the spans a relation links are in gold first).
        """
        stack = self.state.undo_stack
        macro = len(items) > 1
        ok = True
        self._refreshing = True
        if macro:
            stack.beginMacro(description)
        try:
            for it in sorted(items, key=lambda x: x.kind != "span"):
                edit = pick_edit(self.store, self.doc_id, it, accept=accept)
                if not getattr(edit, "edits", True):
                    continue
                if self.state.apply(edit) is False:
                    ok = False
                    break
        except CorpusError as exc:
            self.message.setText("⚠ " + str(exc))
            ok = False
        finally:
            if macro:
                stack.endMacro()
            self._refreshing = False
        self.refresh()
        return ok

    def accept_selected(self) -> None:
        it = self.current_item()
        if it is None:
            if self.current_group_index() is not None:
                self.message.setText("Pick a version: select one (↓) and press Return, or press 1–9 for an annotator's.")
            return
        try:
            edit = pick_edit(self.store, self.doc_id, it, accept=True)
        except CorpusError as exc:
            self.message.setText("⚠ " + str(exc))
            return
        if not getattr(edit, "edits", ()):
            self.message.setText("Already in gold.")
            return
        if self._apply([edit], edit.description):
            self.message.setText(f"Accepted {it.label} “{_flat(self._span_text(it), 40)}” into gold.")
            if it.in_conflict:
                self._advance_to_unsettled()

    def reject_selected(self) -> None:
        unit = [self.current_item()] if self.current_item() is not None else self._current_unit()
        in_gold = [it for it in unit if it is not None and it.in_gold]
        if not in_gold:
            self.message.setText("Not in gold: nothing to remove (only gold is edited here).")
            return
        if not self._apply_sequential(in_gold, False, "Remove from gold"):
            return
        self.message.setText("Removed from gold: " + ", ".join(f"{it.label} “{_flat(self._span_text(it), 30)}”" for it in in_gold) + ".")

    def edit_in_main_view(self) -> None:
        if self.doc_id is None:
            return
        it = self.current_item()
        unit = self._current_unit()
        lo = min((x.position[0] for x in unit), default=0)
        hi = max((x.position[1] for x in unit), default=0)
        if it is not None:
            lo, hi = it.position
        self.state.open_document(self.doc_id)
        self.editRequested.emit(self.doc_id, lo, hi)
        self.message.setText("Opened in the main view.")

    def mark_reviewed(self) -> None:
        if self.doc_id is None:
            return
        unsettled = sum(1 for g in self.groups if not is_settled(g))
        done = self.doc_id
        if self.review is not None and not self.review.reviewed:
            self._apply([mark_reviewed_edit(self.store, self.doc_id)], "Mark reviewed")
        nxt = self._next_unreviewed(after=done)
        note = f" ({unsettled} conflict{'s' if unsettled != 1 else ''} left unsettled)" if unsettled else ""
        if nxt is None:
            self.message.setText(f"Marked reviewed{note}. Every document to review is reviewed.")
            return
        self.load_document(nxt)
        name = self.review.name if self.review else str(nxt)
        self.message.setText(f"Marked the previous document reviewed{note}. Now: {name}.")

    def _next_unreviewed(self, after: int) -> int | None:
        todo = self._review_list()
        reviewed = set(self.store.done_documents("gold"))
        later = [d for d in todo if d > after and d not in reviewed]
        earlier = [d for d in todo if d < after and d not in reviewed]
        return (later or earlier or [None])[0]

    def go_document(self, step: int) -> None:
        todo = self._review_list()
        if not todo:
            return
        if self.doc_id in todo:
            i = todo.index(self.doc_id) + step
        else:
            i = 0 if step > 0 else len(todo) - 1
        if 0 <= i < len(todo):
            self.load_document(todo[i])

    def export_gold(self) -> None:
        from ui.export_dialog import ExportDialog

        dlg = ExportDialog(self.state, self)
        i = dlg.layer_combo.findData("gold")
        if i >= 0:
            dlg.layer_combo.setCurrentIndex(i)
        self.export_dialog = dlg
        dlg.open()
