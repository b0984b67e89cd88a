"""The windows and dialogs opened from the main window: export, labels, agreement, review.

:class:`OtherWindows` opens each one on the window's project, keeps the open ones (closed ones
drop out), and wires a review window's "Edit in main view" to :meth:`MainWindow.show_range`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from ui.errors import show_error

__all__ = ["OtherWindows"]


class OtherWindows(QObject):
    """Opens the other windows of ``window`` (see the module docstring)."""

    def __init__(self, window: QWidget, state_getter: Callable) -> None:
        super().__init__(window)
        self._window = window
        self._state = state_getter
        self._open: list[QWidget] = []

    def open(self) -> list[QWidget]:
        """The other windows still open."""
        return list(self._open)

    def _keep(self, w: QWidget, delete_on_close: bool = True) -> QWidget:
        if not w.isWindow():
            w.setWindowFlags(w.windowFlags() | Qt.WindowType.Window)
        if delete_on_close:
            w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            w.destroyed.connect(lambda _o=None, w=w: self._open.remove(w) if w in self._open else None)
        self._open.append(w)
        w.show()
        return w

    def export(self) -> None:
        """The export dialog (modal)."""
        st = self._state()
        if st is None:
            return
        from ui.export_dialog import ExportDialog

        try:
            ExportDialog(st, self._window).exec()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self._window, exc)

    def labels(self) -> None:
        """The labels dialog (modal; every change in it is an undoable edit)."""
        st = self._state()
        if st is None:
            return
        from ui.labels_dialog import LabelsDialog

        LabelsDialog(st, self._window).exec()

    def agreement(self) -> QWidget | None:
        """The agreement dashboard."""
        st = self._state()
        if st is None:
            return None
        from ui.agreement_dashboard import AgreementDashboard

        try:
            w = AgreementDashboard(st, self._window)
        except Exception as exc:  # noqa: BLE001
            show_error(self._window, exc)
            return None
        # the dashboard opens its own review window: its "edit in main view" comes here too
        w.reviewRequested.connect(lambda _d, _s, w=w: self.wire_review(getattr(w, "review_window", None)),
                                  Qt.ConnectionType.QueuedConnection)
        return self._keep(w)

    def review(self) -> QWidget | None:
        """The review window, on the document shown."""
        st = self._state()
        if st is None:
            return None
        from ui.review_window import ReviewWindow

        try:
            w = ReviewWindow(st, self._window, doc_id=st.current_doc_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self._window, exc)
            return None
        self.wire_review(w)
        return self._keep(w, delete_on_close=False)

    def wire_review(self, w: QWidget | None) -> None:
        """Let a review window's "Edit in main view" (E) show its stretch of text in the window."""
        if w is None or w.property("editWired"):
            return
        w.editRequested.connect(self._window.show_range)
        w.setProperty("editWired", True)
