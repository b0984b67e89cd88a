"""Span and relation tables (Qt model/view) for the current document.

Clicking a row selects the span in the document view (the window connects
:attr:`AnnotationTables.spanActivated`). The models are refreshed from the same lists the
view shows, so the three always agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTabWidget, QWidget

from ui.document_view import ViewRelation, ViewSpan, item_order
from ui.style import swatch_icon

__all__ = ["SpanTableModel", "RelationTableModel", "AnnotationTables"]


_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_USER = Qt.ItemDataRole.UserRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_GREY = QColor("#777777")


def _italic() -> QFont:
    f = QFont()
    f.setItalic(True)
    return f


def _clip(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


class HeaderedTableModel(QAbstractTableModel):
    """A flat table with fixed column headers (``HEADERS``) over :meth:`n_rows` rows."""

    HEADERS: tuple[str, ...] = ()

    def n_rows(self) -> int:
        """How many rows the table has."""
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else self.n_rows()

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class SpanTableModel(HeaderedTableModel):
    HEADERS = ("Text", "Label", "Start", "End", "From")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ViewSpan] = []
        self.by_key: dict = {}
        self.n_suggestions = 0
        self.text = ""
        self._italic = _italic()

    def set_rows(self, text: str, rows: list[ViewSpan]) -> None:
        """All rows at once (``rows`` in the view's order)."""
        self.beginResetModel()
        self.text = text
        self.rows = list(rows)
        self.by_key = {s.key: s for s in self.rows}
        self.n_suggestions = sum(1 for s in self.rows if s.suggestion)
        self.endResetModel()

    def row_of(self, key) -> int | None:
        """The row of a span or suggestion (a bisection: rows are in the view's order)."""
        sp = self.by_key.get(key)
        if sp is None:
            return None
        rows = self.rows
        i = bisect.bisect_left(rows, item_order(sp), key=item_order)
        while i < len(rows) and rows[i].start == sp.start:
            if rows[i] is sp:
                return i
            i += 1
        return next((j for j, s in enumerate(rows) if s is sp), None)  # pragma: no cover - order changed

    def remove_keys(self, keys: Iterable) -> None:
        for key in keys:
            i = self.row_of(key)
            if i is None:
                continue
            self.beginRemoveRows(QModelIndex(), i, i)
            sp = self.rows.pop(i)
            del self.by_key[key]
            self.n_suggestions -= sp.suggestion
            self.endRemoveRows()

    def insert_items(self, items: Iterable[ViewSpan]) -> None:
        for sp in items:
            if sp.key in self.by_key:
                self.remove_keys([sp.key])
            i = bisect.bisect_right(self.rows, item_order(sp), key=item_order)
            self.beginInsertRows(QModelIndex(), i, i)
            self.rows.insert(i, sp)
            self.by_key[sp.key] = sp
            self.n_suggestions += sp.suggestion
            self.endInsertRows()

    def n_rows(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # called for every role of every visible cell on each paint: the common answers first
        if role == _DISPLAY:
            sp = self.rows[index.row()]
            col = index.column()
            if col == 0:
                return _clip(self.text[sp.start : sp.end])
            if col == 1:
                return sp.label
            if col == 2:
                return sp.start
            if col == 3:
                return sp.end
            return ("suggested: " + sp.layer) if sp.suggestion else (sp.source or sp.layer)
        if role == _DECORATION:
            if index.column() == 1:
                sp = self.rows[index.row()]
                return swatch_icon(sp.color, dashed=sp.suggestion)
            return None
        if role == _FOREGROUND:
            return _GREY if self.rows[index.row()].suggestion else None
        if role == _FONT:
            return self._italic if self.rows[index.row()].suggestion else None
        if role == _TOOLTIP:
            sp = self.rows[index.row()]
            text = " ".join(self.text[sp.start : sp.end].split())
            what = f"suggested by {sp.layer}" if sp.suggestion else f"{sp.source or sp.layer}"
            return f"{sp.label}: \u201c{text}\u201d\ncharacters {sp.start}\u2013{sp.end} \u00b7 {what}"
        if role == _USER:
            return self.rows[index.row()].key
        return None


class RelationTableModel(HeaderedTableModel):
    HEADERS = ("Head", "Relation", "Child")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ViewRelation] = []
        self.names: dict[int, tuple[str, str]] = {}  # span id -> (its text, its label)

    def set_rows(self, rows: list[ViewRelation], names: dict[int, tuple[str, str]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.names = names
        self.endResetModel()

    def n_rows(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY:
            r = self.rows[index.row()]
            col = index.column()
            if col == 1:
                return r.label
            return self.names.get(r.head if col == 0 else r.child, ("?", ""))[0]
        if role == _TOOLTIP:
            r = self.rows[index.row()]
            h, c = self.names.get(r.head, ("?", "")), self.names.get(r.child, ("?", ""))
            return f"{r.label}: \u201c{h[0]}\u201d ({h[1]}) \u2192 \u201c{c[0]}\u201d ({c[1]})"
        if role == _DECORATION:
            return swatch_icon(self.rows[index.row()].color) if index.column() == 1 else None
        if role == _USER:
            return self.rows[index.row()].id
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
        # the names get the room: label and offsets as wide as they need, the rest in tooltips
        sh = self.span_view.horizontalHeader()
        sh.setStretchLastSection(False)
        sh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # widths from the font, not ResizeToContents (which asks every one of 2,000 rows)
        for col in (1, 2):
            sh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        for col in (3, 4):  # end and source: in the row's tooltip
            self.span_view.setColumnHidden(col, True)
        rh = self.rel_view.horizontalHeader()
        rh.setStretchLastSection(False)
        rh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rh.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self._label_width = 0
        rh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
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

    def set_state(self, state) -> None:
        """A panel of the window (see :mod:`ui.panels`): another project empties the tables
        until its first document is shown."""
        self.set_content("", [], [])

    def set_content(self, text: str, items: list[ViewSpan], relations: list[ViewRelation]) -> None:
        """Show these spans/suggestions (in the view's order) and relations."""
        self.spans.set_rows(text, items)
        self._set_relations(text, relations)
        self._update_tabs()
        self._fit_label_columns({s.label for s in items} | {r.label for r in relations})

    def update_content(self, text: str, remove: Iterable, add: Iterable[ViewSpan],
                       relations: list[ViewRelation] | None = None, suggestions_shown: bool = True) -> None:
        """Change some rows: ``remove`` keys, ``add`` items (a changed one is in both), and the
        relations when given (their names follow their spans)."""
        self.spans.text = text
        self.spans.remove_keys(remove)
        self.spans.insert_items(s for s in add if suggestions_shown or not s.suggestion)
        if relations is not None:
            self._set_relations(text, relations)
        self._update_tabs()
        self._fit_label_columns({s.label for s in add} | {r.label for r in relations or ()})

    def _fit_label_columns(self, labels: set[str]) -> None:
        """Make the label columns as wide as the longest label shown (swatch and padding included)."""
        fm = self.span_view.fontMetrics()
        w = max((fm.horizontalAdvance(lab) for lab in labels), default=0) + 40
        if w > self._label_width:
            self._label_width = w
            self.span_view.setColumnWidth(1, w)
            self.rel_view.setColumnWidth(1, w)
            self.span_view.setColumnWidth(2, fm.horizontalAdvance("000000") + 14)

    def _set_relations(self, text: str, relations: list[ViewRelation]) -> None:
        relations = [r for r in relations if not r.suggestion]  # suggestions are in the view only
        wanted = {r.head for r in relations} | {r.child for r in relations}
        by_key = self.spans.by_key
        names = {}
        for sid in wanted:
            s = by_key.get(("span", sid))
            if s is not None:
                names[sid] = (_clip(text[s.start:s.end], 40), s.label)
        self.relations.set_rows(relations, names)

    def _update_tabs(self) -> None:
        # the counts are in the document header; re-titling a tab re-lays out (and repaints) the
        # whole tab widget, so the titles stay put and the counts go in their tooltips
        n = len(self.spans.rows)
        sugg = self.spans.n_suggestions
        self.setTabToolTip(0, f"{n - sugg} spans + {sugg} suggestions" if sugg else f"{n} spans")
        self.setTabToolTip(1, f"{len(self.relations.rows)} relations")

    def select_key(self, key) -> None:
        i = self.spans.row_of(key) if key is not None else None
        if i is not None:
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
