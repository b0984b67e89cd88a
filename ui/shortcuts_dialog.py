"""A dialog listing every key of the window, built from its QActions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ShortcutsDialog"]


class ShortcutsDialog(QDialog):
    """A table: group, keys, what they do."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        intro = QLabel("Everything can be done from the keyboard. Keys under \u201cNavigate\u201d work while the "
                       "text has the focus; label keys follow the palette.", self)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Keys", "Action"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(21)
        last = None
        for i, (group, keys, what) in enumerate(rows):
            g = QTableWidgetItem(group if group != last else "")
            last = group
            f = g.font()
            f.setBold(True)
            g.setFont(f)
            k = QTableWidgetItem(keys)
            kf = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)  # the platform's, not one family
            kf.setPointSizeF(g.font().pointSizeF())
            k.setFont(kf)
            self.table.setItem(i, 0, g)
            self.table.setItem(i, 1, k)
            self.table.setItem(i, 2, QTableWidgetItem(what))
        h = self.table.horizontalHeader()
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)  # like the rows
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.table, 1)
        lay.addWidget(buttons)
        self.table.setCurrentItem(None)  # no focus frame on the first cell (the list still scrolls by keys)
        self.resize(620, 680)
        self.rows = rows

    def keys_for(self, what: str) -> list[str]:
        return [k for _g, k, w in self.rows if w == what]
