"""Start-up probe: when did the window first paint, and was spaCy loaded by then?

The window is there at once: nothing on the start-up path imports spaCy or loads a model (the
suggesters import spaCy inside their jobs, in worker threads). :func:`watch_first_paint` lets a
benchmark or a test check that from outside the process: with the environment variable
``CORPUSLABEL_FIRST_PAINT`` set, the first paint of the main window prints one JSON line on
standard output, ``{"first_paint": <time.time()>, "cpu": <seconds>, "spacy_loaded": <bool>}``, and with the value
``quit`` the program then quits.

:class:`PaintGate` holds background work back until the window painted once: a job started
earlier imports spaCy in its thread while the GUI thread is still laying out the first frame,
and both want the interpreter.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["ENV_FIRST_PAINT", "watch_first_paint", "first_paint_record", "PaintGate"]

#: Set to ``1`` (print) or ``quit`` (print, then quit) to report the window's first paint.
ENV_FIRST_PAINT = "CORPUSLABEL_FIRST_PAINT"


def first_paint_record() -> dict:
    """What is printed at first paint: the wall-clock time, the process's CPU time so far and
    whether spaCy is imported."""
    return {"first_paint": time.time(), "cpu": time.process_time(), "spacy_loaded": "spacy" in sys.modules}


#: Work held back by a :class:`PaintGate` runs at the latest this long after it was asked for.
GATE_LIMIT_MS = 1500


class PaintGate(QObject):
    """Runs callables once ``window`` has painted (at once after that, or when it is hidden)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._waiting: list[Callable[[], None]] = []
        self.painted = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(GATE_LIMIT_MS)
        self._timer.timeout.connect(self._open)
        QApplication.instance().installEventFilter(self)

    def run(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` after the window's first paint (or now when it painted, or is not shown)."""
        if self.painted or not self._window.isVisible():
            fn()
            return
        self._waiting.append(fn)
        if not self._timer.isActive():
            self._timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self._window:
            QTimer.singleShot(0, self._open)  # after this paint has reached the screen
            QApplication.instance().removeEventFilter(self)
        return False

    def _open(self) -> None:
        if self.painted:
            return
        self.painted = True
        self._timer.stop()
        QApplication.instance().removeEventFilter(self)
        waiting, self._waiting = self._waiting, []
        for fn in waiting:
            fn()


class _FirstPaint(QObject):
    """An application event filter: the first paint event of a widget of ``window``."""

    def __init__(self, window: QWidget, quit_after: bool) -> None:
        super().__init__(window)
        self._window = window
        self._quit = quit_after

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self._window:
            print(json.dumps(first_paint_record()), flush=True)
            QApplication.instance().removeEventFilter(self)
            if self._quit:
                QTimer.singleShot(0, QApplication.instance().quit)
        return False


def watch_first_paint(window: QWidget) -> None:
    """Report ``window``'s first paint on standard output when :data:`ENV_FIRST_PAINT` is set."""
    mode = os.environ.get(ENV_FIRST_PAINT, "").strip().lower()
    if not mode:
        return
    QApplication.instance().installEventFilter(_FirstPaint(window, quit_after=mode == "quit"))
