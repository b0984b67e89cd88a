"""A span's knowledge-base id and attributes in the window: shown when the span is selected,
edited with ``K`` (an undoable :class:`~annotator.edits.SetSpanInfo`).

The dialog has a one-line kb id (``Q42``, ``Wikipedia:534366``) and the attributes one per
line: ``Name = value`` for a value, a bare ``Name`` for a flag that is set, ``!Name`` for a flag
that is cleared. Enter in the kb id field (or Ctrl+Enter anywhere) saves, Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.edits import Edit, SetSpanInfo
from corpus.model import Attributes, Span, normalise_attributes
from ui.state import AppState

__all__ = ["SpanInfoDialog", "SpanInfoEditor", "format_attributes", "parse_attributes", "describe_span_info"]


def format_attributes(attributes: Attributes) -> str:
    """The attributes as the dialog shows them, one per line (see the module docstring)."""
    lines = []
    for name, value in attributes:
        if value is True:
            lines.append(name)
        elif value is False:
            lines.append(f"!{name}")
        else:
            lines.append(f"{name} = {value}")
    return "\n".join(lines)


def parse_attributes(text: str) -> Attributes:
    """The dialog's lines as attributes; raises ``ValueError`` naming the line that is not
    ``Name = value``, ``Name`` or ``!Name``."""
    pairs: list[tuple[str, str | bool]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, eq, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if eq and (not name or not value):
            raise ValueError(f"attribute line {n}: write Name = value, Name or !Name")
        if eq:
            pairs.append((name, value))
        elif name.startswith("!") and name[1:].strip():
            pairs.append((name[1:].strip(), False))
        else:
            pairs.append((name, True))
    return normalise_attributes(pairs)


def describe_span_info(span: Span) -> str:
    """One line for the status bar: the kb id and the attributes, or ``""`` when it has none."""
    parts = []
    if span.kb_id:
        parts.append(f"kb id {span.kb_id}")
    if span.attributes:
        parts.append(", ".join(format_attributes(((n, v),)) for n, v in span.attributes))
    sep = " \u00b7 "
    return f"{span.label} {sep.join(parts)} (K edits)" if parts else ""


class SpanInfoDialog(QDialog):
    """The kb id and attributes of one span; :attr:`kb_edit` and :attr:`attributes_edit` are
    its fields, :attr:`error` says why a save was refused."""

    def __init__(self, span: Span, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Knowledge-base id and attributes")
        self.span = span
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{span.label} \u201c{text}\u201d", self))
        form = QFormLayout()
        self.kb_edit = QLineEdit(span.kb_id, self)
        self.kb_edit.setPlaceholderText("e.g. Q42 or Wikipedia:534366")
        self.attributes_edit = QPlainTextEdit(format_attributes(span.attributes), self)
        self.attributes_edit.setTabChangesFocus(True)
        self.attributes_edit.setPlaceholderText("Name = value\nFlag\n!ClearedFlag")
        form.addRow("&Kb id", self.kb_edit)
        form.addRow("&Attributes", self.attributes_edit)
        lay.addLayout(form)
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #b00020")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.kb_edit.returnPressed.connect(self.try_accept)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.try_accept)
        self.result_info: tuple[str, Attributes] | None = None
        self.kb_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_accept(self) -> None:
        """Save when the attributes parse; otherwise say why and stay open."""
        try:
            attributes = parse_attributes(self.attributes_edit.toPlainText())
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.result_info = (self.kb_edit.text().strip(), attributes)
        self.accept()


class SpanInfoEditor(QObject):
    """Shows the selected span's kb id and attributes in the status bar and edits them (``K``)."""

    def __init__(self, window: QWidget, view, state: Callable[[], AppState | None],  # type: ignore[no-untyped-def]
                 apply: Callable[[Edit], bool], message: Callable[..., None]) -> None:
        super().__init__(window)
        self._window, self._view, self._state, self._apply, self._message = window, view, state, apply, message
        #: the open dialog (``None`` when none is open)
        self.dialog: SpanInfoDialog | None = None
        view.selectionChanged.connect(self.show_selected)

    def _selected_span(self) -> Span | None:
        st = self._state()
        item = self._view.selected_item()
        if st is None or item is None or item.suggestion or item.id is None:
            return None
        return st.store.get_span(item.id)

    def show_selected(self) -> None:
        """Put the selected span's kb id and attributes in the status bar (when it has any)."""
        span = self._selected_span()
        line = describe_span_info(span) if span is not None else ""
        if line:
            self._message(line, 8000)

    def edit_selected(self) -> None:
        """``K``: open the dialog for the selected span (one of the person's own)."""
        st = self._state()
        span = self._selected_span()
        if st is None or span is None:
            self._message("Select one of your spans first (Tab), then K to set its kb id and attributes")
            return
        if span.layer != st.annotator:
            self._message(f"That span is in {span.layer!r}'s layer: only your own spans can be edited here")
            return
        dlg = SpanInfoDialog(span, self._view.text[span.start:span.end], self._window)
        dlg.finished.connect(lambda _code: self._closed(dlg))
        self.dialog = dlg
        dlg.open()

    def _closed(self, dlg: SpanInfoDialog) -> None:
        self.dialog = None
        dlg.deleteLater()
        if dlg.result_info is None:
            return
        kb_id, attributes = dlg.result_info
        span = dlg.span
        if (kb_id, attributes) == (span.kb_id, span.attributes) or span.id is None:
            return
        if self._apply(SetSpanInfo(span.id, kb_id, attributes, description=f"Set kb id / attributes of {span.label}")):
            self._view.select_item(("span", span.id), ensure_visible=False)
            self.show_selected()
