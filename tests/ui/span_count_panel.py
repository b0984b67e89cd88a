"""A panel added the way any panel is: this one module and its :func:`register_panel` call.

It shows how many spans the person has in the open project and follows every edit through the
state's one ``changed(Changes)`` signal (see tests/ui/test_panels.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from annotator.changes import Changes
from ui.panels import PanelSpec, register_panel


class SpanCountPanel(QLabel):
    """"3 spans by alice" for the open project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No project", parent)
        self.state = None

    def set_state(self, state) -> None:
        if self.state is not None:
            self.state.changed.disconnect(self._changed)
        self.state = state
        if state is not None:
            state.changed.connect(self._changed)
        self._show()

    def _changed(self, changes: Changes) -> None:
        if changes.spans or changes.annotator:
            self._show()

    def _show(self) -> None:
        st = self.state
        self.setText("No project" if st is None else f"{len(st.store.spans(None, st.annotator))} spans by {st.annotator}")


SPEC = register_panel(PanelSpec("spanCount", "Span count", lambda window: SpanCountPanel(window)))
