"""The document list: a lazy table model over document ids, search and a status filter.

The model holds only the list of ids (one indexed query, fast at 100,000 documents); rows
(name, the annotator's status, their span count) are fetched a page at a time when the view
asks for them, and a single row is refreshed when its document changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from corpus.model import DocumentStatus
from corpus.store.documents import DocRow, document_rows, filtered_document_ids
from annotator.changes import Changes
from ui.state import AppState
from ui.style import STATUS_TEXT, status_icon
from ui.tables import HeaderedTableModel

__all__ = ["DocListModel", "DocListPanel"]

PAGE = 200


class DocListModel(HeaderedTableModel):
    """Rows = document ids; columns: name (with status icon), spans."""

    HEADERS = ("Document", "Spans")

    def __init__(self, state: AppState | None = None, parent=None) -> None:
        super().__init__(parent)
        self._state = state
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, DocRow] = {}
        self.status_filter: DocumentStatus | None = None
        self.query = ""
        #: document ids in the order chosen ("most useful next"); others follow in id order
        self.order: list[int] | None = None
        self.fetches = 0  # pages fetched (for tests/benchmarks)

    def set_state(self, state: AppState | None) -> None:
        self._state = state
        self.reload()

    # -- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self._cache.clear()
        if self._state is None:
            self._ids = []
        else:
            self._ids = filtered_document_ids(self._state.store, self._state.annotator, self.status_filter, self.query)
            if self.order:
                rank = {d: i for i, d in enumerate(self.order)}
                self._ids.sort(key=lambda d: rank.get(d, len(rank)))  # stable: the rest keep their order
        self._row_of = {d: i for i, d in enumerate(self._ids)}
        self.endResetModel()

    def refresh_doc(self, doc_id: int) -> None:
        """Re-read one document's row (after an edit)."""
        self._cache.pop(doc_id, None)
        row = self._row_of.get(doc_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def doc_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, doc_id: int) -> int | None:
        return self._row_of.get(doc_id)

    def ids(self) -> list[int]:
        return list(self._ids)

    def cached_rows(self) -> int:
        """How many rows are held in memory now (rows are fetched a page at a time)."""
        return len(self._cache)

    def _row(self, row: int) -> DocRow | None:
        d = self._ids[row]
        r = self._cache.get(d)
        if r is None and self._state is not None:
            start = (row // PAGE) * PAGE
            page = [i for i in self._ids[start : start + PAGE] if i not in self._cache]
            self._cache.update(document_rows(self._state.store, page, self._state.annotator))
            self.fetches += 1
            if len(self._cache) > 20 * PAGE:  # keep memory flat while scrolling far
                keep = set(self._ids[max(0, start - PAGE) : start + 2 * PAGE])
                self._cache = {k: v for k, v in self._cache.items() if k in keep}
            r = self._cache.get(d)
        return r

    # -- Qt API ----------------------------------------------------------------------------------
    def n_rows(self) -> int:
        return len(self._ids)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._row(index.row())
        if r is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return r.name or f"#{r.id}"
            return r.n_spans
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return status_icon(r.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.name or '#' + str(r.id)}\n{STATUS_TEXT[r.status]} \u00b7 {r.n_spans} spans \u00b7 {r.n_tokens} tokens"
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.UserRole + 1:
            return r.status.value
        return None


class DocListPanel(QWidget):
    """Search box, status filter and the list; selecting a row opens the document."""

    countChanged = Signal(int)
    #: Enter in the search box opened a document: the window moves the focus to its text.
    documentChosen = Signal(int)
    #: the person chose an order: "documents" (import order) or "useful" (most useful next)
    orderChosen = Signal(str)

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: AppState | None = None
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search\u2026")  # the long form did not fit next to the filter
        self.search.setToolTip("Search the documents' text and names (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.filter = QComboBox(self)
        self.filter.addItem("All", None)
        for st in DocumentStatus:
            self.filter.addItem(status_icon(st), STATUS_TEXT[st].capitalize(), st.value)
        self.table = QTableView(self)
        self.model = DocListModel(None, self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setResizeContentsPrecision(0)  # size from visible rows only: stays lazy
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("docInfo")
        self.order_box = QComboBox(self)
        self.order_box.addItem("In order", "documents")
        self.order_box.addItem("Most useful next", "useful")
        self.order_box.setToolTip("Most useful next: the documents the project's model is least sure about first "
                                  "(Ctrl+D opens them in that order)")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.filter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.order_box)
        lay.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._open_first_match)
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.order_box.currentIndexChanged.connect(lambda _i: self.orderChosen.emit(self.order_box.currentData()))
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._syncing = False
        if state is not None:
            self.set_state(state)

    def set_state(self, state: AppState | None) -> None:
        if self.state is not None:
            try:
                self.state.changed.disconnect(self._on_changed)
                self.state.documentSelected.disconnect(self._on_doc_selected)
            except (RuntimeError, TypeError):
                pass
        self.state = state
        self.model.set_state(state)
        if state is not None:
            state.changed.connect(self._on_changed)
            state.documentSelected.connect(self._on_doc_selected)
        self._update_count()

    def apply_filter(self) -> None:
        """Filter the list now by the search text and the status chosen (typing waits a moment)."""
        self._timer.stop()
        v = self.filter.currentData()
        self.model.status_filter = DocumentStatus(v) if v else None
        self.model.query = self.search.text()
        self.model.reload()
        self._update_count()
        if self.state is not None and self.state.current_doc_id is not None:
            self._select_row(self.state.current_doc_id)

    def set_order(self, ids: list[int] | None) -> None:
        """Show the documents in this order (``None``: import order; the chooser says so)."""
        self.model.order = list(ids) if ids else None
        if ids is None and self.order_box.currentData() != "documents":
            self.order_box.blockSignals(True)
            self.order_box.setCurrentIndex(0)
            self.order_box.blockSignals(False)
        self.apply_filter()

    def _open_first_match(self) -> None:
        """Enter in the search box: filter now and open the best match."""
        self.apply_filter()
        if self.state is None or self.model.rowCount() == 0:
            return
        d = self.model.doc_id(0)
        if d is None:
            return
        if d != self.state.current_doc_id:
            self.state.open_document(d)
        self.documentChosen.emit(d)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        total = self.state.store.count_documents() if self.state is not None else 0
        self.count_label.setText(f"{n:,} of {total:,} documents" if n != total else f"{total:,} documents")
        self.countChanged.emit(n)

    def _row_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if self._syncing or self.state is None or not current.isValid():
            return
        d = self.model.doc_id(current.row())
        if d is not None and d != self.state.current_doc_id:
            self.state.open_document(d)

    def _select_row(self, doc_id: int) -> None:
        row = self.model.row_of(doc_id)
        self._syncing = True
        try:
            if row is None:
                self.table.clearSelection()
            else:
                idx = self.model.index(row, 0)
                self.table.setCurrentIndex(idx)
                self.table.scrollTo(idx)
        finally:
            self._syncing = False

    def _on_doc_selected(self, doc_id: int) -> None:
        self._select_row(doc_id)

    def _on_changed(self, changes: Changes) -> None:
        if self.state is None:
            return
        if changes.documents or changes.annotator:
            self.apply_filter()
            return
        # a row whose status changed stays while the person works on it (even when the status
        # filter would hide it now); its look and counts are read again
        for d in changes.spans | changes.status | changes.rejections:
            self.model.refresh_doc(d)
