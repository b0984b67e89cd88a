"""Find in the document: a small bar over the text (Ctrl+F).

Typing searches the open document (case-insensitive); Enter selects the next match (Shift+Enter
the previous one), so a number key then labels it; Esc closes the bar and gives the keys back to
the document.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ui.document_view import DocumentView

__all__ = ["FindBar", "find_all"]


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Every (start, end) of ``needle`` in ``text``, case-insensitive, not overlapping."""
    if not needle:
        return []
    hay, n = text.casefold(), needle.casefold()
    if len(hay) != len(text):  # casefolding changed lengths (e.g. "ß"): fall back to lower()
        hay, n = text.lower(), needle.lower()
    out, i = [], hay.find(n)
    while i >= 0:
        out.append((i, i + len(n)))
        i = hay.find(n, i + max(1, len(n)))
    return out


class _FindEdit(QLineEdit):
    """The search field: Enter / Shift+Enter / Esc are the bar's."""

    def __init__(self, bar: FindBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._bar.find_next(not (e.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return
        if e.key() == Qt.Key.Key_Escape:
            self._bar.close_bar()
            return
        super().keyPressEvent(e)


class FindBar(QWidget):
    """Find in the open document (see the module docstring)."""

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.view = view
        self.edit = _FindEdit(self)
        self.edit.setPlaceholderText("Find in document (Enter: next, Shift+Enter: previous, Esc: close)")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel("", self)
        close = QToolButton(self)
        close.setText("\u2715")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(QLabel("Find:", self))
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.count)
        lay.addWidget(close)
        self.edit.textChanged.connect(self._typed)
        self.hide()

    def open_bar(self) -> None:
        """Show the bar with the field focused (the selected text, if any, as the search)."""
        sel = self.view.text_selection()
        if sel is not None and not self.isVisible():
            self.edit.setText(self.view.text[sel[0]:sel[1]])
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus()

    def matches(self) -> list[tuple[int, int]]:
        """Where the search text occurs in the document."""
        return find_all(self.view.text, self.edit.text())

    def _typed(self, _text: str) -> None:
        n = len(self.matches())
        self.count.setText("" if not self.edit.text() else ("no match" if not n else f"{n:,} match" + ("" if n == 1 else "es")))

    def find_next(self, forward: bool = True) -> tuple[int, int] | None:
        """Select the next (previous) match after the selection; wraps around."""
        found = self.matches()
        if not found:
            self.count.setText("no match" if self.edit.text() else "")
            return None
        sel = self.view.text_selection()
        item = self.view.selected_item()
        pos = sel[0] if sel is not None else (item.start if item is not None else -1)
        if forward:
            target = next((m for m in found if m[0] > pos), found[0])
        else:
            target = next((m for m in reversed(found) if m[0] < pos), found[-1])
        self.view.set_text_selection(target[0], target[1], snap=False)
        i = found.index(target)
        self.count.setText(f"{i + 1:,} of {len(found):,}")
        return target
