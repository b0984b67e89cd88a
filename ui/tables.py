"""Span and relation tables (Qt model/view) for the current document.

Clicking a row selects the span in the document view (the window connects
:attr:`AnnotationTables.spanActivated`). The models are refreshed from the same lists the
view shows, so the three always agree.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTabWidget, QWidget

from ui.document_view import ViewRelation, ViewSpan
from ui.style import swatch_icon

__all__ = ["SpanTableModel", "RelationTableModel", "AnnotationTables"]


def _clip(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


class SpanTableModel(QAbstractTableModel):
    HEADERS = ("Text", "Label", "Start", "End", "From")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ViewSpan] = []
        self.text = ""

    def set_rows(self, text: str, rows: list[ViewSpan]) -> None:
        self.beginResetModel()
        self.text = text
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sp = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return _clip(self.text[sp.start : sp.end])
            if col == 1:
                return sp.label
            if col == 2:
                return sp.start
            if col == 3:
                return sp.end
            if col == 4:
                return ("suggested: " + sp.layer) if sp.suggestion else (sp.source or sp.layer)
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return swatch_icon(sp.color, dashed=sp.suggestion)
        if role == Qt.ItemDataRole.ForegroundRole and sp.suggestion:
            return QColor("#777777")
        if role == Qt.ItemDataRole.FontRole and sp.suggestion:
            from PySide6.QtGui import QFont

            f = QFont()
            f.setItalic(True)
            return f
        if role == Qt.ItemDataRole.UserRole:
            return sp.key
        return None


class RelationTableModel(QAbstractTableModel):
    HEADERS = ("Head", "Relation", "Child")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ViewRelation] = []
        self.names: dict[int, str] = {}

    def set_rows(self, rows: list[ViewRelation], names: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.names = names
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (self.names.get(r.head, "?"), r.label, self.names.get(r.child, "?"))[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return swatch_icon(r.color)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None


class AnnotationTables(QTabWidget):
    """Two tabs: spans (with pending suggestions) and relations."""

    #: a row was clicked: the key of the span/suggestion
    spanActivated = Signal(object)
    #: a relation row was clicked: (relation id, head span id)
    relationActivated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spans = SpanTableModel(self)
        self.relations = RelationTableModel(self)
        self.span_view = self._table(self.spans)
        self.rel_view = self._table(self.relations)
        self.rel_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.addTab(self.span_view, "Spans")
        self.addTab(self.rel_view, "Relations")
        self.span_view.clicked.connect(self._span_clicked)
        self.rel_view.clicked.connect(self._rel_clicked)

    def _table(self, model) -> QTableView:
        t = QTableView(self)
        t.setModel(model)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(21)
        t.setShowGrid(False)
        t.setAlternatingRowColors(True)
        t.horizontalHeader().setStretchLastSection(True)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        t.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        return t

    def set_content(self, text: str, items: list[ViewSpan], relations: list[ViewRelation]) -> None:
        self.spans.set_rows(text, items)
        wanted = {r.head for r in relations} | {r.child for r in relations}
        names = {s.id: f"{_clip(text[s.start:s.end], 24)} ({s.label})" for s in items
                 if s.id in wanted and not s.suggestion}
        self.relations.set_rows(relations, names)
        mine = sum(1 for s in items if not s.suggestion)
        self.setTabText(0, f"Spans ({mine} + {len(items) - mine} suggested)" if len(items) != mine else f"Spans ({mine})")
        self.setTabText(1, f"Relations ({len(relations)})")
        if self.span_view.columnWidth(0) < 60:
            self.span_view.setColumnWidth(0, 160)

    def select_key(self, key) -> None:
        for i, s in enumerate(self.spans.rows):
            if s.key == key:
                self.span_view.selectRow(i)
                self.span_view.scrollTo(self.spans.index(i, 0))
                return
        self.span_view.clearSelection()

    def _span_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.spanActivated.emit(self.spans.rows[index.row()].key)

    def _rel_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            r = self.relations.rows[index.row()]
            self.relationActivated.emit(r.id, r.head)
