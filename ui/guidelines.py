"""The annotation guidelines panel (a widget the main window puts in a dock).

The guidelines are the project's own Markdown, kept in the project setting ``guidelines``.
They are shown rendered (``QTextBrowser.setMarkdown``: the one place rich text is right, since
the text is the project's own guidelines, not an article; HTML tags in it are shown as
characters, never interpreted) and edited as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import GUIDELINES_KEY, Changes
from annotator.label_edits import SetSetting

__all__ = ["GuidelinesPanel", "SETTING"]

#: Project setting holding the guidelines (Markdown).
SETTING = GUIDELINES_KEY

EMPTY = (
    "*No annotation guidelines yet.*\n\n"
    "Click **Edit** to write them (Markdown): what each label covers, borderline cases, examples."
)


def confirm_discard(parent: QWidget) -> bool:
    """Ask before throwing away edited guidelines (tests replace this)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Discard changes",
                      "Throw away your unsaved changes to the guidelines?",
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard


MARKDOWN = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML


class GuidelinesPanel(QWidget):
    """Shows the project's guidelines; Edit switches to a plain-text editor that saves to the project."""

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.setObjectName("GuidelinesPanel")

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guidelines_view")
        self.browser.setOpenExternalLinks(True)
        self.browser.setOpenLinks(True)

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("guidelines_editor")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.editor.setFont(mono)
        self.editor.setPlaceholderText("# Guidelines\n\nWrite the annotation guidelines in Markdown…")
        self.editor.modificationChanged.connect(self._update_status)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.browser)
        self.stack.addWidget(self.editor)

        self.edit_button = QPushButton("&Edit", self)
        self.edit_button.setToolTip("Edit the guidelines (Markdown)")
        self.save_button = QPushButton("&Save", self)
        self.save_button.setToolTip("Save to the project (Ctrl+S)")
        self.cancel_button = QPushButton("Cancel", self)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: #666;")
        self.status.setWordWrap(True)
        self.edit_button.clicked.connect(self.start_editing)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        self.editor.installEventFilter(self)  # Ctrl+S saves, Escape cancels

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.stack, 1)
        lay.addLayout(bar)

        self.state = None
        self.set_state(state)
        self._show_view()

    def set_state(self, state) -> None:
        """Show another project's guidelines (``None``: no project)."""
        if self.state is not None:
            try:
                self.state.changed.disconnect(self._state_changed)
            except (RuntimeError, TypeError):
                pass
        self.state = state
        if state is not None:
            state.changed.connect(self._state_changed)
            self.reload()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.editor and event.type() == QEvent.Type.KeyPress:
            if event.matches(QKeySequence.StandardKey.Save):
                self.save()
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.cancel()
                return True
        return super().eventFilter(obj, event)

    # -- data ------------------------------------------------------------------------------
    def guidelines(self) -> str:
        if self.state is None:
            return ""
        value = self.state.store.get_setting(SETTING, "")
        return value if isinstance(value, str) else ""

    def reload(self) -> None:
        text = self.guidelines()
        # GitHub dialect without HTML: a tag typed in the guidelines shows as the characters.
        self.browser.document().setMarkdown(text if text.strip() else EMPTY, MARKDOWN)
        if not self.editing:
            self.status.setText("" if text.strip() else "No guidelines yet")

    def _state_changed(self, changes: Changes) -> None:
        if changes.guidelines:
            self.reload()

    # -- modes -----------------------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.editor

    def _show_view(self) -> None:
        self.stack.setCurrentWidget(self.browser)
        self.edit_button.show()
        self.save_button.hide()
        self.cancel_button.hide()

    def start_editing(self) -> None:
        self.editor.setPlainText(self.guidelines())
        self.editor.document().setModified(False)
        self.stack.setCurrentWidget(self.editor)
        self.edit_button.hide()
        self.save_button.show()
        self.cancel_button.show()
        self._update_status()
        self.editor.setFocus()

    def _update_status(self, *_a) -> None:
        if self.editing:
            self.status.setText("Editing (Markdown) — unsaved changes" if self.editor.document().isModified() else "Editing (Markdown)")

    def save(self) -> bool:
        if not self.editing:
            return False
        text = self.editor.toPlainText()
        errors: list[str] = []
        self.state.errorOccurred.connect(errors.append)
        try:
            # an undoable edit (Ctrl+Z in the window takes the guidelines back)
            ok = self.state.apply(SetSetting(SETTING, text, description="Edit guidelines"))
        finally:
            self.state.errorOccurred.disconnect(errors.append)
        if not ok:
            self.status.setText(f"Not saved: {errors[-1] if errors else 'the project refused'}")
            return False
        self.editor.document().setModified(False)
        self._show_view()
        self.reload()
        self.status.setText("Saved")
        return True

    def cancel(self) -> bool:
        """Leave the editor; unsaved changes are only thrown away after asking."""
        if self.editing and self.editor.document().isModified():
            if not confirm_discard(self):
                return False
        self._show_view()
        self.reload()
        return True
